import { strict as assert } from 'assert';
import fc from 'fast-check';
import * as legacy from 'tplink-smarthome-crypto';
import { encrypt, decrypt } from '../../lib';
import { encryptInPlace, decryptInPlace } from '../../lib/classic/cipher';

describe('XOR autokey cipher', () => {
  it('encrypts the get_sysinfo request to the known cipher text', () => {
    assert.equal(
      encrypt('{"system":{"get_sysinfo":{}}}').toString('hex'),
      'd0f281f88bff9af7d5ef94b6d1b4c09fec95e68fe187e8caf08bf68bf6',
    );
  });

  it('decrypts the known cipher text', () => {
    const c = Buffer.from('d0f281f88bff9af7d5ef94b6d1b4c09fec95e68fe187e8caf08bf68bf6', 'hex');
    assert.equal(decrypt(c).toString(), '{"system":{"get_sysinfo":{}}}');
  });

  it('counts UTF-8 bytes, not characters', () => {
    const text = '{"alias":"Küche ☕ 🔌"}';
    const c = encrypt(text);
    assert.equal(c.length, Buffer.byteLength(text));
    assert.equal(decrypt(c).toString('utf8'), text);
  });

  it('leaves its input untouched', () => {
    const input = Buffer.from('hello world, this is longer than the word threshold of the cipher');
    const copy = Buffer.from(input);
    decrypt(encrypt(input));
    assert.deepEqual(input, copy);
  });

  it('decrypt(encrypt(x)) = x for any bytes (fast-check)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
      assert.deepEqual(decrypt(encrypt(bytes)), Buffer.from(bytes));
    }), { numRuns: 2000 });
  });

  it('decrypts replies of several KiB into outputs of their own: none shares bytes with another or with its input (fast-check)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 3000, max: 20_000 }), { minLength: 2, maxLength: 12 }), fc.integer({ min: 0, max: 255 }), (sizes, fill) => {
      const plains = sizes.map((size, i) => Buffer.alloc(size, (fill + i) & 0xff));
      const inputs = plains.map((plain) => encrypt(plain));
      const outputs = inputs.map((input) => decrypt(input));
      outputs.forEach((out, i) => assert.deepEqual(out, plains[i]));
      // Overwritten one by one, each output changes alone.
      outputs.forEach((out, i) => {
        out.fill((fill + i + 128) & 0xff);
        outputs.forEach((other, j) => assert.equal(other[other.length - 1], (fill + j + (j <= i ? 128 : 0)) & 0xff, `output ${j} after writing ${i}`));
        assert.deepEqual(decrypt(inputs[i] as Buffer), plains[i], 'the input is untouched');
      });
    }), { numRuns: 300 });
  });

  it('matches a byte-at-a-time reference at every length and alignment (fast-check)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(7), (bytes, offset) => {
      const backing = Buffer.alloc(bytes.length + 8);
      backing.set(bytes, offset);
      const view = backing.subarray(offset, offset + bytes.length);
      assert.deepEqual(encrypt(view), legacy.encrypt(Buffer.from(bytes)));
      assert.deepEqual(decrypt(view), legacy.decrypt(Buffer.from(bytes)));
    }), { numRuns: 2000 });
  });

  it('encrypts and decrypts in place with a chosen key', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 255 }), (bytes, key) => {
      const buf = Buffer.from(bytes);
      encryptInPlace(buf, 0, buf.length, key);
      decryptInPlace(buf, 0, buf.length, key);
      assert.deepEqual(buf, Buffer.from(bytes));
    }));
  });
});
