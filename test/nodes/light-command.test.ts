/**
 * The light node's message rules without Node-RED: every message form, the
 * colour conversion both ways, and what is refused before any device is
 * asked.
 */
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { hexToHsv, hsvToHex, isHexColour, whiteToHex } from '../../lib/node-support/light-colour';
import { LightInputError, parseLightCommand } from '../../lib/node-support/light-command';

const refusedWith = (key: string) => (e: unknown): boolean => e instanceof LightInputError && e.key === key;

describe('light colours', () => {
  it('reads "#rrggbb" as hue, saturation and brightness', () => {
    assert.deepEqual(hexToHsv('#ff0000'), { hue: 0, saturation: 100, brightness: 100 });
    assert.deepEqual(hexToHsv('#00FF00'), { hue: 120, saturation: 100, brightness: 100 });
    assert.deepEqual(hexToHsv(' #0000ff '), { hue: 240, saturation: 100, brightness: 100 });
    assert.deepEqual(hexToHsv('#ff8000'), { hue: 30, saturation: 100, brightness: 100 });
    assert.deepEqual(hexToHsv('#804040'), { hue: 0, saturation: 50, brightness: 50 });
    assert.deepEqual(hexToHsv('#ffffff'), { hue: 0, saturation: 0, brightness: 100 });
    assert.deepEqual(hexToHsv('#000000'), { hue: 0, saturation: 0, brightness: 0 });
    assert.deepEqual(hexToHsv('#ff00ff'), { hue: 300, saturation: 100, brightness: 100 });
    // Just under red the other way round the wheel: 359.something rounds to 0, not 360.
    assert.equal(hexToHsv('#ff0001')?.hue, 0);
  });

  it('writes hue, saturation and brightness as "#rrggbb"', () => {
    assert.equal(hsvToHex({ hue: 0, saturation: 100, brightness: 100 }), '#ff0000');
    assert.equal(hsvToHex({ hue: 120, saturation: 100, brightness: 100 }), '#00ff00');
    assert.equal(hsvToHex({ hue: 240, saturation: 100, brightness: 50 }), '#000080');
    assert.equal(hsvToHex({ hue: 360, saturation: 0, brightness: 100 }), '#ffffff');
    assert.equal(hsvToHex({ hue: 30, saturation: 100, brightness: 100 }), '#ff8000');
  });

  it('shows a white as the colour it looks: warm to orange, daylight to white, cold to blue, dimmed like a colour', () => {
    assert.equal(whiteToHex(2700), '#ffa757');
    assert.equal(whiteToHex(6500), '#fffefa');
    assert.equal(whiteToHex(9000), '#d2dfff');
    assert.equal(whiteToHex(2700, 50), '#80532c');
    assert.equal(whiteToHex(2700, 0), '#000000');
  });

  it('refuses what is not "#rrggbb"', () => {
    for (const v of ['#fff', 'ff0000', '#ff00001', '#gg0000', 'red', '', 12]) assert.equal(isHexColour(v), false, String(v));
    assert.equal(hexToHsv('#12345'), undefined);
  });

  it('comes back within one step of the light\'s whole-number units, for any colour', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffff }), (rgb) => {
      const hex = `#${rgb.toString(16).padStart(6, '0')}`;
      const hsv = hexToHsv(hex);
      assert.ok(hsv);
      assert.ok(Number.isInteger(hsv.hue) && hsv.hue >= 0 && hsv.hue < 360);
      assert.ok(hsv.saturation >= 0 && hsv.saturation <= 100 && hsv.brightness >= 0 && hsv.brightness <= 100);
      const back = hsvToHex(hsv);
      // Whole degrees and percent lose at most 3 of 255 per channel (measured over every 7th colour of the cube).
      for (let i = 1; i < 7; i += 2) {
        const delta = Math.abs(parseInt(hex.slice(i, i + 2), 16) - parseInt(back.slice(i, i + 2), 16));
        assert.ok(delta <= 3, `${hex} -> ${JSON.stringify(hsv)} -> ${back}`);
      }
    }), { numRuns: 2000 });
  });
});

