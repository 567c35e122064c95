import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorXml, escapeXml, Raw, responseChunks, responseXml, xmlFields } from './xml.js';

describe('xml', () => {
  it('objects become elements, arrays become item lists, undefined is left out', () => {
    assert.equal(
      xmlFields({ a: 'x', b: undefined, c: [{ d: 1 }, { d: true }], e: [] }),
      '<a>x</a><c><item><d>1</d></item><item><d>true</d></item></c><e/>',
    );
  });

  it('text is escaped', () => {
    assert.equal(escapeXml(`a<b>&"c'`), 'a&lt;b&gt;&amp;&quot;c&apos;');
    assert.equal(xmlFields({ v: '<x>' }), '<v>&lt;x&gt;</v>');
  });

  it('raw fragments are inserted as they are', () => {
    assert.equal(xmlFields({ t: new Raw('<k>v</k>') }), '<t><k>v</k></t>');
  });

  it('a response names the action, the EC2 namespace and the request id', () => {
    const x = responseXml('CreateRoute', 'req-1', { return: true });
    assert.match(x, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<CreateRouteResponse xmlns="http:\/\/ec2.amazonaws.com\/doc\/2016-11-15\/">/);
    assert.match(x, /<requestId>req-1<\/requestId><return>true<\/return><\/CreateRouteResponse>$/);
  });

  it('the chunked response has the same bytes as the string response', () => {
    const big = new Raw(`<k>${'v'.repeat(10_000)}</k>`);
    const body = { set: [big, big], n: 1 };
    const joined = Buffer.concat(responseChunks('X', 'r', body).map((c) => (typeof c === 'string' ? Buffer.from(c) : c))).toString();
    assert.equal(joined, responseXml('X', 'r', body));
  });

  it('an error document has Code, Message and RequestID', () => {
    assert.equal(
      errorXml('RouteAlreadyExists', 'm & n', 'r1'),
      '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>RouteAlreadyExists</Code><Message>m &amp; n</Message></Error></Errors><RequestID>r1</RequestID></Response>',
    );
  });
});
