/**
 * The bytes of a simulated SMART device's HTTP reply. wireReply writes an
 * ASCII JSON reply as one string (the socket encodes it) instead of
 * building a Buffer; every reply must still be, byte for byte, what the
 * endpoint wrote before: the head in latin1, then JSON.stringify's text in
 * UTF-8 (or the binary body). The oracle below is that former code.
 */
import { strict as assert } from 'assert';
import { STATUS_CODES } from 'http';
import fc from 'fast-check';
import { wireReply, type EndpointReply } from '../../lib/simulator/smart/http-endpoint';

/** The endpoint's reply bytes before wireReply (bytesOf, then replyBytes). */
function formerReplyBytes(reply: EndpointReply, connection: string): Buffer {
  const body = reply.body ?? (reply.json === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(reply.json), 'utf8'));
  let head = `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? 'Unknown'}\r\n`;
  if (reply.headers) for (const [name, value] of Object.entries(reply.headers)) head += `${name}: ${value}\r\n`;
  head += `Content-Type: ${reply.json === undefined ? 'application/octet-stream' : 'application/json'}\r\n`;
  head += `Content-Length: ${body.length}\r\n${connection}`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** What goes on the wire: a string is written as latin1 (Connection.finish). */
function onTheWire(out: Buffer | string): Buffer {
  return typeof out === 'string' ? Buffer.from(out, 'latin1') : out;
}

const status = fc.constantFrom(200, 400, 403, 404, 413, 500, 599);
const headers = fc.option(fc.dictionary(fc.stringMatching(/^[A-Za-z-]{1,12}$/), fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), { maxKeys: 3 }), { nil: undefined });
const connection = fc.constantFrom('Connection: close\r\n\r\n', 'Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n');
/** JSON values with any text in them: ASCII, accents, emoji, lone surrogates. */
const json = fc.jsonValue({ maxDepth: 3 }).chain((value) => fc.oneof(fc.constant(value), fc.string({ unit: 'binary' }), fc.constant({ text: 'é€\ud83d\ude00\ud800' })));

describe('simulated SMART device: reply bytes', () => {
  it('writes a JSON reply, ASCII or not, exactly as the former Buffer path did', () => {
    fc.assert(fc.property(status, headers, json, connection, (code, extra, value, conn) => {
      const reply: EndpointReply = { status: code, json: value, headers: extra };
      assert.deepEqual(onTheWire(wireReply(reply, conn)), formerReplyBytes(reply, conn));
    }), { numRuns: 500 });
  });

  it('writes JSON text given as text as the same object given as json', () => {
    fc.assert(fc.property(status, headers, json, connection, (code, extra, value, conn) => {
      const asText: EndpointReply = { status: code, jsonText: JSON.stringify(value), headers: extra };
      assert.deepEqual(onTheWire(wireReply(asText, conn)), formerReplyBytes({ status: code, json: value, headers: extra }, conn));
    }), { numRuns: 1000 });
  });

  it('writes a binary reply, or an empty one, as the former Buffer path did', () => {
    const body = fc.option(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), { nil: undefined });
    fc.assert(fc.property(status, headers, body, connection, (code, extra, bytes, conn) => {
      const reply: EndpointReply = { status: code, body: bytes, headers: extra };
      const out = wireReply(reply, conn);
      assert.ok(Buffer.isBuffer(out), 'binary replies stay buffers');
      assert.deepEqual(out, formerReplyBytes(reply, conn));
    }), { numRuns: 500 });
  });

  it('takes the string path only for ASCII text, where latin1 and UTF-8 agree', () => {
    assert.equal(typeof wireReply({ status: 200, jsonText: '{"error_code":0}' }, 'Connection: close\r\n\r\n'), 'string');
    assert.ok(Buffer.isBuffer(wireReply({ status: 200, json: { nickname: 'Küche' } }, 'Connection: close\r\n\r\n')));
  });
});
