/** KlapTransport live against the simulator's KLAP server on 127.0.0.1. */
import { strict as assert } from 'assert';
import * as net from 'net';
import * as util from 'util';
import { AuthenticationError, ProtocolError } from '../../lib/errors';
import { defaultCredentials } from '../../lib/klap/auth';
import { KlapTransport } from '../../lib/klap/transport';
import { isRetriable } from '../../lib/transport';
import type { KlapServer } from '../../lib/simulator/klap-server';
import { letTimePass } from '../support/wait';
import { eventually, startPlug, SYSINFO_REQUEST, sysinfoOf } from './support';

const USER = { username: 'owner@example.com', password: 'Correct horse 42' };

describe('KlapTransport against the KLAP server', () => {
  let server: KlapServer | undefined;
  let transport: KlapTransport | undefined;
  afterEach(async () => {
    await transport?.close();
    await server?.close();
    transport = undefined;
    server = undefined;
  });

  for (const version of [1, 2] as const) {
    it(`handshakes v${version}, detects the version and carries the JSON`, async () => {
      server = await startPlug({ version, ...USER });
      transport = new KlapTransport({ host: '127.0.0.1', port: server.port, ...USER });
      const reply = await transport.send(SYSINFO_REQUEST, 2000);
      assert.equal(sysinfoOf(reply).model, 'KP115(EU)');
      assert.equal(transport.version, version);
      await transport.send(Buffer.from('{"system":{"set_relay_state":{"state":1}}}'), 2000);
      assert.equal(sysinfoOf(await transport.send(SYSINFO_REQUEST, 2000)).relay_state, 1);
      assert.equal(server.stats.handshakes, 1);
      assert.equal(server.stats.requests, 3);
    });
  }

  it('rejects wrong credentials with a non-retriable AuthenticationError that names no secret', async () => {
    server = await startPlug({ version: 2, ...USER });
    transport = new KlapTransport({ host: '127.0.0.1', port: server.port, username: USER.username, password: 'wrong' });
    const error = await transport.send(SYSINFO_REQUEST, 2000).then(
      () => assert.fail('should reject'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof AuthenticationError);
    assert.equal(isRetriable(error), false);
    assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${server.port}`));
    assert.doesNotMatch(error.message, /owner@example|wrong|Correct horse/);
    assert.equal(server.stats.handshakes, 0);
  });

  it('never shows the credentials when inspected', () => {
    transport = new KlapTransport({ host: '127.0.0.1', ...USER });
    assert.doesNotMatch(util.inspect(transport, { depth: 5, showHidden: true }), /owner@example|Correct horse/);
  });

  it('a forced version that the device does not speak fails authentication', async () => {
    server = await startPlug({ version: 1, ...USER });
    transport = new KlapTransport({ host: '127.0.0.1', port: server.port, ...USER, version: 2 });
    await assert.rejects(transport.send(SYSINFO_REQUEST, 2000), AuthenticationError);
  });

  it('an unbound device accepts blank credentials, even when the user gave some', async () => {
    server = await startPlug({ version: 1 });
    transport = new KlapTransport({ host: '127.0.0.1', port: server.port });
    assert.equal(sysinfoOf(await transport.send(SYSINFO_REQUEST, 2000)).err_code, 0);
    await transport.close();
    transport = new KlapTransport({ host: '127.0.0.1', port: server.port, ...USER });
    assert.equal(sysinfoOf(await transport.send(SYSINFO_REQUEST, 2000)).err_code, 0);
  });

  it("falls back to the vendor's default credentials", async () => {
    server = await startPlug({ version: 2, ...defaultCredentials() });
    transport = new KlapTransport({ host: '127.0.0.1', port: server.port, ...USER });
    assert.equal(sysinfoOf(await transport.send(SYSINFO_REQUEST, 2000)).err_code, 0);
  });

  it('re-handshakes transparently, once, when the device forgot the session (403)', async () => {
    server = await startPlug({ version: 2, ...USER });
    transport = new KlapTransport({ host: '127.0.0.1', port: server.port, ...USER });
    await transport.send(SYSINFO_REQUEST, 2000);
    server.expireSessions();
    assert.equal(sysinfoOf(await transport.send(SYSINFO_REQUEST, 2000)).err_code, 0);
    assert.equal(server.stats.handshakes, 2);
    assert.equal(server.stats.rejected, 1);
  });

  it('handshakes again before the TIMEOUT cookie runs out', async () => {
    server = await startPlug({ version: 1, sessionTimeoutSeconds: 1 });
    transport = new KlapTransport({ host: '127.0.0.1', port: server.port });
    await transport.send(SYSINFO_REQUEST, 2000);
    await letTimePass(600, 'the 1 s session used for half its life');
    await transport.send(SYSINFO_REQUEST, 2000);
    assert.equal(server.stats.handshakes, 2);
    assert.equal(server.stats.rejected, 0);
  });

  it('caps the reply size', async () => {
    server = await startPlug({ version: 1, handler: () => JSON.stringify({ pad: 'x'.repeat(4096) }) });
    transport = new KlapTransport({ host: '127.0.0.1', port: server.port, maxResponseSize: 1024 });
    await assert.rejects(transport.send(SYSINFO_REQUEST, 2000), (e: unknown) => e instanceof ProtocolError && /exceeds the limit of 1024/.test(e.message));
  });

  it('reuses one keep-alive connection, serialises concurrent sends, and close() releases it', async () => {
    server = await startPlug({ version: 2 });
    transport = new KlapTransport({ host: '127.0.0.1', port: server.port });
    const replies = await Promise.all(Array.from({ length: 8 }, () => transport!.send(SYSINFO_REQUEST, 2000)));
    assert.equal(replies.length, 8);
    assert.equal(server.stats.requests, 8);
    assert.equal(server.stats.rejected, 0);
    assert.equal(server.stats.connections, 1);
    await transport.close();
    await eventually(() => server!.stats.openConnections === 0);
    // Later sends open a new connection and a new session.
    await transport.send(SYSINFO_REQUEST, 2000);
    assert.equal(server.stats.connections, 2);
    assert.equal(server.stats.handshakes, 2);
  });

  it('a refused connection is a retriable ConnectionError', async () => {
    server = await startPlug({ version: 1 });
    const port = server.port;
    await server.close();
    server = undefined;
    transport = new KlapTransport({ host: '127.0.0.1', port });
    await assert.rejects(transport.send(SYSINFO_REQUEST, 2000), (e: unknown) => isRetriable(e) && (e as Error).name === 'ConnectionError');
  });

  it('whatever ended the last request (a reply, a resend on a new session, a failure), the next one is written at once', async () => {
    server = await startPlug({ version: 2 });
    let writes = 0;
    transport = new KlapTransport({
      host: '127.0.0.1', port: server.port,
      createConnection: (options) => {
        const socket = net.createConnection(options);
        const write = socket.write.bind(socket) as (chunk: Buffer) => boolean;
        socket.write = ((chunk: Buffer) => {
          writes += 1;
          return write(chunk);
        }) as typeof socket.write;
        return socket;
      },
    });
    const t = transport;
    /** An idle transport writes in send() itself; one that still counted a request as pending would wait a promise step. */
    const sendAtOnce = (): Promise<Buffer> => {
      const before = writes;
      const sent = t.send(SYSINFO_REQUEST, 2000);
      assert.equal(writes, before + 1, 'the request was not written at once');
      return sent;
    };
    await t.send(SYSINFO_REQUEST, 2000); // handshake and first request
    await sendAtOnce();
    server.expireSessions();
    await sendAtOnce(); // 403, a new handshake and the resend
    assert.equal(server.stats.rejected, 1);
    await sendAtOnce();
    await server.close();
    server = undefined;
    await assert.rejects(sendAtOnce(), (e: unknown) => (e as Error).name === 'ConnectionError');
    await assert.rejects(sendAtOnce(), (e: unknown) => (e as Error).name === 'ConnectionError');
  });
});
