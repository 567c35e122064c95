// A small XML writer for EC2 Query responses. A response body is a plain
// value tree: object keys become element names, arrays become `<item>`
// lists, undefined is left out, and Raw carries text serialized earlier
// (the per-route-table cache).
export const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export class Raw {
  private buf: Buffer | undefined;
  constructor(readonly xml: string) {}
  /** The UTF-8 bytes, encoded once; large cached fragments are sent as-is. */
  get bytes(): Buffer {
    this.buf ??= Buffer.from(this.xml, 'utf8');
    return this.buf;
  }
}

export type XmlValue = string | number | boolean | undefined | null | Raw | XmlObject | readonly XmlValue[];
export interface XmlObject {
  readonly [key: string]: XmlValue;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(s: string): string {
  return /[&<>"']/.test(s) ? s.replace(/[&<>"']/g, (c) => ESC[c]!) : s;
}

function write(out: (string | Buffer)[], name: string, v: XmlValue): void {
  if (v === undefined || v === null) return;
  if (v instanceof Raw) {
    out.push(`<${name}>`, v.bytes.length > 4096 ? v.bytes : v.xml, `</${name}>`);
  } else if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push(`<${name}/>`);
      return;
    }
    out.push(`<${name}>`);
    for (const item of v as readonly XmlValue[]) write(out, 'item', item);
    out.push(`</${name}>`);
  } else if (typeof v === 'object') {
    out.push(`<${name}>`);
    writeFields(out, v as XmlObject);
    out.push(`</${name}>`);
  } else {
    out.push(`<${name}>`, escapeXml(String(v)), `</${name}>`);
  }
}

function writeFields(out: (string | Buffer)[], o: XmlObject): void {
  for (const k in o) write(out, k, o[k]);
}

/** Serializes the fields of one object without a wrapper element. */
export function xmlFields(o: XmlObject): string {
  const out: (string | Buffer)[] = [];
  writeFields(out, o);
  return out.map((p) => (typeof p === 'string' ? p : p.toString('utf8'))).join('');
}

/** `<ActionResponse xmlns=...><requestId>..</requestId>...</ActionResponse>` */
export function responseXml(action: string, requestId: string, body: XmlObject): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NS}"><requestId>${requestId}</requestId>` +
    xmlFields(body) +
    `</${action}Response>`
  );
}

/**
 * The same document as responseXml, as a list of chunks: cached fragments
 * stay Buffers so a large DescribeRouteTables answer is written without
 * copying it into one big string first.
 */
export function responseChunks(action: string, requestId: string, body: XmlObject): (string | Buffer)[] {
  const out: (string | Buffer)[] = [];
  writeFields(out, body);
  const chunks: (string | Buffer)[] = [];
  let text = `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NS}"><requestId>${requestId}</requestId>`;
  for (const piece of out) {
    if (typeof piece === 'string') text += piece;
    else {
      chunks.push(text, piece);
      text = '';
    }
  }
  chunks.push(`${text}</${action}Response>`);
  return chunks;
}

export function errorXml(code: string, message: string, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`
  );
}
