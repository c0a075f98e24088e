/**
 * Every device kind issue 17 names, read through the library from the
 * simulated models (connect -> kind, outlets, light, energy), and what the
 * device layer makes of the unusual ones: the KS240, whose light is one of
 * its two children (the other a fan), and SMART lights and dimmers, which
 * take a transition and switch at once where a plug refuses one.
 */
import { strict as assert } from 'assert';
import { connect, DeviceInputError, type Device, type DeviceKind, type LightCapabilities } from '../../lib/device';
import { smartKindByModel } from '../../lib/device/state/smart';
import { resolveSmartModel } from '../../lib/simulator/smart/models';
import { startSmartDevice, type RunningSmartDevice } from '../../lib/simulator/smart/server';

const ACCOUNT = { username: 'kinds@example.com', password: 'Kinds secret 3' };

interface Expected {
  kind: DeviceKind;
  outlets: number;
  /** What the light (or a KS240's light outlet) can do; undefined: no light. */
  light?: LightCapabilities;
  /** Dimmers: brightness in the state without a light. */
  dimmer?: boolean;
  /** Metered: the whole device, or (strips) each outlet. */
  energy: 'none' | 'device' | 'outlets';
}

/** Written from what each real model lists in component_nego, not computed from the model files. */
const KINDS: Record<string, Expected> = {
  P100: { kind: 'plug', outlets: 0, energy: 'none' },
  P105: { kind: 'plug', outlets: 0, energy: 'none' },
  P110: { kind: 'plug', outlets: 0, energy: 'device' },
  P115: { kind: 'plug', outlets: 0, energy: 'device' },
  P135: { kind: 'plug', outlets: 0, dimmer: true, energy: 'none' },
  KP125M: { kind: 'plug', outlets: 0, energy: 'device' },
  EP25: { kind: 'plug', outlets: 0, energy: 'device' },
  P300: { kind: 'strip', outlets: 3, energy: 'none' },
  P304M: { kind: 'strip', outlets: 4, energy: 'outlets' },
  EP40M: { kind: 'strip', outlets: 2, energy: 'none' },
  KS205: { kind: 'switch', outlets: 0, energy: 'none' },
  HS200v5: { kind: 'switch', outlets: 0, energy: 'none' },
  KS225: { kind: 'dimmer', outlets: 0, dimmer: true, energy: 'none' },
  HS220v3: { kind: 'dimmer', outlets: 0, dimmer: true, energy: 'none' },
  KS240: { kind: 'switch', outlets: 2, light: { dimmable: true, color: false }, energy: 'none' },
  L510: { kind: 'bulb', outlets: 0, light: { dimmable: true, color: false }, energy: 'none' },
  L530: { kind: 'bulb', outlets: 0, light: { dimmable: true, color: true, colorTempRange: [2500, 6500] }, energy: 'none' },
  L900: { kind: 'lightstrip', outlets: 0, light: { dimmable: true, color: true }, energy: 'none' },
  L920: { kind: 'lightstrip', outlets: 0, light: { dimmable: true, color: true }, energy: 'none' },
};

