import { strict as assert } from 'assert';
import fc from 'fast-check';
import * as legacy from 'tplink-smarthome-crypto';
import { encodeFrame, FrameDecoder, encodeDatagram, decodeDatagram, encrypt } from '../../lib';

function chunk(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(data.subarray(last, p));
    last = p;
  }
  out.push(data.subarray(last));
  return out;
}

describe('TCP framing', () => {
  it('prefixes the cipher text with its big-endian byte length', () => {
    const frame = encodeFrame('{"system":{"get_sysinfo":{}}}');
    assert.equal(frame.readUInt32BE(0), 29);
    assert.equal(frame.subarray(4).toString('hex'), encrypt('{"system":{"get_sysinfo":{}}}').toString('hex'));
  });

  it('uses the UTF-8 byte length for non-ASCII text', () => {
    const frame = encodeFrame('{"alias":"Wohnzimmer Lämpchen"}');
    assert.equal(frame.readUInt32BE(0), Buffer.byteLength('{"alias":"Wohnzimmer Lämpchen"}'));
  });

  it('frames any string like the byte-at-a-time reference, ASCII or not (fast-check)', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })), (text) => {
      assert.deepEqual(encodeFrame(text), legacy.encryptWithHeader(text));
      assert.deepEqual(encrypt(text), legacy.encrypt(text));
    }), { numRuns: 2000 });
  });

  it('decodes a frame split into single bytes', () => {
    const decoder = new FrameDecoder();
    const frame = encodeFrame('{"a":1}');
    const frames: Buffer[] = [];
    for (const byte of frame) frames.push(...decoder.push(Buffer.from([byte])).frames);
    assert.deepEqual(frames.map(String), ['{"a":1}']);
    assert.equal(decoder.pendingBytes, 0);
  });

  it('decodes two frames delivered in one read', () => {
    const decoder = new FrameDecoder();
    const result = decoder.push(Buffer.concat([encodeFrame('{"a":1}'), encodeFrame('{"b":2}')]));
    assert.ok(result.ok);
    assert.deepEqual(result.frames.map(String), ['{"a":1}', '{"b":2}']);
  });

  it('decodes an empty frame', () => {
    const result = new FrameDecoder().push(encodeFrame(''));
    assert.deepEqual(result.frames.map(String), ['']);
  });

  it('refuses a length above the limit without buffering it', () => {
    const decoder = new FrameDecoder(1024);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(0xffffffff);
    const result = decoder.push(Buffer.concat([header, Buffer.alloc(100)]));
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.error.message : '', /exceeds the limit of 1024/);
    assert.equal(decoder.pendingBytes, 0);
    assert.equal(decoder.push(Buffer.from('more')).ok, false);
  });

  it('returns the same frames under any chunking (fast-check)', () => {
    const payload = fc.uint8Array({ maxLength: 300 });
    fc.assert(fc.property(fc.array(payload, { maxLength: 6 }), fc.array(fc.nat(4000), { maxLength: 40 }), (payloads, cuts) => {
      const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
      const decoder = new FrameDecoder();
      const frames: Buffer[] = [];
      for (const piece of chunk(stream, cuts)) {
        const result = decoder.push(piece);
        assert.ok(result.ok);
        frames.push(...result.frames);
      }
      assert.deepEqual(frames, payloads.map((p) => Buffer.from(p)));
      assert.equal(decoder.pendingBytes, 0);
    }), { numRuns: 1500 });
  });

  it('never throws on garbage (fast-check)', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (pieces) => {
      const decoder = new FrameDecoder(4096);
      for (const piece of pieces) decoder.push(Buffer.from(piece));
    }), { numRuns: 3000 });
  });

  it('encodes UDP datagrams without a length prefix', () => {
    const d = encodeDatagram('{"system":{"get_sysinfo":{}}}');
    assert.equal(d.toString('hex'), 'd0f281f88bff9af7d5ef94b6d1b4c09fec95e68fe187e8caf08bf68bf6');
    assert.equal(decodeDatagram(d).toString(), '{"system":{"get_sysinfo":{}}}');
  });
});
