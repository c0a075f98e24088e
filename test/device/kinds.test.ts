/**
 * Every kind through the device layer against the simulator: connect()
 * reads each model into the right kind and features, and the first call
 * on a fresh device (switching, energy) speaks the modules its kind needs.
 */
import { strict as assert } from 'assert';
import { connect, type Device, type DeviceKind, type FeatureName } from '../../lib/device';
import { startDevice, type RunningDevice } from '../../lib/simulator';
import { MODEL_NAMES, resolveModel } from '../../lib/simulator/models';
import type { TrafficEvent } from '../../lib/traffic';

const PLUG_FEATURES: FeatureName[] = ['power', 'schedule', 'countdown', 'antiTheft', 'time', 'led', 'alias', 'cloud', 'wifi', 'system'];
const LIGHT_FEATURES: FeatureName[] = ['power', 'energy', 'light', 'schedule', 'antiTheft', 'time', 'alias', 'cloud', 'wifi', 'system'];

/** What each kind has, written from what the firmware answers (lib/simulator/README.md), not from the code. */
function expectedFeatures(kind: DeviceKind, metered: boolean): FeatureName[] {
  if (kind === 'bulb' || kind === 'lightstrip') return LIGHT_FEATURES;
  const extra: FeatureName[] = [...(metered ? ['energy' as const] : []), ...(kind === 'dimmer' ? ['dimmer' as const] : [])];
  const order: FeatureName[] = ['power', 'energy', 'light', 'dimmer', 'schedule', 'countdown', 'antiTheft', 'time', 'led', 'alias', 'cloud', 'wifi', 'system'];
  return order.filter((f) => PLUG_FEATURES.includes(f) || extra.includes(f));
}

