/**
 * Saved flows outlive the pack's versions: a node's settings carry the
 * version of their shape (`version`, absent in flows from 0.1.0, which
 * counts as 0), and each node type lists the steps that bring older
 * settings to the current shape in its own migrations.ts. The node runs
 * them when it starts, so a flow exported from an older pack deploys and
 * runs unchanged; the editor saves the current version with every node it
 * creates or edits.
 */
import type { NodeDef } from './types';

export interface Versioned {
  /** The shape of the settings; absent before settings carried one (0.1.0). */
  version?: number;
}

/** One step: settings of version `from` in, settings of version `from + 1` out. */
export interface Migration {
  from: number;
  /** What changed, for the reader of the list. */
  change: string;
  up(def: Record<string, unknown>): Record<string, unknown>;
}

/**
 * The settings in the current shape. Settings already current, or from a
 * newer pack (left as they are: their unknown fields are ignored), come
 * back unchanged; the input is never modified.
 */
export function migrateSettings<Def extends NodeDef & Versioned>(def: Def, current: number, steps: readonly Migration[]): Def & { version: number } {
  let version = typeof def.version === 'number' && Number.isInteger(def.version) && def.version >= 0 ? def.version : 0;
  if (version >= current) return { ...def, version };
  let settings = { ...def } as Record<string, unknown>;
  while (version < current) {
    const step = steps.find((s) => s.from === version);
    if (!step) throw new Error(`${def.type}: no migration of settings from version ${version}`);
    settings = step.up(settings);
    version++;
  }
  return { ...(settings as unknown as Def), version };
}

/** A step that only adds settings new in this version, with the values that keep the old behaviour. */
export function addDefaults(from: number, change: string, defaults: Record<string, unknown>): Migration {
  return {
    from,
    change,
    up: (def) => {
      const next = { ...def };
      for (const [key, value] of Object.entries(defaults)) if (next[key] === undefined) next[key] = value;
      return next;
    },
  };
}
