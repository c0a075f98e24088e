/** AesTransport live against the simulator's AES securePassthrough endpoint on 127.0.0.1. */
import { strict as assert } from 'assert';
import * as http from 'http';
import * as net from 'net';
import * as util from 'util';
import { AuthenticationError, ProtocolError, TimeoutError } from '../../lib/errors';
import { defaultCredentials } from '../../lib/klap/auth';
import { AesSessionCipher } from '../../lib/smart/aes/cipher';
import { AesTransport, type AesSessionKeys } from '../../lib/smart/aes/transport';
import { SmartTransportMismatchError } from '../../lib/smart/errors';
import { isRetriable } from '../../lib/transport';
import type { FaultSpec } from '../../lib/simulator/faults';
import { startAesServer, type AesServer, type AesServerOptions } from '../../lib/simulator/smart/aes-server';
import { startKlapServer, type KlapServer } from '../../lib/simulator/klap-server';

const USER = { username: 'owner@example.com', password: 'Correct horse 42' };
const REQUEST = Buffer.from('{"method":"get_device_info","request_time_milis":1,"terminal_uuid":"x"}');

/** A device that echoes the method it was asked, counting what reached it. */
function echoHandler(seen: string[]): (json: string) => string {
  return (json) => {
    const method = (JSON.parse(json) as { method: string }).method;
    seen.push(method);
    return JSON.stringify({ error_code: 0, result: { method } });
  };
}

function methodOf(reply: Buffer): string {
  return (JSON.parse(reply.toString('utf8')) as { result: { method: string } }).result.method;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => assert.fail('should reject'), (error: unknown) => error);
}

