/**
 * tplink-plug on every kind through the device layer: a bulb's first
 * message (before any read) switches its light, a light strip switches on
 * and off, a dimmer takes a brightness, a whole HS300 with mixed outlets
 * toggles off then on; tplink-config logs the traffic when asked and picks
 * up a device that was away at deploy.
 */
import { strict as assert } from 'assert';
import { startDevice } from '../../lib/simulator';
import configNode from '../../nodes/tplink-config/tplink-config';
import plugNode from '../../nodes/tplink-plug/tplink-plug';
import { caughtError, exchange, helper, nodeRedPerTest, plugFlow, statusBecomes, TAB } from './support/node-red';

const NODES = [configNode, plugNode];

describe('tplink-plug on every kind', function () {
  const devices = nodeRedPerTest();

  for (const model of ['LB130', 'KL110', 'KL430', 'KL400L5', 'HS220', 'HS200', 'ES20M']) {
    it(`${model}: the first message switches it, toggles read it first`, async () => {
      const running = devices.use(await startDevice({ model, alias: 'Thing', on: false }));
      const isOn = (): boolean => (running.device.light ? running.device.light.on_off === 1 : running.device.main.isOn);
      await helper.load(NODES, plugFlow(running.port));
      const on = await exchange('plug', { payload: true });
      assert.equal(on.payload, true);
      assert.equal(isOn(), true);
      assert.equal(on.topic, 'Thing');
      assert.equal((await exchange('plug', { payload: 'toggle' })).payload, false);
      assert.equal(isOn(), false);
      assert.equal((await exchange('plug', { payload: 'toggle' })).payload, true);
    });
  }

  it('a bulb meters through smartlife.iot.common.emeter and shows watts', async () => {
    const sim = devices.use(await startDevice({ model: 'KL130', alias: 'Lamp', on: true }));
    await helper.load(NODES, plugFlow(sim.port));
    const energy = await exchange('plug', { command: 'energy' });
    assert.ok((energy.payload as number) > 0);
    assert.equal(energy.topic, 'Lamp');
    await statusBecomes('plug', (s) => s.fill === 'green' && /W$/.test(s.text ?? ''));
  });

  it('sets a dimmer\'s brightness from msg.command or a { brightness } payload, and shows it', async () => {
    const sim = devices.use(await startDevice({ model: 'HS220', on: false }));
    await helper.load(NODES, plugFlow(sim.port));
    const set = await exchange('plug', { command: 'brightness', payload: 30 });
    assert.equal(set.payload, true);
    assert.equal(sim.device.brightness, 30);
    assert.equal(sim.device.main.isOn, true);
    await statusBecomes('plug', (s) => s.text === 'tplink-plug.status.on · 30 %');
    await exchange('plug', { payload: { brightness: 55, transition: 500 } });
    assert.equal(sim.device.brightness, 55);
    assert.match(await caughtError('plug', { command: 'brightness', payload: 101 }), /tplink-plug\.errors\.bad-argument/);
  });

  it('refuses a brightness on a plug and energy on a plug without a meter, naming what it lacks', async () => {
    const sim = devices.use(await startDevice({ model: 'HS100', on: false }));
    await helper.load(NODES, plugFlow(sim.port));
    assert.match(await caughtError('plug', { command: 'brightness', payload: 50 }), /tplink-plug\.errors\.unsupported/);
    assert.match(await caughtError('plug', { command: 'energy' }), /tplink-plug\.errors\.unsupported/);
    assert.equal(sim.device.main.isOn, false);
  });

  it('a whole HS300 with outlets on, off, on, off, on, off toggles all off, then all on', async () => {
    const sim = devices.use(await startDevice({ model: 'HS300', on: true }));
    const states = (): boolean[] => sim.device.children.map((c) => c.isOn);
    assert.deepEqual(states(), [true, false, true, false, true, false]);
    await helper.load(NODES, plugFlow(sim.port));
    assert.equal((await exchange('plug', { command: 'info' })).payload, true);
    assert.equal((await exchange('plug', { payload: 'toggle' })).payload, false);
    assert.deepEqual(states(), [false, false, false, false, false, false]);
    assert.equal((await exchange('plug', { payload: 'toggle' })).payload, true);
    assert.deepEqual(states(), [true, true, true, true, true, true]);
  });
});

describe('tplink-config: shared device connection', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('a device away at deploy is picked up when it comes back', async () => {
    const sim = await startDevice({ model: 'LB110', alias: 'Late bulb', on: false });
    try {
      await sim.offline();
      await helper.load(NODES, plugFlow(sim.port, {}, { timeout: 0.3 }));
      await statusBecomes('plug', (s) => s.fill === 'red');
      await sim.online();
      const msg = await exchange('plug', { payload: true });
      assert.equal(msg.payload, true);
      assert.equal(sim.device.light?.on_off, 1);
      assert.equal(msg.topic, 'Late bulb');
    } finally {
      await sim.close();
    }
  });

  it('"log traffic" writes every request and reply at debug level, passwords hidden', async () => {
    const sim = await startDevice({ model: 'HS110', on: false });
    try {
      await helper.load(NODES, plugFlow(sim.port, { allowAdmin: true }, { logTraffic: true }));
      const cfg = helper.getNode('cfg') as unknown as { debug: (message: string) => void };
      const lines: string[] = [];
      const original = cfg.debug.bind(cfg);
      cfg.debug = (message: string) => {
        lines.push(message);
        original(message);
      };
      await exchange('plug', { payload: true });
      await exchange('plug', { command: 'cloud_bind', payload: { username: 'me@example.com', password: 'hunter2' } });
      assert.ok(lines.some((l) => l.startsWith(`-> 127.0.0.1:${sim.port} tcp #`) && l.includes('{"system":{"set_relay_state":{"state":1}}}')), lines.join('\n'));
      assert.ok(lines.some((l) => l.startsWith('<- ') && l.includes('"set_relay_state":{"err_code":0}')));
      assert.ok(!lines.join('\n').includes('hunter2') && !lines.join('\n').includes('me@example.com'));
    } finally {
      await sim.close();
    }
  });
});

describe('editor endpoints list every kind', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  for (const [model, kind] of [['KL430', 'lightstrip'], ['LB130', 'bulb'], ['HS220', 'dimmer'], ['HS300', 'strip']] as const) {
    it(`the search lists a ${model} as a ${kind}, and the outlet list names its kind`, async function () {
      const sim = await startDevice({ model, alias: `Found ${model}` });
      try {
        await helper.load([configNode], [TAB]);
        const found = await helper.request().get('/tplink-kasa/discover').query({ target: '127.0.0.1', port: String(sim.port), timeout: '1500' });
        assert.equal(found.status, 200, JSON.stringify(found.body));
        const devices = found.body as Array<{ alias: string; kind: string; outlets: unknown[] }>;
        assert.deepEqual(devices.map((d) => [d.alias, d.kind]), [[`Found ${model}`, kind]]);
        const outlets = await helper.request().get('/tplink-kasa/outlets').query({ host: '127.0.0.1', port: String(sim.port) });
        assert.equal(outlets.status, 200, JSON.stringify(outlets.body));
        assert.equal((outlets.body as { kind: string }).kind, kind);
        assert.equal((outlets.body as { outlets: unknown[] }).outlets.length, kind === 'strip' ? 6 : 0);
      } finally {
        await sim.close();
      }
    });
  }
});
