import { strict as assert } from 'assert';
import { adminMethodsIn, isAdministrative, isRawRequest, parsePlugCommand, parsePowerValue, PlugInputError } from '../../lib/node-support/plug-command';
import { tddpRequestOf, parseByte } from '../../lib/node-support/tddp-message';
import { aliasOf, hasEnergyMeter, stateOf, summarizeDevice } from '../../lib/node-support/device-view';
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

describe('device-view', () => {
  const strip = readSysInfo({
    alias: 'Strip', model: 'HS300(US)', deviceId: 'AB', mac: '00:11', feature: 'TIM:ENE',
    children: [{ id: 'AB00', state: 0, alias: 'A' }, { id: 'AB01', state: 1, alias: 'B' }],
  }, 'sysinfo');
  it('reads states and aliases of plugs, outlets and whole strips', () => {
    assert.equal(stateOf({ relay_state: 1 }), true);
    assert.equal(stateOf(strip), true);
    assert.equal(stateOf(strip, 'AB00'), false);
    assert.equal(aliasOf(strip, 'AB01'), 'B');
    assert.equal(aliasOf(strip), 'Strip');
    assert.equal(hasEnergyMeter(strip), true);
    assert.equal(hasEnergyMeter({ feature: 'TIM' }), false);
    assert.deepEqual(summarizeDevice({ host: 'h', port: 9999, sysinfo: strip }).outlets.map((o) => o.id), ['AB00', 'AB01']);
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
