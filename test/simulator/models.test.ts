import { strict as assert } from 'assert';
import * as fields from '../fixtures/models/sysinfo-fields.json';
import { MODEL_NAMES, resolveModel, type ModelName } from '../../lib/simulator/models';
import { SimulatedDevice } from '../../lib/simulator/simulated-device';
import { fakeClock } from './wire';

type Expected = { model: string; hw_ver: string; typeField: string; feature?: string; extra: string[]; absent: string[] };

function sysinfo(device: SimulatedDevice): Record<string, unknown> {
  const reply = device.handle({ system: { get_sysinfo: {} } }) as { system: { get_sysinfo: Record<string, unknown> } };
  return reply.system.get_sysinfo;
}

describe('simulator models: sysinfo shapes', () => {
  const clock = fakeClock();

  for (const name of MODEL_NAMES) {
    it(`${name} reports the fields its firmware does`, () => {
      const expected = (fields.models as Record<string, Expected | undefined>)[name];
      assert.ok(expected, `${name}: no entry in test/fixtures/models/sysinfo-fields.json`);
      const info = sysinfo(new SimulatedDevice({ model: name, seed: 'shape', clock: clock.now }));
      const spec = resolveModel(name);
      const plugFields = fields.plug.filter((f) => spec.kind !== 'strip' || !['relay_state', 'on_time', 'active_mode', 'next_action'].includes(f));
      const required = [...fields.common, ...(spec.light ? [] : plugFields), ...expected.extra];
      for (const field of required) assert.ok(field in info, `${name}: missing ${field}`);
      for (const field of expected.absent) assert.ok(!(field in info), `${name}: unexpected ${field}`);
      assert.equal(info.model, expected.model);
      assert.equal(info.hw_ver, expected.hw_ver);
      assert.ok(expected.typeField in info, `${name}: ${expected.typeField}`);
      if (expected.feature !== undefined) assert.equal(info.feature, expected.feature);
      assert.match(String(info.deviceId), /^[0-9A-F]{40}$/);
      assert.match(String(info.hwId), /^[0-9A-F]{32}$/);
      assert.match(String(info.sw_ver), /^\d+\.\d+\.\d+ Build \d{6} Rel\.\d{6}$/);
      assert.equal(info.err_code, 0);
      if ('mac' in info) assert.match(String(info.mac), /^([0-9A-F]{2}:){5}[0-9A-F]{2}$/);
      assert.ok(typeof info.rssi === 'number' && info.rssi < 0 && info.rssi > -100);
    });
  }

  it('HS300 lists six children with full ids deviceId+00..05', () => {
    const info = sysinfo(new SimulatedDevice({ model: 'HS300', seed: 'strip', clock: clock.now }));
    const children = info.children as Array<Record<string, unknown>>;
    assert.equal(info.child_num, 6);
    assert.deepEqual(children.map((c) => c.id), ['00', '01', '02', '03', '04', '05'].map((i) => `${String(info.deviceId)}${i}`));
    for (const child of children) {
      assert.deepEqual(Object.keys(child).sort(), ['alias', 'id', 'next_action', 'on_time', 'state']);
    }
  });

  it('the same seed gives the same identity; different seeds differ', () => {
    const a = sysinfo(new SimulatedDevice({ model: 'HS110', seed: 's1', clock: clock.now }));
    const b = sysinfo(new SimulatedDevice({ model: 'HS110', seed: 's1', clock: clock.now }));
    const c = sysinfo(new SimulatedDevice({ model: 'HS110', seed: 's2', clock: clock.now }));
    assert.equal(a.deviceId, b.deviceId);
    assert.equal(a.mac, b.mac);
    assert.notEqual(a.deviceId, c.deviceId);
    assert.notEqual(a.mac, c.mac);
  });

  it('resolves model names leniently and rejects unknown ones', () => {
    const cases: Array<[string, ModelName]> = [
      ['hs110', 'HS110'], ['HS110(EU)', 'HS110'], ['HS110v2', 'HS110v2'], ['hs110-2', 'HS110v2'], ['HS110:hw2', 'HS110v2'],
      ['HS110hw1', 'HS110'], ['kp115', 'KP115'], ['HS300', 'HS300'], ['lb130', 'LB130'], ['HS200', 'HS200'], ['HS220', 'HS220'],
    ];
    for (const [input, name] of cases) assert.equal(resolveModel(input).name, name, input);
    assert.throws(() => resolveModel('HS999'), /unknown model "HS999"/);
  });
});
