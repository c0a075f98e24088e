/**
 * tplink-tddp's settings and every change to their shape since 0.1.0,
 * oldest first. SETTINGS_VERSION is the version the editor saves
 * (tplink-tddp.html's `version` default; a test holds the two equal).
 */
import { addDefaults, migrateSettings, type Migration, type Versioned } from '../migrations';
import type { NodeDef } from '../types';

export const SETTINGS_VERSION = 1;

export const MIGRATIONS: readonly Migration[] = [
  // host, port, replyPort, timeout, packetType, subtype and name mean what they meant in 0.1.0.
  addDefaults(0, '0.1.0 saved no version; the settings are unchanged', {}),
];

export function migrateTddp<Def extends NodeDef & Versioned>(def: Def): Def & { version: number } {
  return migrateSettings(def, SETTINGS_VERSION, MIGRATIONS);
}
