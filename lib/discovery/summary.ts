/**
 * A found device in a few fields, for the editor's search list and the
 * tplink-discover node's messages: what it is (kind, from the device
 * layer's state model, so bulbs, dimmers and light strips read as
 * themselves), whether it is on, its outlets, and how to reach it: family,
 * transport, port, login version, and whether it wants an account. What a
 * device found only on UDP 20002/20004 did not say (its alias, whether it is
 * on) is null: unknown until it is read with its account.
 */
import type { DeviceFamily, DeviceKind, DeviceState, FoundDeviceState, LightState } from '../device/types';
import type { DiscoveredDevice } from './types';

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
  /** null: not known yet (a device found on UDP 20002/20004 says no name until read with its account). */
  alias: string | null;
  model: string;
  deviceId: string;
  mac: string;
  /** 'classic' (Smart Home protocol) or 'smart' (Tapo, newer Kasa). */
  family: DeviceFamily;
  /** How to reach it: 'tcp' on 9999; 'klap' or 'aes' over HTTP on `port` for devices found on UDP 20002/20004. */
  transport: 'tcp' | 'klap' | 'aes';
  /** 'klap' and 'aes': the login version to use (1 or 2). */
  loginVersion?: number;
  /** 'klap' and 'aes': give the TP-Link account the device is bound to. */
  needsCredentials: boolean;
  kind: DeviceKind;
  /** Relay or light; for a strip, true when any outlet is on. null: not known yet (found on UDP 20002/20004). */
  state: boolean | null;
  outlets: OutletSummary[];
  /** Dimmers and dimmable lights. */
  brightness?: number;
  /** Bulbs and light strips. */
  light?: LightState;
}

export function outletSummaries(state: DeviceState | FoundDeviceState): OutletSummary[] {
  return state.outlets.map((o) => ({ id: o.id, index: o.index, alias: o.alias, state: o.on }));
}

export function summarizeDevice(found: DiscoveredDevice): DeviceSummary {
  const state = found.state;
  const summary: DeviceSummary = {
    host: found.host,
    port: found.port,
    alias: state.alias ?? null,
    model: state.model,
    deviceId: found.deviceId,
    mac: state.mac,
    family: found.family,
    transport: found.protocol === 'xor' ? 'tcp' : found.protocol,
    needsCredentials: found.needsCredentials,
    kind: state.kind,
    state: state.on ?? null,
    outlets: outletSummaries(state),
  };
  if (found.protocol !== 'xor' && found.loginVersion !== undefined) summary.loginVersion = found.loginVersion;
  if (state.brightness !== undefined) summary.brightness = state.brightness;
  if (state.light !== undefined) summary.light = state.light;
  return summary;
}
