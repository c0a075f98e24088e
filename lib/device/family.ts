/**
 * The one thing a protocol family provides to the device layer: how to
 * read a device into the state model, how to switch it, which features it
 * has and how they talk, and its raw channel. The classic family
 * (classic/family.ts, over SmartHomeClient) implements it; the SMART family
 * (over SmartClient) implements it the same way. Everything a family does
 * not decide (a strip is on when any outlet is; toggling reads first;
 * outlets are found in outlets.ts; a whole strip's energy is the sum of its
 * outlets') lives in device.ts and is the same for both.
 */
import type { DeviceAddress } from '../errors';
import type { JsonObject } from '../json';
import type { TrafficHook } from '../traffic';
import type { DeviceFamily, DeviceFeatures, DeviceState, EnergyReading, EnergyStat, LightState, OutletOption, OutletState } from './types';

/** A family's reading of a device: the state, and the family's own description as the device sent it. */
export interface FamilyRead {
  state: DeviceState;
  /** Classic: get_sysinfo; SMART: get_device_info. */
  info: JsonObject;
}

/** What a family's features get from the device they belong to. */
export interface FeatureContext {
  readonly address: DeviceAddress;
  /** The state as last read, or as changed through the layer since. */
  state(): DeviceState;
  /** The outlet `options` names (undefined: the device itself); throws DeviceInputError for one the device lacks. */
  outlet(options?: OutletOption): OutletState | undefined;
  /** Records what a change did, so the state stays true without reading the device again. */
  update(change: (state: DeviceState) => DeviceState): void;
}

/**
 * A family's meter, for the device itself or one outlet; the device layer
 * makes a whole strip's reading the sum of its outlets'.
 */
export interface EnergyMeter {
  read(outlet: OutletState | undefined, options: { ifIdle?: boolean }): Promise<EnergyReading>;
  dayStats(year: number, month: number, outlet: OutletState | undefined): Promise<EnergyStat[]>;
  monthStats(year: number, outlet: OutletState | undefined): Promise<EnergyStat[]>;
  erase(outlet: OutletState | undefined): Promise<void>;
}

/** The features a family implements: all of DeviceFeatures, energy as a meter. */
export type FamilyFeatures = Omit<DeviceFeatures, 'energy'> & { energy?: EnergyMeter };

export interface RawRequestOptions {
  /** The outlet the request is for (a strip's child). */
  outlet?: OutletState;
  timeout?: number;
}

export interface FamilyAdapter {
  readonly family: DeviceFamily;
  readonly host: string;
  /** The port in use (an 'auto' transport may change it once). */
  readonly port: number;
  /** 'tcp', 'udp', 'klap', 'aes'... as in use now. */
  readonly transportName: string;
  /** true after a request reached the device, false after one could not, undefined before the first. */
  readonly online: boolean | undefined;
  /** Calls `listener` when reachability changes; returns how to stop. */
  onReachability(listener: (online: boolean, error?: Error) => void): () => void;
  /** Reads the device into the state model. `ifIdle`: polling, stand aside when requests wait. */
  read(options?: { ifIdle?: boolean }): Promise<FamilyRead>;
  /**
   * Switches the device (a whole strip: every outlet) or one outlet. Lights
   * answer with their new light state, which is returned; the rest of the
   * change is the same for every family and applied by the device.
   */
  setPower(state: DeviceState, on: boolean, outlet: OutletState | undefined, options: { transition?: number }): Promise<LightState | undefined>;
  /** The optional features a device in `state` has, talking through this family. */
  features(state: DeviceState, context: FeatureContext): FamilyFeatures;
  /** The family's raw channel: a request as the protocol writes it, the reply as the device sent it. */
  request(message: JsonObject | string, options: RawRequestOptions): Promise<JsonObject>;
  setTrafficHook(hook: TrafficHook | undefined): void;
  close(): Promise<void>;
}
