/**
 * get_device_info (and each entry of get_child_device_list) read into a
 * typed object: the fields a device layer needs to tell what a device is
 * and what state it is in, nickname and SSID decoded from base64. The
 * identity fields must be right (a reply without device_id or model is a
 * ProtocolError); optional fields that some firmware fills with junk read
 * as absent rather than failing the whole reply.
 */
import { shape, type JsonObject } from '../json';
import type { DeviceAddress } from '../errors';
import { readShape } from './envelope';

const text = shape.lenient(shape.string);
const int = shape.lenient(shape.integer);
const flag = shape.lenient(shape.boolean);
const percent = shape.lenient(shape.integerIn(0, 100));

const deviceInfoFields = {
  device_id: shape.string,
  model: shape.string,
  type: text,
  /** Absent on the parent of a P304M and on hubs: only outlets switch. */
  device_on: shape.optional(shape.boolean),
  nickname: text,
  fw_ver: text,
  hw_ver: text,
  mac: text,
  ip: text,
  ssid: text,
  rssi: int,
  signal_level: int,
  on_time: shape.lenient(shape.finiteNumber),
  overheated: flag,
  region: text,
  brightness: percent,
  color_temp: int,
  hue: shape.lenient(shape.integerIn(0, 360)),
  saturation: percent,
  color_temp_range: shape.lenient(shape.arrayOf(shape.integer, { maxLength: 2 })),
  position: int,
  slot_number: int,
  category: text,
  original_device_id: text,
  /** Light strips: the effect set, playing while `enable` is 1. */
  lighting_effect: shape.lenient(shape.object({ enable: shape.lenient(shape.integerIn(0, 1)), name: text })),
};
type DeviceInfoFields = typeof deviceInfoFields;

/** The fields of get_device_info the device layer reads; readDeviceInfo reads them straight into a SmartDeviceInfo. */
export const deviceInfoShape = shape.object(deviceInfoFields);