describe('device layer: every SMART kind of issue 17', function () {
  const opened: Array<{ sim: RunningSmartDevice; device?: Device }> = [];
  afterEach(async function () {
    for (const { sim, device } of opened.splice(0)) {
      await device?.close();
      await sim.close();
    }
  });

  async function open(model: string, on = true): Promise<{ sim: RunningSmartDevice; device: Device }> {
    const sim = await startSmartDevice({ model, seed: `kinds-${model}`, on, ...ACCOUNT });
    const entry: { sim: RunningSmartDevice; device?: Device } = { sim };
    opened.push(entry);
    entry.device = await connect({ host: sim.host, port: sim.port, transport: 'auto', ...ACCOUNT, timeout: 3000 });
    return { sim, device: entry.device };
  }

  for (const [model, expected] of Object.entries(KINDS)) {
    it(`${model} reads as a ${expected.kind}: ${expected.outlets} outlets, ${expected.light ? 'a light' : 'no light'}, energy ${expected.energy}`, async function () {
      const { sim, device } = await open(model);
      assert.equal(device.kind, expected.kind);
      assert.deepEqual(device.state.outlets.map((o) => o.id), sim.device.children.map((c) => c.id));
      assert.equal(device.state.outlets.length, expected.outlets);
      assert.deepEqual(device.state.lightCapabilities, expected.light);
      assert.equal(device.light?.capabilities !== undefined, expected.light !== undefined);
      assert.equal(device.dimmer !== undefined, expected.dimmer === true);
      if (expected.light || expected.dimmer) assert.equal(device.state.brightness, 100);
      else assert.equal(device.state.brightness, undefined);
      assert.equal(device.state.ignoresTransition, expected.light !== undefined || expected.dimmer === true ? true : undefined);
      assert.equal(device.energy !== undefined, expected.energy !== 'none');
      if (expected.energy === 'none') return;
      const reading = await device.energy?.read();
      assert.ok(reading && reading.power > 0, `${model} draws power`);
      assert.equal(reading.outlets?.length, expected.energy === 'outlets' ? expected.outlets : undefined);
    });
  }

  it('discovery names each kind from type and model before login, as the device layer reads it after', () => {
    for (const [model, expected] of Object.entries(KINDS)) {
      const spec = resolveSmartModel(model);
      assert.equal(smartKindByModel(spec.type, `${spec.model}(${spec.region})`), expected.kind, model);
    }
  });

  describe('KS240: a fan child and a dimmer child', function () {
    it('lists the children as outlets in the order the switch gives (fan, light); the light is the dimmer\'s', async function () {
      const { sim, device } = await open('KS240');
      assert.deepEqual(sim.device.children.map((c) => c.child?.category), ['kasa.switch.outlet.sub-fan', 'kasa.switch.outlet.sub-dimmer']);
      assert.equal(device.state.lightOutlet, 1);
      assert.deepEqual(device.state.light, { on: true, brightness: 100 });
      assert.deepEqual(device.info.device_on, undefined, 'the parent has no relay of its own');
    });

    it('the light feature dims and switches the light through control_child and leaves the fan alone', async function () {
      const { sim, device } = await open('KS240');
      const [fan, dimmer] = sim.device.children;
      assert.deepEqual(await device.light?.set({ brightness: 30 }), { on: true, brightness: 30 });
      assert.deepEqual([fan.on, dimmer.on, sim.device.light?.brightness], [true, true, 30]);
      await device.light?.set({ on: false });
      assert.deepEqual([fan.on, dimmer.on], [true, false]);
      assert.deepEqual([device.state.on, device.state.light?.on, device.state.outlets[1].on], [true, false, false], 'on while the fan is');
      assert.deepEqual((await device.refresh()).light, { on: false, brightness: 30 });
      await assert.rejects(device.light?.set({ colorTemp: 2700 }) ?? Promise.resolve(), (e: unknown) => e instanceof DeviceInputError && e.reason === 'unsupported');
    });

    it('switches each child as an outlet; the light outlet takes a transition (ignored), the fan and the whole switch refuse one', async function () {
      const { sim, device } = await open('KS240');
      const [fan, dimmer] = sim.device.children;
      await device.setPower(false, { outlet: 0 });
      assert.deepEqual([fan.on, dimmer.on, device.state.light?.on], [false, true, true]);
      await device.setPower(false, { outlet: 1, transition: 800 });
      assert.deepEqual([dimmer.on, device.state.light?.on, device.state.on], [false, false, false]);
      await assert.rejects(device.setPower(true, { outlet: 0, transition: 800 }), (e: unknown) => e instanceof DeviceInputError && e.reason === 'unsupported');
      await assert.rejects(device.setPower(true, { transition: 800 }), (e: unknown) => e instanceof DeviceInputError && e.reason === 'unsupported');
      assert.equal(fan.on, false, 'nothing sent for a refused transition');
      await device.setPower(true);
      assert.deepEqual([fan.on, dimmer.on, device.state.light?.on], [true, true, true], 'the whole switch: both children');
    });
  });

  it('SMART lights take a transition and apply the change at once; a plug refuses one, as a classic plug does', async function () {
    const { sim, device } = await open('L530', false);
    await device.light?.set({ hue: 120, saturation: 60, transition: 2000 });
    assert.deepEqual([sim.device.main.on, sim.device.light?.hue, sim.device.light?.saturation], [true, 120, 60]);
    await device.setPower(false, { transition: 1500 });
    assert.equal(sim.device.main.on, false);
    await device.toggle({ transition: 1500 });
    assert.equal(sim.device.main.on, true);

    const plug = await open('P110');
    await assert.rejects(plug.device.setPower(false, { transition: 500 }), (e: unknown) => e instanceof DeviceInputError && e.reason === 'unsupported');
    assert.equal(plug.sim.device.main.on, true);
  });
});
