/**
 * Turns a datagram into a discovered device, or into nothing. Replies are
 * untrusted: anything that is not a Smart Home get_sysinfo reply (or a UDP
 * 20002/20004 reply) from a device of a wanted kind is dropped without an error.
 */
import { decodeDatagram } from '../classic/framing';
import { readSysInfo, type SysInfo } from '../classic/replies';
import { JsonShapeError, parseBoundedJson, shape as s } from '../json';
import { classicState } from '../device/state/classic';
import { smartFoundState } from '../device/state/smart';
import type { DeviceState, FoundDeviceState } from '../device/types';
import { readSmartDiscoveryReply } from './smart-reply';
import { discoveredKindOf } from './smart-kind';
import type { DiscoveredChild, DiscoveredDevice, DiscoveredKind, KlapInfo } from './types';

const PLUG_TYPES = new Set(['IOT.SMARTPLUGSWITCH', 'IOT.SMARTPLUG']);
const BULB_TYPES = new Set(['IOT.SMARTBULB']);
/** Where KLAP and SMART devices listen when their reply does not say. */
const HTTP_PORT = 80;

export interface ReplySource {
  address: string;
  port: number;
}

/**
 * Reads a reply to the get_sysinfo probe through the same bounded parser
 * and sysinfo reader as the request client; undefined for anything else,
 * including a sysinfo of the wrong shape (`"children":"x"`, a relay state of "on").
 */
export function parseSysinfoReply(datagram: Buffer, from: ReplySource, port: number): DiscoveredDevice | undefined {
  let sysinfo: SysInfo;
  try {
    const parsed = parseBoundedJson(decodeDatagram(datagram).toString('utf8'));
    sysinfo = readSysInfoReply(parsed, 'reply').system.get_sysinfo;
  } catch (error) {
    if (error instanceof JsonShapeError) return undefined;
    throw error;
  }
  if (typeof sysinfo.err_code === 'number' && sysinfo.err_code !== 0) return undefined;
  const deviceId = sysinfo.deviceId;
  if (deviceId === undefined || deviceId.length === 0) return undefined;
  const kind = kindOf(sysinfo);
  if (kind === undefined) return undefined;
  const state = classicState(sysinfo);
  return {
    host: from.address, port, protocol: 'xor', family: 'classic', needsCredentials: false, deviceId, kind, sysinfo, state, children: childrenOf(state),
  };
}

const readSysInfoReply = s.object({ system: s.object({ get_sysinfo: readSysInfo }) });

/**
 * Reads a UDP 20002/20004 reply through the full shape reader
 * (readSmartDiscoveryReply); undefined for anything else and for types
 * this pack does not drive (hubs, cameras). IOT.* types are classic devices
 * behind KLAP; SMART.* types speak the SMART protocol, over KLAP or AES as
 * mgt_encrypt_schm says. encrypt_info is left sealed: nothing discovery
 * reports is in it, and opening it costs an RSA decryption per datagram
 * anyone can send. The reply names no alias and no relay state, so a
 * SMART device's sysinfo has no alias and its state neither alias nor on:
 * unknown until the device is read with its account, not "" and off.
 */
export function parseTdpReply(datagram: Buffer, from: ReplySource): DiscoveredDevice | undefined {
  const read = readSmartDiscoveryReply(datagram);
  if (!read.ok || read.reply.deviceId === '') return undefined;
  const reply = read.reply;
  const type = reply.deviceType;
  const smart = type.toUpperCase().startsWith('SMART.');
  const sysinfo: SysInfo = { deviceId: reply.deviceId, model: reply.deviceModel, mac: reply.mac ?? '', type };
  const state = smart
    ? smartFoundState({ deviceType: type, model: reply.deviceModel, deviceId: reply.deviceId, mac: reply.mac })
    : classicFoundState(sysinfo);
  if (state === undefined) return undefined;
  const protocol = smart && reply.encryptType?.toUpperCase() !== 'KLAP' ? 'aes' : 'klap';
  const klap: KlapInfo = { port: from.port, deviceType: type };
  if (reply.encryptType !== undefined) klap.encryptType = reply.encryptType;
  if (reply.httpPort !== undefined) klap.httpPort = reply.httpPort;
  if (reply.loginVersion !== undefined) klap.loginVersion = reply.loginVersion;
  return {
    host: from.address, port: reply.httpPort ?? HTTP_PORT, protocol, family: state.family, loginVersion: reply.loginVersion ?? 1, needsCredentials: true,
    deviceId: reply.deviceId, kind: discoveredKindOf(state.kind), sysinfo, state, children: [], klap,
  };
}

/**
 * A classic device behind KLAP: plugs and bulbs only, read from the few
 * sysinfo fields the reply gives; what those do not say (alias, on, the
 * light) is left out rather than read as empty and off.
 */
function classicFoundState(sysinfo: SysInfo): FoundDeviceState | undefined {
  if (kindOf(sysinfo) === undefined) return undefined;
  const { alias: _alias, on: _on, light: _light, brightness: _brightness, ...known } = classicState(sysinfo);
  return known;
}

/** A device that answered both probes keeps its sysinfo and gains the 20002 details. */
export function mergeReplies(known: DiscoveredDevice, incoming: DiscoveredDevice): DiscoveredDevice {
  const base = incoming.protocol !== 'xor' && known.protocol === 'xor' ? known : incoming;
  const klap = incoming.klap ?? known.klap;
  return klap === undefined || base.klap === klap ? base : { ...base, klap };
}

function kindOf(sysinfo: SysInfo): DiscoveredKind | undefined {
  const type = sysinfo.type ?? sysinfo.mic_type;
  if (type === undefined) return undefined;
  if (PLUG_TYPES.has(type)) return 'plug';
  if (BULB_TYPES.has(type)) return 'bulb';
  return undefined;
}

function childrenOf(state: DeviceState | FoundDeviceState): DiscoveredChild[] {
  return state.outlets.map((outlet) => ({ id: outlet.id, alias: outlet.alias, state: outlet.on ? 1 : 0 }));
}
