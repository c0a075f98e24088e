/**
 * tplink-light on SMART lights, with the flows written for Kasa ones: a
 * KL130 flow with fades drives an L530 (the change applies at once, and the
 * node warns once that the bulb ignores the transition, never as an
 * error), a KS225 dims, and a KS240's light is its dimmer child: the node
 * switches and dims it and leaves the fan alone. The node goes by what a
 * device can do, not its kind: a P135, a plug that dims, is switched and
 * dimmed as a dimmer is; a P110, a plug that does not, is switched and its
 * brightness and colour refused.
 */
import { strict as assert } from 'assert';
import { startSmartDevice, type RunningSmartDevice } from '../../lib/simulator/smart/server';
import configNode from '../../nodes/tplink-config/tplink-config';
import lightNode from '../../nodes/tplink-light/tplink-light';
import type { NodeMessage } from '../../nodes/types';
import { caughtError, exchange, helper, nodeRedPerTest, statusBecomes, statuses, TAB, warnings } from './support/node-red';

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
  const devices = nodeRedPerTest();

  async function load(model: string, light: Record<string, unknown> = {}, on = false): Promise<RunningSmartDevice> {
    const sim = devices.use(await startSmartDevice({ model, seed: `node-${model}`, nickname: 'Lamp', on, ...ACCOUNT }));
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

  /** Sends a message the node must refuse: the error's key for a Catch node, and the status it turned to. */
  async function refused(msg: NodeMessage): Promise<{ error: string; status: unknown }> {
    const error = await caughtError('light', msg);
    return { error, status: statuses('light').at(-1) };
  }
  const RED_REFUSED = { fill: 'red', shape: 'ring', text: 'tplink-light.status.refused' };

  it('a P135 (a plug that dims): switched, dimmed from an object or a slider, and read as a dimmer; a colour is refused and nothing sent', async () => {
    const p135 = await load('P135');
    const on = await exchange('light', { payload: true });
    assert.deepEqual([payloadOf(on), p135.device.main.on], [{ on: true, brightness: 100 }, true]);
    const dimmed = await exchange('light', { payload: { brightness: 35 } });
    assert.deepEqual([payloadOf(dimmed), p135.device.light?.brightness], [{ on: true, brightness: 35 }, 35]);
    await statusBecomes('light', (s) => s.fill === 'green' && s.text === 'tplink-light.status.on · 35 %');
    const slider = await exchange('light', { payload: 60, topic: 'brightness' });
    assert.deepEqual([payloadOf(slider), p135.device.light?.brightness], [{ on: true, brightness: 60 }, 60]);
    for (const colour of [{ payload: '#ff0000' }, { payload: { color_temp: 2700 } }]) {
      assert.deepEqual(await refused(colour), { error: 'tplink-light.errors.unsupported', status: RED_REFUSED }, JSON.stringify(colour));
    }
    assert.deepEqual([p135.device.main.on, p135.device.light?.hue, p135.device.light?.brightness], [true, 0, 60], 'nothing sent for a colour');
    const off = await exchange('light', { payload: { on: false } });
    assert.deepEqual([payloadOf(off), p135.device.main.on], [{ on: false, brightness: 60 }, false]);
    p135.device.light!.brightness = 80;
    const read = await exchange('light', { command: 'info' });
    assert.deepEqual(payloadOf(read), { on: false, brightness: 80 }, 'the brightness the plug reports');
  });

  it('a P110 (a plug that does not dim): switched, but a brightness or colour is refused with a red status and nothing sent', async () => {
    const p110 = await load('P110');
    assert.deepEqual(payloadOf(await exchange('light', { payload: { on: true } })), { on: true });
    assert.equal(p110.device.main.on, true);
    for (const msg of [{ payload: { brightness: 50 } }, { payload: 20, topic: 'brightness' }, { payload: '#00ff00' }]) {
      assert.deepEqual(await refused(msg), { error: 'tplink-light.errors.unsupported', status: RED_REFUSED }, JSON.stringify(msg));
    }
    assert.equal(p110.device.main.on, true, 'nothing sent for a brightness or colour');
    assert.deepEqual(payloadOf(await exchange('light', { payload: 'toggle' })), { on: false });
    assert.equal(p110.device.main.on, false);
  });
});
