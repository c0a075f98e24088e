/**
 * Every example flow, deployed by the `npm start` demo against its
 * simulated fleet: every inject node is clicked (POST /inject/<id>) and no
 * node may report an error, except the error-handling example's plug, whose
 * red status and Catch path are checked instead.
 *
 * test:one builds first: the demo runs dist/scripts/demo.js.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import { provesNothingHappensFor } from '../support/wait';
import { CommsClient } from './support/comms';
import { startDemo, type RunningDemo } from './support/demo-process';

interface FlowNode { id: string; type: string; name?: string; z?: string; label?: string }

/** How long the clicked examples may take to show every answer the tests below look for. */
const ANSWERS_WITHIN_MS = 20_000;
/** After the last answer: long enough for a late error of a command still in flight to show, if there were one. */
const LATE_ERROR_WINDOW_MS = 1000;

describe('example flows deployed against the simulated fleet', function () {
  this.timeout(90_000);
  let demo: RunningDemo | undefined;
  const comms = new CommsClient();
  let flows: FlowNode[] = [];
  let injectResults: Array<{ id: string; status: number }> = [];
  const started = Date.now();

  before(async () => {
    demo = await startDemo();
    await comms.connect(`ws://127.0.0.1:${demo.info.port}/comms`);
    const res = await fetch(`${demo.info.editor}flows`, { headers: { Accept: 'application/json', 'Node-RED-API-Version': 'v1' } });
    flows = (await res.json()) as FlowNode[];
    // Let every plug and light read its device once before clicking anything.
    const plugs = flows.filter((n) => n.type === 'tplink-plug' || n.type === 'tplink-light').map((n) => n.id);
    await comms.waitFor(() => plugs.every((id) => ['green', 'grey', 'red'].includes(comms.statuses.get(id)?.fill ?? '')), 15_000);
    injectResults = [];
    for (const inject of flows.filter((n) => n.type === 'inject')) {
      const r = await fetch(`${demo.info.editor}inject/${inject.id}`, { method: 'POST' });
      injectResults.push({ id: inject.id, status: r.status });
    }
    await comms.waitFor(everyExampleAnswered, ANSWERS_WITHIN_MS);
    await provesNothingHappensFor(LATE_ERROR_WINDOW_MS, 'a red status or a logged error after the examples answered');
  });

  /** What the examples show once every click has had its effect (the tests below say the same in detail). */
  function everyExampleAnswered(): boolean {
    const named = (type: string, name: string): string | undefined => flows.find((n) => n.type === type && n.name === name)?.id;
    const debugCount = (name: string, match: (msg: string) => boolean = () => true): number =>
      comms.debug.filter((d) => d.id === named('debug', name) && match(d.msg)).length;
    return debugCount('reply text', (m) => m.includes('ABCD0110')) >= 1
      && debugCount('Desk lamp state') >= 1
      && debugCount('countdown rules') >= 3
      && debugCount('porch light', (m) => m === 'true') >= 1
      && debugCount('strip state') >= 2
      && debugCount('error report') >= 1
      && debugCount('Dishwasher state') >= 2
      && debugCount('Dishwasher today (Wh)', (m) => /^\d+(\.\d+)?$/.test(m)) >= 1
      && comms.statuses.get(named('tplink-discover', 'one sweep') ?? '')?.fill === 'green';
  }

  after(async () => {
    comms.close();
    await demo?.stop();
    process.stdout.write(`      (demo up, injects clicked and settled in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  });

  const byName = (type: string, name: string): FlowNode => {
    const node = flows.find((n) => n.type === type && n.name === name);
    assert.ok(node, `no ${type} named ${name}`);
    return node;
  };
  const debugOf = (name: string): Array<{ msg: string }> => comms.debug.filter((d) => d.id === byName('debug', name).id);
  const describeNode = (id: string): string => {
    const n = flows.find((f) => f.id === id);
    const tab = flows.find((f) => f.id === n?.z);
    return `${n?.type} "${n?.name ?? ''}" (${id}) on ${tab?.label ?? '?'}`;
  };

  it('deploys every example, each on its own tab', () => {
    const tabs = flows.filter((n) => n.type === 'tab').map((n) => n.label);
    assert.equal(tabs.length, 9, JSON.stringify(tabs));
    for (const type of ['tplink-plug', 'tplink-light', 'tplink-discover', 'tplink-tddp']) assert.ok(flows.some((n) => n.type === type), type);
  });

  it('clicks every inject node', () => {
    assert.ok(injectResults.length >= 15, `${injectResults.length} inject nodes`);
    assert.deepEqual(injectResults.filter((r) => r.status !== 200), []);
  });

  it('shows no red status but on the unplugged heater', () => {
    const heater = byName('tplink-plug', 'Heater');
    // A dashboard switch shows its off state as a red ring "off": a state, not an error.
    const isError = (id: string, s: { fill?: string; text?: string }): boolean =>
      s.fill === 'red' && !(flows.find((n) => n.id === id)?.type === 'ui-switch' && s.text === 'off');
    const red = [...comms.statusHistory.entries()]
      .filter(([id, history]) => id !== heater.id && history.some((s) => isError(id, s)))
      .map(([id, history]) => `${describeNode(id)}: ${JSON.stringify(history)}`);
    assert.deepEqual(red, []);
  });

  it('reaches every device: plugs and lights green or grey, TDDP replied, discovery found the fleet', () => {
    const heater = byName('tplink-plug', 'Heater');
    for (const plug of flows.filter((n) => (n.type === 'tplink-plug' || n.type === 'tplink-light') && n.id !== heater.id)) {
      const status = comms.statuses.get(plug.id);
      assert.ok(status && ['green', 'grey'].includes(status.fill ?? ''), `${describeNode(plug.id)}: ${JSON.stringify(status)}`);
    }
    assert.equal(comms.statuses.get(byName('tplink-tddp', 'TDDP 127.0.0.15').id)?.fill, 'green');
    const sweep = comms.statuses.get(byName('tplink-discover', 'one sweep').id);
    assert.equal(sweep?.fill, 'green');
    // Ten classic devices (Garden lights may be offline) and the Tapo P110 and P300, found on UDP 20002.
    assert.match(sweep?.text ?? '', /\b(11|12)\b/, `found the twelve devices that answer (Garden lights may be offline): ${sweep?.text}`);
  });

  it('shows the unreachable plug in red and reports it through the Catch node', () => {
    const heater = byName('tplink-plug', 'Heater');
    assert.deepEqual(comms.statuses.get(heater.id), { fill: 'red', shape: 'ring', text: 'unreachable' });
    const reports = debugOf('error report');
    assert.equal(reports.length, 1, JSON.stringify(comms.debug.map((d) => d.name)));
    assert.match(reports[0].msg, /^"?Could not switch Heater: .*127\.\d+\.\d+\.19/);
  });

  it('delivers the answers the examples print', () => {
    assert.ok(debugOf('reply text').some((d) => d.msg.includes('ABCD0110')), 'TDDP product id');
    assert.ok(debugOf('Desk lamp state').length >= 1, 'desk lamp switched');
    assert.ok(debugOf('countdown rules').length >= 3, 'countdown set, read, cleared');
    assert.ok(debugOf('porch light').some((d) => d.msg === 'true'), 'sunset trigger turned the porch light on');
    assert.ok(debugOf('strip state').length >= 2, 'whole strip switched');
  });

  it('switches and charts the Tapo P110 with the account npm start filled in (automatic transport, never in the flow)', () => {
    const config = flows.find((n) => n.type === 'tplink-config' && n.name === 'Tapo dishwasher') as (FlowNode & { transport?: string; credentials?: unknown }) | undefined;
    assert.equal(config?.transport, 'auto');
    assert.equal(config?.credentials, undefined, 'the editor gets no credentials with the flows');
    const plug = flows.find((n) => n.type === 'tplink-plug' && n.z === byName('debug', 'Dishwasher state').z);
    assert.ok(plug);
    assert.ok(['green', 'grey'].includes(comms.statuses.get(plug.id)?.fill ?? ''), JSON.stringify(comms.statuses.get(plug.id)));
    assert.ok(debugOf('Dishwasher state').length >= 2, 'switched on and off');
    assert.ok(debugOf('Dishwasher today (Wh)').some((d) => /^\d+(\.\d+)?$/.test(d.msg)), JSON.stringify(debugOf('Dishwasher today (Wh)')));
  });

  it('switches, dims and colours the lights of the lights example', () => {
    const lamp = debugOf('lamp state').map((d) => JSON.parse(d.msg) as { on: boolean; brightness?: number; color_temp?: number; hue?: number });
    assert.ok(lamp.some((l) => l.color_temp === 2700 && l.brightness === 80), `warm white: ${JSON.stringify(lamp)}`);
    assert.ok(lamp.some((l) => l.color_temp === 0 && l.hue === 4), 'red "#ff2010": hue 4');
    assert.ok(lamp.some((l) => l.brightness === 10), 'dimmed');
    const backlight = debugOf('backlight state').map((d) => JSON.parse(d.msg) as { on: boolean; hue?: number });
    assert.deepEqual(backlight.map((l) => l.on).sort(), [false, true, true], 'the light strip switched on, coloured and off');
    const hall = debugOf('hall dimmer').map((d) => JSON.parse(d.msg) as { on: boolean; brightness?: number });
    assert.ok(hall.some((l) => l.on && l.brightness === 30), `the dimmer at 30 %: ${JSON.stringify(hall)}`);
  });

  it('logs no error', () => {
    const lines = fs.readFileSync(demo!.info.logFile, 'utf8').split('\n').filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { level: string; msg: string; id?: string });
    const errors = lines.filter((l) => l.level === 'error' || l.level === 'fatal');
    assert.deepEqual(errors, [], demo!.output());
    const heater = byName('tplink-plug', 'Heater');
    const unexpectedWarnings = lines.filter((l) => l.id !== undefined && l.id !== heater.id);
    assert.deepEqual(unexpectedWarnings, []);
  });
});
