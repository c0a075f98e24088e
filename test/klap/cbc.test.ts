/**
 * The reusable CBC cipher (lib/klap/cbc.ts) restarts its chain by
 * arithmetic instead of making a cipher object per message: every result
 * here is compared with a fresh createCipheriv/createDecipheriv per message,
 * over sequences of messages with their own IVs, and with failed messages
 * in between (a failed decryption must not disturb the next one).
 */
import { strict as assert } from 'assert';
import { createCipheriv, createDecipheriv } from 'crypto';
import * as util from 'util';
import fc from 'fast-check';
import { ReusableCbc } from '../../lib/klap/cbc';
import { deriveSessionKeys, KlapClientSession, openPayload, sealPayload } from '../../lib/klap/session';

const block = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a));
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));

function freshEncrypt(key: Buffer, iv: Buffer, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-cbc', key, iv);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

function freshDecrypt(key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-128-cbc', key, iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** A message to encrypt, or ciphertext to decrypt: real ciphertext, corrupted ciphertext, or random bytes. */
const step = fc.oneof(
  fc.record({ op: fc.constant('encrypt' as const), iv: block(16), data: bytes(100) }),
  fc.record({ op: fc.constant('decrypt' as const), iv: block(16), data: bytes(100), corrupt: fc.nat(200) }),
  fc.record({ op: fc.constant('junk' as const), iv: block(16), data: fc.oneof(bytes(70), fc.integer({ min: 1, max: 5 }).chain((n) => block(16 * n))) }),
);

describe('ReusableCbc', () => {
  it('gives what a fresh cipher per message gives, for any sequence of messages, IVs and failures', () => {
    fc.assert(fc.property(block(16), fc.array(step, { maxLength: 12 }), (key, steps) => {
      const cbc = new ReusableCbc(key);
      for (const s of steps) {
        if (s.op === 'encrypt') {
          assert.deepEqual(cbc.encrypt(s.iv, s.data), freshEncrypt(key, s.iv, s.data));
          continue;
        }
        let ciphertext: Buffer = s.data;
        if (s.op === 'decrypt') {
          ciphertext = freshEncrypt(key, s.iv, s.data);
          if (s.corrupt < ciphertext.length) ciphertext[s.corrupt] = (ciphertext[s.corrupt] as number) ^ 0x5a;
        }
        assert.deepEqual(cbc.decrypt(s.iv, ciphertext), freshDecrypt(key, s.iv, ciphertext));
      }
    }), { numRuns: 300 });
  });

  it('refuses ciphertext that is empty, not whole blocks, or wrongly padded', () => {
    const key = Buffer.alloc(16, 1);
    const iv = Buffer.alloc(16, 2);
    const cbc = new ReusableCbc(key);
    assert.equal(cbc.decrypt(iv, Buffer.alloc(0)), undefined);
    assert.equal(cbc.decrypt(iv, Buffer.alloc(17)), undefined);
    // Padding bytes 1..16 are valid only when every padding byte has the same value.
    const raw = (last: Buffer): Buffer => createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false).update(last);
    assert.equal(cbc.decrypt(iv, raw(Buffer.from('0123456789abcd\x00\x00'))), undefined, 'padding 0');
    assert.equal(cbc.decrypt(iv, raw(Buffer.from('0123456789abcd\x11\x11'))), undefined, 'padding 17');
    assert.equal(cbc.decrypt(iv, raw(Buffer.from('0123456789abc\x02\x03\x03'))), undefined, 'padding 3 over a 2');
    assert.deepEqual(cbc.decrypt(iv, raw(Buffer.from('0123456789abc\x03\x03\x03'))), Buffer.from('0123456789abc'));
    assert.deepEqual(cbc.decrypt(iv, raw(Buffer.alloc(16, 16))), Buffer.alloc(0));
  });

  it('keeps its cipher objects out of util.inspect', () => {
    assert.equal(util.inspect(new ReusableCbc(Buffer.alloc(16, 3)), { showHidden: true, depth: 5 }), 'ReusableCbc {}');
  });
});

describe('KlapClientSession with the reusable cipher', () => {
  it('seals exactly as sealPayload and opens exactly as openPayload, request after request', () => {
    const seed = block(16);
    fc.assert(fc.property(seed, seed, block(32), fc.array(fc.tuple(bytes(300), bytes(300), fc.boolean()), { minLength: 1, maxLength: 6 }), (local, remote, auth, exchanges) => {
      const keys = deriveSessionKeys(local, remote, auth);
      const session = new KlapClientSession(keys);
      for (const [request, reply, corrupt] of exchanges) {
        const { seq, body } = session.seal(request);
        assert.deepEqual(body, sealPayload(keys, seq, request));
        const replyBody = sealPayload(keys, seq, reply);
        if (corrupt) replyBody[replyBody.length - 1] = (replyBody[replyBody.length - 1] as number) ^ 1;
        assert.deepEqual(session.open(seq, replyBody), openPayload(keys, seq, replyBody));
      }
    }), { numRuns: 200 });
  });
});
