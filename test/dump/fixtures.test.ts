/**
 * Every device dump in test/fixtures/devices/, served as a device, through
 * everything a user has: the library (connect() and the Device), the
 * tplink-smartplug command line, the tplink-plug node and the tplink-light
 * node (lights and whatever dims driven, anything else refused a brightness). Info, switching (each outlet of a strip
 * alone, read back), energy where the device meters, brightness and colour
 * where it is a light. Classic and SMART dumps take the same legs (SMART
 * ones the SMART request client's besides): what each leg checks follows
 * what the device layer reads the served device as, so a new file is
 * tested without new test code.
 */
import { strict as assert } from 'assert';
import { readdirSync } from 'fs';
import * as path from 'path';
import { connect, type Device, type DeviceState, type EnergyStat } from '../../lib/device';
import { loadFixture, startFixture, type RunningFixture } from '../../lib/simulator/fixture/serve';
import { simulatedSources } from '../../scripts/device-fixtures';
import { smartplugHere, type InProcessResult } from '../cli/support/in-process';
import { SmartClient } from '../../lib/smart/client';
import type { NodeMessage } from '../../nodes/types';
import configNode from '../../nodes/tplink-config/tplink-config';
import lightNode from '../../nodes/tplink-light/tplink-light';
import plugNode from '../../nodes/tplink-plug/tplink-plug';
import { lightControlOf } from '../../lib/node-support/light-actions';
import { caughtError, exchange, helper, TAB } from '../nodes/support/node-red';
import { repoRoot } from '../support/repo';
import { recordedStats, type RecordedStatsPlan } from './recorded-stats';

const DIR = path.join(repoRoot(), 'test', 'fixtures', 'devices');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

/** A classic dump is served on TCP and UDP whichever it was recorded on. */
const transportOf = (fixture: RunningFixture): 'tcp' | 'klap' | 'aes' => (fixture.transport === 'udp' ? 'tcp' : fixture.transport);

/** Fixtures are served without an account: KLAP and AES log in with blank credentials. */
async function connectTo(fixture: RunningFixture): Promise<Device> {
  return connect({ host: fixture.host, port: fixture.port, transport: transportOf(fixture), timeout: 2000 });
}

/** What the device layer reads the served device as: what the other legs expect of it, and how they read back what they did. */
async function readState(fixture: RunningFixture): Promise<DeviceState> {
  const device = await connectTo(fixture);
  try {
    return device.state;
  } finally {
    await device.close();
  }
}

/** Switches the device, or each outlet alone, and reads it back each time. */
async function checkSwitching(device: Device): Promise<void> {
  const { outlets } = device.state;
  if (outlets.length === 0) {
    for (const on of [false, true]) {
      await device.setPower(on);
      assert.equal((await device.refresh()).on, on, `switched ${on ? 'on' : 'off'}`);
    }
    return;
  }
  for (const outlet of outlets) {
    const before = (await device.refresh()).outlets.map((o) => o.on);
    await device.setPower(!before[outlet.index], { outlet: outlet.index });
    const after = (await device.refresh()).outlets.map((o) => o.on);
    assert.deepEqual(after, before.map((on, i) => (i === outlet.index ? !on : on)), `outlet ${outlet.index} alone`);
  }
}

/** Energy from the device, or from each outlet where only the outlets meter (P304M). */
async function checkEnergy(device: Device): Promise<void> {
  const energy = device.energy;
  if (!energy) return;
  const outlets = device.family === 'smart' && device.state.outlets.length > 0 ? device.state.outlets.map((o) => o.index) : [undefined];
  for (const outlet of outlets) {
    const reading = await energy.read(outlet === undefined ? {} : { outlet });
    assert.ok(Number.isFinite(reading.power) && reading.power >= 0, JSON.stringify(reading));
  }
}

