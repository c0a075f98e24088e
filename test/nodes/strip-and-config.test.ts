import { strict as assert } from 'assert';
import { startDevice, type RunningDevice } from '../../lib/simulator';
import configNode from '../../nodes/tplink-config/tplink-config';
import plugNode from '../../nodes/tplink-plug/tplink-plug';
import { caughtError, exchange, helper, plugFlow, statusBecomes } from './support/node-red';

const NODES = [configNode, plugNode];

describe('tplink-plug on a simulated HS300 power strip', function () {
  let strip: RunningDevice;

  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    strip = await startDevice({ model: 'HS300', alias: 'Strip', on: false, childAliases: ['Kettle', 'Fridge', 'TV', 'Lamp', 'Fan', 'Radio'] });
  });
  afterEach(async () => {
    await helper.unload();
    await strip.close();
  });

  const states = (): boolean[] => strip.device.children.map((c) => c.isOn);

  it('switches only the outlet the node addresses, by number, short id or alias', async () => {
    await helper.load(NODES, plugFlow(strip.port, { outlet: '1' }));
    const msg = await exchange('plug', { payload: true });
    assert.deepEqual(states(), [false, true, false, false, false, false]);
    assert.equal(msg.payload, true);
    assert.equal(msg.topic, 'Fridge');
    await helper.unload();
    await helper.load(NODES, plugFlow(strip.port, { outlet: 'TV' }));
    assert.equal((await exchange('plug', { payload: 'toggle' })).topic, 'TV');
    assert.deepEqual(states(), [false, true, true, false, false, false]);
  });

  it('addresses the whole strip when no outlet is set, and adds up the outlets\' energy', async () => {
    await helper.load(NODES, plugFlow(strip.port));
    const on = await exchange('plug', { payload: 'on' });
    assert.equal(on.payload, true);
    assert.deepEqual(states(), [true, true, true, true, true, true]);
    const energy = await exchange('plug', { command: 'energy' });
    const reading = energy.energy as { power: number; outlets: Array<{ power: number }> };
    assert.equal(reading.outlets.length, 6);
    const sum = reading.outlets.reduce((n, r) => n + r.power, 0);
    assert.ok(Math.abs(reading.power - sum) < 0.01);
    assert.equal(energy.payload, reading.power);
    assert.equal(energy.topic, 'Strip');
    assert.equal((await exchange('plug', { payload: 'off' })).payload, false);
  });

  it('reads one outlet\'s meter and reports an outlet the strip does not have', async () => {
    await helper.load(NODES, plugFlow(strip.port, { outlet: '2' }));
    await exchange('plug', { payload: true });
    const energy = await exchange('plug', { command: 'energy' });
    assert.ok((energy.payload as number) > 0);
    assert.equal(energy.topic, 'TV');
    await helper.unload();
    await helper.load(NODES, plugFlow(strip.port, { outlet: '9' }));
    assert.match(await caughtError('plug', { payload: true }), /tplink-plug\.errors\.unknown-outlet/);
    await statusBecomes('plug', (s) => s.fill === 'red' && s.text === 'tplink-plug.status.no-outlet');
  });

  it('lists the outlets through the admin endpoint, for a deployed device and for settings not deployed yet', async () => {
    await helper.load(NODES, plugFlow(strip.port));
    const deployed = await helper.request().get('/tplink-kasa/outlets').query({ config: 'cfg' });
    assert.equal(deployed.status, 200);
    const body = deployed.body as { alias: string; model: string; outlets: Array<{ id: string; index: number; alias: string; state: boolean }> };
    assert.equal(body.alias, 'Strip');
    assert.equal(body.outlets.length, 6);
    assert.deepEqual(body.outlets.map((o) => o.alias), ['Kettle', 'Fridge', 'TV', 'Lamp', 'Fan', 'Radio']);
    assert.equal(body.outlets[3].id, `${strip.deviceId}03`);
    const byHost = await helper.request().get('/tplink-kasa/outlets').query({ host: '127.0.0.1', port: String(strip.port) });
    assert.equal((byHost.body as { outlets: unknown[] }).outlets.length, 6);
    // An undeployed config without a host is the editor's input missing: 400.
    const missing = await helper.request().get('/tplink-kasa/outlets').query({ config: 'nope' });
    assert.equal(missing.status, 400);
    assert.match((missing.body as { error: string }).error, /tplink-config.errors.no-host/);
  });
});

describe('tplink-config', function () {
  let device: RunningDevice;
  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    device = await startDevice({ model: 'HS110', alias: 'Lamp', on: false });
  });
  afterEach(async () => {
    await helper.unload();
    await device.close();
  });

  it('keeps username and password as credentials, out of the exported flow', async () => {
    const credentials = { cfg: { username: 'me@example.com', password: 's3cret' } };
    await helper.load(NODES, plugFlow(device.port, {}, { transport: 'tcp' }), credentials);
    const exported = JSON.stringify(helper._redNodes.getFlows().flows);
    assert.ok(!exported.includes('s3cret'));
    assert.ok(!exported.includes('me@example.com'));
    const cfg = helper.getNode('cfg');
    assert.equal(cfg?.credentials.password, 's3cret');
    assert.equal(cfg?.credentials.username, 'me@example.com');
    // The plug still works: the TCP transport ignores the KLAP credentials.
    assert.equal((await exchange('plug', { payload: true })).payload, true);
  });

  it('lets every plug node of a device see it go offline and come back', async () => {
    const flow = plugFlow(device.port);
    flow.push({ id: 'plug2', type: 'tplink-plug', z: 'f1', device: 'cfg', outlet: '', interval: '', wires: [['out2']] });
    flow.push({ id: 'out2', type: 'helper', z: 'f1' });
    await helper.load(NODES, flow);
    await statusBecomes('plug2', (s) => s.fill === 'grey');
    await device.offline();
    await caughtError('plug', { payload: true });
    // plug2 sent nothing: it learns from the shared client.
    await statusBecomes('plug2', (s) => s.fill === 'red');
    await device.online();
    await exchange('plug', { payload: true });
    await statusBecomes('plug2', (s) => s.fill === 'green', 5000);
  });

  it('reports settings that cannot make a client on the plug nodes', async () => {
    await helper.load(NODES, plugFlow(device.port, {}, { host: '' }));
    await statusBecomes('plug', (s) => s.fill === 'red' && s.text === 'tplink-plug.status.no-device');
    assert.match(await caughtError('plug', { payload: true }), /host/);
  });
});
