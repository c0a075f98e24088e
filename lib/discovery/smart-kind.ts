/**
 * Which discovery filter a device falls under: 'bulb' for lights (bulbs,
 * light strips), 'plug' for everything with a relay (plugs, strips, wall
 * switches, dimmers). What a SMART device is, from the type and model its
 * UDP 20002 reply gives, the device layer decides (smartKindByModel and
 * smartFoundState in lib/device/state/smart.ts).
 */
import type { DeviceKind } from '../device/types';
import type { DiscoveredKind } from './types';

export function discoveredKindOf(kind: DeviceKind): DiscoveredKind {
  return kind === 'bulb' || kind === 'lightstrip' ? 'bulb' : 'plug';
}