async function checkLibrary(fixture: RunningFixture): Promise<void> {
  const { dump } = fixture;
  const device = await connectTo(fixture);
  try {
    assert.deepEqual([device.kind, device.state.model, device.family], [dump.kind, dump.model, dump.family]);
    await checkSwitching(device);
    await checkEnergy(device);
    if (device.light?.capabilities.dimmable) {
      await device.light.set({ brightness: 37 });
      assert.equal((await device.refresh()).light?.brightness, 37);
    }
    if (device.dimmer) {
      await device.dimmer.setBrightness(55);
      assert.equal((await device.refresh()).brightness, 55);
    }
  } finally {
    await device.close();
  }
}

/**
 * Day and month statistics through the device layer, for each meter and
 * month the file recorded them for, on the file served with its clock
 * frozen at the device's own time then (the device layer then places the
 * request and cuts at today exactly as when it was dumped).
 */
async function checkStats(file: string, plan: RecordedStatsPlan): Promise<void> {
  const fixture = await startFixture({ fixture: path.join(DIR, file), clock: () => plan.clock });
  const device = await connectTo(fixture);
  try {
    const energy = device.energy;
    assert.ok(energy, 'the file records statistics: the device meters');
    // A strip's device layer sums its outlets' statistics: what the strip itself answered is never asked.
    for (const stat of plan.stats.filter((s) => s.child !== undefined || device.state.outlets.length === 0)) {
      const outlet = stat.child === undefined ? undefined : device.state.outlets.find((o) => o.id === stat.child)?.index;
      const what = `${stat.child ?? 'device'} ${stat.month === undefined ? 'monthStats' : 'dayStats'} ${stat.year}/${stat.month ?? ''}`;
      assert.ok(stat.child === undefined || outlet !== undefined, `${what}: outlet listed`);
      const ask: Promise<EnergyStat[]> = stat.month === undefined ? energy.monthStats(stat.year, { outlet }) : energy.dayStats(stat.year, stat.month, { outlet });
      if (stat.totalWh === undefined) {
        await assert.rejects(ask, `${what}: refused as recorded`);
        continue;
      }
      const list: EnergyStat[] = await ask;
      assert.ok(list.every((e) => e.year === stat.year && (stat.month === undefined || e.month === stat.month)), `${what}: ${JSON.stringify(list)}`);
      if (stat.entries !== undefined) assert.equal(list.length, stat.entries, what);
      const total = list.reduce((a, e) => a + e.energy_wh, 0);
      assert.ok(Math.abs(total - stat.totalWh) <= 1e-6 * Math.max(1, stat.totalWh), `${what}: ${total} Wh, recorded ${stat.totalWh}`);
    }
  } finally {
    await device.close();
    await fixture.close();
  }
}

function cli(fixture: RunningFixture, args: string[]): Promise<InProcessResult> {
  const transport = fixture.transport === 'klap' ? ['--klap'] : fixture.transport === 'aes' ? ['--aes'] : [];
  return smartplugHere(['-t', fixture.host, '-p', String(fixture.port), ...transport, '-T', '2', '-q', ...args]);
}

/** The model in -c info's output: the classic sysinfo, or a SMART device's get_device_info result. */
function modelPrinted(stdout: string): unknown {
  const reply = JSON.parse(stdout) as { system?: { get_sysinfo?: { model?: unknown } }; result?: { model?: unknown } };
  return reply.system?.get_sysinfo?.model ?? reply.result?.model;
}

async function checkCli(fixture: RunningFixture, state: DeviceState): Promise<void> {
  const info = await cli(fixture, ['-c', 'info']);
  assert.equal(info.code, 0, info.stderr);
  assert.equal(modelPrinted(info.stdout), fixture.dump.model);
  for (const outlet of state.outlets.length > 0 ? state.outlets.map((o) => o.index) : [undefined]) {
    for (const command of ['off', 'on']) {
      const result = await cli(fixture, [...(outlet === undefined ? [] : ['-o', String(outlet)]), '-c', command]);
      assert.equal(result.code, 0, `${command} ${outlet ?? ''}: ${result.stderr}`);
      const now = await readState(fixture);
      assert.equal(outlet === undefined ? now.on : now.outlets[outlet]?.on, command === 'on', `${command} ${outlet ?? ''} read back`);
    }
  }
  if (state.features.includes('energy')) {
    const energy = await cli(fixture, ['-c', 'energy']);
    assert.equal(energy.code, 0, energy.stderr);
  }
}