describe('AesTransport against the AES endpoint', () => {
  let server: AesServer | undefined;
  let klap: KlapServer | undefined;
  let transport: AesTransport | undefined;
  let fault: FaultSpec | undefined;
  const seen: string[] = [];
  const start = async (options: Partial<AesServerOptions> = {}): Promise<AesServer> => {
    server = await startAesServer({ loginVersion: 1, ...USER, handler: echoHandler(seen), fault: () => fault, ...options });
    return server;
  };
  afterEach(async () => {
    await transport?.close();
    await server?.close();
    await klap?.close();
    transport = server = klap = undefined;
    fault = undefined;
    seen.length = 0;
  });

  for (const version of [1, 2] as const) {
    it(`logs in with login_device v${version} once and carries requests in one session`, async () => {
      const device = await start({ loginVersion: version });
      transport = new AesTransport({ host: '127.0.0.1', port: device.port, ...USER });
      for (let i = 0; i < 3; i++) assert.equal(methodOf(await transport.send(REQUEST, 2000)), 'get_device_info');
      assert.equal(transport.loginVersion, version);
      assert.equal(device.stats.handshakes, version === 2 ? 1 : 2, 'v2 is tried first, a v1 device needs a second handshake');
      assert.equal(device.stats.logins, 1);
      assert.deepEqual(seen, ['get_device_info', 'get_device_info', 'get_device_info']);
    });
  }

  it('a known login version from discovery needs one handshake', async () => {
    const device = await start({ loginVersion: 1 });
    transport = new AesTransport({ host: '127.0.0.1', port: device.port, ...USER, loginVersion: 1 });
    await transport.send(REQUEST, 2000);
    assert.equal(device.stats.handshakes, 1);
    assert.equal(device.stats.failedLogins, 0);
  });

  it('falls back to the default Tapo account, then to blank credentials', async () => {
    const tapo = await start({ ...defaultCredentials('tapo') });
    transport = new AesTransport({ host: '127.0.0.1', port: tapo.port, ...USER, loginVersion: 1 });
    await transport.send(REQUEST, 2000);
    assert.equal(tapo.stats.failedLogins, 1);
    await transport.close();
    await tapo.close();
    const blank = await start({ username: '', password: '' });
    transport = new AesTransport({ host: '127.0.0.1', port: blank.port, ...USER, loginVersion: 1 });
    await transport.send(REQUEST, 2000);
    assert.equal(blank.stats.failedLogins, 2);
  });

  it('refuses wrong credentials with an AuthenticationError after trying every account once, naming no secret', async () => {
    const device = await start();
    transport = new AesTransport({ host: '127.0.0.1', port: device.port, username: USER.username, password: 'wrong' });
    const error = await rejection(transport.send(REQUEST, 2000));
    assert.ok(error instanceof AuthenticationError, String(error));
    assert.equal(isRetriable(error), false);
    assert.match(error.message, /-1501 LOGIN_ERROR/);
    assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${device.port}`));
    assert.doesNotMatch(error.message, /owner@example|wrong|Correct horse/);
    assert.equal(device.stats.failedLogins, 6, 'user, Tapo default and blank, each with v2 and v1');
    assert.equal(device.stats.handshakes, 6, 'a fresh handshake for every login');
    assert.deepEqual(seen, [], 'the request never reached the device');
  });

  it('replaces a session the device forgot (9999) and sends the request once', async () => {
    const device = await start();
    transport = new AesTransport({ host: '127.0.0.1', port: device.port, ...USER, loginVersion: 1 });
    await transport.send(REQUEST, 2000);
    device.expireSessions();
    assert.equal(methodOf(await transport.send(REQUEST, 2000)), 'get_device_info');
    assert.equal(device.stats.sessionRefusals, 1);
    assert.equal(device.stats.handshakes, 2);
    assert.equal(seen.length, 2, 'each request ran exactly once');
  });

  it('renews the session before the TIMEOUT cookie runs out', async () => {
    let now = 0;
    const device = await start({ sessionTimeoutSeconds: 1440 });
    transport = new AesTransport({ host: '127.0.0.1', port: device.port, ...USER, loginVersion: 1, now: () => now });
    await transport.send(REQUEST, 2000);
    now += 719_000; // of 1440 s, the 20-minute margin would leave 240 s; at least half (720 s) is kept
    await transport.send(REQUEST, 2000);
    assert.equal(device.stats.handshakes, 1);
    now += 2_000;
    await transport.send(REQUEST, 2000);
    assert.equal(device.stats.handshakes, 2);
    assert.equal(device.stats.sessionRefusals, 0, 'renewed before the device refused');
  });

  it('an undecryptable reply is a ProtocolError, not resent, and the next request handshakes again', async () => {
    const device = await start();
    transport = new AesTransport({ host: '127.0.0.1', port: device.port, ...USER, loginVersion: 1 });
    await transport.send(REQUEST, 2000);
    fault = { kind: 'garbage' };
    const error = await rejection(transport.send(REQUEST, 2000));
    assert.ok(error instanceof ProtocolError, String(error));
    assert.equal(isRetriable(error), false, 'the request may have run');
    assert.equal(seen.length, 2);
    fault = undefined;
    await transport.send(REQUEST, 2000);
    assert.equal(device.stats.handshakes, 2);
  });

  it('times out against a device that never answers', async () => {
    const device = await start();
    transport = new AesTransport({ host: '127.0.0.1', port: device.port, ...USER, loginVersion: 1 });
    await transport.send(REQUEST, 2000);
    fault = { kind: 'no-reply' };
    const error = await rejection(transport.send(REQUEST, 200));
    assert.ok(error instanceof TimeoutError, String(error));
  });

  it('says to use KLAP when the device answers the handshake with 1003', async () => {
    klap = await startKlapServer({ version: 2, ...USER, handler: () => '{}', refuseAesWith1003: true });
    transport = new AesTransport({ host: '127.0.0.1', port: klap.port, ...USER });
    const error = await rejection(transport.send(REQUEST, 2000));
    assert.ok(error instanceof SmartTransportMismatchError, String(error));
    assert.equal(error.suggested, 'klap');
    assert.equal(isRetriable(error), true, 'nothing was sent');
  });

  it('the handshake carries a Content-Length, without which the device answers 500', async () => {
    const device = await start();
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: device.port, method: 'POST', path: '/app', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{"method":"handshake","params":{"key":"x"}}');
    });
    assert.equal(status, 500);
    transport = new AesTransport({ host: '127.0.0.1', port: device.port, ...USER, loginVersion: 1 });
    await transport.send(REQUEST, 2000);
  });

  it('hands the session key and IV to a debug hook, which decrypt a capture of the exchange', async () => {
    const device = await start();
    const keys: AesSessionKeys[] = [];
    const captured: Buffer[] = [];
    transport = new AesTransport({ host: '127.0.0.1', port: device.port, ...USER, loginVersion: 1, createConnection: recordingConnection(captured), onSessionKeys: (k) => keys.push(k) });
    await transport.send(REQUEST, 2000);
    assert.equal(keys.length, 1);
    assert.equal(keys[0].key.length, 16);
    assert.equal(keys[0].iv.length, 16);
    const wire = Buffer.concat(captured).toString('latin1');
    const bodies = [...wire.matchAll(/"request":"([A-Za-z0-9+/=]+)"/g)].map((m) => m[1]);
    const cipher = new AesSessionCipher(Buffer.concat([keys[0].key, keys[0].iv]));
    const plain = bodies.map((b) => cipher.decrypt(b)?.toString('utf8'));
    assert.ok(plain.some((p) => p === REQUEST.toString('utf8')), 'the request decrypts with the reported keys');
  });

  it('a throwing debug hook does not break the session', async () => {
    const device = await start();
    transport = new AesTransport({ host: '127.0.0.1', port: device.port, ...USER, loginVersion: 1, onSessionKeys: () => { throw new Error('hook'); } });
    assert.equal(methodOf(await transport.send(REQUEST, 2000)), 'get_device_info');
  });

  it('whatever ended the last request (a reply, a resend on a new session, a failure), the next one is written at once', async () => {
    const device = await start();
    const captured: Buffer[] = [];
    const t = new AesTransport({ host: '127.0.0.1', port: device.port, ...USER, loginVersion: 1, createConnection: recordingConnection(captured) });
    transport = t;
    /** An idle transport writes in send() itself; one that still counted a request as pending would wait a promise step. */
    const sendAtOnce = (): Promise<Buffer> => {
      const before = captured.length;
      const sent = t.send(REQUEST, 2000);
      assert.equal(captured.length, before + 1, 'the request was not written at once');
      // In flight, the connection holds the request's path and bytes: inspect must still not show the token.
      assert.doesNotMatch(util.inspect(t, { depth: 8, showHidden: true }), /token=/);
      return sent;
    };
    await t.send(REQUEST, 2000); // handshake, login and first request
    await sendAtOnce();
    device.expireSessions();
    assert.equal(methodOf(await sendAtOnce()), 'get_device_info'); // 9999, a new session and the resend
    fault = { kind: 'garbage' };
    await assert.rejects(sendAtOnce(), ProtocolError);
    fault = undefined;
    await t.send(REQUEST, 2000); // a new session after the undecryptable reply
    await sendAtOnce();
    await device.close();
    server = undefined;
    await assert.rejects(sendAtOnce(), (e: unknown) => (e as Error).name === 'ConnectionError');
    await assert.rejects(sendAtOnce(), (e: unknown) => (e as Error).name === 'ConnectionError');
  });

  it('never shows credentials, token or session key when inspected', async () => {
    const device = await start();
    const keys: AesSessionKeys[] = [];
    transport = new AesTransport({ host: '127.0.0.1', port: device.port, ...USER, loginVersion: 1, onSessionKeys: (k) => keys.push(k) });
    await transport.send(REQUEST, 2000);
    const shown = util.inspect(transport, { depth: 8, showHidden: true });
    assert.doesNotMatch(shown, /owner@example|Correct horse|token=/);
    assert.ok(!shown.includes(keys[0].key.toString('hex')) && !shown.includes(keys[0].key.toString('base64')));
  });
});

/** Sockets that copy everything the client writes, like a capture on loopback. */
function recordingConnection(captured: Buffer[]): (options: net.NetConnectOpts) => net.Socket {
  return (options) => {
    const socket = net.createConnection(options);
    const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      captured.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), 'latin1'));
      return write(chunk, ...rest);
    }) as typeof socket.write;
    return socket;
  };
}
