/**
 * The promise of issue 17 for Node-RED users: a flow that switches a Kasa
 * HS110 and charts its power works unchanged for a Tapo P110 when only the
 * config node changes (transport automatic and the account). The same flow
 * (plug polled every second, a switch node routing energy readings to a
 * change node that rounds the watts for a chart) runs against each device;
 * what reaches the chart and the switch replies must have the same shape;
 * so must the answers to day_stats and month_stats.
 */
import { strict as assert } from 'assert';
import * as path from 'path';
import { startDevice, type RunningDevice } from '../../lib/simulator';
import { startSmartDevice, type RunningSmartDevice } from '../../lib/simulator/smart/server';
import { portFor, transportOf } from '../../nodes/tplink-config/device-config';
import configNode from '../../nodes/tplink-config/tplink-config';
import plugNode from '../../nodes/tplink-plug/tplink-plug';
import type { NodeMessage } from '../../nodes/types';
import { exchange, helper, nextMessage, node, statusBecomes, TAB } from './support/node-red';

const ACCOUNT = { username: 'owner@example.com', password: 'Dishwasher 12' };
const CLASSIC_ENERGY_KEYS = ['power', 'power_mw', 'voltage', 'voltage_mv', 'current', 'current_ma', 'total', 'total_wh'];

/** Node-RED's own switch and change nodes, from the Node-RED the helper runs. */
function coreNode(file: string): unknown {
  const nodeRedDir = path.dirname(require.resolve(process.env.KASA_RED_NODE_RED ? path.join(process.env.KASA_RED_NODE_RED, 'package.json') : 'node-red/package.json'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve(`@node-red/nodes/core/function/${file}`, { paths: [nodeRedDir] }));
}
const NODES = [configNode, plugNode, coreNode('10-switch.js'), coreNode('15-change.js')];

/** Everything but the config node: the user's flow, written once for the HS110. */
const USER_FLOW: object[] = [
  TAB,
  { id: 'plug', type: 'tplink-plug', z: 'f1', device: 'cfg', outlet: '', interval: '1', allowAdmin: false, wires: [['route']] },
  {
    id: 'route', type: 'switch', z: 'f1', name: 'by command', property: 'command', propertyType: 'msg',
    rules: [{ t: 'eq', v: 'energy', vt: 'str' }, { t: 'else' }], checkall: 'true', repair: false, outputs: 2, wires: [['watts'], ['out']],
  },
  {
    id: 'watts', type: 'change', z: 'f1', name: 'round to 0.1 W', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '$round(payload, 1)', tot: 'jsonata' }],
    action: '', property: '', from: '', to: '', reg: false, wires: [['chart']],
  },
  { id: 'chart', type: 'helper', z: 'f1' },
  { id: 'out', type: 'helper', z: 'f1' },
];

interface Target {
  config: Record<string, unknown>;
  credentials?: Record<string, object>;
  isOn(): boolean;
  close(): Promise<void>;
}

async function kasaHs110(): Promise<Target> {
  const sim: RunningDevice = await startDevice({ model: 'HS110', seed: 'flow-hs110', alias: 'Dishwasher', on: true, historyDays: 60 });
  return {
    config: { id: 'cfg', type: 'tplink-config', z: 'f1', host: sim.host, port: sim.port, transport: 'tcp', timeout: 3 },
    isOn: () => sim.device.main.isOn,
    close: () => sim.close(),
  };
}

async function tapoP110(): Promise<Target> {
  const sim: RunningSmartDevice = await startSmartDevice({ model: 'P110', seed: 'flow-p110', nickname: 'Dishwasher', on: true, historyDays: 60, ...ACCOUNT });
  return {
    config: { id: 'cfg', type: 'tplink-config', z: 'f1', host: sim.host, port: sim.port, transport: 'auto', timeout: 3 },
    credentials: { cfg: ACCOUNT },
    isOn: () => sim.device.main.on,
    close: () => sim.close(),
  };
}

/** What the flow's outputs look like, with the values that differ between two devices left out. */
interface Outputs {
  switched: Array<Pick<NodeMessage, 'payload' | 'topic'>>;
  chart: { topic: unknown; payloadType: string; energyKeys: string[] };
  status: string;
}

/** The plug's answer to `msg` (polling's state messages reach the same output and are passed over). */
function answerTo(msg: NodeMessage): Promise<NodeMessage> {
  const answer = nextMessage('out', (m) => m.command !== 'state');
  node('plug').receive(msg);
  return answer;
}

