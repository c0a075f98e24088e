/**
 * Reading a sysinfo the way the nodes present it: the state of a plug, one
 * outlet or a whole strip, the alias to use as msg.topic, whether there is
 * an energy meter, and a summary of a device for discovery results.
 */
import type { SysInfo } from '../classic/client';

export interface OutletSummary {
  /** Full child id, as the device expects it in `context.child_ids`. */
  id: string;
  index: number;
  alias: string;
  state: boolean;
}

export interface DeviceSummary {
  host: string;
  port: number;
  alias: string;
  model: string;
  deviceId: string;
  mac: string;
  /** How to reach it: 'klap' for new firmware found only on UDP 20002. */
  transport: 'tcp' | 'klap';
  /** Relay state; for a strip, true when any outlet is on. */
  state: boolean;
  outlets: OutletSummary[];
}

type Child = NonNullable<SysInfo['children']>[number];

function findChild(sysinfo: SysInfo, childId: string): Child | undefined {
  const deviceId = sysinfo.deviceId ?? '';
  return sysinfo.children?.find((c) => c.id === childId || deviceId + c.id === childId);
}

/** On/off of the outlet `childId`, or of the device (a strip is on when any outlet is). */
export function stateOf(sysinfo: SysInfo, childId?: string): boolean {
  if (childId !== undefined) return findChild(sysinfo, childId)?.state === 1;
  if (typeof sysinfo.relay_state === 'number') return sysinfo.relay_state === 1;
  if (Array.isArray(sysinfo.children) && sysinfo.children.length > 0) return sysinfo.children.some((c) => c.state === 1);
  const light = sysinfo.light_state as { on_off?: unknown } | undefined;
  return light?.on_off === 1;
}

/** The outlet's alias when one is addressed, else the device's. */
export function aliasOf(sysinfo: SysInfo | undefined, childId?: string): string {
  if (!sysinfo) return '';
  const child = childId === undefined ? undefined : findChild(sysinfo, childId);
  return String(child?.alias ?? sysinfo.alias ?? '');
}

export function hasEnergyMeter(sysinfo: SysInfo | undefined): boolean {
  if (!sysinfo) return false;
  const feature = typeof sysinfo.feature === 'string' ? sysinfo.feature : '';
  return feature.split(':').includes('ENE');
}

export function isStrip(sysinfo: SysInfo | undefined): boolean {
  return Array.isArray(sysinfo?.children) && sysinfo.children.length > 0;
}

export function outletsOf(sysinfo: SysInfo): OutletSummary[] {
  const deviceId = sysinfo.deviceId ?? '';
  return (sysinfo.children ?? []).map((c, index) => ({
    id: c.id.length <= 2 ? deviceId + c.id : c.id,
    index,
    alias: String(c.alias ?? ''),
    state: c.state === 1,
  }));
}

export function summarizeDevice(found: { host: string; port: number; sysinfo: SysInfo; protocol?: 'xor' | 'klap' }): DeviceSummary {
  const s = found.sysinfo;
  return {
    host: found.host,
    port: found.port,
    transport: found.protocol === 'klap' ? 'klap' : 'tcp',
    alias: String(s.alias ?? ''),
    model: String(s.model ?? ''),
    deviceId: String(s.deviceId ?? ''),
    mac: String(s.mac ?? s.mic_mac ?? ''),
    state: stateOf(s),
    outlets: outletsOf(s),
  };
}
