/**
 * The classic state model from sysinfo shapes real firmware sends (written
 * from python-kasa's recorded devices, as facts): kinds, full child ids,
 * a light's colour while off, a light strip's effect brightness, white
 * ranges per model; finding outlets; a strip's sums.
 */
import { strict as assert } from 'assert';
import { readSysInfo } from '../../lib/classic/replies';
import { classicState, findOutlet, type OutletState } from '../../lib/device';
import { sumReadings, sumStats } from '../../lib/device/energy';
import { normalizeEnergy } from '../../lib/classic/response';

const state = (sysinfo: object): ReturnType<typeof classicState> => classicState(readSysInfo(sysinfo, 'sysinfo'));

describe('classic state model', function () {
  it('tells each kind from what the sysinfo carries', function () {
    const plug = { type: 'IOT.SMARTPLUGSWITCH', dev_name: 'Smart Wi-Fi Plug Mini', relay_state: 1, feature: 'TIM:ENE' };
    assert.equal(state(plug).kind, 'plug');
    assert.equal(state({ ...plug, dev_name: 'Smart Light Switch with PIR' }).kind, 'switch');
    assert.equal(state({ ...plug, dev_name: 'Kasa Smart Wi-Fi Outdoor Plug-In Dimmer', brightness: 50 }).kind, 'dimmer');
    assert.equal(state({ ...plug, dev_name: 'Smart Wi-Fi Dimmer Switch' }).kind, 'dimmer');
    assert.equal(state({ ...plug, dev_name: undefined, brightness: 20 }).kind, 'dimmer');
    assert.equal(state({ mic_type: 'IOT.SMARTPLUGSWITCH', children: [] }).kind, 'strip');
    assert.equal(state({ mic_type: 'IOT.SMARTBULB', light_state: { on_off: 1 } }).kind, 'bulb');
    assert.equal(state({ mic_type: 'IOT.SMARTBULB', length: 16, light_state: { on_off: 1 } }).kind, 'lightstrip');
    assert.equal(state({}).kind, 'plug');
  });

  it('makes short child ids whole and a strip on when any outlet is', function () {
    const strip = state({
      mic_type: 'IOT.SMARTPLUGSWITCH', deviceId: 'ABC', feature: 'TIM',
      children: [{ id: '00', state: 0, alias: 'a' }, { id: '1', state: 1 }, { id: 'ABC02', state: 0, alias: 'c' }],
    });
    assert.deepEqual(strip.outlets, [
      { index: 0, id: 'ABC00', alias: 'a', on: false }, { index: 1, id: 'ABC01', alias: '', on: true }, { index: 2, id: 'ABC02', alias: 'c', on: false },
    ]);
    assert.equal(strip.on, true);
    assert.ok(!strip.features.includes('energy'));
  });

  it('reads a light that is off with the colour it comes back with', function () {
    const bulb = state({
      mic_type: 'IOT.SMARTBULB', model: 'KL130(US)', is_dimmable: 1, is_color: 1, is_variable_color_temp: 1,
      light_state: { on_off: 0, dft_on_state: { mode: 'normal', hue: 240, saturation: 100, color_temp: 0, brightness: 30 } },
    });
    assert.equal(bulb.on, false);
    assert.deepEqual(bulb.light, { on: false, brightness: 30, colorTemp: 0, hue: 240, saturation: 100 });
    assert.equal(bulb.brightness, 30);
    assert.deepEqual(bulb.lightCapabilities, { dimmable: true, color: true, colorTempRange: [2500, 9000] });
  });

  it('takes a light strip effect brightness while the effect plays', function () {
    const strip = state({
      mic_type: 'IOT.SMARTBULB', model: 'KL430(US)', length: 16, is_dimmable: 1, is_color: 1, is_variable_color_temp: 1,
      light_state: { on_off: 1, mode: 'normal', hue: 194, saturation: 50, color_temp: 0, brightness: 100 },
      lighting_effect_state: { enable: 1, name: 'Rainbow', brightness: 40, custom: 0, id: 'x' },
    });
    assert.deepEqual(strip.light, { on: true, brightness: 40, colorTemp: 0, hue: 194, saturation: 50, effect: 'Rainbow' });
  });

  it('keeps only the colour fields a light has, though every bulb reports them all', function () {
    const light = (caps: object, on = 1): unknown => state({
      mic_type: 'IOT.SMARTBULB', model: 'KL999(US)', ...caps,
      light_state: on === 1 ? { on_off: 1, mode: 'normal', hue: 12, saturation: 34, color_temp: 3100, brightness: 56 }
        : { on_off: 0, dft_on_state: { mode: 'normal', hue: 12, saturation: 34, color_temp: 3100, brightness: 56 } },
    }).light;
    assert.deepEqual(light({ is_dimmable: 1, is_color: 0, is_variable_color_temp: 0 }, 0), { on: false, brightness: 56 });
    assert.deepEqual(light({ is_dimmable: 1, is_color: 0, is_variable_color_temp: 1 }), { on: true, brightness: 56, colorTemp: 3100 });
    // A fixed white on a colour light: its colour temperature still tells white (here) from hue (0).
    assert.deepEqual(light({ is_dimmable: 1, is_color: 1, is_variable_color_temp: 0 }), { on: true, brightness: 56, colorTemp: 3100, hue: 12, saturation: 34 });
    assert.deepEqual(light({ is_dimmable: 0, is_color: 0, is_variable_color_temp: 0 }), { on: true });
  });

  it('knows each model white range, and falls back to 2700-5000 K', function () {
    const range = (model: string, variable = 1): [number, number] | undefined =>
      state({ mic_type: 'IOT.SMARTBULB', model, is_variable_color_temp: variable, light_state: { on_off: 1 } }).lightCapabilities?.colorTempRange;
    assert.deepEqual(range('KL120(EU)'), [2700, 6500]);
    assert.deepEqual(range('KL120(US)'), [2700, 5000]);
    assert.deepEqual(range('KL125(US)'), [2500, 6500]);
    assert.deepEqual(range('LB130(EU)'), [2500, 9000]);
    assert.deepEqual(range('KL999(US)'), [2700, 5000]);
    assert.equal(range('KL60(US)', 0), undefined);
  });

  it('finds outlets by index, short id, full id (any case) and alias, and nothing else', function () {
    const outlets: OutletState[] = [
      { index: 0, id: 'AB00', alias: 'Lamp', on: true }, { index: 1, id: 'AB01', alias: '7', on: false },
    ];
    assert.equal(findOutlet(outlets, 1)?.id, 'AB01');
    assert.equal(findOutlet(outlets, '0')?.id, 'AB00');
    assert.equal(findOutlet(outlets, '01')?.id, 'AB01');
    assert.equal(findOutlet(outlets, 'ab01')?.id, 'AB01');
    assert.equal(findOutlet(outlets, ' Lamp ')?.id, 'AB00');
    assert.equal(findOutlet(outlets, 2), undefined);
    assert.equal(findOutlet(outlets, 0.5), undefined);
    assert.equal(findOutlet(outlets, 'Kettle'), undefined);
  });

  it('takes one or two digits as the index where no outlet id ends in two digits (opaque ids)', function () {
    const outlets: OutletState[] = [
      { index: 0, id: 'child-a', alias: 'Fan', on: true }, { index: 1, id: 'child-b', alias: 'Light', on: false },
    ];
    assert.equal(findOutlet(outlets, '1')?.id, 'child-b');
    assert.equal(findOutlet(outlets, '00')?.id, 'child-a');
    assert.equal(findOutlet(outlets, '2'), undefined);
  });

  it('takes digits as the index where hex ids end in digits only by chance (some do, the set is not 00, 01, ...)', function () {
    const outlets: OutletState[] = [
      { index: 0, id: '80226A3F9C1E27', alias: 'One', on: true },
      { index: 1, id: '80226A3F9C1E4B', alias: 'Two', on: false },
      { index: 2, id: '80226A3F9C1E01', alias: 'Three', on: false },
    ];
    assert.equal(findOutlet(outlets, '0')?.alias, 'One');
    assert.equal(findOutlet(outlets, '1')?.alias, 'Two');
    assert.equal(findOutlet(outlets, '27')?.alias, undefined);
  });

  it('sums a strip: power, current and totals add up, the voltage is the highest, stats by date', function () {
    const a = normalizeEnergy({ power_mw: 1500, voltage_mv: 230100, current_ma: 10, total_wh: 5 });
    const b = normalizeEnergy({ power_mw: 2500, voltage_mv: 229900, current_ma: 20, total_wh: 7 });
    const sum = sumReadings([a, b]);
    assert.deepEqual({ ...sum, outlets: undefined }, {
      power: 4, power_mw: 4000, voltage: 230.1, voltage_mv: 230100, current: 0.03, current_ma: 30, total: 0.012, total_wh: 12, outlets: undefined,
    });
    assert.deepEqual(sumStats([
      [{ year: 2026, month: 1, day: 2, energy: 0.002, energy_wh: 2 }, { year: 2026, month: 1, day: 1, energy: 0.001, energy_wh: 1 }],
      [{ year: 2026, month: 1, day: 2, energy: 0.003, energy_wh: 3 }],
    ]), [
      { year: 2026, month: 1, day: 1, energy: 0.001, energy_wh: 1 }, { year: 2026, month: 1, day: 2, energy: 0.005, energy_wh: 5 },
    ]);
  });
});
