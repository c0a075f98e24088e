/**
 * tplink-plug setting a dimmer's brightness with a transition, as
 * tplink-light does: a SMART dimmer (KS225, HS220 3.26) has no fade, so it
 * takes the level at once and the node warns once per deploy, never as an
 * error; a classic HS220 fades, so nothing is said. The warning's text is
 * the light node's, word for word.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { startDevice, type RunningDevice } from '../../lib/simulator';
import { startSmartDevice, type RunningSmartDevice } from '../../lib/simulator/smart/server';
import configNode from '../../nodes/tplink-config/tplink-config';
import plugNode from '../../nodes/tplink-plug/tplink-plug';
import { repoRoot } from '../support/repo';
import { errorsOf, exchange, helper, nodeRedPerTest, plugFlow, sentMatching, TAB, warnings } from './support/node-red';

const NODES = [configNode, plugNode];
const ACCOUNT = { username: 'dimmers@example.com', password: 'Dimmer secret 4' };
/** A Complete node on the plug: it hears of a message only when the plug called done() without an error. */
const COMPLETER = [
  { id: 'completer', type: 'complete', z: 'f1', scope: ['plug'], uncaught: false, wires: [['completed']] },
  { id: 'completed', type: 'helper', z: 'f1' },
];

function smartPlugFlow(sim: RunningSmartDevice): object[] {
  const [, , ...rest] = plugFlow(sim.port);
  return [
    TAB,
    { id: 'cfg', type: 'tplink-config', z: 'f1', host: sim.host, port: sim.port, transport: 'auto', timeout: 3 },
    ...rest,
    ...COMPLETER,
  ];
}

function warningText(node: 'tplink-plug' | 'tplink-light'): string {
  const file = path.join(repoRoot(), 'nodes', node, 'locales', 'en-US', `${node}.json`);
  const catalog = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { warnings?: Record<string, string> }>;
  return catalog[node].warnings?.['transition-ignored'] ?? '';
}

describe('tplink-plug: a brightness with a transition', function () {
  const devices = nodeRedPerTest();

  for (const model of ['KS225', 'HS220v3']) {
    it(`${model} (SMART, no fade): applied at once, one warning for two messages, no error`, async () => {
      const dimmer = devices.use(await startSmartDevice({ model, seed: `plug-${model}`, nickname: 'Hall', on: false, ...ACCOUNT }));
      await helper.load(NODES, smartPlugFlow(dimmer), { cfg: ACCOUNT });
      const first = await exchange('plug', { payload: { brightness: 35, transition: 1500 } });
      assert.deepEqual([first.payload, dimmer.device.main.on, dimmer.device.light?.brightness], [true, true, 35]);
      const second = await exchange('plug', { command: 'brightness', payload: { brightness: 70, transition: 400 } });
      assert.deepEqual([second.payload, dimmer.device.light?.brightness], [true, 70]);
      await sentMatching('completer', 2, () => true);
      const told = warnings('plug');
      assert.equal(told.length, 1, told.join(' | '));
      assert.match(told[0], /tplink-plug\.warnings\.transition-ignored/);
      assert.deepEqual(errorsOf('plug'), []);
    });
  }

  it('a SMART dimmer asked for no fade (transition 0 or none): nothing said', async () => {
    const dimmer = devices.use(await startSmartDevice({ model: 'KS225', seed: 'plug-KS225-nofade', nickname: 'Hall', on: false, ...ACCOUNT }));
    await helper.load(NODES, smartPlugFlow(dimmer), { cfg: ACCOUNT });
    await exchange('plug', { payload: { brightness: 20, transition: 0 } });
    await exchange('plug', { command: 'brightness', payload: 45 });
    assert.equal(dimmer.device.light?.brightness, 45);
    assert.deepEqual(warnings('plug'), []);
  });

  it('a classic HS220 fades: the level is set and nothing is said', async () => {
    const dimmer: RunningDevice = devices.use(await startDevice({ model: 'HS220', on: false }));
    await helper.load(NODES, [...plugFlow(dimmer.port), ...COMPLETER]);
    await exchange('plug', { payload: { brightness: 35, transition: 1500 } });
    await exchange('plug', { command: 'brightness', payload: { brightness: 70, transition: 400 } });
    assert.deepEqual([dimmer.device.main.isOn, dimmer.device.brightness], [true, 70]);
    await sentMatching('completer', 2, () => true);
    assert.deepEqual([warnings('plug'), errorsOf('plug')], [[], []]);
  });

  it('says it in the light node\'s words (each node set has its own catalogue)', () => {
    const text = warningText('tplink-plug');
    assert.match(text, /__model__.*ignores the transition/);
    assert.equal(text, warningText('tplink-light'));
  });
});
