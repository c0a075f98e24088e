import { strict as assert } from 'assert';
import { adminMethodsIn, isAdministrative, isRawRequest, parsePlugCommand, parsePowerValue, PlugInputError } from '../../lib/node-support/plug-command';
import { tddpRequestOf, parseByte } from '../../lib/node-support/tddp-message';
import { brightnessArgument } from '../../lib/node-support/plug-actions';
import { summarizeDevice, type DiscoveredDevice } from '../../lib/discovery/index';
import { classicState } from '../../lib/device';
import { readSysInfo } from '../../lib/classic/replies';

describe('parsePlugCommand', () => {
  it('reads every switch form', () => {
    for (const v of [true, 'on', 'ON', ' true ', 1, '1']) assert.equal(parsePowerValue(v), true, String(v));
    for (const v of [false, 'off', 'Off', 'false', 0, '0']) assert.equal(parsePowerValue(v), false, String(v));
    assert.equal(parsePowerValue('toggle'), 'toggle');
    for (const v of [2, 'maybe', null, undefined, {}, [], 1700000000000]) assert.equal(parsePowerValue(v), undefined, String(v));
  });

  it('lets msg.command win, takes msg.topic only when it names a command, then raw objects, then switch values', () => {
    assert.deepEqual(parsePlugCommand({ command: 'energy', payload: true }), { kind: 'action', action: 'energy', argument: true });
    assert.deepEqual(parsePlugCommand({ command: 'ON' }), { kind: 'power', state: true });
    assert.deepEqual(parsePlugCommand({ topic: 'info', payload: 123 }), { kind: 'action', action: 'info', argument: 123 });
    assert.deepEqual(parsePlugCommand({ topic: 'kitchen', payload: 'off' }), { kind: 'power', state: false });
    const raw = { system: { get_sysinfo: {} }, context: { child_ids: ['01'] } };
    assert.deepEqual(parsePlugCommand({ payload: raw }), { kind: 'raw', request: raw });
    assert.deepEqual(parsePlugCommand({ payload: 'toggle' }), { kind: 'power', state: 'toggle' });
  });

  it('takes a { brightness, transition } payload as the brightness command, and checks its argument when it runs', () => {
    assert.deepEqual(parsePlugCommand({ payload: { brightness: 40 } }), { kind: 'action', action: 'brightness', argument: { brightness: 40 } });
    assert.deepEqual(parsePlugCommand({ command: 'brightness', payload: 5 }), { kind: 'action', action: 'brightness', argument: 5 });
    assert.throws(() => parsePlugCommand({ payload: { brightness: 40, colour: 'red' } }), PlugInputError);
    assert.deepEqual(brightnessArgument({ brightness: 40, transition: 1000 }), { brightness: 40, transition: 1000 });
    assert.deepEqual(brightnessArgument('25'), { brightness: 25 });
    for (const bad of [101, -1, 2.5, 'x', { brightness: 10, transition: -5 }, null]) {
      assert.throws(() => brightnessArgument(bad), (e: unknown) => e instanceof PlugInputError && e.key === 'bad-argument', JSON.stringify(bad));
    }
  });

  it('names what is wrong with bad input', () => {
    assert.throws(() => parsePlugCommand({ payload: 'maybe' }), (e: unknown) => e instanceof PlugInputError && e.key === 'bad-input' && e.params.payload === '"maybe"');
    assert.throws(() => parsePlugCommand({ command: 'explode' }), (e: unknown) => e instanceof PlugInputError && e.key === 'unknown-command');
    assert.throws(() => parsePlugCommand({ payload: { context: {} } }), PlugInputError);
    assert.throws(() => parsePlugCommand({}), PlugInputError);
  });

  it('tells raw protocol objects from other objects', () => {
    assert.equal(isRawRequest({ emeter: { get_realtime: {} } }), true);
    assert.equal(isRawRequest({ 'smartlife.iot.common.emeter': { get_realtime: {} } }), true);
    assert.equal(isRawRequest({ state: 1 }), false);
    assert.equal(isRawRequest({ context: { child_ids: [] } }), false);
  });

  it('marks administrative commands, named or raw', () => {
    for (const command of ['reboot', 'reset', 'wifi', 'wifi_scan', 'cloud_bind', 'cloud_unbind', 'erase_stats']) {
      assert.equal(isAdministrative(parsePlugCommand({ command })), true, command);
    }
    for (const command of ['on', 'info', 'energy', 'alias', 'countdown', 'cloud_info']) {
      assert.equal(isAdministrative(parsePlugCommand({ command, payload: 'x' })), false, command);
    }
    assert.deepEqual(adminMethodsIn({ system: { get_sysinfo: {}, reboot: { delay: 1 } }, cnCloud: { bind: {} } }), ['system.reboot', 'cnCloud.bind']);
    assert.equal(isAdministrative(parsePlugCommand({ payload: { system: { set_relay_state: { state: 1 } } } })), false);
  });
});

