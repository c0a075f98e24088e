/**
 * What each kind of device does, as real firmware does it: the facts are
 * written here from captures and measurements of real devices (not read from
 * the model files), so a model file that strays from them fails.
 */
import { strict as assert } from 'assert';
import { MODEL_NAMES, resolveModel, type DeviceKind } from '../../lib/simulator/models';
import { SimulatedDevice } from '../../lib/simulator/simulated-device';
import { fakeClock } from './wire';

type Reply = Record<string, Record<string, Record<string, unknown>>>;

const BULB = 'smartlife.iot.smartbulb.lightingservice';
const STRIP = 'smartlife.iot.lightStrip';
const EFFECT = 'smartlife.iot.lighting_effect';
const DIMMER = 'smartlife.iot.dimmer';
const INVALID_INPUT = { err_code: -10000, err_msg: 'Invalid input argument' };
const PLUG_INVALID = { err_code: -3, err_msg: 'invalid argument' };

function make(model: string, options: { on?: boolean; clock?: ReturnType<typeof fakeClock> } = {}): {
  ask: (request: object) => Reply; info: () => Record<string, unknown>; light: () => Record<string, unknown>;
} {
  const device = new SimulatedDevice({ model, seed: `kinds-${model}`, clock: (options.clock ?? fakeClock()).now, on: options.on ?? true });
  const ask = (request: object): Reply => device.handle(request) as Reply;
  const info = (): Record<string, unknown> => ask({ system: { get_sysinfo: {} } }).system.get_sysinfo;
  return { ask, info, light: () => info().light_state as Record<string, unknown> };
}

const bulbSet = (ask: (r: object) => Reply, state: object): Record<string, unknown> => ask({ [BULB]: { transition_light_state: state } })[BULB].transition_light_state;
const stripSet = (ask: (r: object) => Reply, state: object): Record<string, unknown> => ask({ [STRIP]: { set_light_state: state } })[STRIP].set_light_state;

/** How a client tells the kind from sysinfo alone, the way python-kasa does. */
function kindFromSysinfo(info: Record<string, unknown>): DeviceKind {
  const type = String(info.type ?? info.mic_type).toLowerCase();
  if (type.includes('smartbulb')) return 'length' in info ? 'lightstrip' : 'bulb';
  if (String(info.dev_name).includes('Dimmer')) return 'dimmer';
  if ('children' in info) return 'strip';
  return String(info.dev_name).toLowerCase().includes('light') ? 'switch' : 'plug';
}

