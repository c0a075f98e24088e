/** The simulator's KLAP server checks what a device checks: session, signature, sequence numbers. */
import { strict as assert } from 'assert';
import * as http from 'http';
import { performHandshake, type HandshakeResult, type Post } from '../../lib/klap/handshake';
import { HttpConnection } from '../../lib/klap/http';
import { sealPayload, openPayload } from '../../lib/klap/session';
import type { KlapServer } from '../../lib/simulator/klap-server';
import { startPlug, SYSINFO_REQUEST } from './support';

describe('KLAP server (simulated device)', () => {
  let server: KlapServer;
  let connection: HttpConnection;
  let post: Post;
  let state: HandshakeResult;

  beforeEach(async () => {
    server = await startPlug({ version: 2 });
    const address = { host: '127.0.0.1', port: server.port };
    connection = new HttpConnection({ address, maxResponseSize: 65536 });
    post = (path, body, cookie) => connection.post({ path, body, cookie, timeout: 2000 });
    state = await performHandshake(post, { address, credentials: { username: '', password: '' }, versions: [2] });
  });
  afterEach(async () => {
    connection.close();
    await server.close();
  });

  const request = (seq: number, body: Buffer, cookie = state.cookie) => post(`/app/request?seq=${seq}`, body, cookie);

  it('answers a well-formed request with a reply sealed under the same seq', async () => {
    const { seq, body } = state.session.seal(SYSINFO_REQUEST);
    const reply = await request(seq, body);
    assert.equal(reply.status, 200);
    const opened = openPayload(state.session.keys, seq, reply.body, true);
    assert.ok(opened.ok, 'the reply signature and padding check out');
  });

  it('rejects a tampered signature with 403 and does not consume the seq', async () => {
    const { seq, body } = state.session.seal(SYSINFO_REQUEST);
    const forged = Buffer.from(body);
    forged[3] ^= 0x40;
    assert.equal((await request(seq, forged)).status, 403);
    assert.equal((await request(seq, body)).status, 200);
    assert.equal(server.stats.requests, 1);
  });

  it('rejects tampered ciphertext (the signature covers it)', async () => {
    const { seq, body } = state.session.seal(SYSINFO_REQUEST);
    body[body.length - 1] ^= 1;
    assert.equal((await request(seq, body)).status, 403);
  });

  it('rejects a replayed or lower sequence number with 403', async () => {
    const first = state.session.seal(SYSINFO_REQUEST);
    const second = state.session.seal(SYSINFO_REQUEST);
    assert.equal((await request(second.seq, second.body)).status, 200);
    assert.equal((await request(second.seq, second.body)).status, 403, 'replay');
    assert.equal((await request(first.seq, first.body)).status, 403, 'older number');
    assert.equal(server.stats.requests, 1);
  });

  it('accepts gaps: a lost request does not break the session', async () => {
    state.session.seal(SYSINFO_REQUEST);
    const next = state.session.seal(SYSINFO_REQUEST);
    assert.equal((await request(next.seq, next.body)).status, 200);
  });

  it('rejects the initial seq itself and a malformed one', async () => {
    const initial = state.session.keys.initialSeq;
    assert.equal((await request(initial, sealPayload(state.session.keys, initial, SYSINFO_REQUEST))).status, 403);
    assert.equal((await post('/app/request?seq=abc', Buffer.alloc(48), state.cookie)).status, 400);
    assert.equal((await post('/app/request?seq=99999999999', Buffer.alloc(48), state.cookie)).status, 400);
  });

  it('answers 403 without a session cookie, with an unknown one, and after expireSessions()', async () => {
    const { seq, body } = state.session.seal(SYSINFO_REQUEST);
    assert.equal((await post(`/app/request?seq=${seq}`, body)).status, 403);
    assert.equal((await request(seq, body, 'TP_SESSIONID=NOPE')).status, 403);
    server.expireSessions();
    assert.equal((await request(seq, body)).status, 403);
  });

  it('refuses handshake2 with a wrong proof and forgets that session', async () => {
    const reply1 = await post('/app/handshake1', Buffer.alloc(16, 7));
    const cookie = reply1.setCookie[0]?.split(';')[0];
    assert.match(reply1.setCookie[0] ?? '', /^TP_SESSIONID=[0-9A-F]{32};TIMEOUT=86400$/);
    assert.equal((await post('/app/handshake2', Buffer.alloc(32), cookie)).status, 403);
    assert.equal((await post('/app/handshake2', Buffer.alloc(32), cookie)).status, 403);
  });

  it('refuses a handshake1 seed that is not 16 bytes, and other methods and paths', async () => {
    assert.equal((await post('/app/handshake1', Buffer.alloc(15))).status, 400);
    assert.equal((await post('/app/other', Buffer.alloc(16))).status, 404);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: server.port, path: '/app/handshake1', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject);
    });
    assert.equal(status, 405);
  });
});