describe('device layer: every simulated model', function () {
  const opened: Array<{ sim: RunningDevice; device?: Device }> = [];
  afterEach(async function () {
    for (const { sim, device } of opened.splice(0)) {
      await device?.close();
      await sim.close();
    }
  });

  async function open(model: string, on = true): Promise<{ sim: RunningDevice; device: Device; traffic: TrafficEvent[] }> {
    const sim = await startDevice({ model, seed: `device-${model}`, on });
    const entry: { sim: RunningDevice; device?: Device } = { sim };
    opened.push(entry);
    const traffic: TrafficEvent[] = [];
    const device = await connect({ host: sim.host, port: sim.port, onTraffic: (e) => traffic.push(e) });
    entry.device = device;
    return { sim, device, traffic };
  }

  for (const model of MODEL_NAMES) {
    const spec = resolveModel(model);
    it(`${model}: a ${spec.kind} with its features, its state read at connect`, async function () {
      const { sim, device } = await open(model);
      assert.equal(device.kind, spec.kind);
      assert.equal(device.state.family, 'classic');
      assert.equal(device.state.model, spec.model);
      assert.equal(device.state.alias, sim.alias);
      assert.equal(device.state.deviceId, sim.deviceId);
      assert.deepEqual(device.state.features, expectedFeatures(spec.kind, spec.emeter !== 'none'));
      assert.equal(device.state.outlets.length, spec.childCount);
      const features = device as unknown as Record<string, unknown>;
      for (const name of device.state.features.filter((f) => f !== 'power')) assert.ok(features[name], `${model} has ${name}`);
      assert.equal(device.countdown === undefined, !device.state.features.includes('countdown'));
      // HS300 outlets start on, off, on, off...; everything else starts on.
      assert.equal(device.state.on, true);
    });

    it(`${model}: the first call on a fresh device switches it off and on`, async function () {
      const { sim, device, traffic } = await open(model);
      const isOn = (): boolean => sim.device.outlets.some((o) => o.isOn) && (sim.device.light?.on_off ?? 1) === 1;
      await device.setPower(false);
      assert.equal(isOn(), false);
      assert.equal(device.state.on, false);
      await device.setPower(true);
      assert.equal(isOn(), true);
      assert.equal(device.state.on, true);
      const errors = traffic.filter((e) => e.direction === 'reply' && /"err_code":-\d/.test(e.text));
      assert.deepEqual(errors, [], 'no request refused by the device');
    });
  }

  it('a fresh bulb: the very first call after connect switches the light, and its energy comes from smartlife.iot.common.emeter', async function () {
    const { sim, device, traffic } = await open('LB130', false);
    await device.setPower(true);
    assert.equal(sim.device.light?.on_off, 1);
    const sent = traffic.filter((e) => e.direction === 'request').map((e) => e.text);
    assert.deepEqual(sent, [
      '{"system":{"get_sysinfo":{}}}',
      '{"smartlife.iot.smartbulb.lightingservice":{"transition_light_state":{"on_off":1,"ignore_default":0}}}',
    ]);
    const energy = await device.energy?.read();
    assert.ok(energy && energy.power > 0 && energy.power_mw === Math.round(energy.power * 1000));
    assert.match(traffic.filter((e) => e.direction === 'request').pop()?.text ?? '', /^\{"smartlife\.iot\.common\.emeter":\{"get_realtime":\{\}\}\}$/);
  });

  it('a fresh bulb and a fresh light strip: every call works as the first call after connect, in the light modules', async function () {
    const has = <T>(feature: T | undefined, name: string): T => {
      assert.ok(feature, name);
      return feature;
    };
    const calls: Array<[string, (device: Device) => Promise<unknown>]> = [
      ['setPower', (d) => d.setPower(true, { transition: 100 })],
      ['toggle', (d) => d.toggle()],
      ['energy', (d) => has(d.energy, 'energy').read()],
      ['energy day stats', (d) => has(d.energy, 'energy').dayStats(2026, 1)],
      ['light', (d) => has(d.light, 'light').set({ brightness: 10 })],
      ['schedule', (d) => has(d.schedule, 'schedule').list()],
      ['anti-theft', (d) => has(d.antiTheft, 'antiTheft').list()],
      ['time', (d) => has(d.time, 'time').get()],
      ['alias', (d) => has(d.alias, 'alias').set('First')],
      ['cloud', (d) => has(d.cloud, 'cloud').info()],
    ];
    for (const model of ['LB130', 'KL430']) {
      for (const [what, call] of calls) {
        const { sim, device, traffic } = await open(model, false);
        await call(device);
        const requests = traffic.filter((e) => e.direction === 'request').map((e) => e.text);
        assert.equal(requests[0], '{"system":{"get_sysinfo":{}}}', `${model} ${what}`);
        // get_sysinfo is every kind's read (a toggle reads first); everything else goes to a light's modules.
        for (const text of requests.slice(1).filter((t) => t !== requests[0])) {
          assert.match(text, /^\{"smartlife\.iot\./, `${model} ${what} asks a light's module`);
        }
        const refused = traffic.filter((e) => e.direction === 'reply' && /"err_code":-\d/.test(e.text)).map((e) => e.text);
        assert.deepEqual(refused, [], `${model} ${what}: nothing refused`);
        await device.close();
        await sim.close();
        opened.splice(0);
      }
    }
  });

  it('a light strip switches on and off through smartlife.iot.lightStrip', async function () {
    const { sim, device, traffic } = await open('KL430');
    assert.equal((await device.setPower(false)).on, false);
    assert.equal(sim.device.light?.on_off, 0);
    assert.equal((await device.refresh()).on, false);
    assert.equal((await device.setPower(true)).on, true);
    assert.equal(sim.device.light?.on_off, 1);
    assert.equal((await device.toggle()).on, false);
    assert.equal(sim.device.light?.on_off, 0);
    const modules = traffic.filter((e) => e.direction === 'request').map((e) => Object.keys(JSON.parse(e.text) as object)[0]);
    assert.deepEqual([...new Set(modules)].sort(), ['smartlife.iot.lightStrip', 'system']);
  });

  it('an HS300 with outlets on, off, on, off, on, off is on; toggled it goes all off, toggled again all on', async function () {
    const { sim, device } = await open('HS300');
    const outlets = (): boolean[] => sim.device.children.map((c) => c.isOn);
    assert.deepEqual(outlets(), [true, false, true, false, true, false]);
    assert.equal(device.state.on, true);
    assert.equal(device.isOn(), true);
    assert.deepEqual(device.state.outlets.map((o) => o.on), [true, false, true, false, true, false]);
    const first = await device.toggle();
    assert.deepEqual(outlets(), [false, false, false, false, false, false]);
    assert.equal(first.on, false);
    const second = await device.toggle();
    assert.deepEqual(outlets(), [true, true, true, true, true, true]);
    assert.equal(second.on, true);
    assert.deepEqual(second.outlets.map((o) => o.on), [true, true, true, true, true, true]);
  });

  it('one outlet of a strip by index, short id, full id and alias; toggling one outlet leaves the others', async function () {
    const { sim, device } = await open('HS300');
    await device.setPower(true, { outlet: 1 });
    await device.setPower(true, { outlet: '03' });
    await device.setPower(false, { outlet: `${sim.deviceId}00` });
    await device.setPower(true, { outlet: 'Outlet 6' });
    assert.deepEqual(sim.device.children.map((c) => c.isOn), [false, true, true, true, true, true]);
    const after = await device.toggle({ outlet: 4 });
    assert.deepEqual(sim.device.children.map((c) => c.isOn), [false, true, true, true, false, true]);
    assert.deepEqual(after.outlets.map((o) => o.on), [false, true, true, true, false, true]);
    assert.equal(device.isOn({ outlet: 0 }), false);
    assert.equal(device.outlet('5').alias, 'Outlet 6');
    assert.throws(() => device.outlet(6), { name: 'DeviceInputError', reason: 'unknown-outlet' });
    await assert.rejects(device.setPower(true, { outlet: 'Kettle' }), { name: 'DeviceInputError', reason: 'unknown-outlet' });
  });

  it('an outlet on a device without outlets is refused before anything is sent', async function () {
    const { device, traffic } = await open('HS110');
    const before = traffic.length;
    await assert.rejects(device.setPower(true, { outlet: 0 }), /has no outlets/);
    assert.equal(traffic.length, before);
  });
});
