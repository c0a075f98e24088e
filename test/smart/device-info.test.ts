/**
 * get_device_info read straight into a SmartDeviceInfo, held to what reading
 * deviceInfoShape and mapping its fields gives; nicknames and SSIDs decoded
 * from base64, through the bounded memo that spares decoding the same ones
 * on every poll.
 */
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { ProtocolError } from '../../lib/errors';
import { decodeBase64Text, deviceInfoShape, readDeviceInfo, type SmartDeviceInfo } from '../../lib/smart/device-info';
import { readShape } from '../../lib/smart/envelope';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** What decoding gives without any memo. */
function reference(value: string): string {
  return BASE64.test(value) ? Buffer.from(value, 'base64').toString('utf8') : value;
}

describe('SMART device info texts', () => {
  it('decodes base64 of UTF-8 and leaves anything else as sent, the first time and every time after', () => {
    const texts = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }).map((t) => Buffer.from(t, 'utf8').toString('base64')), fc.string({ maxLength: 300 }));
    fc.assert(fc.property(fc.array(texts, { maxLength: 20 }), (values) => {
      for (const value of [...values, ...values]) assert.equal(decodeBase64Text(value), reference(value));
    }), { numRuns: 300 });
    assert.equal(decodeBase64Text('U2ltdWxhdGVkIFAxMTA='), 'Simulated P110');
    assert.equal(decodeBase64Text('Kitchen plug'), 'Kitchen plug');
    assert.equal(decodeBase64Text(undefined), undefined);
  });

  it('still decodes right after more distinct texts than it keeps', () => {
    const values = Array.from({ length: 700 }, (_, i) => Buffer.from(`plug ${i}`).toString('base64'));
    for (const value of values) decodeBase64Text(value);
    values.forEach((value, i) => assert.equal(decodeBase64Text(value), `plug ${i}`));
    const long = Buffer.from('x'.repeat(400)).toString('base64');
    assert.equal(decodeBase64Text(long), 'x'.repeat(400));
    assert.equal(decodeBase64Text(long), 'x'.repeat(400));
  });
});

/** The long way: deviceInfoShape's object, then its fields mapped (as readDeviceInfo did before it read the fields itself). */
function referenceInfo(result: unknown): SmartDeviceInfo {
  const info = readShape(deviceInfoShape, result, 'get_device_info result', ADDRESS);
  const range = info.color_temp_range;
  return {
    deviceId: info.device_id, model: info.model, type: info.type, on: info.device_on,
    nickname: decodeBase64Text(info.nickname), ssid: decodeBase64Text(info.ssid), firmware: info.fw_ver, hardware: info.hw_ver,
    mac: info.mac, ip: info.ip, rssi: info.rssi, signalLevel: info.signal_level, onTime: info.on_time, overheated: info.overheated,
    region: info.region, brightness: info.brightness, colorTemp: info.color_temp, hue: info.hue, saturation: info.saturation,
    colorTempRange: range?.length === 2 ? [range[0] as number, range[1] as number] : undefined,
    position: info.position, slotNumber: info.slot_number, category: info.category, parentId: info.original_device_id,
    effect: info.lighting_effect?.enable === 1 ? info.lighting_effect.name : undefined,
  };
}

const ADDRESS = { host: '127.0.0.1', port: 80 };

function outcome(read: () => SmartDeviceInfo): SmartDeviceInfo | string {
  try {
    return read();
  } catch (error) {
    assert.ok(error instanceof ProtocolError, String(error));
    return error.message;
  }
}

describe('SMART device info', () => {
  it('reads every get_device_info result as deviceInfoShape would: the same info, or the same error', () => {
    const junk = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.constantFrom(2 ** 53, 2 ** 53 - 1, -(2 ** 53), 1.5, -0, 0, 1, 100, 101, 360, 361, Infinity, -Infinity, NaN), fc.string({ maxLength: 8 }), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }));
    const fields: Record<string, fc.Arbitrary<unknown>> = {
      device_id: fc.oneof(fc.string({ maxLength: 8 }), junk), model: fc.oneof(fc.constantFrom('P110', 'L530'), junk),
      type: fc.oneof(fc.constant('SMART.TAPOPLUG'), junk), device_on: fc.oneof(fc.boolean(), junk),
      nickname: fc.oneof(fc.constantFrom('U2ltdWxhdGVkIFAxMTA=', 'plain'), junk), ssid: fc.oneof(fc.constant('SG9tZQ=='), junk),
      fw_ver: junk, hw_ver: junk, mac: junk, ip: junk, rssi: junk, signal_level: junk, on_time: junk, overheated: junk, region: junk,
      brightness: fc.oneof(fc.integer({ min: -5, max: 105 }), junk), color_temp: junk, hue: fc.oneof(fc.integer({ min: -5, max: 365 }), junk),
      saturation: junk, color_temp_range: fc.oneof(fc.array(fc.oneof(fc.integer(), fc.constantFrom(1.5, 2 ** 53)), { maxLength: 3 }), junk), position: junk, slot_number: junk,
      category: junk, original_device_id: junk,
      lighting_effect: fc.oneof(fc.record({ enable: fc.oneof(fc.constantFrom(0, 1), junk), name: junk }, { requiredKeys: [] }), junk,
        fc.constant(Object.assign(Object.create({ name: 'inherited' }) as object, { enable: 1 }))),
      extra: junk,
    };
    const result = fc.oneof(
      { weight: 8, arbitrary: fc.record(fields, { requiredKeys: [] }) },
      { weight: 1, arbitrary: junk },
      { weight: 1, arbitrary: fc.constant(JSON.parse('{"__proto__":{"device_id":"x"},"model":"P110"}') as unknown) },
      // Fields that are only inherited read as absent.
      { weight: 1, arbitrary: fc.record(fields, { requiredKeys: [] }).map((inherited) => Object.assign(Object.create(inherited) as object, { device_id: 'own', model: 'P110' })) },
    );
    fc.assert(fc.property(result, (value) => {
      assert.deepEqual(outcome(() => readDeviceInfo(value, 'get_device_info result', ADDRESS)), outcome(() => referenceInfo(value)));
    }), { numRuns: 3000 });
  });
});