async function runUserFlow(target: Target): Promise<Outputs> {
  await helper.load(NODES, [...USER_FLOW, target.config], target.credentials);
  const switched: Outputs['switched'] = [];
  for (const command of ['off', 'on', 'toggle', 'toggle']) {
    const reply = await answerTo({ payload: command });
    switched.push({ payload: reply.payload, topic: reply.topic });
    assert.equal(target.isOn(), reply.payload, `device follows ${command}`);
  }
  // Polled every second: the chart gets the watts, rounded, with the whole reading beside them.
  const polled = await nextMessage('chart', () => true, 4000);
  const asked = await exchange('plug', { command: 'energy' }, 'chart');
  for (const msg of [polled, asked]) {
    const energy = msg.energy as Record<string, unknown>;
    for (const key of CLASSIC_ENERGY_KEYS) assert.equal(typeof energy[key], 'number', `energy.${key}`);
    // JSONata's $round rounds a half to even ($round(59.05, 1) is 59), so the payload is the power
    // to within 0.05 W with one decimal at most, not always Math.round's half-up value.
    const watts = msg.payload as number;
    assert.equal(Math.round(watts * 10) / 10, watts, `${watts} W has one decimal at most`);
    assert.ok(Math.abs(watts - (energy.power as number)) <= 0.05 + 1e-9, `${watts} W is ${String(energy.power)} W rounded to 0.1 W`);
  }
  const status = await statusBecomes('plug', (s) => s.fill === 'green' && /W/.test(s.text ?? ''));
  const energy = asked.energy as Record<string, unknown>;
  return {
    switched,
    chart: { topic: asked.topic, payloadType: typeof asked.payload, energyKeys: CLASSIC_ENERGY_KEYS.filter((k) => k in energy) },
    status: String(status.text).replace(/[\d.]+/g, 'N'),
  };
}

/** The shape of the answers to day_stats (this month) and month_stats (this year): keys, topic, entry keys, entries found. */
interface StatisticsShape { command: unknown; topic: unknown; keys: string[]; entryKeys: string[] }
async function statisticsShape(target: Target): Promise<StatisticsShape[]> {
  await helper.load(NODES, [...USER_FLOW, target.config], target.credentials);
  const now = new Date();
  const shapes: StatisticsShape[] = [];
  for (const [command, payload] of [['day_stats', { year: now.getFullYear(), month: now.getMonth() + 1 }], ['month_stats', { year: now.getFullYear() }]] as const) {
    const reply = await answerTo({ command, payload });
    assert.ok(Array.isArray(reply.payload) && reply.payload.length > 0, `${command} lists entries`);
    const entries = reply.payload as Array<Record<string, unknown>>;
    const entryKeys = new Set(entries.map((e) => Object.keys(e).sort().join(',')));
    for (const e of entries) assert.equal(e.energy, (e.energy_wh as number) / 1000, `${command}: kWh and Wh agree`);
    shapes.push({ command: reply.command, topic: reply.topic, keys: Object.keys(reply).filter((k) => k !== '_msgid').sort(), entryKeys: [...entryKeys] });
  }
  return shapes;
}

describe('a Kasa HS110 flow (switch, chart the power) unchanged on a Tapo P110', function () {
  const targets: Target[] = [];
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(async () => {
    await helper.unload();
    for (const target of targets.splice(0)) await target.close();
  });

  it('gives the same outputs for both when only the config node changes', async function () {
    const hs110 = await kasaHs110();
    targets.push(hs110);
    const kasa = await runUserFlow(hs110);
    await helper.unload();
    const p110 = await tapoP110();
    targets.push(p110);
    const tapo = await runUserFlow(p110);
    assert.deepEqual(kasa.switched, [false, true, false, true].map((payload) => ({ payload, topic: 'Dishwasher' })));
    assert.deepEqual(tapo, kasa);
  });

  it('answers day_stats and month_stats from a P110 in the shape an HS110 gives (get_energy_data read into day and month lists)', async function () {
    const hs110 = await kasaHs110();
    targets.push(hs110);
    const kasa = await statisticsShape(hs110);
    await helper.unload();
    const p110 = await tapoP110();
    targets.push(p110);
    const tapo = await statisticsShape(p110);
    assert.deepEqual(tapo, kasa);
    assert.deepEqual(kasa.map((k) => k.entryKeys), [['day,energy,energy_wh,month,year'], ['energy,energy_wh,month,year']]);
  });

  it('the P110 over AES instead of KLAP (older Tapo firmware) works the same', async function () {
    const sim = await startSmartDevice({ model: 'P110', seed: 'flow-p110-aes', nickname: 'Dishwasher', on: true, transport: 'aes', ...ACCOUNT });
    targets.push({ config: {}, isOn: () => sim.device.main.on, close: () => sim.close() });
    await helper.load(NODES, [...USER_FLOW, { id: 'cfg', type: 'tplink-config', z: 'f1', host: sim.host, port: sim.port, transport: 'auto', timeout: 3 }], { cfg: ACCOUNT });
    assert.equal((await answerTo({ payload: 'off' })).payload, false);
    assert.equal(sim.device.main.on, false);
    assert.equal(typeof (await exchange('plug', { command: 'energy' }, 'chart')).payload, 'number');
  });

  it('the config node takes AES as a transport of its own, on HTTP port 80 like KLAP', () => {
    assert.equal(transportOf('aes'), 'aes');
    assert.equal(transportOf('smoke signals'), 'tcp');
    assert.equal(portFor('aes', 9999), 80);
    assert.equal(portFor('aes', ''), 80);
    assert.equal(portFor('auto', 9999), 9999, 'auto tries the classic port first, then 80');
  });
});
