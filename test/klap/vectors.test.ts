/**
 * Fixed seeds against values computed independently (Python hashlib and
 * `cryptography`) from the published formulas, so that a shared mistake in
 * our derivation cannot pass unnoticed.
 */
import { strict as assert } from 'assert';
import { authHash, handshake1ServerHash, handshake2ClientHash, type KlapVersion } from '../../lib/klap/auth';
import { performHandshake, type Post } from '../../lib/klap/handshake';
import { deriveSessionKeys, openPayload, sealPayload, KlapClientSession } from '../../lib/klap/session';

const LOCAL = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const REMOTE = Buffer.from('101112131415161718191a1b1c1d1e1f', 'hex');
const CREDS = { username: 'user@example.com', password: 'secret' };
const REQUEST = Buffer.from('{"system":{"get_sysinfo":{}}}');

const EXPECTED: Record<KlapVersion, { auth: string; s1: string; s2: string; key: string; iv: string; seq: number; sig: string; body: string }> = {
  1: {
    auth: '9d6ce791ce44316e9e52fc1bc9d36496',
    s1: 'c2d456076f946c707000874d2e226a1c09e89a21e459272b8ec0f01cdaf774cf',
    s2: '50ef3325d42cd7c999aa9e47e8cb0f8a7f6f239f1d51b39d46d581a4bb75c8c5',
    key: 'c5d896030359050e711d402b829b53cd',
    iv: '3dcdd2bc7801fec3a7a7eb96',
    seq: -59551828,
    sig: '4617dcf442a7c0101e3e8bdcfee6978938be30821c84b70c71571fab',
    body: 'c96f0b774642c44a6c9b1ddc66d940fd1ef589b5839f50918b910bc99cce62a9d938d48d944c90ce1725e9a8ea0af3a37e8b6039e6189a3a497bf0b9b03700d8',
  },
  2: {
    auth: 'b039216532fc844e9ae0cc8fe3ea911c9ba09c641bb96a3e1f776d93f7b5ae9b',
    s1: '8ed3b905e654fbee23900d0244156a33029c025b71b03bfcc601eff33aaebb70',
    s2: '1e590e7a4dc128da48ed17e06fe23ddb6ec646bb6da2eb00708d590f194201d7',
    key: '35dcf29cd535ce140a239c67f641d395',
    iv: '863e09a70667472d3fa152a4',
    seq: -903964344,
    sig: '777443e2fdd5cb21052633a60e830f44c8654b3a701f449231ed11fa',
    body: 'ee33583262ebfd6b6977db181b8ba22a26f04b66d42c628224c0a40961942c64b2ea7862e52efd2186b9d6c73afb86a8b9821180993deb7e55bf8d03b44290d9',
  },
};

for (const version of [1, 2] as const) {
  const expected = EXPECTED[version];
  describe(`KLAP v${version} derivations (fixed seeds)`, () => {
    const auth = authHash(version, CREDS);

    it('auth_hash and both handshake hashes', () => {
      assert.equal(auth.toString('hex'), expected.auth);
      assert.equal(handshake1ServerHash(version, LOCAL, REMOTE, auth).toString('hex'), expected.s1);
      assert.equal(handshake2ClientHash(version, LOCAL, REMOTE, auth).toString('hex'), expected.s2);
    });

    it('session key, IV, initial sequence number and signing key', () => {
      const keys = deriveSessionKeys(LOCAL, REMOTE, auth);
      assert.equal(keys.key.toString('hex'), expected.key);
      assert.equal(keys.ivPrefix.toString('hex'), expected.iv);
      assert.equal(keys.initialSeq, expected.seq);
      assert.equal(keys.signingKey.toString('hex'), expected.sig);
    });

    it('the first request body is signature + ciphertext under seq + 1', () => {
      const session = new KlapClientSession(deriveSessionKeys(LOCAL, REMOTE, auth));
      const sealed = session.seal(REQUEST);
      assert.equal(sealed.seq, expected.seq + 1);
      assert.equal(sealed.body.toString('hex'), expected.body);
      const opened = openPayload(session.keys, sealed.seq, sealed.body, true);
      assert.ok(opened.ok && opened.plaintext.equals(REQUEST));
    });

    it('performHandshake sends the local seed, proves the auth_hash and detects the version', async () => {
      const posts: Array<{ path: string; body: string; cookie: string | undefined }> = [];
      const post: Post = async (path, body, cookie) => {
        posts.push({ path, body: body.toString('hex'), cookie });
        if (path === '/app/handshake1') {
          return {
            status: 200,
            body: Buffer.concat([REMOTE, Buffer.from(expected.s1, 'hex')]),
            setCookie: ['TP_SESSIONID=ABC123;TIMEOUT=86400'],
          };
        }
        return { status: 200, body: Buffer.alloc(0), setCookie: [] };
      };
      const result = await performHandshake(post, {
        address: { host: '127.0.0.1', port: 80 },
        credentials: CREDS,
        versions: [2, 1],
        localSeed: LOCAL,
        now: () => 0,
      });
      assert.equal(result.version, version);
      assert.equal(result.cookie, 'TP_SESSIONID=ABC123');
      assert.equal(result.expiresAt, (86_400 - 1200) * 1000);
      assert.deepEqual(posts, [
        { path: '/app/handshake1', body: LOCAL.toString('hex'), cookie: undefined },
        { path: '/app/handshake2', body: expected.s2, cookie: 'TP_SESSIONID=ABC123' },
      ]);
      assert.equal(result.session.seal(REQUEST).body.toString('hex'), expected.body);
    });
  });
}

describe('KLAP sealed payloads', () => {
  const keys = deriveSessionKeys(LOCAL, REMOTE, authHash(1, CREDS));

  it('a wrong sequence number fails to decrypt or to verify', () => {
    const body = sealPayload(keys, 5, REQUEST);
    assert.equal(openPayload(keys, 6, body, true).ok, false);
  });

  it('a tampered signature is caught when checked, ignored otherwise', () => {
    const body = sealPayload(keys, 5, REQUEST);
    body[0] ^= 1;
    assert.deepEqual(openPayload(keys, 5, body, true), { ok: false, reason: 'signature mismatch' });
    assert.equal(openPayload(keys, 5, body).ok, true);
  });

  it('refuses to wrap the sequence number past 2^31-1', () => {
    const session = new KlapClientSession({ ...keys, initialSeq: 0x7ffffffe });
    assert.equal(session.seal(REQUEST).seq, 0x7fffffff);
    assert.equal(session.exhausted, true);
    assert.throws(() => session.seal(REQUEST), RangeError);
  });
});
