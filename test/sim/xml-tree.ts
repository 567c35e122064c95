// A minimal XML reader for the simulator's own answers (elements, text, the
// five predefined entities and numeric references; attributes are read and
// dropped; no comments, CDATA or DTDs, which the simulator never writes).
// Anything else is a parse error, so a malformed answer fails the test.
export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  /** The element's own text (between and around children), entities decoded. */
  text: string;
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(s: string, at: number): string {
  return s.replace(/&([a-z]+|#\d+|#x[0-9a-fA-F]+);|&/g, (m, e: string | undefined) => {
    if (e === undefined) throw new Error(`XML: bare & near offset ${at}`);
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    const v = ENTITIES[e];
    if (v === undefined) throw new Error(`XML: unknown entity ${m} near offset ${at}`);
    return v;
  });
}

export function parseXml(xml: string): XmlElement {
  let i = 0;
  const prolog = /^<\?xml[^?]*\?>\s*/.exec(xml);
  if (prolog !== null) i = prolog[0].length;
  const open = /<([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;

  function element(): XmlElement {
    open.lastIndex = i;
    const m = open.exec(xml);
    if (m === null) throw new Error(`XML: expected an element at offset ${i}: ${xml.slice(i, i + 40)}`);
    i = open.lastIndex;
    const node: XmlElement = { name: m[1]!, children: [], text: '' };
    if (m[3] === '/') return node;
    for (;;) {
      const lt = xml.indexOf('<', i);
      if (lt < 0) throw new Error(`XML: <${node.name}> is not closed`);
      node.text += decode(xml.slice(i, lt), i);
      i = lt;
      if (xml.startsWith('</', i)) {
        const close = `</${node.name}>`;
        if (!xml.startsWith(close, i)) throw new Error(`XML: expected ${close} at offset ${i}: ${xml.slice(i, i + 40)}`);
        i += close.length;
        return node;
      }
      node.children.push(element());
    }
  }

  const root = element();
  if (xml.slice(i).trim() !== '') throw new Error(`XML: text after the root element at offset ${i}`);
  return root;
}
