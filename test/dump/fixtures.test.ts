/**
 * Every device dump in test/fixtures/devices/, served as a device, through
 * everything a user has: the library (connect() and the Device), the
 * tplink-smartplug command line and the tplink-plug node. Info, switching
 * (each outlet of a strip alone), energy where the device meters, light
 * where it is a light. The legs run by what the file says the device is,
 * so a new file is tested without new test code.
 *
 * SMART dumps take the same legs (the device layer, the CLI and the nodes
 * speak SMART), and the SMART request client's besides.
 */
import { strict as assert } from 'assert';
import { readdirSync } from 'fs';
import * as path from 'path';
import { connect, classicState, type Device, type DeviceState } from '../../lib/device';
import { readSysInfo } from '../../lib/classic/replies';
import { isJsonObject } from '../../lib/json';
import { loadFixture, startFixture, type RunningFixture } from '../../lib/simulator/fixture/serve';
import { smartplugHere, type InProcessResult } from '../cli/support/in-process';
import { SmartClient } from '../../lib/smart/client';
import configNode from '../../nodes/tplink-config/tplink-config';
import plugNode from '../../nodes/tplink-plug/tplink-plug';
import { exchange, helper, TAB } from '../nodes/support/node-red';
import { repoRoot } from '../support/repo';

const DIR = path.join(repoRoot(), 'test', 'fixtures', 'devices');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

