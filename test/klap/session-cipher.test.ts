/**
 * A KLAP session's cipher (KlapSessionCipher, lib/klap/session.ts), as the
 * simulated device uses it, keeps its cipher objects for the session
 * instead of making them per message: whatever happens to one session, request after request (good
 * ones, forged, truncated, corrupted, under another seq), each verdict and
 * each sealed reply must be what the per-message openPayload and
 * sealPayload give, since those define what the device answers. The
 * server keeps the last reply's bytes: each reply must still carry the
 * text the device answered, repeated or changed.
 */
import { strict as assert } from 'assert';
import { createHash } from 'crypto';
import * as util from 'util';
import fc from 'fast-check';
import { KlapTransport } from '../../lib/klap/transport';
import { startKlapServer } from '../../lib/simulator/klap-server';
import { deriveSessionKeys, KlapSessionCipher, openPayload, sealPayload, type SessionKeys } from '../../lib/klap/session';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));
const keysArb = fc.tuple(bytes(16, 16), bytes(16, 16), bytes(32, 32)).map(([local, remote, auth]) => deriveSessionKeys(local, remote, auth));
const seqArb = fc.integer({ min: -0x80000000, max: 0x7fffffff });

/** What a client may send: a sealed request (maybe corrupted, cut, or sealed under another seq), or any bytes. */
const step = fc.oneof(
  fc.record({ op: fc.constant('seal' as const), seq: seqArb, data: bytes(0, 300) }),
  fc.record({
    op: fc.constant('open' as const), seq: seqArb, data: bytes(0, 300),
    sealedUnder: fc.option(seqArb, { nil: undefined }),
    flip: fc.option(fc.nat(400), { nil: undefined }),
    cut: fc.option(fc.nat(400), { nil: undefined }),
  }),
  fc.record({ op: fc.constant('junk' as const), seq: seqArb, data: fc.oneof(bytes(0, 80), fc.integer({ min: 3, max: 8 }).chain((n) => bytes(16 * n, 16 * n))) }),
);
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

/** The body a step puts in front of the device, made with the per-message function. */
function requestBody(keys: SessionKeys, s: Exclude<Step, { op: 'seal' }>): Buffer {
  if (s.op === 'junk') return s.data;
  let body = sealPayload(keys, s.sealedUnder ?? s.seq, s.data);
  if (s.flip !== undefined) body[s.flip % body.length] = (body[s.flip % body.length] as number) ^ 0x01;
  if (s.cut !== undefined) body = body.subarray(0, s.cut % (body.length + 1));
  return body;
}

describe('KLAP session cipher (the simulated device\'s side)', () => {
  it('opens and seals as openPayload(..., true) and sealPayload do, for any run of requests on one session', () => {
    fc.assert(fc.property(keysArb, fc.array(step, { maxLength: 12 }), (keys, steps) => {
      const session = new KlapSessionCipher(keys);
      for (const s of steps) {
        if (s.op === 'seal') {
          assert.deepEqual(session.seal(s.seq, s.data), sealPayload(keys, s.seq, s.data));
        } else {
          const body = requestBody(keys, s);
          const copy = Buffer.from(body);
          assert.deepEqual(session.open(s.seq, body, true), openPayload(keys, s.seq, body, true));
          assert.deepEqual(session.open(s.seq, body), openPayload(keys, s.seq, body));
          assert.deepEqual(body, copy, 'the request body is left as it came');
        }
      }
    }), { numRuns: 300 });
  });

  it('opens what it sealed, every verdict as openPayload gives it for a forged signature and for bad padding', () => {
    const keys = deriveSessionKeys(Buffer.alloc(16, 1), Buffer.alloc(16, 2), Buffer.alloc(32, 3));
    const session = new KlapSessionCipher(keys);
    const sealed = session.seal(7, Buffer.from('{"method":"get_device_info"}'));
    assert.deepEqual(session.open(7, sealed, true), { ok: true, plaintext: Buffer.from('{"method":"get_device_info"}') });
    const forged = Buffer.from(sealed);
    forged[0] = (forged[0] as number) ^ 0xff;
    assert.deepEqual(session.open(7, forged, true), { ok: false, reason: 'signature mismatch' });
    assert.deepEqual(session.open(8, sealed, true), { ok: false, reason: 'signature mismatch' });
    assert.deepEqual(session.open(7, sealed.subarray(0, 40), true), { ok: false, reason: 'body of 40 bytes is not a signature and whole AES blocks' });
    // Signed right but not PKCS#7 inside: the signature passes, the padding does not.
    const unpadded = session.seal(9, Buffer.alloc(15, 0x20)); // one block: 15 spaces and the pad byte 0x01
    const inner = Buffer.from(unpadded);
    inner[inner.length - 1] = (inner[inner.length - 1] as number) ^ 0x80; // corrupts the last block's plaintext, then re-sign
    const resigned = sealPayloadOfCiphertext(keys, 9, inner.subarray(32));
    assert.deepEqual(session.open(9, resigned, true), openPayload(keys, 9, resigned, true));
    assert.equal(session.open(9, resigned, true).ok, false);
  });

  it('refuses keys it cannot lay out, and keeps its key out of util.inspect', () => {
    const keys = deriveSessionKeys(Buffer.alloc(16, 1), Buffer.alloc(16, 2), Buffer.alloc(32, 3));
    assert.throws(() => new KlapSessionCipher({ ...keys, signingKey: Buffer.alloc(32) }), RangeError);
    const shown = util.inspect(new KlapSessionCipher(keys), { showHidden: true, depth: 5 });
    for (const secret of [keys.key, keys.signingKey]) assert.ok(!shown.includes(util.inspect(secret)), shown);
    assert.match(shown, /initialSeq/);
  });

  it('the server seals each reply text the device answers, repeated or changed', async () => {
    const script = ['{"a":1}', '{"a":1}', '{"a":2}', '{"a":1}', '{"nickname":"Küche ☕"}', '{"nickname":"Küche ☕"}', '{"a":1}'];
    let next = 0;
    const user = { username: 'owner@example.com', password: 'pw' };
    const server = await startKlapServer({ version: 2, ...user, handler: () => script[next++] as string });
    const transport = new KlapTransport({ host: '127.0.0.1', port: server.port, ...user });
    try {
      for (const text of script) assert.equal((await transport.send(Buffer.from('{}'), 2000)).toString('utf8'), text);
    } finally {
      await transport.close();
      await server.close();
    }
  });
});

/** A body whose signature is right for `ciphertext`, whatever that ciphertext decrypts to. */
function sealPayloadOfCiphertext(keys: SessionKeys, seq: number, ciphertext: Buffer): Buffer {
  const seqBytes = Buffer.alloc(4);
  seqBytes.writeInt32BE(seq);
  const signature = createHash('sha256').update(keys.signingKey).update(seqBytes).update(ciphertext).digest();
  return Buffer.concat([signature, ciphertext]);
}
