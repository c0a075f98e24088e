/**
 * The simulated SMART models, one JSON file per model in `models/` (copied
 * next to the compiled code by the build), read through the same shape
 * readers as anything else from outside: identity, transport and login
 * version, the components component_nego lists (as the real model lists
 * them), energy metering, outlets and light. Adding a model is adding a
 * file. Version strings are plausible, not copied from any particular unit.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { JsonShapeError, parseBoundedJson, shape } from '../../json';

const energyShape = shape.object({
  /** energy_monitoring ver_code: 1 answers get_energy_usage only. */
  version: shape.integerIn(1, 2),
  /** Answers get_emeter_data (mW, mV, mA, Wh). */
  emeterData: shape.boolean,
  /** get_energy_usage carries current_power (mW); P304M outlets leave it out. */
  usageReportsPower: shape.boolean,
  /** Answers get_energy_data (daily and monthly totals); default false. */
  energyData: shape.optional(shape.boolean),
});

const componentsShape = shape.recordOf(shape.integerIn(1, 100));

/** One child unlike its siblings (KS240: a fan and a dimmer): its category, avatar and components. */
const childShape = shape.object({ category: shape.string, avatar: shape.string, components: componentsShape });

const modelShape = shape.object({
  name: shape.string,
  /** get_device_info.model, without region. */
  model: shape.string,
  /** Discovery's device_model is "P110(EU)". */
  region: shape.string,
  type: shape.oneOf('SMART.TAPOPLUG', 'SMART.TAPOBULB', 'SMART.KASAPLUG', 'SMART.KASASWITCH', 'SMART.TAPOSWITCH'),
  kind: shape.oneOf('plug', 'strip', 'switch', 'dimmer', 'bulb', 'lightstrip'),
  hwVer: shape.string,
  fwVer: shape.string,
  transport: shape.oneOf('aes', 'klap'),
  /** AES: the login_device version taken; KLAP: the hashing version. Both advertised as discovery's lv. */
  loginVersion: shape.integerIn(1, 2),
  /** Early firmware leaves lv out of its discovery reply (default true). */
  advertiseLoginVersion: shape.optional(shape.boolean),
  avatar: shape.string,
  voltage: shape.finiteNumber,
  loadW: shape.finiteNumber,
  energy: shape.optional(energyShape),
  light: shape.optional(shape.object({ colorTempRange: shape.arrayOf(shape.integer, { maxLength: 2 }), color: shape.boolean })),
  timezone: shape.object({ region: shape.string, timeDiffMinutes: shape.integer }),
  components: componentsShape,
  children: shape.optional(shape.object({
    count: shape.integerIn(1, 16),
    category: shape.string,
    avatar: shape.string,
    energy: shape.optional(energyShape),
    components: componentsShape,
    /** Children that differ, in the order the device lists them (one per child): they replace category, avatar and components. */
    each: shape.optional(shape.arrayOf(childShape, { maxLength: 16 })),
  })),
});

export type SmartModelSpec = shape.ReadResult<typeof modelShape>;
export type SmartEnergySpec = shape.ReadResult<typeof energyShape>;
export type SmartChildSpec = shape.ReadResult<typeof childShape>;

/** What child `index` is: its own entry of `each`, else the children's common one. */
export function childSpecOf(spec: SmartModelSpec, index: number): SmartChildSpec | undefined {
  const children = spec.children;
  if (!children) return undefined;
  return children.each?.[index] ?? { category: children.category, avatar: children.avatar, components: children.components };
}

const MODELS_DIR = path.join(__dirname, 'models');

function loadModels(): ReadonlyMap<string, SmartModelSpec> {
  const models = new Map<string, SmartModelSpec>();
  for (const file of readdirSync(MODELS_DIR).filter((f) => f.endsWith('.json')).sort()) {
    try {
      const spec = shape.read(modelShape, parseBoundedJson(readFileSync(path.join(MODELS_DIR, file), 'utf8')), '');
      const each = spec.children?.each;
      if (each && each.length !== spec.children?.count) throw new Error(`children.each lists ${each.length} children, count says ${spec.children?.count}`);
      models.set(spec.name.toUpperCase(), spec);
    } catch (error) {
      const why = error instanceof JsonShapeError ? error.message : String(error);
      throw new Error(`SMART simulator model ${file}: ${why}`);
    }
  }
  return models;
}

let cache: ReadonlyMap<string, SmartModelSpec> | undefined;

function models(): ReadonlyMap<string, SmartModelSpec> {
  cache ??= loadModels();
  return cache;
}

export function smartModelNames(): string[] {
  return [...models().values()].map((m) => m.name);
}

/** Accepts `P110`, `p110`, `P110(EU)`; undefined for a model that is not a SMART one. */
export function findSmartModel(name: string): SmartModelSpec | undefined {
  return models().get(name.trim().toUpperCase().replace(/\(.*\)$/, ''));
}

export function resolveSmartModel(name: string): SmartModelSpec {
  const spec = findSmartModel(name);
  if (!spec) throw new Error(`unknown SMART model "${name}"; known SMART models: ${smartModelNames().join(', ')}`);
  return spec;
}
