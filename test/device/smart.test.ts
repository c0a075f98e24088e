/**
 * The SMART family through the device layer, against the simulated SMART
 * models: every model read into its kind and features by connect() with
 * the automatic transport, switching (outlets through control_child, a
 * whole strip), energy in the classic shape, lights and dimmers, names in
 * base64 on the wire, the raw channel, and what SMART firmware cannot do
 * refused before anything is sent.
 */
import { strict as assert } from 'assert';
import { connect, DeviceInputError, type Device, type DeviceKind, type FeatureName } from '../../lib/device';
import { startSmartDevice, type RunningSmartDevice } from '../../lib/simulator/smart/server';
import { resolveSmartModel, smartModelNames } from '../../lib/simulator/smart/models';
import type { TrafficEvent } from '../../lib/traffic';

const ACCOUNT = { username: 'owner@example.com', password: 'Tapo secret 7' };

/** What each model has, from its components (lib/simulator/smart/models/*.json), written out rather than computed. */
const EXPECTED: Record<string, { kind: DeviceKind; features: FeatureName[]; transport: 'klap' | 'aes'; outlets: number }> = {
  P100: { kind: 'plug', features: ['power', 'time', 'led', 'alias', 'system'], transport: 'aes', outlets: 0 },
  P110: { kind: 'plug', features: ['power', 'energy', 'time', 'led', 'alias', 'system'], transport: 'klap', outlets: 0 },
  KP125M: { kind: 'plug', features: ['power', 'energy', 'time', 'led', 'alias', 'system'], transport: 'aes', outlets: 0 },
  P300: { kind: 'strip', features: ['power', 'time', 'led', 'alias', 'system'], transport: 'klap', outlets: 3 },
  P304M: { kind: 'strip', features: ['power', 'energy', 'time', 'led', 'alias', 'system'], transport: 'klap', outlets: 4 },
  KS225: { kind: 'dimmer', features: ['power', 'dimmer', 'time', 'led', 'alias', 'system'], transport: 'klap', outlets: 0 },
  L530: { kind: 'bulb', features: ['power', 'light', 'time', 'alias', 'system'], transport: 'klap', outlets: 0 },
  L900: { kind: 'lightstrip', features: ['power', 'light', 'time', 'alias', 'system'], transport: 'klap', outlets: 0 },
  P105: { kind: 'plug', features: ['power', 'time', 'led', 'alias', 'system'], transport: 'klap', outlets: 0 },
  P115: { kind: 'plug', features: ['power', 'energy', 'time', 'led', 'alias', 'system'], transport: 'aes', outlets: 0 },
  P135: { kind: 'plug', features: ['power', 'dimmer', 'time', 'led', 'alias', 'system'], transport: 'klap', outlets: 0 },
  EP25: { kind: 'plug', features: ['power', 'energy', 'time', 'led', 'alias', 'system'], transport: 'aes', outlets: 0 },
  EP40M: { kind: 'strip', features: ['power', 'time', 'led', 'alias', 'system'], transport: 'klap', outlets: 2 },
  KS205: { kind: 'switch', features: ['power', 'time', 'led', 'alias', 'system'], transport: 'klap', outlets: 0 },
  HS200v5: { kind: 'switch', features: ['power', 'time', 'led', 'alias', 'system'], transport: 'klap', outlets: 0 },
  HS220v3: { kind: 'dimmer', features: ['power', 'dimmer', 'time', 'led', 'alias', 'system'], transport: 'aes', outlets: 0 },
  KS240: { kind: 'switch', features: ['power', 'light', 'time', 'led', 'alias', 'system'], transport: 'klap', outlets: 2 },
  L510: { kind: 'bulb', features: ['power', 'light', 'time', 'alias', 'system'], transport: 'klap', outlets: 0 },
  L920: { kind: 'lightstrip', features: ['power', 'light', 'time', 'alias', 'system'], transport: 'klap', outlets: 0 },
};