describe('simulator kinds', () => {
  it('every model tells its kind in sysinfo: mic_type/type, dev_name, children, length', () => {
    for (const name of MODEL_NAMES) assert.equal(kindFromSysinfo(make(name).info()), resolveModel(name).kind, name);
  });

  it('has every model the device layer is built against, of the right kind', () => {
    const expected: Record<string, DeviceKind> = {
      HS100: 'plug', HS105: 'plug', HS110: 'plug', HS110v2: 'plug', KP115: 'plug', HS300: 'strip', HS200: 'switch', HS210: 'switch',
      HS220: 'dimmer', KS230: 'dimmer', ES20M: 'dimmer', LB100: 'bulb', LB110: 'bulb', LB130: 'bulb', KL110: 'bulb', KL125: 'bulb',
      KL130: 'bulb', KL135: 'bulb', KL400L5: 'lightstrip', KL430: 'lightstrip',
    };
    for (const [name, kind] of Object.entries(expected)) assert.equal(resolveModel(name).kind, kind, name);
  });

  describe('bulbs', () => {
    it('answer unknown modules -2001, unknown methods -2000 and plug commands as unknown methods', () => {
      const { ask } = make('KL130');
      const reply = ask({ emeter: { get_realtime: {} }, system: { set_relay_state: { state: 1 } }, [BULB]: { nope: {} } });
      assert.deepEqual(reply.emeter, { err_code: -2001, err_msg: 'Module not support' });
      assert.deepEqual(reply.system.set_relay_state, { err_code: -2000, err_msg: 'Method not support' });
      assert.deepEqual(reply[BULB].nope, { err_code: -2000, err_msg: 'Method not support' });
    });

    it('refuse a value out of range or of the wrong type with -10000 and change nothing', () => {
      const { ask, light } = make('LB130');
      const before = light();
      for (const state of [{ brightness: 150 }, { brightness: '50' }, { brightness: 50.5 }, { hue: 361 }, { saturation: -1 },
        { on_off: 2 }, { on_off: true }, { brightness: 10, color_temp: 2400 }, { transition_period: -1 }, { mode: 7 }]) {
        assert.deepEqual(bulbSet(ask, { on_off: 1, ignore_default: 1, ...state }), INVALID_INPUT, JSON.stringify(state));
      }
      assert.deepEqual(light(), before);
    });

    it('keep colour temperature within each model\'s white range; 0 selects colour', () => {
      const ranges: Record<string, [number, number]> = {
        LB130: [2500, 9000], KL130: [2500, 9000], KL125: [2500, 6500], KL135: [2500, 9000],
      };
      for (const [name, [low, high]] of Object.entries(ranges)) {
        const { ask, light } = make(name);
        for (const temp of [low - 1, high + 1]) assert.deepEqual(bulbSet(ask, { color_temp: temp }), INVALID_INPUT, `${name} ${temp}`);
        for (const temp of [low, high, 0]) {
          assert.equal(bulbSet(ask, { color_temp: temp }).color_temp, temp, `${name} ${temp}`);
          assert.equal(light().color_temp, temp);
        }
      }
    });

    it('with one fixed white (LB100, LB110, KL110) ignore hue, saturation and colour temperature', () => {
      for (const name of ['LB100', 'LB110', 'KL110']) {
        const { ask, info, light } = make(name);
        assert.deepEqual([info().is_dimmable, info().is_color, info().is_variable_color_temp], [1, 0, 0], name);
        const reply = bulbSet(ask, { hue: 200, saturation: 80, color_temp: 6500, brightness: 30, ignore_default: 1 });
        assert.equal(reply.err_code, 0);
        assert.deepEqual([light().hue, light().saturation, light().color_temp, light().brightness], [0, 0, 2700, 30], name);
      }
    });

    it('switch on and off as measured on a KL110: ignore_default decides whether colour lands', () => {
      const { ask, light } = make('KL110', { on: false });
      const off = light();
      assert.equal(off.on_off, 0);
      assert.ok(!('brightness' in off) && typeof (off.dft_on_state as Record<string, unknown>).brightness === 'number', JSON.stringify(off));
      // Brightness to a light that stays off: accepted, nothing changes.
      assert.equal(bulbSet(ask, { brightness: 40 }).err_code, 0);
      assert.deepEqual(light(), off);
      // On without ignore_default: back as it was, the brightness sent is dropped.
      assert.equal(bulbSet(ask, { on_off: 1, brightness: 60 }).brightness, (off.dft_on_state as Record<string, unknown>).brightness);
      bulbSet(ask, { on_off: 0 });
      // On with ignore_default: 1: the brightness sent lands.
      const on = bulbSet(ask, { on_off: 1, brightness: 35, ignore_default: 1 });
      assert.deepEqual({ on_off: on.on_off, brightness: on.brightness, err_code: on.err_code }, { on_off: 1, brightness: 35, err_code: 0 });
      assert.ok(!('dft_on_state' in on));
      // Already on: no ignore_default needed.
      assert.equal(bulbSet(ask, { brightness: 20 }).brightness, 20);
      const dark = bulbSet(ask, { on_off: 0, transition_period: 500 });
      assert.deepEqual(dark, { on_off: 0, dft_on_state: { mode: 'normal', hue: 0, saturation: 0, color_temp: 2700, brightness: 20 }, err_code: 0 });
    });

    it('change a preset with set_preferred_state, checked like a light state', () => {
      const { ask, info } = make('KL125');
      const set = (preset: object): Record<string, unknown> => ask({ [BULB]: { set_preferred_state: preset } })[BULB].set_preferred_state;
      assert.equal(set({ index: 1, hue: 200, saturation: 40, brightness: 60 }).err_code, 0);
      assert.deepEqual((info().preferred_state as unknown[])[1], { index: 1, hue: 200, saturation: 40, color_temp: 0, brightness: 60 });
      assert.deepEqual(set({ index: 1, hue: 400 }), INVALID_INPUT);
      assert.deepEqual(set({ index: 9, hue: 10 }), INVALID_INPUT);
      assert.equal((info().preferred_state as Array<{ hue: number }>)[1].hue, 200);
    });

    it('report energy with total_wh on newer firmware (KL125, KL135), power_mw only on older (LB130, KL110)', () => {
      const read = (name: string): string[] => Object.keys(make(name).ask({ 'smartlife.iot.common.emeter': { get_realtime: {} } })['smartlife.iot.common.emeter'].get_realtime).sort();
      for (const name of ['KL125', 'KL135']) assert.deepEqual(read(name), ['err_code', 'power_mw', 'total_wh'], name);
      for (const name of ['LB130', 'KL110', 'LB100']) assert.deepEqual(read(name), ['err_code', 'power_mw'], name);
    });
  });

  describe('light strips', () => {
    it('refuse the bulb lighting service with -1 "module not support"', () => {
      for (const name of ['KL400L5', 'KL430']) {
        const reply = make(name).ask({ [BULB]: { get_light_state: {}, transition_light_state: { on_off: 1 } } });
        assert.deepEqual(reply[BULB], { err_code: -1, err_msg: 'module not support' }, name);
      }
    });

    it('answer unknown methods as their firmware does: KL430 -2, KL400L5 -2000, both "member not support"', () => {
      assert.deepEqual(make('KL430').ask({ [STRIP]: { nope: {} } })[STRIP].nope, { err_code: -2, err_msg: 'member not support' });
      assert.deepEqual(make('KL400L5').ask({ [STRIP]: { nope: {} } })[STRIP].nope, { err_code: -2000, err_msg: 'member not support' });
    });

    it('switch with set_light_state and report their LEDs in groups with the strip\'s length', () => {
      const { ask, info } = make('KL430', { on: false });
      assert.equal(info().length, 16);
      assert.ok(!('relay_state' in info()));
      const off = ask({ [STRIP]: { get_light_state: {} } })[STRIP].get_light_state;
      assert.deepEqual(Object.keys(off), ['on_off', 'dft_on_state', 'length', 'transition', 'err_code']);
      assert.deepEqual(Object.keys(off.dft_on_state as object), ['mode', 'groups']);
      const set = stripSet(ask, { on_off: 1, brightness: 55, hue: 120, saturation: 90, color_temp: 0, ignore_default: 1, transition_period: 800 });
      assert.deepEqual([set.on_off, set.brightness, set.hue, set.err_code], [1, 55, 120, 0]);
      const on = ask({ [STRIP]: { get_light_state: {} } })[STRIP].get_light_state;
      assert.deepEqual(on, { on_off: 1, mode: 'normal', groups: [[0, 15, 120, 90, 55, 0]], length: 16, transition: 800, err_code: 0 });
      assert.deepEqual(info().light_state, { on_off: 1, mode: 'normal', hue: 120, saturation: 90, color_temp: 0, brightness: 55 });
      stripSet(ask, { on_off: 0 });
      assert.equal((info().light_state as Record<string, unknown>).on_off, 0);
      assert.deepEqual(stripSet(ask, { on_off: 1, color_temp: 9500, ignore_default: 1 }), INVALID_INPUT);
    });

    it('run effects: starting one turns the strip on, brightness alone dims it, a colour stops it', () => {
      const { ask, info } = make('KL400L5', { on: false });
      assert.equal(info().length, 1);
      const effect = (): Record<string, unknown> => info().lighting_effect_state as Record<string, unknown>;
      assert.equal(effect().enable, 0);
      assert.equal(ask({ [EFFECT]: { set_lighting_effect: { enable: 1, name: 'Aurora', id: 'abc', brightness: 80, custom: 0 } } })[EFFECT].set_lighting_effect.err_code, 0);
      assert.equal((info().light_state as Record<string, unknown>).on_off, 1);
      const lightBrightness = (info().light_state as Record<string, unknown>).brightness;
      stripSet(ask, { brightness: 30 });
      assert.deepEqual([effect().enable, effect().brightness, (info().light_state as Record<string, unknown>).brightness], [1, 30, lightBrightness]);
      stripSet(ask, { hue: 10, saturation: 100, color_temp: 0 });
      assert.equal(effect().enable, 0);
      assert.equal((info().light_state as Record<string, unknown>).hue, 10);
      assert.deepEqual(ask({ [EFFECT]: { set_lighting_effect: { enable: 3 } } })[EFFECT].set_lighting_effect, INVALID_INPUT);
    });
  });

  describe('dimmers', () => {
    for (const name of ['HS220', 'KS230', 'ES20M']) {
      it(`${name}: brightness 1-100 without switching, transitions that switch, -3 for what is out of range`, () => {
        const { ask, info } = make(name, { on: false });
        const dimmer = (request: object): Record<string, Record<string, unknown>> => ask({ [DIMMER]: request })[DIMMER];
        assert.deepEqual(dimmer({ set_brightness: { brightness: 0 } }).set_brightness, PLUG_INVALID);
        assert.deepEqual(dimmer({ set_brightness: { brightness: 101 } }).set_brightness, PLUG_INVALID);
        assert.equal(dimmer({ set_brightness: { brightness: 40 } }).set_brightness.err_code, 0);
        assert.deepEqual([info().brightness, info().relay_state], [40, 0]);
        dimmer({ set_dimmer_transition: { brightness: 70, duration: 1000 } });
        assert.deepEqual([info().brightness, info().relay_state], [70, 1]);
        dimmer({ set_dimmer_transition: { brightness: 0, duration: 1000 } });
        assert.deepEqual([info().brightness, info().relay_state], [70, 0]);
        assert.deepEqual(dimmer({ set_button_ramp_rate: { rampRate: 5 } }).set_button_ramp_rate, PLUG_INVALID);
        dimmer({ set_button_ramp_rate: { rampRate: 20 }, set_fade_on_time: { fadeTime: 2000 } });
        const parameters = dimmer({ get_dimmer_parameters: {} }).get_dimmer_parameters;
        assert.deepEqual([parameters.rampRate, parameters.fadeOnTime], [20, 2000]);
        assert.deepEqual((info().preferred_state as unknown[]).length, 4);
      });
    }

    it('only the ES20M has motion and ambient light sensors', () => {
      assert.deepEqual(make('HS220').ask({ 'smartlife.iot.PIR': { get_config: {} } })['smartlife.iot.PIR'], { err_code: -1, err_msg: 'module not support' });
      const { ask } = make('ES20M');
      const pir = (request: object): Record<string, Record<string, unknown>> => ask({ 'smartlife.iot.PIR': request })['smartlife.iot.PIR'];
      pir({ set_enable: { enable: 0 }, set_trigger_sens: { index: 3, value: 40 }, set_cold_time: { cold_time: 30000 } });
      const config = pir({ get_config: {} }).get_config;
      assert.deepEqual([config.enable, config.trigger_index, (config.array as number[])[3], config.cold_time], [0, 3, 40, 30000]);
      assert.deepEqual(pir({ set_trigger_sens: { index: 4 } }).set_trigger_sens, PLUG_INVALID);
    });

    it('ES20M: ambient light follows the local day; dark at night, not at noon', () => {
      const clock = fakeClock(Date.UTC(2024, 5, 1, 0, 0, 0));
      const { ask } = make('ES20M', { clock });
      const las = (request: object): Record<string, Record<string, unknown>> => ask({ 'smartlife.iot.LAS': request })['smartlife.iot.LAS'];
      assert.deepEqual([las({ get_current_brt: {} }).get_current_brt.value, las({ get_dark_status: {} }).get_dark_status.bDark], [0, 1]);
      clock.advance(12 * 3_600_000);
      assert.ok((las({ get_current_brt: {} }).get_current_brt.value as number) > 20);
      assert.equal(las({ get_dark_status: {} }).get_dark_status.bDark, 0);
      las({ set_brt_level: { index: 0, value: 15 } });
      const levels = ((las({ get_config: {} }).get_config.devs as Array<Record<string, unknown>>)[0].level_array as Array<Record<string, unknown>>);
      assert.equal(levels[0].value, 15);
    });
  });

  describe('switches', () => {
    it('HS200 and HS210 are plugs in protocol terms: relay, LED, plug error codes, no brightness', () => {
      for (const name of ['HS200', 'HS210']) {
        const { ask, info } = make(name);
        ask({ system: { set_relay_state: { state: 0 }, set_led_off: { off: 1 } } });
        assert.deepEqual([info().relay_state, info().led_off, 'brightness' in info()], [0, 1, false], name);
        assert.deepEqual(ask({ [DIMMER]: { set_brightness: { brightness: 5 } } })[DIMMER], { err_code: -1, err_msg: 'module not support' });
      }
    });
  });
});
