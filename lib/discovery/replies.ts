/**
 * Turns a datagram into a discovered device, or into nothing. Replies are
 * untrusted: anything that is not a Smart Home get_sysinfo reply (or a UDP
 * 20002 reply) from a device of a wanted kind is dropped without an error.
 */
import { decodeDatagram } from '../classic/framing';
import { readSysInfo, type SysInfo } from '../classic/replies';
import { JsonShapeError, parseBoundedJson, shape as s } from '../json';
import { classicState } from '../device/state/classic';
import type { DeviceState } from '../device/types';
import { parseDiscovery20002Reply } from './tdp';
import type { DiscoveredChild, DiscoveredDevice, DiscoveredKind } from './types';

const PLUG_TYPES = new Set(['IOT.SMARTPLUGSWITCH', 'IOT.SMARTPLUG']);
const BULB_TYPES = new Set(['IOT.SMARTBULB']);

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
  return { host: from.address, port, protocol: 'xor', deviceId, kind, sysinfo, state, children: childrenOf(state) };
}

const readSysInfoReply = s.object({ system: s.object({ get_sysinfo: readSysInfo }) });

/** Reads a UDP 20002 reply of a plug; undefined for anything else. */
export function parseKlapReply(datagram: Buffer, from: ReplySource): DiscoveredDevice | undefined {
  const reply = parseDiscovery20002Reply(datagram);
  if (!reply?.deviceId) return undefined;
  const type = reply.deviceType ?? '';
  const kind: DiscoveredKind | undefined = type.endsWith('SMARTPLUGSWITCH') ? 'plug' : type.endsWith('SMARTBULB') ? 'bulb' : undefined;
  if (kind === undefined) return undefined;
  const sysinfo: SysInfo = { deviceId: reply.deviceId, alias: '', model: reply.deviceModel ?? '', mac: reply.mac ?? '', type };
  const device: DiscoveredDevice = {
    host: from.address, port: reply.httpPort ?? 80, protocol: 'klap', deviceId: reply.deviceId, kind, sysinfo, state: classicState(sysinfo), children: [],
    klap: { port: from.port, deviceType: type },
  };
  const klap = device.klap as NonNullable<DiscoveredDevice['klap']>;
  if (reply.encryptType !== undefined) klap.encryptType = reply.encryptType;
  if (reply.httpPort !== undefined) klap.httpPort = reply.httpPort;
  if (reply.loginVersion !== undefined) klap.loginVersion = reply.loginVersion;
  return device;
}

/** A device that answered both probes keeps its sysinfo and gains the 20002 details. */
export function mergeReplies(known: DiscoveredDevice, incoming: DiscoveredDevice): DiscoveredDevice {
  const base = incoming.protocol === 'klap' && known.protocol === 'xor' ? known : incoming;
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

function childrenOf(state: DeviceState): DiscoveredChild[] {
  return state.outlets.map((outlet) => ({ id: outlet.id, alias: outlet.alias, state: outlet.on ? 1 : 0 }));
}
