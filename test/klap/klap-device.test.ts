/** A simulated model on "new firmware": KLAP only, found on UDP 20002. */
import { strict as assert } from 'assert';
import * as dgram from 'dgram';
import { SmartHomeClient } from '../../lib/classic/client';
import { AuthenticationError, ConnectionError } from '../../lib/errors';
import { buildDiscovery20002Request, parseDiscovery20002Reply } from '../../lib/discovery/tdp';
import { startKlapDevice, type RunningKlapDevice } from '../../lib/simulator/klap-device';
import { setRelay } from '../support/relay';

const USER = { username: 'owner@example.com', password: 'pw' };

describe('KLAP-only simulated device', () => {
  let sim: RunningKlapDevice | undefined;
  let client: SmartHomeClient | undefined;
  afterEach(async () => {
    await client?.close();
    await sim?.close();
    client = sim = undefined;
  });

  for (const model of ['HS110', 'KP115', 'HS300']) {
    it(`${model}: sysinfo through KLAP v2`, async () => {
      sim = await startKlapDevice({ model, seed: model, klap: { version: 2, ...USER } });
      client = new SmartHomeClient({ host: '127.0.0.1', transport: 'klap', klapPort: sim.klapPort, ...USER });
      const info = await client.getSysInfo();
      assert.match(String(info.model), new RegExp(`^${model}`));
      assert.equal(sim.server.stats.handshakes, 1);
    });
  }

  it('turns the plug off and on with v1 and blank credentials', async () => {
    sim = await startKlapDevice({ model: 'HS100', klap: { version: 1 } });
    client = new SmartHomeClient({ host: '127.0.0.1', transport: 'klap', klapPort: sim.klapPort });
    await setRelay(client, false);
    assert.equal((await client.getSysInfo()).relay_state, 0);
    await setRelay(client, true);
    assert.equal((await client.getSysInfo()).relay_state, 1);
  });

  it('refuses the wrong account', async () => {
    sim = await startKlapDevice({ model: 'HS110', klap: { version: 2, ...USER } });
    client = new SmartHomeClient({ host: '127.0.0.1', transport: 'klap', klapPort: sim.klapPort, username: 'someone@else', password: 'x' });
    await assert.rejects(client.getSysInfo(), AuthenticationError);
  });

  it('goes offline and comes back: the client handshakes again', async () => {
    sim = await startKlapDevice({ model: 'HS110', klap: { version: 1 } });
    client = new SmartHomeClient({ host: '127.0.0.1', transport: 'klap', klapPort: sim.klapPort, retries: 0 });
    await client.getSysInfo();
    await sim.running.offline();
    await sim.settled();
    await assert.rejects(client.getSysInfo(), ConnectionError);
    await sim.running.online();
    await sim.settled();
    await client.getSysInfo();
    assert.equal(sim.server.stats.handshakes, 1, 'a fresh server after the restart saw one handshake');
  });

  it('answers a UDP 20002 probe with its model and KLAP port', async () => {
    sim = await startKlapDevice({ model: 'KP115', klap: { version: 2 }, discovery20002: 0 });
    const socket = dgram.createSocket('udp4');
    try {
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      const received = new Promise<Buffer>((resolve) => socket.once('message', (msg) => resolve(msg)));
      socket.send(buildDiscovery20002Request({ rsaPublicKeyPem: null }), sim.discoveryPort!, '127.0.0.1');
      const reply = parseDiscovery20002Reply(await received);
      assert.match(reply?.deviceModel ?? '', /^KP115/);
      assert.equal(reply?.httpPort, sim.klapPort);
      assert.equal(reply?.encryptType, 'KLAP');
      assert.equal(reply?.loginVersion, 2);
    } finally {
      socket.close();
    }
  });
});
