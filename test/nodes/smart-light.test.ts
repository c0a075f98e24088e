/**
 * tplink-light on SMART lights, with the flows written for Kasa ones: a
 * KL130 flow with fades drives an L530 (the change applies at once, and the
 * node warns once that the bulb ignores the transition, never as an
 * error), a KS225 dims, and a KS240's light is its dimmer child: the node
 * switches and dims it and leaves the fan alone.
 */
import { strict as assert } from 'assert';
import { startSmartDevice, type RunningSmartDevice } from '../../lib/simulator/smart/server';
import configNode from '../../nodes/tplink-config/tplink-config';
import lightNode from '../../nodes/tplink-light/tplink-light';
import type { NodeMessage } from '../../nodes/types';
import { caughtError, exchange, helper, statusBecomes, TAB, warnings } from './support/node-red';

const NODES = [configNode, lightNode];
const ACCOUNT = { username: 'lights@example.com', password: 'Light secret 9' };

function smartLightFlow(sim: RunningSmartDevice, light: Record<string, unknown> = {}): object[] {
  return [
    TAB,
    { id: 'cfg', type: 'tplink-config', z: 'f1', host: sim.host, port: sim.port, transport: 'auto', timeout: 3 },
    { id: 'light', type: 'tplink-light', z: 'f1', device: 'cfg', transition: '', interval: '', version: 1, wires: [['out']], ...light },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1' },
  ];
}

const payloadOf = (msg: NodeMessage): Record<string, unknown> => msg.payload as Record<string, unknown>;

describe('tplink-light on SMART lights', function () {
  let sim: RunningSmartDevice | undefined;

  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(async () => {
    await helper.unload();
    await sim?.close();
    sim = undefined;
  });

  async function load(model: string, light: Record<string, unknown> = {}, on = false): Promise<RunningSmartDevice> {
    sim = await startSmartDevice({ model, seed: `node-${model}`, nickname: 'Lamp', on, ...ACCOUNT });
    await helper.load(NODES, smartLightFlow(sim, light), { cfg: ACCOUNT });
    return sim;
  }

  it('a KL130 flow with fades drives an L530: every change applied at once, one warning (not an error) that it ignores the transition', async () => {
    const bulb = await load('L530', { transition: '750' });
    const on = await exchange('light', { payload: true });
    assert.deepEqual([payloadOf(on).on, bulb.device.main.on], [true, true]);
    const colour = await exchange('light', { payload: { hue: 200, saturation: 70, transition: 3000 } });
    assert.deepEqual([payloadOf(colour).hue, bulb.device.light?.hue, bulb.device.light?.saturation], [200, 200, 70]);
    await exchange('light', { payload: 'toggle', transition: 100 });
    assert.equal(bulb.device.main.on, false);
    const told = warnings('light');
    assert.equal(told.length, 1, told.join(' | '));
    assert.match(told[0], /transition-ignored|ignores the transition/);
    await statusBecomes('light', (s) => s.fill === 'grey');
  });

  it('says nothing when no transition is asked', async () => {
    const bulb = await load('L510');
    const dimmed = await exchange('light', { payload: { brightness: 40 } });
    assert.deepEqual(payloadOf(dimmed), { on: true, brightness: 40 });
    assert.equal(bulb.device.light?.brightness, 40);
    await exchange('light', { payload: false, transition: 0 });
    assert.deepEqual(warnings('light'), []);
    // Refused before sending (the key: this helper loads no message catalogue), as on a classic white bulb.
    assert.match(await caughtError('light', { payload: { color_temp: 4000 } }), /unsupported/);
  });

  it('dims a KS225 with a fade asked (applied at once)', async () => {
    const dimmer = await load('KS225');
    const dimmed = await exchange('light', { payload: { brightness: 25, transition: 1000 } });
    assert.deepEqual(payloadOf(dimmed), { on: true, brightness: 25 });
    assert.deepEqual([dimmer.device.main.on, dimmer.device.light?.brightness], [true, 25]);
    assert.equal(warnings('light').length, 1);
  });

  it('a KS240: switches and dims its light (the dimmer child) and leaves the fan as it is', async () => {
    const ks240 = await load('KS240', {}, true);
    const [fan, dimmer] = ks240.device.children;
    const off = await exchange('light', { payload: false });
    assert.deepEqual(payloadOf(off), { on: false, brightness: 100 });
    assert.deepEqual([fan.on, dimmer.on], [true, false]);
    const toggled = await exchange('light', { payload: 'toggle' });
    assert.equal(payloadOf(toggled).on, true);
    assert.deepEqual([fan.on, dimmer.on], [true, true]);
    const dimmed = await exchange('light', { payload: { brightness: 60 } });
    assert.deepEqual(payloadOf(dimmed), { on: true, brightness: 60 });
    assert.equal(ks240.device.light?.brightness, 60);
    fan.set(false, Date.now());
    const read = await exchange('light', { command: 'info' });
    assert.deepEqual(payloadOf(read), { on: true, brightness: 60 }, 'the light, whatever the fan does');
    assert.equal(read.topic, 'Lamp');
  });
});
