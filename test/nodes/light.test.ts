/**
 * tplink-light against every simulated light kind: bulbs (white, tunable
 * white, colour), light strips and the dimmers (HS220, KS230, ES20M). Each
 * is switched on, off and toggled, dimmed, coloured where it can be and
 * refused where it cannot, and what the node sends, shows and reports to a
 * Catch node is checked against what the simulated device then holds.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DeviceConnection } from '../../lib/device';
import { runLightCommand } from '../../lib/node-support/light-actions';
import { whiteToHex } from '../../lib/node-support/light-colour';
import { LightInputError, parseLightCommand } from '../../lib/node-support/light-command';
import { startDevice, type RunningDevice } from '../../lib/simulator';
import configNode from '../../nodes/tplink-config/tplink-config';
import lightNode from '../../nodes/tplink-light/tplink-light';
import type { NodeMessage } from '../../nodes/types';
import { repoRoot } from '../support/repo';
import { caughtError, deviceConfig, exchange, helper, sentMatching, statusBecomes, statuses, TAB } from './support/node-red';

const NODES = [configNode, lightNode];

interface LightModel {
  model: string;
  kind: 'bulb' | 'lightstrip' | 'dimmer';
  color: boolean;
  /** Adjustable white, kelvin. */
  range?: [number, number];
}

/** What each model can do, as the real ones do (python-kasa's records of them). */
const MODELS: LightModel[] = [
  { model: 'LB100', kind: 'bulb', color: false },
  { model: 'LB110', kind: 'bulb', color: false },
  { model: 'LB130', kind: 'bulb', color: true, range: [2500, 9000] },
  { model: 'KL110', kind: 'bulb', color: false },
  { model: 'KL125', kind: 'bulb', color: true, range: [2500, 6500] },
  { model: 'KL130', kind: 'bulb', color: true, range: [2500, 9000] },
  { model: 'KL135', kind: 'bulb', color: true, range: [2500, 9000] },
  { model: 'KL400L5', kind: 'lightstrip', color: true, range: [2500, 9000] },
  { model: 'KL430', kind: 'lightstrip', color: true, range: [2500, 9000] },
  { model: 'HS220', kind: 'dimmer', color: false },
  { model: 'KS230', kind: 'dimmer', color: false },
  { model: 'ES20M', kind: 'dimmer', color: false },
];

function lightFlow(port: number, light: Record<string, unknown> = {}): object[] {
  return [
    TAB,
    deviceConfig(port),
    { id: 'light', type: 'tplink-light', z: 'f1', device: 'cfg', transition: '', interval: '', version: 1, wires: [['out']], ...light },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1' },
  ];
}

type Payload = { on: boolean; brightness?: number; color_temp?: number; hue?: number; saturation?: number };
const payloadOf = (msg: NodeMessage): Payload => msg.payload as Payload;

