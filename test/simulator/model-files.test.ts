/**
 * Every model file in lib/simulator/models loads, and every model answers
 * sysinfo, switching and its kind's own methods, with the error codes its
 * file gives. New model files are picked up without touching this test.
 */
import { strict as assert } from 'assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { JsonShapeError } from '../../lib/json';
import { SYSINFO_LIVE_VALUES } from '../../lib/simulator/sysinfo';
import { loadModels, MODEL_NAMES, MODELS, readModelSpec, resolveModel, type ModelSpec } from '../../lib/simulator/models';
import { SimulatedDevice } from '../../lib/simulator/simulated-device';
import { fakeClock } from './wire';

type Reply = Record<string, Record<string, Record<string, unknown>>>;

const MODELS_DIR = path.resolve(__dirname, '../../lib/simulator/models');

function device(spec: ModelSpec, on = true): { ask: (request: object) => Reply; sysinfo: () => Record<string, unknown> } {
  const simulated = new SimulatedDevice({ model: spec.name, seed: `files-${spec.name}`, clock: fakeClock().now, on });
  const ask = (request: object): Reply => simulated.handle(request) as Reply;
  return { ask, sysinfo: () => ask({ system: { get_sysinfo: {} } }).system.get_sysinfo };
}

/** The module a model answers with `family`, e.g. `smartlife.iot.common.emeter` for a bulb's emeter. */
function moduleOf(spec: ModelSpec, family: string): string {
  const found = Object.entries(spec.modules).find(([, f]) => f === family);
  assert.ok(found, `${spec.name} has no ${family} module`);
  return found[0];
}

/** A light's service and the method that sets it: bulbs transition_light_state, light strips set_light_state. */
function lightService(spec: ModelSpec): { service: string; set: string } {
  return spec.kind === 'lightstrip'
    ? { service: moduleOf(spec, 'light-strip'), set: 'set_light_state' }
    : { service: moduleOf(spec, 'lighting'), set: 'transition_light_state' };
}

function checkSwitching(spec: ModelSpec): void {
  const { ask, sysinfo } = device(spec);
  if (spec.kind === 'strip') {
    // Outlets start on, off, on, ...: swap the first two.
    ask({ context: { child_ids: ['00'] }, system: { set_relay_state: { state: 0 } } });
    ask({ context: { child_ids: ['01'] }, system: { set_relay_state: { state: 1 } } });
    const states = (sysinfo().children as Array<{ state: number }>).map((c) => c.state);
    assert.equal(states.length, spec.childCount);
    assert.deepEqual(states.slice(0, 2), [0, 1]);
    return;
  }
  if (spec.light) {
    const { service, set } = lightService(spec);
    for (const onOff of [0, 1, 0]) {
      const reply = ask({ [service]: { [set]: { on_off: onOff } } })[service][set];
      assert.equal(reply.err_code, 0, JSON.stringify(reply));
      assert.equal((sysinfo().light_state as { on_off: number }).on_off, onOff);
    }
    return;
  }
  for (const state of [0, 1, 0]) {
    assert.equal(ask({ system: { set_relay_state: { state } } }).system.set_relay_state.err_code, 0);
    assert.equal(sysinfo().relay_state, state);
  }
}

function checkKindMethods(spec: ModelSpec): void {
  const { ask, sysinfo } = device(spec);
  if (spec.kind === 'dimmer') {
    const reply = ask({ 'smartlife.iot.dimmer': { set_brightness: { brightness: 30 }, get_dimmer_parameters: {} } })['smartlife.iot.dimmer'];
    assert.equal(reply.set_brightness.err_code, 0);
    assert.deepEqual(reply.get_dimmer_parameters, { ...spec.dimmer?.parameters, err_code: 0 });
    assert.equal(sysinfo().brightness, 30);
  }
  if (spec.kind === 'strip') {
    const reply = ask({ 'smartlife.iot.smartpowerstrip.manage': { get_relationship: {} } })['smartlife.iot.smartpowerstrip.manage'];
    assert.equal((reply.get_relationship.data as unknown[]).length, spec.childCount);
  }
  if (spec.light) {
    const { service, set } = lightService(spec);
    const reply = ask({ [service]: { [set]: { on_off: 1, brightness: 40, ignore_default: 1 } } })[service][set];
    assert.equal(reply.brightness, 40, JSON.stringify(reply));
    assert.equal((sysinfo().light_state as { brightness: number }).brightness, 40);
    const state = ask({ [service]: { get_light_state: {}, get_light_details: {} } })[service];
    assert.equal(state.get_light_details.err_code, 0);
    assert.equal(state.get_light_state.on_off, 1);
    assert.deepEqual(['is_dimmable', 'is_color', 'is_variable_color_temp'].map((flag) => sysinfo()[flag]),
      [spec.light.dimmable, spec.light.color, spec.light.colorTempRange !== null].map(Number));
  }
  if (spec.kind === 'lightstrip') {
    assert.equal(sysinfo().length, spec.light?.length);
    const effect = moduleOf(spec, 'lighting-effect');
    assert.equal(ask({ [effect]: { set_lighting_effect: { enable: 1, name: 'Aurora', id: 'x', brightness: 30 } } })[effect].set_lighting_effect.err_code, 0);
    const expected = { ...spec.light?.effect, enable: 1, name: 'Aurora', id: 'x', brightness: 30 };
    assert.deepEqual(sysinfo().lighting_effect_state, expected);
    assert.deepEqual(ask({ [effect]: { get_lighting_effect: {} } })[effect].get_lighting_effect, { ...expected, err_code: 0 });
  }
  if (spec.sensors?.motion) {
    const reply = ask({ 'smartlife.iot.PIR': { get_config: {}, get_adc_value: {} } })['smartlife.iot.PIR'];
    assert.deepEqual(reply.get_config, { ...spec.sensors.motion, err_code: 0 });
    assert.equal(reply.get_adc_value.err_code, 0);
  }
  if (spec.sensors?.ambientLight) {
    const reply = ask({ 'smartlife.iot.LAS': { get_config: {}, get_current_brt: {} } })['smartlife.iot.LAS'];
    assert.deepEqual(reply.get_config, { ...spec.sensors.ambientLight, err_code: 0 });
    assert.equal(typeof reply.get_current_brt.value, 'number');
  }
  if (spec.emeter !== 'none') {
    const emeter = moduleOf(spec, 'emeter');
    const reading = ask({ [emeter]: { get_realtime: {} } })[emeter].get_realtime;
    assert.equal(reading.err_code, 0, JSON.stringify(reading));
    assert.ok(spec.emeter === 'v1' ? typeof reading.power === 'number' : Number.isInteger(reading.power_mw), JSON.stringify(reading));
  }
}

