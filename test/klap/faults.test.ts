/**
 * KlapTransport against a scripted device that misbehaves on purpose:
 * dropped sessions, undecryptable replies, odd handshakes, huge or late replies.
 */
import { strict as assert } from 'assert';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { randomBytes } from 'crypto';
import { authHash, handshake1ServerHash } from '../../lib/klap/auth';
import { ProtocolError, TimeoutError } from '../../lib/errors';
import { deriveSessionKeys, sealPayload } from '../../lib/klap/session';
import { KlapTransport } from '../../lib/klap/transport';
import { isRetriable } from '../../lib/transport';
import { SYSINFO_REQUEST } from './support';

type RequestAction = 'ok' | '403' | 'garbage' | '500' | 'huge-chunked' | 'hang';

interface ScriptedDevice {
  port: number;
  handshakes: number;
  requests: number;
  close(): Promise<void>;
}

/** A blank-credential v1 device whose answer to the n-th request (0-based) is `script(n)`. */
async function startScripted(script: (n: number) => RequestAction, handshake1Body?: () => Buffer): Promise<ScriptedDevice> {
  const auth = authHash(1, { username: '', password: '' });
  const state = { handshakes: 0, requests: 0 };
  let seeds: { local: Buffer; remote: Buffer } | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/app/handshake1') {
        state.handshakes += 1;
        const remote = randomBytes(16);
        seeds = { local: body, remote };
        res.writeHead(200, { 'Set-Cookie': 'TP_SESSIONID=S;TIMEOUT=86400' });
        res.end(handshake1Body ? handshake1Body() : Buffer.concat([remote, handshake1ServerHash(1, body, remote, auth)]));
        return;
      }
      if (url.pathname === '/app/handshake2') return void res.writeHead(200).end();
      const action = script(state.requests);
      state.requests += 1;
      const seq = Number(url.searchParams.get('seq'));
      const keys = deriveSessionKeys(seeds!.local, seeds!.remote, auth);
      switch (action) {
        case 'ok':
          return void res.writeHead(200).end(sealPayload(keys, seq, Buffer.from('{"ok":1}')));
        case '403':
          return void res.writeHead(403).end();
        case '500':
          return void res.writeHead(500).end();
        case 'garbage':
          // Not whole AES blocks, so it fails to decrypt every time (random blocks pass padding 1 in 256).
          return void res.writeHead(200).end(randomBytes(52));
        case 'huge-chunked':
          res.writeHead(200); // no Content-Length: chunked
          for (let i = 0; i < 64; i += 1) res.write(Buffer.alloc(1024));
          return void res.end();
        case 'hang':
          return; // never answers
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get handshakes() {
      return state.handshakes;
    },
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('KlapTransport under faults', () => {
  let device: ScriptedDevice | undefined;
  let transport: KlapTransport | undefined;
  afterEach(async () => {
    await transport?.close();
    await device?.close();
    transport = undefined;
    device = undefined;
  });
  const connect = (options: { maxResponseSize?: number } = {}): KlapTransport =>
    (transport = new KlapTransport({ host: '127.0.0.1', port: device!.port, ...options }));

  it('a 403 leads to one new handshake and a resend', async () => {
    device = await startScripted((n) => (n === 1 ? '403' : 'ok'));
    const t = connect();
    await t.send(SYSINFO_REQUEST, 2000);
    assert.equal((await t.send(SYSINFO_REQUEST, 2000)).toString(), '{"ok":1}');
    assert.equal(device.handshakes, 2);
    assert.equal(device.requests, 3);
  });

  it('a 403 that persists after the new handshake fails, retriable, without a third handshake', async () => {
    device = await startScripted(() => '403');
    const error = await connect().send(SYSINFO_REQUEST, 2000).catch((e: unknown) => e);
    assert.ok(error instanceof ProtocolError && /403/.test(error.message));
    assert.equal(isRetriable(error), true);
    assert.equal(device.handshakes, 2);
  });

  it('an undecryptable reply leads to one new handshake and a resend', async () => {
    device = await startScripted((n) => (n === 0 ? 'garbage' : 'ok'));
    assert.equal((await connect().send(SYSINFO_REQUEST, 2000)).toString(), '{"ok":1}');
    assert.equal(device.handshakes, 2);
  });

  it('replies that never decrypt fail with a ProtocolError that is not retriable', async () => {
    device = await startScripted(() => 'garbage');
    const error = await connect().send(SYSINFO_REQUEST, 2000).catch((e: unknown) => e);
    assert.ok(error instanceof ProtocolError && /decrypt|AES blocks/.test(error.message), String(error));
    assert.equal(isRetriable(error), false);
    assert.equal(device.requests, 2);
  });

  it('another HTTP status is a ProtocolError naming it, and the next send handshakes afresh', async () => {
    device = await startScripted((n) => (n === 0 ? '500' : 'ok'));
    const t = connect();
    await assert.rejects(t.send(SYSINFO_REQUEST, 2000), (e: unknown) => e instanceof ProtocolError && /HTTP 500/.test(e.message));
    await t.send(SYSINFO_REQUEST, 2000);
    assert.equal(device.handshakes, 2);
  });

  it('caps a chunked reply while it streams', async () => {
    device = await startScripted(() => 'huge-chunked');
    await assert.rejects(connect({ maxResponseSize: 4096 }).send(SYSINFO_REQUEST, 2000), /exceeds the limit of 4096/);
  });

  it('a handshake1 reply of the wrong length is a retriable ProtocolError', async () => {
    device = await startScripted(() => 'ok', () => Buffer.alloc(40));
    const error = await connect().send(SYSINFO_REQUEST, 2000).catch((e: unknown) => e);
    assert.ok(error instanceof ProtocolError && /40 bytes/.test(error.message));
    assert.equal(isRetriable(error), true);
  });

  it('times out within the request timeout when the device never answers', async () => {
    device = await startScripted(() => 'hang');
    const started = Date.now();
    const error = await connect().send(SYSINFO_REQUEST, 300).catch((e: unknown) => e);
    assert.ok(error instanceof TimeoutError);
    assert.equal(isRetriable(error), false, 'the device may have acted on it');
    assert.ok(Date.now() - started < 1500);
  });
});