describe('discovery summaries', () => {
  const found = (sysinfo: object): DiscoveredDevice => {
    const read = readSysInfo(sysinfo, 'sysinfo');
    return {
      host: 'h', port: 9999, protocol: 'xor', family: 'classic', needsCredentials: false, deviceId: read.deviceId ?? '', kind: 'plug', sysinfo: read,
      state: classicState(read), children: [],
    };
  };
  it('say what a device is through the state model: kind, on, outlets with full ids', () => {
    const strip = found({
      alias: 'Strip', model: 'HS300(US)', deviceId: 'AB', mac: '00:11', feature: 'TIM:ENE', mic_type: 'IOT.SMARTPLUGSWITCH',
      children: [{ id: '00', state: 0, alias: 'A' }, { id: 'AB01', state: 1, alias: 'B' }],
    });
    assert.deepEqual(summarizeDevice(strip), {
      host: 'h', port: 9999, alias: 'Strip', model: 'HS300(US)', deviceId: 'AB', mac: '00:11', family: 'classic', transport: 'tcp', needsCredentials: false,
      kind: 'strip', state: true,
      outlets: [{ id: 'AB00', index: 0, alias: 'A', state: false }, { id: 'AB01', index: 1, alias: 'B', state: true }],
    });
  });
  it('list bulbs, dimmers and light strips as what they are', () => {
    const bulb = summarizeDevice(found({ alias: 'Lamp', model: 'KL130(US)', deviceId: 'B', mic_type: 'IOT.SMARTBULB', is_dimmable: 1, is_color: 1, is_variable_color_temp: 1, light_state: { on_off: 1, brightness: 40, hue: 0, saturation: 0, color_temp: 2700 } }));
    assert.equal(bulb.kind, 'bulb');
    assert.equal(bulb.state, true);
    assert.equal(bulb.brightness, 40);
    assert.deepEqual(bulb.light, { on: true, brightness: 40, colorTemp: 2700, hue: 0, saturation: 0 });
    assert.equal(summarizeDevice(found({ type: 'IOT.SMARTPLUGSWITCH', dev_name: 'Smart Wi-Fi Dimmer', relay_state: 0, brightness: 30 })).kind, 'dimmer');
    assert.equal(summarizeDevice(found({ mic_type: 'IOT.SMARTBULB', length: 16, light_state: { on_off: 0 } })).kind, 'lightstrip');
  });
});

describe('tddp-message', () => {
  it('reads bytes as numbers, decimal or 0x-hex strings', () => {
    assert.equal(parseByte('0x0a', 'f'), 10);
    assert.equal(parseByte('14', 'f'), 14);
    assert.equal(parseByte(3, 'f'), 3);
    assert.equal(parseByte('', 'f'), undefined);
    assert.throws(() => parseByte('0x100', 'f'));
    assert.throws(() => parseByte(256, 'f'));
  });
  it('lets the message override the node, and sends only strings and Buffers as data', () => {
    assert.deepEqual(tddpRequestOf({ payload: 123 }, { type: '0x03', subtype: '0x0a' }), { type: 3, subtype: 10 });
    assert.deepEqual(tddpRequestOf({ payload: 'x', subtype: 14, type: '2' }, { type: 3, subtype: 10 }), { type: 2, subtype: 14, data: 'x' });
    assert.throws(() => tddpRequestOf({}, { type: 3, subtype: '' }));
  });
});