describe('simulator model files', () => {
  it('every file in lib/simulator/models is a model, named as its file', () => {
    const names = [...loadModels(MODELS_DIR).keys()].sort();
    assert.deepEqual([...MODEL_NAMES].sort(), names);
    assert.ok(names.length >= 9, names.join(', '));
    for (const name of names) assert.equal(MODELS[name].name, name);
  });

  for (const name of MODEL_NAMES) {
    describe(name, () => {
      const spec = resolveModel(name);

      it('uses only live values the sysinfo builder knows, and answers get_sysinfo with them filled in', () => {
        const info = device(spec).sysinfo();
        for (const [key, template] of Object.entries(spec.sysinfo)) {
          if (typeof template === 'string' && template.startsWith('$')) {
            assert.ok(SYSINFO_LIVE_VALUES.includes(template.slice(1)), `${name}: ${key} names unknown ${template}`);
            assert.ok(!(typeof info[key] === 'string' && String(info[key]).startsWith('$')), `${name}: ${key} left as ${String(info[key])}`);
          } else {
            assert.deepEqual(info[key], template, `${name}: ${key}`);
          }
        }
        assert.deepEqual(Object.keys(info), Object.keys(spec.sysinfo), 'fields in the template order');
        assert.equal(info.model, spec.model);
        assert.equal(info.err_code, 0);
      });

      it(`switches (${spec.kind})`, () => checkSwitching(spec));

      it(`answers its kind's own methods (${spec.kind})`, () => checkKindMethods(spec));

      it('answers an unknown module and an unknown method with its own codes', () => {
        const reply = device(spec).ask({ 'no.such.module': { x: {} }, system: { no_such_method: {} } });
        assert.deepEqual(reply['no.such.module'], spec.errors.unknownModule);
        assert.deepEqual(reply.system.no_such_method, spec.errors.unknownMethod);
      });

      it('answers a bad parameter with its own invalid-argument code', () => {
        const reply = device(spec).ask({ system: { set_dev_alias: { alias: 42 } } });
        assert.deepEqual(reply.system.set_dev_alias, spec.errors.invalidArgument);
      });
    });
  }

  describe('a broken model file is refused, saying where', () => {
    const good = JSON.parse(readFileSync(path.join(MODELS_DIR, 'HS100.json'), 'utf8')) as Record<string, unknown>;
    const refuse = (changed: Record<string, unknown>, where: RegExp): void => {
      assert.throws(() => readModelSpec({ ...good, ...changed }, 'X.json'), (error: unknown) => error instanceof JsonShapeError && where.test(error.message));
    };

    it('an unknown kind, emeter unit or method family', () => {
      refuse({ kind: 'toaster' }, /^X\.json\.kind should be/);
      refuse({ emeter: 'kWh' }, /^X\.json\.emeter should be/);
      refuse({ modules: { system: 'system', emeter: 'meter' } }, /^X\.json\.modules\.emeter should be/);
    });

    it('no system module, a malformed live value, a bad colour temperature range', () => {
      refuse({ modules: { time: 'time' } }, /^X\.json\.modules should include system/);
      refuse({ sysinfo: { alias: '$ alias' } }, /^X\.json\.sysinfo\.alias should name a live value/);
      const light = { dimmable: true, color: false, colorTempRange: [6500, 2700], initial: { mode: 'normal', hue: 0, saturation: 0, color_temp: 2700, brightness: 50 }, details: {}, defaultBehavior: {} };
      refuse({ light }, /^X\.json\.light\.colorTempRange should be \[lowest K, highest K\]/);
    });

    it('a kind or module without the part of the file it needs', () => {
      refuse({ kind: 'bulb' }, /^X\.json should have a light for its kind \(bulb\)/);
      refuse({ modules: { system: 'system', 'smartlife.iot.dimmer': 'dimmer' } }, /^X\.json should have dimmer/);
      refuse({ modules: { system: 'system', 'smartlife.iot.PIR': 'motion' } }, /^X\.json should have sensors\.motion/);
      refuse({ kind: 'strip' }, /^X\.json should have childCount above 0/);
    });

    it('a file whose name is not the model name inside', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'sim-models-'));
      try {
        writeFileSync(path.join(dir, 'HS999.json'), JSON.stringify(good));
        assert.throws(() => loadModels(dir), /HS999\.json\.name should be the file's name, got "HS100"/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