export interface SmartDeviceInfo {
  deviceId: string;
  /** Without region: "P110", "L530", "KP125M". */
  model: string;
  /** "SMART.TAPOPLUG", "SMART.TAPOBULB", "SMART.KASAPLUG", "SMART.KASASWITCH", ... */
  type: string | undefined;
  /** Relay or light state; undefined for a strip's parent, which has none. */
  on: boolean | undefined;
  /** Decoded from base64. */
  nickname: string | undefined;
  ssid: string | undefined;
  firmware: string | undefined;
  hardware: string | undefined;
  mac: string | undefined;
  ip: string | undefined;
  rssi: number | undefined;
  signalLevel: number | undefined;
  /** Seconds on. */
  onTime: number | undefined;
  overheated: boolean | undefined;
  region: string | undefined;
  /** Lights: 1-100. */
  brightness: number | undefined;
  /** Lights: kelvin, 0 while in colour mode. */
  colorTemp: number | undefined;
  hue: number | undefined;
  saturation: number | undefined;
  colorTempRange: [number, number] | undefined;
  /** Strip outlets: 1-based position on the strip, and the strip's outlet count. */
  position: number | undefined;
  slotNumber: number | undefined;
  /** Strip outlets: "plug.powerstrip.sub-plug". */
  category: string | undefined;
  /** Strip outlets: the strip's own device_id. */
  parentId: string | undefined;
  /** Light strips: the name of the lighting effect playing, undefined when none plays. */
  effect: string | undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Texts already decoded, by their base64: a device sends the same nickname
 * and SSID in every reply, and decoding them was a third of reading one.
 * Bounded in entries and in the length of what is kept.
 */
const decodedTexts = new Map<string, string>();
const MAX_DECODED_TEXTS = 256;
const MAX_DECODED_LENGTH = 256;

/** Nicknames and SSIDs are base64 of UTF-8; a value that is not stays as sent. */
export function decodeBase64Text(value: string | undefined): string | undefined {
  if (value === undefined) return value;
  const known = decodedTexts.get(value);
  if (known !== undefined) return known;
  const text = BASE64.test(value) ? Buffer.from(value, 'base64').toString('utf8') : value;
  if (value.length <= MAX_DECODED_LENGTH) {
    if (decodedTexts.size >= MAX_DECODED_TEXTS) decodedTexts.clear();
    decodedTexts.set(value, text);
  }
  return text;
}

export function readDeviceInfo(result: unknown, what: string, address?: DeviceAddress): SmartDeviceInfo {
  return readShape(deviceInfoReader, result, what, address);
}

/** A field of `value` (own properties only, as shape.object reads them) through its reader from deviceInfoShape. */
function field<K extends keyof DeviceInfoFields>(value: JsonObject, path: string, key: K): shape.ReadResult<DeviceInfoFields[K]> {
  return shape.field<unknown>(value, path, key, deviceInfoFields[key]) as shape.ReadResult<DeviceInfoFields[K]>;
}

/**
 * `read`, which the caller read as value.key, when it is the object's own,
 * as shape.field reads it (an inherited name reads as absent). Each field
 * is read where it is named, not as value[key] in one function for all:
 * there every read took the slow, generic lookup (338 against 96 ns for the
 * 22 lenient fields of a P110).
 */
function own(read: unknown, value: JsonObject, key: string): unknown {
  return read !== undefined && Object.prototype.hasOwnProperty.call(value, key) ? read : undefined;
}

/*
 * The lenient readers of deviceInfoShape, written as the tests they come
 * to: a lenient reader gives the value when its reader passes it and
 * undefined for anything else, absent included, so it never throws. Going
 * through the two closures, and the try around them, per field cost more
 * than the rest of reading the info.
 */
function textIn(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function intIn(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

function finiteIn(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function integerFrom(value: unknown, min: number, max: number): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
}

function flagIn(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** color_temp_range: a pair of integers (lenient arrayOf(integer) of at most 2, then only a pair kept). */
function rangeIn(value: unknown): [number, number] | undefined {
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [low, high] = value as unknown[];
  return intIn(low) !== undefined && intIn(high) !== undefined ? [low as number, high as number] : undefined;
}

/** lighting_effect: its name while `enable` is 1 (a lenient object of a lenient 0/1 and a text). */
function effectIn(value: unknown): string | undefined {
  if (!shape.isJsonObject(value) || own(value.enable, value, 'enable') !== 1) return undefined;
  return textIn(own(value.name, value, 'name'));
}

/**
 * deviceInfoShape read straight into a SmartDeviceInfo: every poll reads
 * one, and shape.object's intermediate object, grown a property at a time to
 * some twenty fields, was the largest garbage of reading the reply. Only
 * device_id, model and device_on can fail, read through their readers in
 * deviceInfoShape in that order as shape.object does; every other field is
 * lenient and read by the test its reader comes to (above).
 * test/smart/device-info.test.ts holds this to deviceInfoShape: the same
 * results, the same errors.
 */
const deviceInfoReader: shape.Reader<SmartDeviceInfo> = (result, path) => {
  const value = shape.anyObject(result, path); // throws as shape.object does for what is not an object
  const deviceId = field(value, path, 'device_id');
  const model = field(value, path, 'model');
  const on = field(value, path, 'device_on');
  return {
    deviceId,
    model,
    type: textIn(own(value.type, value, 'type')),
    on,
    nickname: decodeBase64Text(textIn(own(value.nickname, value, 'nickname'))),
    ssid: decodeBase64Text(textIn(own(value.ssid, value, 'ssid'))),
    firmware: textIn(own(value.fw_ver, value, 'fw_ver')),
    hardware: textIn(own(value.hw_ver, value, 'hw_ver')),
    mac: textIn(own(value.mac, value, 'mac')),
    ip: textIn(own(value.ip, value, 'ip')),
    rssi: intIn(own(value.rssi, value, 'rssi')),
    signalLevel: intIn(own(value.signal_level, value, 'signal_level')),
    onTime: finiteIn(own(value.on_time, value, 'on_time')),
    overheated: flagIn(own(value.overheated, value, 'overheated')),
    region: textIn(own(value.region, value, 'region')),
    brightness: integerFrom(own(value.brightness, value, 'brightness'), 0, 100),
    colorTemp: intIn(own(value.color_temp, value, 'color_temp')),
    hue: integerFrom(own(value.hue, value, 'hue'), 0, 360),
    saturation: integerFrom(own(value.saturation, value, 'saturation'), 0, 100),
    colorTempRange: rangeIn(own(value.color_temp_range, value, 'color_temp_range')),
    position: intIn(own(value.position, value, 'position')),
    slotNumber: intIn(own(value.slot_number, value, 'slot_number')),
    category: textIn(own(value.category, value, 'category')),
    parentId: textIn(own(value.original_device_id, value, 'original_device_id')),
    effect: effectIn(own(value.lighting_effect, value, 'lighting_effect')),
  };
};

const childListShape = shape.object({ child_device_list: shape.arrayOf(shape.anyObject, { maxLength: 64 }) });

/** get_child_device_list (all pages joined): each outlet's info, in position order. */
export function readChildList(result: unknown, address?: DeviceAddress): SmartDeviceInfo[] {
  const list = readShape(childListShape, result, 'get_child_device_list result', address).child_device_list;
  const children = list.map((child, i) => readDeviceInfo(child, `get_child_device_list child_device_list[${i}]`, address));
  return children.sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
}
