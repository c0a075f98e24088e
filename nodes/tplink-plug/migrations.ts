/**
 * tplink-plug's settings and every change to their shape since 0.1.0,
 * oldest first. SETTINGS_VERSION is the version the editor saves
 * (tplink-plug.html's `version` default; a test holds the two equal).
 */
import { addDefaults, migrateSettings, type Migration, type Versioned } from '../migrations';
import type { NodeDef } from '../types';

export const SETTINGS_VERSION = 1;

export const MIGRATIONS: readonly Migration[] = [
  // device, outlet, interval, allowAdmin and name mean what they meant in 0.1.0; outletName is the
  // alias of an outlet picked from the editor's list (its label), unknown for outlets set in 0.1.0.
  addDefaults(0, '0.1.0 saved no version; outletName (new, the editor\'s label) blank', { outletName: '' }),
];

export function migratePlug<Def extends NodeDef & Versioned>(def: Def): Def & { version: number } {
  return migrateSettings(def, SETTINGS_VERSION, MIGRATIONS);
}
