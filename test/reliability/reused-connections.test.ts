/**
 * Kept-open connections that the device closed under our request: the TCP
 * transport resends a request the device never read (the connection ended or
 * reset before any reply byte), once per attempt, on a fresh connection.
 * (These were known issues behind KASA_KNOWN_ISSUES until lib/classic/transports/tcp.ts
 * marked such failures retriable.)
 */
import { strict as assert } from 'assert';
import { startDevice, type RunningDevice } from '../../lib/simulator';
import { SmartHomeClient } from '../../lib/classic/client';
import { reply, startFrameServer, SYSINFO, type FrameServer } from '../support/frame-server';
import { recordRequests } from './support';
import { setRelay } from '../support/relay';

describe('reused connections the device closed', function () {
  this.timeout(15_000);
  let server: FrameServer | undefined;
  let running: RunningDevice | undefined;
  let client: SmartHomeClient | undefined;

  afterEach(async () => {
    await client?.close();
    await server?.close();
    await running?.close();
    server = running = client = undefined;
  });

  it('a device that closes the connection after each reply: every request succeeds', async () => {
    // What is measured: each request after the first meets a connection the device has ended (its FIN may
    // or may not have been seen yet); the client resends on a new connection, and none of 50 fails. The
    // backoff before a resend is not what is measured (the retry tests are): no wait for it, where the
    // default 100 ms made this test 5 s long.
    server = await startFrameServer((_request, socket) => {
      reply(socket, SYSINFO);
      socket.end();
    });
    client = new SmartHomeClient({ host: '127.0.0.1', port: server.port, timeout: 1000, retries: 1, retryDelay: 0 });
    let failures = 0;
    for (let i = 0; i < 50; i++) await client.getSysInfo().catch(() => failures++);
    assert.equal(failures, 0, `${failures} of 50 requests failed`);
  });

  it('a device that drops its connections in the same tick as a command: the command is sent once it is back', async () => {
    running = await startDevice({ model: 'HS100' });
    const log = recordRequests(running);
    client = new SmartHomeClient({ host: running.host, port: running.port, timeout: 400, retries: 4, retryDelay: 50 });
    await client.getSysInfo();
    await running.setFault({ kind: 'offline', durationMs: 200 });
    await setRelay(client, true);
    assert.equal(log.count('system', 'set_relay_state'), 1);
  });
});
