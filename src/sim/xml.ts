// A small XML writer for EC2 Query responses. A response body is a plain
// value tree: object keys become element names, arrays become `<item>`
// lists, undefined is left out, and Raw carries text serialized earlier
// (the per-route-table cache).
export const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export class Raw {
  constructor(readonly xml: string) {}
}

export type XmlValue = string | number | boolean | undefined | null | Raw | XmlObject | readonly XmlValue[];
export interface XmlObject {
  readonly [key: string]: XmlValue;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(s: string): string {
  return /[&<>"']/.test(s) ? s.replace(/[&<>"']/g, (c) => ESC[c]!) : s;
}

function write(out: string[], name: string, v: XmlValue): void {
  if (v === undefined || v === null) return;
  if (v instanceof Raw) {
    out.push(`<${name}>`, v.xml, `</${name}>`);
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

function writeFields(out: string[], o: XmlObject): void {
  for (const k in o) write(out, k, o[k]);
}

/** Serializes the fields of one object without a wrapper element. */
export function xmlFields(o: XmlObject): string {
  const out: string[] = [];
  writeFields(out, o);
  return out.join('');
}

/** `<ActionResponse xmlns=...><requestId>..</requestId>...</ActionResponse>` */
export function responseXml(action: string, requestId: string, body: XmlObject): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NS}"><requestId>${requestId}</requestId>` +
    xmlFields(body) +
    `</${action}Response>`
  );
}

export function errorXml(code: string, message: string, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`
  );
}
