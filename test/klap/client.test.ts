/** KLAP and 'auto' through the transport factory and SmartHomeClient, on 127.0.0.1. */
import { strict as assert } from 'assert';
import { SmartHomeClient } from '../../lib/classic/client';
import { AuthenticationError } from '../../lib/errors';
import { AutoTransport } from '../../lib/classic/transports/auto';
import type { KlapServer } from '../../lib/simulator/klap-server';
import { reply, startFrameServer, SYSINFO, type FrameServer } from '../support/frame-server';
import { startPlug, SYSINFO_REQUEST } from './support';
import { setRelay } from '../support/relay';
import { CLOSED_PORT } from '../support/ports';

const USER = { username: 'owner@example.com', password: 'pw' };

describe('KLAP through SmartHomeClient', () => {
  let server: KlapServer | undefined;
  let tcp: FrameServer | undefined;
  let client: SmartHomeClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.close();
    await tcp?.close();
    client = server = tcp = undefined;
  });

  it("transport: 'klap' reads and switches a KLAP-only plug", async () => {
    server = await startPlug({ version: 2, ...USER });
    client = new SmartHomeClient({ host: '127.0.0.1', transport: 'klap', klapPort: server.port, ...USER });
    assert.equal(client.port, server.port);
    assert.equal((await client.getSysInfo()).model, 'KP115(EU)');
    await setRelay(client, true);
    assert.equal((await client.getSysInfo()).relay_state, 1);
    assert.equal(server.stats.handshakes, 1);
  });

  it("transport: 'klap' takes `port` as the HTTP port when klapPort is absent", async () => {
    server = await startPlug({ version: 1 });
    client = new SmartHomeClient({ host: '127.0.0.1', transport: 'klap', port: server.port });
    assert.equal((await client.getSysInfo()).alias, 'KLAP plug');
  });

  it('wrong credentials reach the caller as AuthenticationError without client retries', async () => {
    server = await startPlug({ version: 2, ...USER });
    client = new SmartHomeClient({ host: '127.0.0.1', transport: 'klap', klapPort: server.port, username: USER.username, password: 'nope', retries: 3 });
    await assert.rejects(client.getSysInfo(), AuthenticationError);
  });

  it("transport: 'auto' falls back to KLAP when TCP 9999 is refused, and stays there", async () => {
    server = await startPlug({ version: 1, ...USER });
    client = new SmartHomeClient({ host: '127.0.0.1', transport: 'auto', port: CLOSED_PORT, klapPort: server.port, ...USER });
    assert.equal((await client.getSysInfo()).model, 'KP115(EU)');
    assert.equal((await client.getSysInfo()).model, 'KP115(EU)');
    assert.equal(server.stats.handshakes, 1);
    assert.equal(server.stats.requests, 2);
  });

  it("'auto' keeps TCP when the device answers on 9999", async () => {
    tcp = await startFrameServer((_request, socket) => reply(socket, SYSINFO));
    const auto = new AutoTransport({ host: '127.0.0.1', port: tcp.port, klapPort: CLOSED_PORT });
    try {
      await auto.send(SYSINFO_REQUEST, 2000);
      assert.equal(auto.kind, 'tcp');
      assert.equal(auto.port, tcp.port);
    } finally {
      await auto.close();
    }
  });

  it("'auto' reports the KLAP port and kind after switching", async () => {
    server = await startPlug({ version: 2 });
    const auto = new AutoTransport({ host: '127.0.0.1', port: CLOSED_PORT, klapPort: server.port });
    try {
      assert.equal(auto.kind, 'tcp');
      await auto.send(SYSINFO_REQUEST, 2000);
      assert.equal(auto.kind, 'klap');
      assert.equal(auto.port, server.port);
    } finally {
      await auto.close();
    }
  });
});
