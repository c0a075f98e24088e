/**
 * What a SMART device is, from the little its UDP 20002 reply says: its
 * device_type and device_model. The device layer decides for good from the
 * components the device lists once it is read; discovery has to name a
 * kind before anyone logs in, so it goes by the models whose components
 * are known (python-kasa's device records: the strips list control_child,
 * the light strips light_strip, the dimming switches brightness):
 *   - SMART.TAPOBULB: L900, L920, L930 light strips, every other model a bulb;
 *   - SMART.TAPOPLUG, SMART.KASAPLUG: P210M, P300, P304M, P306, P316M, TP25
 *     and EP40M power strips, every other model a plug (P100, P110, KP125M, EP25...);
 *   - SMART.KASASWITCH, SMART.TAPOSWITCH: KS225, HS220, S500D, S505D and
 *     S515D dimmers, every other model a wall switch (KS205, KS240, HS200, S500...).
 * Hubs, cameras, chimes and vacuums are not devices this pack drives.
 */
import type { DeviceKind } from '../device/types';
import type { DiscoveredKind } from './types';

const LIGHT_STRIPS = new Set(['L900', 'L920', 'L930']);
const STRIPS = new Set(['P210M', 'P300', 'P304M', 'P306', 'P316M', 'TP25', 'EP40M']);
const DIMMERS = new Set(['KS225', 'HS220', 'S500D', 'S505D', 'S515D']);

const PLUG_TYPES = new Set(['SMART.TAPOPLUG', 'SMART.KASAPLUG']);
const SWITCH_TYPES = new Set(['SMART.KASASWITCH', 'SMART.TAPOSWITCH']);
const BULB_TYPES = new Set(['SMART.TAPOBULB']);

/** "P110(EU)" -> "P110", "L900-10(US)" -> "L900": the model without region and length. */
export function baseModel(model: string): string {
  return /^[A-Z0-9]+/.exec(model.trim().toUpperCase())?.[0] ?? '';
}

/** The kind of a SMART device by type and model; undefined for types this pack does not drive. */
export function smartKindOf(deviceType: string, model: string): DeviceKind | undefined {
  const type = deviceType.toUpperCase();
  const base = baseModel(model);
  if (BULB_TYPES.has(type)) return LIGHT_STRIPS.has(base) ? 'lightstrip' : 'bulb';
  if (PLUG_TYPES.has(type)) return STRIPS.has(base) ? 'strip' : 'plug';
  if (SWITCH_TYPES.has(type)) return DIMMERS.has(base) ? 'dimmer' : 'switch';
  return undefined;
}

/** The discovery filter a kind falls under ('bulb' for lights, 'plug' for everything with a relay). */
export function discoveredKindOf(kind: DeviceKind): DiscoveredKind {
  return kind === 'bulb' || kind === 'lightstrip' ? 'bulb' : 'plug';
}