describe('tplink-light against every simulated light kind', function () {
  let sim: RunningDevice;

  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(async () => {
    await helper.unload();
    await sim?.close();
  });

  /** The simulated light: on/off and brightness wherever the kind keeps them. */
  const simOn = (): boolean => (sim.device.light ? sim.device.light.on_off === 1 : sim.device.main.isOn);
  const simBrightness = (): number => sim.device.light?.brightness ?? sim.device.brightness;

  for (const spec of MODELS) {
    describe(`${spec.model} (${spec.kind})`, () => {
      beforeEach(async () => {
        sim = await startDevice({ model: spec.model, alias: `${spec.model} light`, on: false });
        await helper.load(NODES, lightFlow(sim.port));
      });

      it('switches on, off and toggles, answering with the light and the alias, and shows it', async () => {
        for (const [payload, expected] of [[true, true], ['off', false], ['toggle', true], ['toggle', false], [1, true]] as const) {
          const msg = await exchange('light', { payload });
          assert.equal(payloadOf(msg).on, expected, `payload ${JSON.stringify(payload)}`);
          assert.equal(simOn(), expected);
          assert.equal(msg.topic, `${spec.model} light`);
          assert.equal(msg.command, 'light');
        }
        const status = await statusBecomes('light', (s) => s.fill === 'green');
        assert.match(status.text ?? '', /^tplink-light\.status\.on · \d+ %/);
        await exchange('light', { payload: false });
        await statusBecomes('light', (s) => s.fill === 'grey' && s.text === 'tplink-light.status.off');
      });

      it('sets the brightness (object, or a number with msg.topic) and reads it back', async () => {
        let msg = await exchange('light', { payload: { brightness: 35 } });
        assert.deepEqual([payloadOf(msg).on, payloadOf(msg).brightness], [true, 35]);
        assert.equal(simBrightness(), 35);
        msg = await exchange('light', { topic: 'brightness', payload: 60 });
        assert.equal(payloadOf(msg).brightness, 60);
        assert.equal(simBrightness(), 60);
        msg = await exchange('light', { command: 'info' });
        assert.equal(payloadOf(msg).brightness, 60);
        assert.equal(msg.command, 'state');
        await statusBecomes('light', (s) => s.fill === 'green' && (s.text ?? '').includes('60 %'));
        // Brightness 0 is off, as on a dimmer.
        msg = await exchange('light', { topic: 'brightness', payload: 0 });
        assert.equal(payloadOf(msg).on, false);
        assert.equal(simOn(), false);
      });

      if (spec.color) {
        it('takes a colour "#rrggbb" or hue and saturation, and gives it back as msg.color', async () => {
          let msg = await exchange('light', { payload: '#ff8000' });
          assert.deepEqual(payloadOf(msg), { on: true, brightness: 100, color_temp: 0, hue: 30, saturation: 100 });
          assert.equal(msg.color, '#ff8000');
          assert.deepEqual([sim.device.light?.hue, sim.device.light?.saturation, sim.device.light?.color_temp], [30, 100, 0]);
          await statusBecomes('light', (s) => s.text === 'tplink-light.status.on · 100 % · #ff8000');
          msg = await exchange('light', { payload: { hue: 240, saturation: 50, brightness: 40 } });
          assert.equal(msg.color, '#333366');
          assert.equal(sim.device.light?.hue, 240);
          assert.equal(sim.device.light?.brightness, 40);
        });
      } else {
        it('refuses a colour on a light without one, with a red status and nothing changed', async () => {
          const before = JSON.stringify(sim.device.light ?? sim.device.brightness);
          assert.match(await caughtError('light', { payload: '#ff0000' }), /tplink-light\.errors\.unsupported/);
          await statusBecomes('light', (s) => s.fill === 'red' && s.text === 'tplink-light.status.refused');
          assert.match(await caughtError('light', { payload: { hue: 100, saturation: 100 } }), /unsupported/);
          assert.equal(JSON.stringify(sim.device.light ?? sim.device.brightness), before);
          assert.equal(simOn(), false);
        });
      }

      if (spec.range) {
        const [low, high] = spec.range;
        it(`sets a colour temperature within ${low}-${high} K and refuses one outside it, naming the range`, async () => {
          const msg = await exchange('light', { payload: { color_temp: high, brightness: 80 } });
          assert.deepEqual([payloadOf(msg).color_temp, payloadOf(msg).brightness], [high, 80]);
          assert.equal(msg.color, whiteToHex(high, 80), 'a white as the colour it looks');
          assert.equal(sim.device.light?.color_temp, high);
          await statusBecomes('light', (s) => s.text === `tplink-light.status.on · 80 % · ${high} K`);
          assert.equal((await exchange('light', { topic: 'color_temp', payload: low })).payload && sim.device.light?.color_temp, low);
          for (const outside of [low - 1, high + 1]) {
            assert.match(await caughtError('light', { payload: { color_temp: outside } }), /tplink-light\.errors\.out-of-range/);
            assert.equal(sim.device.light?.color_temp, low, `${outside} K changed nothing`);
          }
          await statusBecomes('light', (s) => s.fill === 'red' && s.text === 'tplink-light.status.refused');
        });
      } else {
        it('refuses a colour temperature: the white is fixed', async () => {
          assert.match(await caughtError('light', { payload: { color_temp: 3000 } }), /tplink-light\.errors\.unsupported/);
          assert.equal(simOn(), false);
        });
      }
    });
  }

  describe('light strips', () => {
    it('switch on and off through smartlife.iot.lightStrip, and show the effect playing', async () => {
      sim = await startDevice({ model: 'KL430', alias: 'Shelf', on: false });
      await helper.load(NODES, lightFlow(sim.port));
      assert.equal(payloadOf(await exchange('light', { payload: true })).on, true);
      assert.equal(sim.device.light?.on_off, 1);
      assert.equal(payloadOf(await exchange('light', { payload: false })).on, false);
      assert.equal(sim.device.light?.on_off, 0);
      // The app starts an effect: the next read shows it, and switching on keeps it.
      if (sim.device.effect) Object.assign(sim.device.effect, { enable: 1 });
      assert.equal((await exchange('light', { command: 'info' })).effect, 'Flicker');
      const msg = await exchange('light', { payload: true });
      assert.equal(msg.effect, 'Flicker');
      await statusBecomes('light', (s) => s.text === 'tplink-light.status.on · 100 % · Flicker');
      // A new colour stops the effect.
      const coloured = await exchange('light', { payload: '#00ff00' });
      assert.equal(coloured.effect, undefined);
      assert.equal(sim.device.effect?.enable, 0);
    });
  });

  describe('fading and polling', () => {
    it('fades over the node\'s transition, unless the message gives its own', async () => {
      sim = await startDevice({ model: 'KL130', on: false });
      await helper.load(NODES, lightFlow(sim.port, { transition: '750' }));
      await exchange('light', { payload: true });
      assert.equal(sim.device.lightTransition, 750);
      await exchange('light', { payload: { brightness: 20, transition: 2000 } });
      assert.equal(sim.device.lightTransition, 2000);
      await exchange('light', { payload: false, transition: 100 });
      assert.equal(sim.device.lightTransition, 100);
    });

    it('reports the light at start and when it changed elsewhere, with the bulb\'s energy', async () => {
      sim = await startDevice({ model: 'LB130', alias: 'Hall', on: true });
      await helper.load(NODES, lightFlow(sim.port, { interval: '0.2' }));
      const [first] = await sentMatching('light', 1, (m) => m.command === 'state');
      assert.equal(payloadOf(first).on, true);
      assert.equal(typeof (first.energy as { power: number }).power, 'number');
      assert.equal(first.topic, 'Hall');
      const light = sim.device.light;
      assert.ok(light);
      light.brightness = 15;
      const changed = await sentMatching('light', 1, (m) => payloadOf(m).brightness === 15);
      assert.equal(changed[0].command, 'state');
      await statusBecomes('light', (s) => (s.text ?? '').includes('15 %'));
    });
  });

  describe('a light away', () => {
    it('shows red while the light is away at deploy, and recovers by itself when it is back', async () => {
      sim = await startDevice({ model: 'KL125', alias: 'Porch', on: true });
      await sim.offline();
      await helper.load(NODES, lightFlow(sim.port));
      await statusBecomes('light', (s) => s.text === 'tplink-light.status.unreachable');
      assert.match(await caughtError('light', { payload: true }), /127\.0\.0\.1/);
      await sim.online();
      await statusBecomes('light', (s) => s.fill === 'green', 5000);
    });
  });

  describe('refusals', () => {
    beforeEach(async () => {
      sim = await startDevice({ model: 'KL130', on: false });
      await helper.load(NODES, lightFlow(sim.port));
    });

    it('refuses messages it cannot use through done(err), turns the status red, and sends nothing to the device', async () => {
      await statusBecomes('light', (s) => s.fill === 'grey');
      const before = JSON.stringify(sim.device.light);
      const cases: Array<[NodeMessage, RegExp]> = [
        [{ payload: 'bright' }, /errors\.bad-input/],
        [{ payload: 55 }, /errors\.bad-input/],
        [{ payload: { brigthness: 5 } }, /errors\.unknown-field/],
        [{ payload: { brightness: 'half' } }, /errors\.bad-value/],
        [{ payload: { brightness: 101 } }, /errors\.out-of-range/],
        [{ payload: { brightness: 40.5 } }, /errors\.out-of-range/],
        [{ payload: { hue: 400 } }, /errors\.out-of-range/],
        [{ payload: { transition: 100 } }, /errors\.nothing-to-change/],
        [{ command: 'reboot' }, /errors\.unknown-command/],
      ];
      for (const [msg, expected] of cases) {
        const count = statuses('light').length;
        assert.match(await caughtError('light', msg), expected, JSON.stringify(msg));
        const after = statuses('light').slice(count);
        assert.deepEqual(after[after.length - 1], { fill: 'red', shape: 'ring', text: 'tplink-light.status.refused' }, JSON.stringify(msg));
      }
      assert.equal(JSON.stringify(sim.device.light), before);
      // The next good message shows the light again.
      await exchange('light', { payload: true });
      await statusBecomes('light', (s) => s.fill === 'green');
    });

    it('refuses every message when no device is configured', async () => {
      await helper.unload();
      await helper.load(NODES, lightFlow(sim.port, { device: '' }));
      await statusBecomes('light', (s) => s.fill === 'red' && s.text === 'tplink-light.status.no-device');
      assert.match(await caughtError('light', { payload: true }), /no-device/);
    });
  });
});

