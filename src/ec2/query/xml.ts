// Reading EC2's XML answers. The parse itself is the AWS SDK's own XML parser
// (@aws-sdk/xml-builder parseXML); it gives one object per element, a string
// for a text-only element, and an array where an element repeats. EC2 wraps
// every list in an element whose children are all `item` (AWS's model:
// `"itemName": "item"` on each list shape), so `items` below gives a list's
// entries whether there were none, one or many.
import { parseXML } from '@aws-sdk/xml-builder';

export type XmlValue = string | XmlNode | XmlValue[];
export interface XmlNode {
  readonly [name: string]: XmlValue;
}

const isNode = (v: XmlValue | undefined): v is XmlNode => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The root element's content and name. Throws on text that is not XML. */
export function parseXmlDocument(text: string): { name: string; node: XmlNode } {
  const doc = parseXML(text) as Record<string, XmlValue>;
  const name = Object.keys(doc)[0];
  if (name === undefined) throw new Error('empty XML document');
  const v = doc[name];
  return { name, node: isNode(v) ? v : {} };
}

/** Text of a child element (the first, if it repeats); undefined when absent. */
export function text(node: XmlNode | undefined, name: string): string | undefined {
  let v = node?.[name];
  if (Array.isArray(v)) v = v[0];
  return typeof v === 'string' ? v : undefined;
}

/** A child element holding other elements; undefined when absent or text-only. */
export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  let v = node?.[name];
  if (Array.isArray(v)) v = v[0];
  return isNode(v) ? v : undefined;
}

/** The `item` entries of a list element (`<routeSet><item>…</item>…</routeSet>`); [] when absent or empty. */
export function items(node: XmlNode | undefined, name: string): XmlNode[] {
  const list = child(node, name)?.['item'];
  if (list === undefined) return [];
  return (Array.isArray(list) ? list : [list]).filter(isNode);
}

/** EC2's booleans are `true` / `false`. */
export function bool(node: XmlNode | undefined, name: string): boolean | undefined {
  const t = text(node, name);
  return t === undefined ? undefined : t === 'true';
}

export function int(node: XmlNode | undefined, name: string): number | undefined {
  const t = text(node, name);
  if (t === undefined || t.trim() === '') return undefined;
  const n = Number(t);
  return Number.isInteger(n) ? n : undefined;
}

/** `nextToken`, or undefined when absent or empty (both mean the last page). */
export function nextToken(node: XmlNode): string | undefined {
  const t = text(node, 'nextToken');
  return t !== undefined && t !== '' ? t : undefined;
}
