/**
 * Which methods each module of a model answers. A model file maps every
 * module name it knows to a method family (plugs' `schedule` and bulbs'
 * `smartlife.iot.common.schedule` are both the `schedule` family); this
 * file builds each family's table once per model and keeps it.
 */
import { dimmerMethods, stripManageMethods } from './handlers-dimmer';
import { lightingEffectMethods, lightingMethods, lightStripMethods } from './handlers-light';
import { emeterMethods, ruleMethods } from './handlers-rules';
import { ambientLightMethods, motionMethods } from './handlers-sensors';
import { cloudMethods, lightSystemMethods, netifMethods, systemMethods, timeMethods } from './handlers-system';
import type { MethodTable } from './method-table';
import type { MethodFamily, ModelSpec } from './models';

const FAMILIES: Record<MethodFamily, () => MethodTable> = {
  system: systemMethods,
  'light-system': lightSystemMethods,
  netif: netifMethods,
  cloud: cloudMethods,
  time: timeMethods,
  emeter: emeterMethods,
  schedule: () => ruleMethods('schedule'),
  count_down: () => ruleMethods('count_down'),
  anti_theft: () => ruleMethods('anti_theft'),
  'strip-manage': stripManageMethods,
  dimmer: dimmerMethods,
  lighting: lightingMethods,
  'light-strip': lightStripMethods,
  'lighting-effect': lightingEffectMethods,
  motion: motionMethods,
  'ambient-light': ambientLightMethods,
};

const cache = new WeakMap<ModelSpec, Map<string, MethodTable>>();

/** Module name → its method table, for the modules `spec` answers. */
export function moduleTablesFor(spec: ModelSpec): Map<string, MethodTable> {
  let tables = cache.get(spec);
  if (!tables) {
    const byFamily = new Map<MethodFamily, MethodTable>();
    tables = new Map();
    for (const [moduleName, family] of Object.entries(spec.modules)) {
      let table = byFamily.get(family);
      if (!table) {
        table = FAMILIES[family]();
        byFamily.set(family, table);
      }
      tables.set(moduleName, table);
    }
    cache.set(spec, tables);
  }
  return tables;
}
