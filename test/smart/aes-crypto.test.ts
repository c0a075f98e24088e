/** The AES transport's crypto pieces on their own: RSA PKCS#1 v1.5 unpadding, the session cipher, login parameters. */
import { strict as assert } from 'assert';
import { constants, createDecipheriv, generateKeyPairSync, publicEncrypt } from 'crypto';
import * as util from 'util';
import fc from 'fast-check';
import { AesSessionCipher } from '../../lib/smart/aes/cipher';
import { loginParams } from '../../lib/smart/aes/envelope';
import { decryptPkcs1, encryptPkcs1, unpadPkcs1Type2 } from '../../lib/smart/aes/rsa';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('SMART AES crypto', () => {
  it('decrypts PKCS#1 v1.5 without Node\'s refused padding mode, for any 32-byte key and IV', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
      const plain = Buffer.from(bytes);
      assert.deepEqual(decryptPkcs1(privateKey, encryptPkcs1(PEM, plain)), plain);
    }), { numRuns: 30 });
  });

  it('refuses blocks that are not PKCS#1 v1.5 type 2 padded', () => {
    const pad = (head: number[], ps: number, message: number[]): Buffer => Buffer.from([...head, ...Array(ps).fill(7), 0, ...message]);
    assert.deepEqual(unpadPkcs1Type2(pad([0, 2], 8, [1, 2])), Buffer.from([1, 2]));
    assert.equal(unpadPkcs1Type2(pad([0, 1], 8, [1, 2])), undefined, 'type 1 (signature) padding');
    assert.equal(unpadPkcs1Type2(pad([1, 2], 8, [1, 2])), undefined, 'first byte not zero');
    assert.equal(unpadPkcs1Type2(pad([0, 2], 7, [1, 2])), undefined, 'padding shorter than 8 bytes');
    assert.equal(unpadPkcs1Type2(Buffer.from([0, 2, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7])), undefined, 'no separator');
    assert.equal(unpadPkcs1Type2(Buffer.alloc(5)), undefined, 'too short');
  });

  it('returns undefined, never throws, for ciphertext of the wrong length or key', () => {
    assert.equal(decryptPkcs1(privateKey, Buffer.alloc(10)), undefined);
    assert.equal(decryptPkcs1(privateKey, Buffer.alloc(128, 0xff)), undefined);
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    assert.equal(decryptPkcs1(privateKey, publicEncrypt({ key: other, padding: constants.RSA_PKCS1_PADDING }, Buffer.alloc(32))), undefined);
  });

  it('the session cipher round-trips any payload and rejects what is not its ciphertext', () => {
    const cipher = new AesSessionCipher(Buffer.alloc(32, 5));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      assert.deepEqual(cipher.decrypt(cipher.encrypt(Buffer.from(bytes))), Buffer.from(bytes));
    }), { numRuns: 100 });
    assert.equal(cipher.decrypt('not base64!'), undefined);
    assert.equal(cipher.decrypt(''), undefined);
    assert.equal(cipher.decrypt(Buffer.alloc(15).toString('base64')), undefined);
    assert.equal(new AesSessionCipher(Buffer.alloc(32, 6)).decrypt(cipher.encrypt(Buffer.from('{"a":1}'))), undefined);
  });

  it('decrypts any text, one after another, as a fresh decoding and a fresh decipher would, refusing what is not base64 alike', () => {
    const keyAndIv = Buffer.from('0123456789abcdefFEDCBA9876543210');
    const cipher = new AesSessionCipher(keyAndIv);
    const reference = (text: string): Buffer | undefined => {
      const ciphertext = Buffer.from(text, 'base64');
      if (ciphertext.toString('base64') !== text && !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
      try {
        const decipher = createDecipheriv('aes-128-cbc', keyAndIv.subarray(0, 16), keyAndIv.subarray(16));
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      } catch {
        return undefined;
      }
    };
    // Lengths past the room a cipher keeps (16 KiB) too.
    const payload = fc.oneof(fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)), fc.tuple(fc.nat({ max: 20_000 }), fc.nat({ max: 255 })).map(([n, b]) => Buffer.alloc(n, b)));
    const sealed = payload.map((bytes) => cipher.encrypt(bytes));
    const noise = fc.string({ unit: fc.constantFrom(...'AQgw+/=-_ \n!é'.split('')), maxLength: 60 });
    const mangled = fc.tuple(sealed, fc.nat(), noise).map(([text, at, extra]) => text.slice(0, at % (text.length + 1)) + extra + text.slice(at % (text.length + 1)));
    fc.assert(fc.property(fc.array(fc.oneof(sealed, noise, mangled), { minLength: 1, maxLength: 8 }), (texts) => {
      for (const text of texts) assert.deepEqual(cipher.decrypt(text), reference(text));
    }), { numRuns: 150 });
  });

  it('keeps the key and IV out of util.inspect', () => {
    const cipher = new AesSessionCipher(Buffer.from('0123456789abcdefFEDCBA9876543210'));
    assert.doesNotMatch(util.inspect(cipher, { showHidden: true, depth: 5 }), /0123456789abcdef|FEDCBA9876543210|30 31 32/);
  });

  it('builds login_device parameters for versions 1 and 2 (vectors computed with Python)', () => {
    const credentials = { username: 'owner@example.com', password: 'Correct horse 42' };
    const username = 'NjZmMTcxZDg4NDc0NDc2Y2I0OTMzYjMzYjM5Y2NlYmE4MjVlMjRmMQ==';
    assert.deepEqual(loginParams(1, credentials), { username, password: 'Q29ycmVjdCBob3JzZSA0Mg==' });
    assert.deepEqual(loginParams(2, credentials), { username, password2: 'NTc1YTE1ZmNlYWI2MjdkNWVjZjdhZjFhOTIzZTU5OWZmNmMyYTc3ZQ==' });
  });
});
