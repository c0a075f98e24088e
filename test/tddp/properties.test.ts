import { strict as assert } from 'assert';
import fc from 'fast-check';
import {
  decodePacket, decryptBlocks, decryptData, encodePacket, encryptData, looksCleanlyDecrypted, TddpVersion,
} from '../../lib/tddp';

const byte = fc.integer({ min: 0, max: 0xff });
const key = fc.uint8Array({ minLength: 8, maxLength: 8 });
const fields = fc.record({
  version: fc.constantFrom<TddpVersion>(1, 2),
  type: byte,
  code: byte,
  status: byte,
  id: fc.integer({ min: 0, max: 0xffff }),
  subtype: byte,
  reserved: byte,
  data: fc.uint8Array({ maxLength: 300 }),
});

describe('TDDP properties', () => {
  it('decode(encode(packet)) gives back every field and the data, v1 and v2', () => {
    fc.assert(fc.property(fields, (packet) => {
      const wire = encodePacket(packet);
      const result = decodePacket(wire);
      assert.ok(result.ok, result.ok ? '' : result.error.message);
      const { header, data } = result.packet;
      const { digest, length, ...rest } = header;
      assert.deepEqual({ ...rest, data: new Uint8Array(data) }, { ...packet });
      assert.equal(length, packet.data.length);
      assert.equal(digest === undefined, packet.version === 1);
      assert.equal(wire.length, (packet.version === 2 ? 28 : 12) + packet.data.length);
    }));
  });

  it('encode(decode(bytes)) is the identity on every packet the decoder accepts', () => {
    fc.assert(fc.property(fields, (packet) => {
      const wire = encodePacket(packet);
      const result = decodePacket(wire);
      assert.ok(result.ok);
      assert.ok(encodePacket({ ...result.packet.header, data: result.packet.data }).equals(wire));
    }));
  });

  it('decrypt(encrypt(data)) gives the data back, zero-padded to whole blocks', () => {
    fc.assert(fc.property(key, fc.uint8Array({ maxLength: 200 }), (k, plain) => {
      const cipher = encryptData(k, plain);
      assert.equal(cipher.length % 8, 0);
      assert.equal(cipher.length, Math.ceil(plain.length / 8) * 8);
      const padded = decryptBlocks(k, cipher);
      assert.deepEqual(new Uint8Array(padded.subarray(0, plain.length)), plain);
      assert.ok(padded.subarray(plain.length).every((b) => b === 0));
      assert.ok(looksCleanlyDecrypted(padded) || plain.length % 8 === 0);
    }));
  });

  it('decryptData strips only the padding when the data does not end in zero', () => {
    fc.assert(fc.property(key, fc.string({ maxLength: 100 }), (k, text) => {
      const plain = Buffer.from(text.replace(/\0+$/, ''), 'utf8');
      assert.deepEqual(decryptData(k, encryptData(k, plain)), plain);
    }));
  });

  it('accepts printable text of any length as cleanly decrypted', () => {
    const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 64 });
    fc.assert(fc.property(key, printable, (k, text) => {
      assert.ok(looksCleanlyDecrypted(decryptBlocks(k, encryptData(k, text))));
    }));
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      const result = decodePacket(bytes);
      if (result.ok) assert.equal(result.packet.data.length, result.packet.header.length);
      else assert.ok(['short', 'oversize', 'version', 'digest'].includes(result.error.reason));
    }), { numRuns: 1000 });
  });

  it('never throws on valid packets cut, extended or with a byte changed', () => {
    const damage = fc.oneof(
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 0xff }) }),
    );
    fc.assert(fc.property(fields, damage, (packet, change) => {
      const wire = encodePacket(packet);
      let bytes: Buffer;
      if (change.kind === 'cut') bytes = wire.subarray(0, change.at % wire.length);
      else if (change.kind === 'extend') bytes = Buffer.concat([wire, change.extra]);
      else {
        bytes = Buffer.from(wire);
        bytes[change.at % wire.length] ^= change.mask;
      }
      const result = decodePacket(bytes);
      if (change.kind === 'cut' || change.kind === 'extend') assert.equal(result.ok, false);
      if (change.kind === 'flip' && packet.version === 2) assert.equal(result.ok, false, 'a v2 digest catches any single-byte change');
    }), { numRuns: 500 });
  });

  it('flags data decrypted with a wrong key at least 98% of the time (measured over 500 seeded keys)', () => {
    const right = Buffer.from('f6fdffe48c908deb', 'hex');
    const cipher = encryptData(right, 'wan_ph_link 1 0');
    const keys = fc.sample(key, { numRuns: 500, seed: 42 });
    const missed = keys.filter((k) => !Buffer.from(k).equals(right) && looksCleanlyDecrypted(decryptBlocks(k, cipher))).length;
    assert.ok(missed <= 10, `wrong key accepted ${missed} times out of 500`);
  });
});