describe('tplink-light refusals in en-US', function () {
  const catalog = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'nodes', 'tplink-light', 'locales', 'en-US', 'tplink-light.json'), 'utf8')) as {
    'tplink-light': { errors: Record<string, string> };
  };
  /** As RED._ fills a message: __name__ placeholders. */
  const render = (error: LightInputError): string => {
    const template = catalog['tplink-light'].errors[error.key];
    assert.ok(template, `no en-US text for tplink-light.errors.${error.key}`);
    return template.replace(/__(\w+)__/g, (_, name: string) => {
      assert.ok(name in error.params, `${error.key} needs ${name}, the error has ${Object.keys(error.params).join(', ')}`);
      return error.params[name];
    });
  };
  const refusal = async (run: () => unknown): Promise<string> => {
    try {
      await run();
    } catch (error) {
      assert.ok(error instanceof LightInputError, String(error));
      return render(error);
    }
    throw new Error('not refused');
  };

  it('says what is wrong with a message, in a sentence', async () => {
    assert.equal(await refusal(() => parseLightCommand({ payload: { brigthness: 5 } })),
      'A light object has no field "brigthness" (its fields: on, brightness, color_temp, hue, saturation, transition, color)');
    assert.equal(await refusal(() => parseLightCommand({ payload: { hue: 'red' } })), 'hue must be a number, got "red"');
    for (const msg of [{ payload: 'x' }, { command: 'x' }, { payload: {} }, { payload: { color: '#f00', hue: 1 } }, { payload: { on: 'toggle', hue: 1 } }]) {
      assert.doesNotMatch(await refusal(() => parseLightCommand(msg)), /__/, JSON.stringify(msg));
    }
  });

  it('says what the model takes when a light cannot take a value', async () => {
    const sims = await Promise.all(['KL125', 'LB100', 'HS220', 'HS100'].map((model) => startDevice({ model, on: false })));
    const connections = sims.map((sim) => new DeviceConnection({ host: sim.host, port: sim.port, timeout: 1000 }));
    try {
      const [kl125, lb100, hs220, hs100] = connections;
      assert.equal(await refusal(() => runLightCommand(kl125, parseLightCommand({ payload: { color_temp: 9000 } }))),
        'KL125(US) takes colour temperature from 2500 to 6500 (whole numbers), got 9000');
      assert.equal(await refusal(() => runLightCommand(lb100, parseLightCommand({ payload: '#ff0000' }))),
        'LB100(US) has no colour (hue and saturation)');
      assert.equal(await refusal(() => runLightCommand(lb100, parseLightCommand({ payload: { color_temp: 2700 } }))),
        'LB100(US) has no adjustable white (colour temperature)');
      assert.equal(await refusal(() => runLightCommand(hs220, parseLightCommand({ payload: { hue: 10 } }))),
        'HS220(US) has no colour (hue and saturation)');
      assert.equal(await refusal(() => runLightCommand(kl125, parseLightCommand({ payload: { brightness: 150 } }))),
        'KL125(US) takes brightness from 0 to 100 (whole numbers), got 150');
      // A plug that does not dim is switched by a light node; what more is asked of it is refused, saying so.
      assert.equal(await refusal(() => runLightCommand(hs100, parseLightCommand({ payload: { brightness: 50 } }))),
        'HS100(US) has no brightness: it only switches on and off');
      assert.equal(await refusal(() => runLightCommand(hs100, parseLightCommand({ payload: '#ff0000' }))),
        'HS100(US) has no colour (hue and saturation): it only switches on and off');
      assert.equal(sims[3].device.main.isOn, false, 'nothing sent');
    } finally {
      await Promise.all(connections.map((c) => c.close()));
      await Promise.all(sims.map((sim) => sim.close()));
    }
  });
});
