/**
 * tplink-light's settings and every change to their shape, oldest first.
 * SETTINGS_VERSION is the version the editor saves (tplink-light.html's
 * `version` default; a test holds the two equal).
 */
import { migrateSettings, type Migration, type Versioned } from '../migrations';
import type { NodeDef } from '../types';

export interface TplinkLightDef extends NodeDef, Versioned {
  device: string;
  /** Milliseconds to fade over when a message gives none; blank: the light's own default. */
  transition: string | number;
  /** Seconds between polls; blank or 0 turns polling off. */
  interval: string | number;
}

export const SETTINGS_VERSION = 1;

/** Version 1 is the node's first: nothing older exists. */
export const MIGRATIONS: readonly Migration[] = [];

export function migrateLight(def: TplinkLightDef): TplinkLightDef & { version: number } {
  // A node saved without a version was made by hand or by a tool: read it as version 1.
  return migrateSettings({ ...def, version: def.version ?? SETTINGS_VERSION }, SETTINGS_VERSION, MIGRATIONS);
}