function configOf(fixture: RunningFixture): object {
  return { id: 'cfg', type: 'tplink-config', z: 'f1', host: fixture.host, port: fixture.port, transport: transportOf(fixture), timeout: 2 };
}

/** Blank account: the fixture's KLAP or AES login. */
const CREDENTIALS = { cfg: { username: '', password: '' } };

/** One tplink-plug node per outlet (or one for the device), each wired to its own helper. */
function plugFlow(fixture: RunningFixture, outlets: string[]): object[] {
  const plugs = (outlets.length === 0 ? [''] : outlets).flatMap((outlet, i) => [
    { id: `plug${i}`, type: 'tplink-plug', z: 'f1', device: 'cfg', outlet, interval: '', allowAdmin: false, wires: [[`out${i}`]] },
    { id: `out${i}`, type: 'helper', z: 'f1' },
  ]);
  return [TAB, configOf(fixture), ...plugs];
}

async function checkPlugNode(fixture: RunningFixture, state: DeviceState): Promise<void> {
  const { outlets, features } = state;
  await helper.load([configNode, plugNode], plugFlow(fixture, outlets.map((o) => String(o.index))), CREDENTIALS);
  try {
    const info = await exchange('plug0', { command: 'info' }, 'out0');
    assert.equal((info.sysinfo as { model: string }).model, fixture.dump.model);
    for (let i = 0; i < Math.max(1, outlets.length); i++) {
      for (const on of [false, true]) assert.equal((await exchange(`plug${i}`, { payload: on }, `out${i}`)).payload, on, `plug${i} ${on}`);
      if (features.includes('energy')) assert.equal(typeof (await exchange(`plug${i}`, { command: 'energy' }, `out${i}`)).payload, 'number');
    }
  } finally {
    await helper.unload();
  }
}

type LightPayload = { on: boolean; brightness?: number; hue?: number; saturation?: number };
const lightOf = (msg: NodeMessage): LightPayload => msg.payload as LightPayload;

/**
 * A light or anything that dims (a dimmer, a P135): switched, dimmed,
 * coloured where it can be, and read. Anything else is refused a
 * brightness through the node's error, and nothing changes.
 */
async function checkLightNode(fixture: RunningFixture, state: DeviceState): Promise<void> {
  const light = { id: 'light', type: 'tplink-light', z: 'f1', device: 'cfg', transition: '', interval: '', version: 1, wires: [['out']] };
  const caught = [{ id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] }, { id: 'caught', type: 'helper', z: 'f1' }];
  await helper.load([configNode, lightNode], [TAB, configOf(fixture), light, { id: 'out', type: 'helper', z: 'f1' }, ...caught], CREDENTIALS);
  try {
    if (lightControlOf(state) === 'switch') {
      assert.match(await caughtError('light', { payload: { brightness: 42 } }), /tplink-light\.errors\.unsupported/);
      assert.equal((await readState(fixture)).brightness, state.brightness, 'nothing sent');
      return;
    }
    for (const on of [false, true]) {
      assert.equal(lightOf(await exchange('light', { payload: on })).on, on, `light ${on}`);
      // A KS240's light is on or off by itself, whatever its fan does.
      const read = await readState(fixture);
      assert.equal(read.light?.on ?? read.on, on, `light ${on} read back`);
    }
    if (state.lightCapabilities?.dimmable === true || state.features.includes('dimmer')) {
      assert.equal(lightOf(await exchange('light', { payload: { brightness: 42 } })).brightness, 42);
      const now = await readState(fixture);
      assert.equal(now.light?.brightness ?? now.brightness, 42, 'brightness read back');
    }
    if (state.lightCapabilities?.color === true) {
      const coloured = lightOf(await exchange('light', { payload: { hue: 240, saturation: 50 } }));
      assert.deepEqual([coloured.hue, coloured.saturation], [240, 50]);
      const now = await readState(fixture);
      assert.deepEqual([now.light?.hue, now.light?.saturation], [240, 50], 'colour read back');
    }
    assert.equal(lightOf(await exchange('light', { command: 'info' })).on, true);
  } finally {
    await helper.unload();
  }
}