const CLASSIC_ENERGY_KEYS = ['power', 'power_mw', 'voltage', 'voltage_mv', 'current', 'current_ma', 'total', 'total_wh'];

describe('device layer: SMART devices', function () {
  const opened: Array<{ sim: RunningSmartDevice; device?: Device }> = [];
  afterEach(async function () {
    for (const { sim, device } of opened.splice(0)) {
      await device?.close();
      await sim.close();
    }
  });

  async function open(model: string, options: { nickname?: string; on?: boolean } = {}): Promise<{ sim: RunningSmartDevice; device: Device; traffic: TrafficEvent[] }> {
    const sim = await startSmartDevice({ model, seed: `device-${model}`, ...ACCOUNT, ...options });
    const entry: { sim: RunningSmartDevice; device?: Device } = { sim };
    opened.push(entry);
    const traffic: TrafficEvent[] = [];
    entry.device = await connect({ host: sim.host, port: sim.port, transport: 'auto', ...ACCOUNT, timeout: 3000, onTraffic: (e) => traffic.push(e) });
    return { sim, device: entry.device, traffic };
  }

  it('knows every simulated SMART model', () => {
    assert.deepEqual(Object.keys(EXPECTED).sort(), smartModelNames().sort());
  });

  for (const model of Object.keys(EXPECTED)) {
    const expected = EXPECTED[model];
    it(`${model}: a ${expected.kind} over ${expected.transport.toUpperCase()}, found by the automatic transport, its state read at connect`, async function () {
      const { sim, device } = await open(model, { nickname: 'Küche ☕' });
      assert.equal(device.family, 'smart');
      assert.equal(device.transportName, expected.transport);
      assert.equal(device.kind, expected.kind);
      assert.deepEqual(device.state.features, expected.features);
      assert.equal(device.state.model, resolveSmartModel(model).model);
      assert.equal(device.state.alias, 'Küche ☕', 'the nickname is base64 on the wire');
      assert.equal(device.state.deviceId, sim.device.deviceId);
      assert.equal(device.state.mac, sim.device.mac);
      assert.equal(device.state.outlets.length, expected.outlets);
      assert.equal(device.state.on, true);
      assert.equal((device.info as { nickname?: string }).nickname, 'Küche ☕');
    });
  }

  it('every model named with its transport (klap or aes) reads the same state as found automatically', async function () {
    for (const [model, expected] of Object.entries(EXPECTED)) {
      const { sim, device } = await open(model);
      const named = await connect({ host: sim.host, port: sim.port, transport: expected.transport, ...ACCOUNT, timeout: 3000 });
      try {
        assert.equal(named.transportName, expected.transport, model);
        assert.deepEqual(named.state, device.state, model);
      } finally {
        await named.close();
      }
    }
  });

  it('switches a plug, and toggles it from what the device says', async function () {
    const { sim, device } = await open('P110');
    assert.equal((await device.setPower(false)).on, false);
    assert.equal(sim.device.main.on, false);
    sim.device.main.set(true, Date.now());
    assert.equal((await device.toggle()).on, false, 'toggle reads first: the device was on again');
    assert.equal(sim.device.main.on, false);
  });

  it('switches one outlet of a strip through control_child, and the whole strip outlet by outlet', async function () {
    const { sim, device } = await open('P300');
    const second = device.outlet(1);
    assert.equal(second.id, sim.device.children[1]?.id, 'outlet ids as the device gave them');
    await device.setPower(false, { outlet: 1 });
    assert.deepEqual(sim.device.children.map((c) => c.on), [true, false, true]);
    assert.equal(device.state.on, true, 'a strip is on while any outlet is');
    assert.equal(device.isOn({ outlet: 'Outlet 2' }), false);
    await device.setPower(false);
    assert.deepEqual(sim.device.children.map((c) => c.on), [false, false, false]);
    assert.equal(device.state.on, false);
    const toggled = await device.toggle({ outlet: '02' });
    assert.deepEqual(toggled.outlets.map((o) => o.on), [false, false, true]);
  });

  it('reads energy in the classic shape: every classic field a number, voltage and current from get_emeter_data, 0 where the device has none', async function () {
    const { device } = await open('P110');
    const reading = await device.energy?.read();
    assert.ok(reading);
    for (const key of CLASSIC_ENERGY_KEYS) assert.equal(typeof reading[key], 'number', key);
    assert.ok(reading.power > 0 && reading.power_mw === Math.round(reading.power * 1000));
    assert.ok(reading.voltage > 200 && reading.voltage_mv > 200_000);
    assert.equal(typeof reading.today_wh, 'number');

    const kp = await open('KP125M');
    const plain = await kp.device.energy?.read();
    assert.ok(plain && plain.power > 0);
    assert.equal(plain.voltage, 0, 'no get_emeter_data: no voltage');
    assert.equal(plain.current_ma, 0);
  });

  it('meters each outlet of a P304M and sums them for the whole strip', async function () {
    const { device } = await open('P304M');
    const first = await device.energy?.read({ outlet: 0 });
    const whole = await device.energy?.read();
    assert.ok(first && whole?.outlets);
    assert.equal(whole.outlets.length, 4);
    assert.ok(Math.abs(whole.power - whole.outlets.reduce((n, r) => n + r.power, 0)) < 1e-6);
  });

  it('refuses what SMART meters have no method for (erasing) before sending', async function () {
    const { device, traffic } = await open('P110');
    const before = traffic.length;
    await assert.rejects(device.energy?.erase() ?? Promise.resolve(), (e: unknown) => e instanceof DeviceInputError && e.reason === 'unsupported');
    assert.equal(traffic.length, before);
  });

  it('sets a bulb: a hue puts it in colour mode (colour temperature 0), a temperature back to white, brightness 0 switches it off', async function () {
    const { sim, device } = await open('L530');
    assert.deepEqual(device.light?.capabilities, { dimmable: true, color: true, colorTempRange: [2500, 6500] });
    const colour = await device.light?.set({ hue: 240, saturation: 80 });
    assert.deepEqual(colour, { on: true, brightness: 100, colorTemp: 0, hue: 240, saturation: 80 });
    assert.equal(sim.device.light?.colorTemp, 0);
    await device.light?.set({ colorTemp: 4000, brightness: 30 });
    assert.deepEqual({ ...sim.device.light }, { brightness: 30, colorTemp: 4000, hue: 240, saturation: 80 });
    assert.deepEqual((await device.refresh()).light, { on: true, brightness: 30, colorTemp: 4000, hue: 240, saturation: 80 });
    await device.light?.set({ brightness: 0 });
    assert.equal(sim.device.main.on, false);
    await assert.rejects(device.light?.set({ colorTemp: 9000 }) ?? Promise.resolve(), (e: unknown) => e instanceof DeviceInputError && e.reason === 'out-of-range');
  });

  it('a light strip takes colour but has no adjustable white', async function () {
    const { sim, device } = await open('L900');
    assert.deepEqual(device.light?.capabilities, { dimmable: true, color: true });
    await device.light?.set({ hue: 10, saturation: 100, brightness: 50 });
    assert.deepEqual({ ...sim.device.light, colorTemp: 0 }, { brightness: 50, colorTemp: 0, hue: 10, saturation: 100 });
    await assert.rejects(device.light?.set({ colorTemp: 4000 }) ?? Promise.resolve(), (e: unknown) => e instanceof DeviceInputError && e.reason === 'unsupported');
  });

  it('takes a fixed-white light strip back as it was read: it stays on its white (one node\'s output driving another)', async function () {
    const { sim, device } = await open('L900', { on: true });
    await device.light?.set({ hue: 30, saturation: 60, brightness: 40 });
    // The app puts it on its white: it keeps reporting the hue and saturation it showed last.
    if (sim.device.light) sim.device.light.colorTemp = 9000;
    const read = (await device.refresh()).light;
    assert.deepEqual(read, { on: true, brightness: 40, colorTemp: 9000, hue: 30, saturation: 60 });
    assert.deepEqual(await device.light?.set({ ...read }), read);
    assert.deepEqual({ ...sim.device.light }, { brightness: 40, colorTemp: 9000, hue: 30, saturation: 60 });
    await assert.rejects(device.light?.set({ colorTemp: 6500 }) ?? Promise.resolve(), (e: unknown) => e instanceof DeviceInputError && e.reason === 'unsupported');
  });

  it('dims a KS225: a level switches it on, 0 off; a transition is taken and ignored (SMART switches at once)', async function () {
    const { sim, device } = await open('KS225', { on: false });
    assert.equal(device.state.on, false);
    assert.equal(typeof device.state.brightness, 'number');
    const dimmed = await device.dimmer?.setBrightness(35);
    assert.equal(dimmed?.brightness, 35);
    assert.equal(sim.device.light?.brightness, 35);
    assert.equal(sim.device.main.on, true);
    await device.dimmer?.setBrightness(0);
    assert.equal(sim.device.main.on, false);
    assert.equal(device.state.ignoresTransition, true);
    await device.dimmer?.setBrightness(50, { transition: 1000 });
    assert.deepEqual([sim.device.main.on, sim.device.light?.brightness], [true, 50], 'applied at once');
    await device.setPower(false, { transition: 500 });
    assert.equal(sim.device.main.on, false);
    await assert.rejects(device.setPower(true, { transition: -1 }), (e: unknown) => e instanceof DeviceInputError && e.reason === 'out-of-range');
  });

  it('renames the device and an outlet (base64 on the wire), switches the LED and reads the clock', async function () {
    const { sim, device } = await open('P300');
    await device.alias?.set('Büro');
    await device.alias?.set('Drucker', { outlet: 2 });
    assert.equal(sim.device.main.nickname, 'Büro');
    assert.equal(sim.device.children[2]?.nickname, 'Drucker');
    assert.equal((await device.refresh()).outlets[2]?.alias, 'Drucker');
    await device.led?.set(false);
    assert.equal(sim.device.ledOn, false);
    const time = await device.time?.get();
    assert.equal(typeof time?.timestamp, 'number');
    assert.deepEqual(await device.time?.timezone(), { region: 'Europe/Berlin', time_diff: 60 });
  });

  it('the raw channel takes a SMART request (JSON text too), for an outlet through control_child, and returns the reply as sent', async function () {
    const { sim, device } = await open('P300');
    const reply = await device.request({ method: 'set_device_info', params: { device_on: false } }, { outlet: 0 });
    assert.deepEqual(reply, { error_code: 0 });
    assert.equal(sim.device.children[0]?.on, false);
    const unknown = await device.request('{"method":"no_such_method"}');
    assert.equal(unknown.error_code, -1002);
    await assert.rejects(device.request({ system: { get_sysinfo: {} } }), (e: unknown) => e instanceof DeviceInputError && e.reason === 'bad-request');
  });

  it('reports the automatic transport\'s classic try and the SMART requests to the traffic hook, never the credentials', async function () {
    const { device, traffic } = await open('P100');
    await device.setPower(false);
    const text = traffic.map((e) => e.text).join('\n');
    assert.match(text, /"method":"set_device_info"/);
    assert.doesNotMatch(text, /owner@example|Tapo secret/);
    assert.deepEqual([...new Set(traffic.map((e) => e.transport))], ['tcp', 'klap', 'aes'], 'get_sysinfo on the port, then over KLAP, then SMART over AES');
    assert.equal(traffic.find((e) => e.transport === 'tcp' && e.direction === 'error') !== undefined, true);
    assert.equal(traffic.find((e) => e.transport === 'klap' && e.direction === 'error') !== undefined, true, 'no KLAP endpoint');
  });
});
