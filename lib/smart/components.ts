/**
 * component_nego: the list of components (features, each with a version)
 * a SMART device says it has. It decides which methods exist: a plug
 * without `energy_monitoring` has no get_energy_usage, one with version 2
 * of it also has get_current_power and get_emeter_data, a bulb with
 * `color` takes hue and saturation. Read at the boundary into a map.
 */
import { shape } from '../json';
import type { DeviceAddress } from '../errors';
import { readShape } from './envelope';

/** Component id → ver_code. */
export type SmartComponents = ReadonlyMap<string, number>;

const componentShape = shape.object({ id: shape.string, ver_code: shape.integer });
const componentListShape = shape.object({ component_list: shape.arrayOf(componentShape, { maxLength: 256 }) });
const childComponentListShape = shape.object({
  child_component_list: shape.arrayOf(shape.object({ device_id: shape.string, component_list: shape.arrayOf(componentShape, { maxLength: 256 }) }), { maxLength: 64 }),
});

function toMap(list: ReadonlyArray<{ id: string; ver_code: number }>): SmartComponents {
  return new Map(list.map((c) => [c.id, c.ver_code]));
}

export function readComponents(result: unknown, address?: DeviceAddress): SmartComponents {
  return toMap(readShape(componentListShape, result, 'component_nego result', address).component_list);
}

/** get_child_device_component_list (all pages joined): device_id → components. */
export function readChildComponents(result: unknown, address?: DeviceAddress): ReadonlyMap<string, SmartComponents> {
  const read = readShape(childComponentListShape, result, 'get_child_device_component_list result', address);
  return new Map(read.child_component_list.map((child) => [child.device_id, toMap(child.component_list)]));
}

/** The component names python-kasa and the apps use for what a device layer cares about. */
export const COMPONENT = {
  energy: 'energy_monitoring',
  brightness: 'brightness',
  color: 'color',
  colorTemperature: 'color_temperature',
  lightEffect: 'light_strip_lighting_effect',
  children: 'control_child',
  led: 'led',
  countdown: 'countdown',
  schedule: 'schedule',
} as const;