/** SMART dumps also through the SMART request client alone, below the device layer. */
async function checkSmart(fixture: RunningFixture): Promise<void> {
  const { dump } = fixture;
  const client = new SmartClient({ host: fixture.host, port: fixture.port, transport: fixture.transport === 'aes' ? 'aes' : 'klap', timeout: 2000 });
  try {
    assert.equal((await client.getDeviceInfo()).model, dump.model);
    const components = await client.getComponents();
    // Strips, and a KS240 (a switch whose fan and light are children).
    const children = components.has('control_child') ? await client.getChildren() : [];
    for (const child of children.length > 0 ? children : [undefined]) {
      const childId = child?.deviceId;
      const othersOf = async (): Promise<boolean[]> => (await client.getChildren()).filter((c) => c.deviceId !== childId).map((c) => c.on === true);
      const others = childId === undefined ? [] : await othersOf();
      for (const on of [false, true]) {
        await client.setDeviceOn(on, { childId });
        const read = childId === undefined ? await client.getDeviceInfo() : (await client.getChildren()).find((c) => c.deviceId === childId);
        assert.equal(read?.on, on, `${childId ?? 'device'} ${on}`);
        // The others stay as they were.
        if (childId !== undefined) assert.deepEqual(await othersOf(), others);
      }
    }
    // A strip meters per outlet (P304M), not as a whole.
    const meters = children.length === 0 ? [{ childId: undefined, components }] : [...(await client.getChildComponents())].map(([childId, c]) => ({ childId, components: c }));
    for (const meter of meters.filter((m) => m.components.has('energy_monitoring'))) {
      const reading = await client.getEnergy({ childId: meter.childId, energyVersion: meter.components.get('energy_monitoring') });
      assert.ok(Number.isFinite(reading.power), JSON.stringify(reading));
    }
    if (components.has('brightness')) {
      // A KS240 dims through the child that lists brightness.
      const dimming = children.length === 0 ? undefined : [...(await client.getChildComponents())].find(([, c]) => c.has('brightness'))?.[0];
      await client.setDeviceInfo({ brightness: 37 }, { childId: dimming });
      const read = dimming === undefined ? await client.getDeviceInfo() : (await client.getChildren()).find((c) => c.deviceId === dimming);
      assert.equal(read?.brightness, 37);
    }
  } finally {
    await client.close();
  }
}

describe('device fixtures (test/fixtures/devices) through the library, the CLI and the nodes', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());

  it('holds every simulated model and reads every file', function () {
    const missing = simulatedSources().map((source) => source.file).filter((file) => !FILES.includes(file));
    assert.deepEqual(missing, [], 'run npm run fixtures:dump after adding a simulated model');
    for (const file of FILES) loadFixture(path.join(DIR, file));
  });

  for (const file of FILES) {
    describe(file, function () {
      let fixture: RunningFixture;
      let state: DeviceState;
      before(async () => {
        fixture = await startFixture({ fixture: path.join(DIR, file) });
        state = await readState(fixture);
      });
      after(() => fixture.close());

      it('library: kind, model and family, switching, energy, light', () => checkLibrary(fixture));
      const stats = recordedStats(loadFixture(path.join(DIR, file)));
      if (stats) it('library: day and month statistics as recorded (or refused as recorded)', () => checkStats(file, stats));
      it('tplink-smartplug: info, on/off (each outlet), energy', () => checkCli(fixture, state));
      it('tplink-plug node: info, on/off (each outlet), energy', () => checkPlugNode(fixture, state));
      it('tplink-light node: on/off, brightness, colour, info; a brightness refused where nothing dims', () => checkLightNode(fixture, state));
      if (loadFixture(path.join(DIR, file)).family === 'smart') {
        it('SMART client: info, on/off (each outlet), energy, brightness', () => checkSmart(fixture));
      }
    });
  }
});