describe('parseLightCommand', () => {
  it('switches with the plug node\'s switch values', () => {
    assert.deepEqual(parseLightCommand({ payload: true }), { kind: 'power', state: true });
    assert.deepEqual(parseLightCommand({ payload: 'off' }), { kind: 'power', state: false });
    assert.deepEqual(parseLightCommand({ payload: 0 }), { kind: 'power', state: false });
    assert.deepEqual(parseLightCommand({ payload: 'toggle' }), { kind: 'power', state: 'toggle' });
    assert.deepEqual(parseLightCommand({ payload: 'toggle', transition: 1500 }), { kind: 'power', state: 'toggle', transition: 1500 });
  });

  it('takes a light object in the protocol\'s field names', () => {
    assert.deepEqual(parseLightCommand({ payload: { brightness: 40, color_temp: 2700, transition: 500 } }),
      { kind: 'set', change: { brightness: 40, colorTemp: 2700, transition: 500 } });
    assert.deepEqual(parseLightCommand({ payload: { on: true, hue: 200, saturation: '80' } }),
      { kind: 'set', change: { on: true, hue: 200, saturation: 80 } });
    assert.deepEqual(parseLightCommand({ payload: { on: false } }), { kind: 'power', state: false });
    assert.deepEqual(parseLightCommand({ payload: { on: 'toggle', transition: 100 } }), { kind: 'power', state: 'toggle', transition: 100 });
    // msg.transition applies when the object has none.
    assert.deepEqual(parseLightCommand({ payload: { brightness: 10 }, transition: 300 }), { kind: 'set', change: { brightness: 10, transition: 300 } });
  });

  it('reads a colour "#rrggbb", alone or as the color field, brightness given beside it winning', () => {
    assert.deepEqual(parseLightCommand({ payload: '#ff8000' }), { kind: 'set', change: { brightness: 100, hue: 30, saturation: 100 } });
    assert.deepEqual(parseLightCommand({ payload: { color: '#0000ff', brightness: 20 } }), { kind: 'set', change: { brightness: 20, hue: 240, saturation: 100 } });
  });

  it('takes a number when msg.topic names its field, as a Dashboard slider sends it', () => {
    assert.deepEqual(parseLightCommand({ topic: 'brightness', payload: 55 }), { kind: 'set', change: { brightness: 55 } });
    assert.deepEqual(parseLightCommand({ topic: 'color_temp', payload: '4000' }), { kind: 'set', change: { colorTemp: 4000 } });
    assert.deepEqual(parseLightCommand({ topic: 'Hue', payload: 10 }), { kind: 'set', change: { hue: 10 } });
  });

  it('switches off for brightness 0 (a slider pulled down, a black colour)', () => {
    assert.deepEqual(parseLightCommand({ topic: 'brightness', payload: 0 }), { kind: 'power', state: false });
    assert.deepEqual(parseLightCommand({ payload: '#000000' }), { kind: 'power', state: false });
    assert.deepEqual(parseLightCommand({ payload: { brightness: 0, transition: 2000 } }), { kind: 'power', state: false, transition: 2000 });
  });

  it('reads the light for msg.command or msg.topic "info"; lets its own output through by payload', () => {
    assert.deepEqual(parseLightCommand({ command: 'info' }), { kind: 'read' });
    assert.deepEqual(parseLightCommand({ topic: 'INFO', payload: 1700000000000 }), { kind: 'read' });
    assert.deepEqual(parseLightCommand({ command: 'light', payload: { on: true, brightness: 30, color_temp: 0, hue: 5, saturation: 90 } }),
      { kind: 'set', change: { on: true, brightness: 30, colorTemp: 0, hue: 5, saturation: 90 } });
    assert.deepEqual(parseLightCommand({ command: 'state', payload: true }), { kind: 'power', state: true });
  });

  it('refuses what it cannot act on, saying what is wrong', () => {
    assert.throws(() => parseLightCommand({ payload: 'bright' }), refusedWith('bad-input'));
    assert.throws(() => parseLightCommand({ payload: 55 }), refusedWith('bad-input'));
    assert.throws(() => parseLightCommand({ topic: 'kitchen', payload: 55 }), refusedWith('bad-input'));
    assert.throws(() => parseLightCommand({}), refusedWith('bad-input'));
    assert.throws(() => parseLightCommand({ payload: '#12345g' }), refusedWith('bad-input'));
    assert.throws(() => parseLightCommand({ payload: { brigthness: 50 } }), (e: unknown) =>
      e instanceof LightInputError && e.key === 'unknown-field' && e.params.field === 'brigthness' && /brightness/.test(e.params.fields));
    assert.throws(() => parseLightCommand({ payload: { brightness: 'half' } }), (e: unknown) =>
      e instanceof LightInputError && e.key === 'bad-value' && e.params.field === 'brightness' && e.params.value === '"half"');
    assert.throws(() => parseLightCommand({ payload: { hue: Number.NaN } }), refusedWith('bad-value'));
    assert.throws(() => parseLightCommand({ payload: { on: 'maybe' } }), refusedWith('bad-value'));
    assert.throws(() => parseLightCommand({ payload: { color: 'red' } }), refusedWith('bad-value'));
    assert.throws(() => parseLightCommand({ payload: { color: '#ff0000', hue: 3 } }), refusedWith('colour-twice'));
    assert.throws(() => parseLightCommand({ payload: { on: 'toggle', brightness: 3 } }), refusedWith('toggle-with-fields'));
    assert.throws(() => parseLightCommand({ payload: {} }), refusedWith('nothing-to-change'));
    assert.throws(() => parseLightCommand({ payload: { transition: 100 } }), refusedWith('nothing-to-change'));
    assert.throws(() => parseLightCommand({ payload: true, transition: 'slow' }), refusedWith('bad-value'));
    assert.throws(() => parseLightCommand({ command: 'reboot' }), refusedWith('unknown-command'));
  });
});
