/**
 * get_device_info (and each entry of get_child_device_list) read into a
 * typed object: the fields a device layer needs to tell what a device is
 * and what state it is in, nickname and SSID decoded from base64. The
 * identity fields must be right (a reply without device_id or model is a
 * ProtocolError); optional fields that some firmware fills with junk read
 * as absent rather than failing the whole reply.
 */
import { shape } from '../json';
import type { DeviceAddress } from '../errors';
import { readShape } from './envelope';

const text = shape.lenient(shape.string);
const int = shape.lenient(shape.integer);
const flag = shape.lenient(shape.boolean);
const percent = shape.lenient(shape.integerIn(0, 100));

const deviceInfoShape = shape.object({
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
});

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
  const info = readShape(deviceInfoShape, result, what, address);
  const range = info.color_temp_range;
  return {
    deviceId: info.device_id,
    model: info.model,
    type: info.type,
    on: info.device_on,
    nickname: decodeBase64Text(info.nickname),
    ssid: decodeBase64Text(info.ssid),
    firmware: info.fw_ver,
    hardware: info.hw_ver,
    mac: info.mac,
    ip: info.ip,
    rssi: info.rssi,
    signalLevel: info.signal_level,
    onTime: info.on_time,
    overheated: info.overheated,
    region: info.region,
    brightness: info.brightness,
    colorTemp: info.color_temp,
    hue: info.hue,
    saturation: info.saturation,
    colorTempRange: range?.length === 2 ? [range[0] as number, range[1] as number] : undefined,
    position: info.position,
    slotNumber: info.slot_number,
    category: info.category,
    parentId: info.original_device_id,
    effect: info.lighting_effect?.enable === 1 ? info.lighting_effect.name : undefined,
  };
}

const childListShape = shape.object({ child_device_list: shape.arrayOf(shape.anyObject, { maxLength: 64 }) });

/** get_child_device_list (all pages joined): each outlet's info, in position order. */
export function readChildList(result: unknown, address?: DeviceAddress): SmartDeviceInfo[] {
  const list = readShape(childListShape, result, 'get_child_device_list result', address).child_device_list;
  const children = list.map((child, i) => readDeviceInfo(child, `get_child_device_list child_device_list[${i}]`, address));
  return children.sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
}
