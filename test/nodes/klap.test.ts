import { strict as assert } from 'assert';
import { startKlapDevice, type RunningKlapDevice } from '../../lib/simulator/klap-device';
import { portFor } from '../../nodes/tplink-config/device-config';
import configNode from '../../nodes/tplink-config/tplink-config';
import plugNode from '../../nodes/tplink-plug/tplink-plug';
import discoverNode from '../../nodes/tplink-discover/tplink-discover';
import { caughtError, exchange, helper, nextMessage, node, plugFlow, statusBecomes } from './support/node-red';

const NODES = [configNode, plugNode];
const ACCOUNT = { username: 'kasa@example.com', password: 'correct horse' };

describe('tplink-plug switching a KLAP-only plug (new firmware, 9999 closed)', function () {
  let device: RunningKlapDevice;

  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    device = await startKlapDevice({ model: 'KP115', alias: 'Heater', on: false, klap: { version: 2, ...ACCOUNT } });
  });
  afterEach(async () => {
    await helper.unload();
    await device.close();
  });

  it('switches the relay and reads energy over a KLAP v2 session', async () => {
    const flow = plugFlow(device.klapPort, {}, { transport: 'klap', timeout: 3 });
    await helper.load(NODES, flow, { cfg: ACCOUNT });
    const on = await exchange('plug', { payload: 'on' });
    assert.equal(on.payload, true);
    assert.equal(on.topic, 'Heater');
    assert.equal(device.running.device.main.isOn, true);
    const energy = await exchange('plug', { command: 'energy' });
    assert.equal(typeof energy.payload, 'number');
    await exchange('plug', { payload: 'toggle' });
    assert.equal(device.running.device.main.isOn, false);
    await statusBecomes('plug', (s) => s.fill === 'grey');
  });

  it('reports wrong credentials to a Catch node with a red status, never the password', async () => {
    const flow = plugFlow(device.klapPort, {}, { transport: 'klap', timeout: 3 });
    await helper.load(NODES, flow, { cfg: { username: ACCOUNT.username, password: 'wrong password' } });
    const message = await caughtError('plug', { payload: 'on' });
    assert.match(message, /credential|authenticat/i);
    assert.doesNotMatch(message, /wrong password|correct horse/);
    await statusBecomes('plug', (s) => s.fill === 'red');
    assert.equal(device.running.device.main.isOn, false);
  });

  it('lists a KLAP device through the admin endpoint before its settings are deployed', async () => {
    const unbound = await startKlapDevice({ model: 'HS300', alias: 'New strip', on: false, klap: { version: 2 } });
    try {
      await helper.load(NODES, [{ id: 'f1', type: 'tab', label: 'test' }]);
      const res = await helper.request().get('/tplink-kasa/outlets').query({ host: '127.0.0.1', port: String(unbound.klapPort), transport: 'klap' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal((res.body as { outlets: unknown[] }).outlets.length, 6);
    } finally {
      await unbound.close();
    }
  });

  it('maps the editor default port 9999 to HTTP port 80 for KLAP only', () => {
    assert.equal(portFor('klap', 9999), 80);
    assert.equal(portFor('klap', ''), 80);
    assert.equal(portFor('klap', 8080), 8080);
    assert.equal(portFor('tcp', 9999), 9999);
    assert.equal(portFor('auto', ''), 9999);
  });
});

describe('tplink-discover finding a KLAP-only plug (UDP 20002)', function () {
  let device: RunningKlapDevice;

  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(async () => {
    await helper.unload();
    await device?.close();
  });

  it('reports it with transport klap and its HTTP port', async () => {
    // 20002 is the fixed discovery port; unicast to an address of this test's own keeps the probe on loopback and away from
    // other tests' probes of 127.0.0.1 (tplink-smartplug -b sends one there).
    device = await startKlapDevice({ model: 'KP115', alias: 'Heater', host: '127.0.22.1', klap: { version: 2 }, discovery20002: true });
    await helper.load([discoverNode], [
      { id: 'f1', type: 'tab' },
      { id: 'disc', type: 'tplink-discover', z: 'f1', broadcast: '127.0.22.1', port: 9, iface: '', timeout: 0.5, interval: '', wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f1' },
    ]);
    const found = nextMessage('out');
    node('disc').receive({ payload: 'go' });
    const payload = (await found).payload as { transport: string; port: number; model: string; host: string };
    assert.equal(payload.transport, 'klap');
    assert.equal(payload.port, device.klapPort);
    assert.equal(payload.host, '127.0.22.1');
    assert.match(payload.model, /^KP115/);
  });
});
