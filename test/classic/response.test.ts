import { strict as assert } from 'assert';
import { checkResponse, normalizeEnergy, normalizeStats, DeviceError, ProtocolError } from '../../lib';

describe('reply handling', () => {
  it('accepts replies with err_code 0', () => {
    checkResponse({ system: { get_sysinfo: {} } }, { system: { get_sysinfo: { err_code: 0 } } });
  });

  it('names module, method and code of a method error', () => {
    assert.throws(
      () => checkResponse({ system: { get_sysinfo: {}, bogus: {} } }, {
        system: { get_sysinfo: { err_code: 0 }, bogus: { err_code: -2, err_msg: 'member not support' } },
      }, { host: '127.0.0.1', port: 9999 }),
      (error: unknown) => error instanceof DeviceError && error.module === 'system' && error.method === 'bogus'
        && error.errCode === -2 && /127\.0\.0\.1:9999: system\.bogus failed with err_code -2 \(member not support\)/.test(error.message),
    );
  });

  it('reports a module error per module in a combined request', () => {
    assert.throws(
      () => checkResponse({ system: { get_sysinfo: {} }, foo: { bar: {} } }, {
        system: { get_sysinfo: { err_code: 0 } }, foo: { err_code: -1, err_msg: 'module not support' },
      }),
      (error: unknown) => error instanceof DeviceError && error.module === 'foo' && error.method === undefined && error.errCode === -1,
    );
  });

  it('takes a reply without the module or method asked for as the reply to another request, not as a device error', () => {
    assert.throws(() => checkResponse({ system: { get_sysinfo: {} } }, { emeter: { get_realtime: { power_mw: 1 } } }, { host: 'h', port: 1 }),
      (e: unknown) => e instanceof ProtocolError && e.message === 'h:1: reply to another request: no system object in {"emeter"}');
    assert.throws(() => checkResponse({ system: { set_relay_state: { state: 1 } } }, { system: { get_sysinfo: {} } }),
      (e: unknown) => e instanceof ProtocolError && /no system\.set_relay_state object in system \{"get_sysinfo"\}/.test(e.message));
    assert.throws(() => checkResponse({ system: { set_relay_state: { state: 1 } } }, { system: {} }), ProtocolError);
  });

  it('refuses an err_code that is not an integer', () => {
    assert.throws(() => checkResponse({ system: { get_sysinfo: {} } }, { system: { get_sysinfo: { err_code: '0' } } }),
      (e: unknown) => e instanceof ProtocolError && /system\.get_sysinfo\.err_code should be an integer, got "0"/.test(e.message));
  });

  it('normalises hardware 1 readings (W, V, A, kWh)', () => {
    const r = normalizeEnergy({ current: 0.012, voltage: 231.5, power: 1.25, total: 0.015, err_code: 0 });
    assert.deepEqual(r, { current: 0.012, current_ma: 12, voltage: 231.5, voltage_mv: 231500, power: 1.25, power_mw: 1250, total: 0.015, total_wh: 15 });
  });

  it('normalises hardware 2 readings (mW, mV, mA, Wh)', () => {
    const r = normalizeEnergy({ current_ma: 12, voltage_mv: 231500, power_mw: 1250, total_wh: 15, err_code: 0 });
    assert.equal(r.power, 1.25);
    assert.equal(r.voltage, 231.5);
    assert.equal(r.current, 0.012);
    assert.equal(r.total, 0.015);
    assert.equal('err_code' in r, false);
  });

  it('fills absent quantities with 0', () => {
    const r = normalizeEnergy({ power_mw: 500 });
    assert.equal(r.voltage, 0);
    assert.equal(r.total_wh, 0);
  });

  it('normalises day and month statistics', () => {
    assert.deepEqual(normalizeStats([{ year: 2026, month: 11, day: 1, energy_wh: 1500 }, { year: 2026, month: 11, day: 2, energy: 0.5 }, 'junk']), [
      { year: 2026, month: 11, day: 1, energy_wh: 1500, energy: 1.5 },
      { year: 2026, month: 11, day: 2, energy: 0.5, energy_wh: 500 },
    ]);
    assert.deepEqual(normalizeStats(undefined), []);
  });
});
