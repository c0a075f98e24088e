/**
 * Behaviour we want but the TCP transport does not have yet. These run
 * only with KASA_KNOWN_ISSUES=1 so that `npm test` stays green; each names
 * the file to change. Remove the gate when the fix lands.
 *
 * lib/smarthome/transports/tcp.ts: a request written to a kept-open
 * connection that the device had already closed (its FIN crossed our
 * request) fails with "connection closed by the device before it replied"
 * and is not retried, though the device never read it. Proposed fix, as
 * Node's HTTP agent and our own klap/http.ts do: when the socket was reused
 * (not connected for this request) and it ends or resets before the first
 * reply byte, mark the error retriable so the client resends once on a
 * fresh connection.
 */
import { strict as assert } from 'assert';
import { startDevice, type RunningDevice } from '../../lib/simulator';
import { SmartHomeClient } from '../../lib/smarthome/client';
import { reply, startFrameServer, SYSINFO, type FrameServer } from '../support/frame-server';
import { recordRequests } from './support';

const enabled = process.env.KASA_KNOWN_ISSUES === '1';

(enabled ? describe : describe.skip)('known issues (KASA_KNOWN_ISSUES=1)', function () {
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
    server = await startFrameServer((_request, socket) => {
      reply(socket, SYSINFO);
      socket.end();
    });
    client = new SmartHomeClient({ host: '127.0.0.1', port: server.port, timeout: 1000, retries: 1 });
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
    await client.turnOn();
    assert.equal(log.count('system', 'set_relay_state'), 1);
  });
});