async function connectTo(fixture: RunningFixture): Promise<Device> {
  return connect({ host: fixture.host, port: fixture.port, transport: fixture.transport === 'udp' ? 'tcp' : fixture.transport, timeout: 2000 });
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

async function checkLibrary(fixture: RunningFixture): Promise<void> {
  const { dump } = fixture;
  const device = await connectTo(fixture);
  try {
    assert.deepEqual([device.kind, device.state.model, device.family], [dump.kind, dump.model, dump.family]);
    await checkSwitching(device);
    if (device.energy) {
      const reading = await device.energy.read();
      assert.ok(Number.isFinite(reading.power) && reading.power >= 0, JSON.stringify(reading));
    }
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

function cli(fixture: RunningFixture, args: string[]): Promise<InProcessResult> {
  const transport = fixture.transport === 'klap' || fixture.transport === 'aes' ? [`--${fixture.transport}`] : [];
  return smartplugHere(['-t', fixture.host, '-p', String(fixture.port), ...transport, '-T', '2', '-q', ...args]);
}

async function checkCli(fixture: RunningFixture): Promise<void> {
  const { dump } = fixture;
  const info = await cli(fixture, ['-c', 'info']);
  assert.equal(info.code, 0, info.stderr);
  const reply = JSON.parse(info.stdout) as { system?: { get_sysinfo: { model: string } }; result?: { model: string } };
  assert.equal(dump.family === 'smart' ? reply.result?.model : reply.system?.get_sysinfo.model, dump.model);
  const { outlets, features } = await stateOf(fixture);
  for (const outlet of outlets.length > 0 ? outlets.map((o) => String(o.index)) : [undefined]) {
    for (const command of ['off', 'on']) {
      const result = await cli(fixture, [...(outlet === undefined ? [] : ['-o', outlet]), '-c', command]);
      assert.equal(result.code, 0, `${command} ${outlet ?? ''}: ${result.stderr}`);
    }
  }
  if (features.includes('energy')) {
    const energy = await cli(fixture, ['-c', 'energy']);
    assert.equal(energy.code, 0, energy.stderr);
  }
}

/**
 * What the device layer reads the device as: a classic dump's sysinfo read
 * as the nodes and the CLI read it; a SMART device (several answers make
 * its state) read through connect().
 */
async function stateOf(fixture: RunningFixture): Promise<DeviceState> {
  const { dump } = fixture;
  if (dump.family === 'smart') {
    const device = await connectTo(fixture);
    await device.close();
    return device.state;
  }
  const sysinfo = dump.exchanges.find((e) => isJsonObject(e.request) && 'system' in e.request)?.reply as { system: { get_sysinfo: unknown } };
  return classicState(readSysInfo(sysinfo.system.get_sysinfo, 'sysinfo'));
}

/** One tplink-plug node per outlet (or one for the device), each wired to its own helper. */
function nodeFlow(fixture: RunningFixture, outlets: string[]): object[] {
  const config = { id: 'cfg', type: 'tplink-config', z: 'f1', host: fixture.host, port: fixture.port, transport: fixture.transport === 'udp' ? 'tcp' : fixture.transport, timeout: 2 };
  const plugs = (outlets.length === 0 ? [''] : outlets).flatMap((outlet, i) => [
    { id: `plug${i}`, type: 'tplink-plug', z: 'f1', device: 'cfg', outlet, interval: '', allowAdmin: false, wires: [[`out${i}`]] },
    { id: `out${i}`, type: 'helper', z: 'f1' },
  ]);
  return [TAB, config, ...plugs];
}

async function checkNode(fixture: RunningFixture): Promise<void> {
  const { dump } = fixture;
  const { outlets, features } = await stateOf(fixture);
  await helper.load([configNode, plugNode], nodeFlow(fixture, outlets.map((o) => String(o.index))));
  try {
    const info = await exchange('plug0', { command: 'info' }, 'out0');
    assert.equal((info.sysinfo as { model: string }).model, dump.model);
    for (let i = 0; i < Math.max(1, outlets.length); i++) {
      for (const on of [false, true]) assert.equal((await exchange(`plug${i}`, { payload: on }, `out${i}`)).payload, on, `plug${i} ${on}`);
      if (features.includes('energy')) assert.equal(typeof (await exchange(`plug${i}`, { command: 'energy' }, `out${i}`)).payload, 'number');
    }
  } finally {
    await helper.unload();
  }
}

/** SMART dumps: the SMART request client, until the device layer speaks SMART. */
async function checkSmart(fixture: RunningFixture): Promise<void> {
  const { dump } = fixture;
  const client = new SmartClient({ host: fixture.host, port: fixture.port, transport: fixture.transport === 'aes' ? 'aes' : 'klap', timeout: 2000 });
  try {
    assert.equal((await client.getDeviceInfo()).model, dump.model);
    const children = dump.kind === 'strip' ? await client.getChildren() : [];
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
    const components = await client.getComponents();
    // A strip meters per outlet (P304M), not as a whole.
    const meters = children.length === 0 ? [{ childId: undefined, components }] : [...(await client.getChildComponents())].map(([childId, c]) => ({ childId, components: c }));
    for (const meter of meters.filter((m) => m.components.has('energy_monitoring'))) {
      const reading = await client.getEnergy({ childId: meter.childId, energyVersion: meter.components.get('energy_monitoring') });
      assert.ok(Number.isFinite(reading.power), JSON.stringify(reading));
    }
    if (components.has('brightness')) {
      await client.setDeviceInfo({ brightness: 37 });
      assert.equal((await client.getDeviceInfo()).brightness, 37);
    }
  } finally {
    await client.close();
  }
}

describe('device fixtures (test/fixtures/devices) through the library, the CLI and the nodes', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());

  it('holds the simulator\'s models and reads every file', function () {
    assert.ok(FILES.length >= 27, `${FILES.length} files`);
    for (const file of FILES) loadFixture(path.join(DIR, file));
  });

  for (const file of FILES) {
    describe(file, function () {
      let fixture: RunningFixture;
      before(async () => {
        fixture = await startFixture({ fixture: path.join(DIR, file) });
      });
      after(() => fixture.close());

      it('library: kind and model, switching, energy, light', () => checkLibrary(fixture));
      it('tplink-smartplug: info, on/off (each outlet), energy', () => checkCli(fixture));
      it('tplink-plug node: info, on/off (each outlet), energy', () => checkNode(fixture));
      if (loadFixture(path.join(DIR, file)).family === 'smart') {
        it('SMART client: info, on/off (each outlet), energy, brightness', () => checkSmart(fixture));
      }
    });
  }
});
