/**
 * Reading a sysinfo the way the nodes present it: the state of a plug, one
 * outlet or a whole strip, the alias to use as msg.topic, whether there is
 * an energy meter, and a summary of a device for discovery results.
 */
import type { SysInfo } from '../classic/replies';

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
  if (sysinfo.relay_state !== undefined) return sysinfo.relay_state === 1;
  if (sysinfo.children !== undefined && sysinfo.children.length > 0) return sysinfo.children.some((c) => c.state === 1);
  return sysinfo.light_state?.on_off === 1;
}

/** The outlet's alias when one is addressed, else the device's. */
export function aliasOf(sysinfo: SysInfo | undefined, childId?: string): string {
  if (!sysinfo) return '';
  const child = childId === undefined ? undefined : findChild(sysinfo, childId);
  return child?.alias ?? sysinfo.alias ?? '';
}

export function hasEnergyMeter(sysinfo: SysInfo | undefined): boolean {
  if (!sysinfo) return false;
  return (sysinfo.feature ?? '').split(':').includes('ENE');
}

export function isStrip(sysinfo: SysInfo | undefined): boolean {
  return sysinfo?.children !== undefined && sysinfo.children.length > 0;
}

export function outletsOf(sysinfo: SysInfo): OutletSummary[] {
  const deviceId = sysinfo.deviceId ?? '';
  return (sysinfo.children ?? []).map((c, index) => ({
    id: c.id.length <= 2 ? deviceId + c.id : c.id,
    index,
    alias: c.alias ?? '',
    state: c.state === 1,
  }));
}

export function summarizeDevice(found: { host: string; port: number; sysinfo: SysInfo; protocol?: 'xor' | 'klap' }): DeviceSummary {
  const s = found.sysinfo;
  return {
    host: found.host,
    port: found.port,
    transport: found.protocol === 'klap' ? 'klap' : 'tcp',
    alias: s.alias ?? '',
    model: s.model ?? '',
    deviceId: s.deviceId ?? '',
    mac: s.mac ?? s.mic_mac ?? '',
    state: stateOf(s),
    outlets: outletsOf(s),
  };
}
