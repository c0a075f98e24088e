/** fast-check properties: the AES session round-trips, and parsers of untrusted bytes never throw. */
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { authHash } from '../../lib/klap/auth';
import { readCookies } from '../../lib/klap/http';
import { deriveSessionKeys, openPayload, sealPayload, KlapClientSession } from '../../lib/klap/session';
import { parseDiscovery20002Reply, parseDiscovery20002Request } from '../../lib/discovery/tdp';

const seed = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a));
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));
const keysArb = fc
  .tuple(seed, seed, fc.constantFrom(1 as const, 2 as const), fc.string(), fc.string())
  .map(([local, remote, version, username, password]) => deriveSessionKeys(local, remote, authHash(version, { username, password })));

describe('KLAP properties', () => {
  it('seal then open returns the plaintext, for any keys, seq and payload', () => {
    fc.assert(
      fc.property(keysArb, fc.integer({ min: -0x80000000, max: 0x7fffffff }), bytes(2048), (keys, seq, plaintext) => {
        const opened = openPayload(keys, seq, sealPayload(keys, seq, plaintext), true);
        return opened.ok && opened.plaintext.equals(plaintext);
      }),
      { numRuns: 200 },
    );
  });

  it('a client session hands out strictly increasing seqs that its peer can open', () => {
    fc.assert(
      fc.property(keysArb, fc.array(bytes(256), { minLength: 1, maxLength: 8 }), (keys, messages) => {
        const session = new KlapClientSession(keys);
        let last = keys.initialSeq;
        for (const message of messages) {
          if (session.exhausted) break;
          const { seq, body } = session.seal(message);
          assert.ok(seq > last);
          last = seq;
          const opened = openPayload(keys, seq, body, true);
          assert.ok(opened.ok && opened.plaintext.equals(message));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('opening arbitrary bytes never throws', () => {
    fc.assert(
      fc.property(keysArb, fc.integer({ min: -0x80000000, max: 0x7fffffff }), bytes(200), fc.boolean(), (keys, seq, body, check) => {
        const result = openPayload(keys, seq, body, check);
        assert.equal(typeof result.ok, 'boolean');
      }),
      { numRuns: 300 },
    );
  });

  it('discovery packet and cookie parsers never throw on arbitrary input', () => {
    fc.assert(
      fc.property(bytes(300), fc.array(fc.string()), (packet, cookies) => {
        parseDiscovery20002Reply(packet);
        parseDiscovery20002Request(packet);
        readCookies(cookies);
      }),
      { numRuns: 500 },
    );
  });

  it('the reply parser never throws on a valid header followed by arbitrary JSON', () => {
    const header = Buffer.from('02000001000000000000000000000000', 'hex');
    fc.assert(
      fc.property(fc.json(), (json) => {
        parseDiscovery20002Reply(Buffer.concat([header, Buffer.from(json)]));
        parseDiscovery20002Reply(Buffer.concat([header, Buffer.from(JSON.stringify({ result: JSON.parse(json) as unknown }))]));
      }),
      { numRuns: 300 },
    );
  });
});
