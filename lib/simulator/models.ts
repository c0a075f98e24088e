/**
 * The simulated models, read from one JSON file per model in `models/`
 * (copied next to the compiled code by the build), so that a model is data:
 * its identity, its kind, the modules it answers and with which method
 * family, the sysinfo it reports (a template whose `$name` strings stand for
 * live values), its energy meter units, its error codes and its light or
 * dimmer. Adding a model is adding a file. Values are written from the
 * protocol and from the shape of real replies; version strings are
 * plausible, not copied from any particular unit.
 *
 * This is the bottom of the simulator: it imports nothing else from it.
 * The files are read when a model is first asked for, not when the
 * simulator (and with it the library) loads.
 */
import { createHash } from 'crypto';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { JsonShapeError, parseBoundedJson, shape, type JsonObject, type Reader } from '../json';

/** A model's file name without `.json`: `HS110`, `HS110v2`, `KL430`, ... */
export type ModelName = string;

/** What a device is, as clients tell it apart; the device layer uses the same six. */
export const DEVICE_KINDS = ['plug', 'strip', 'switch', 'dimmer', 'bulb', 'lightstrip'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/**
 * How an energy meter reports: `v1` is HS110 hardware 1 (W, V, A, kWh as
 * floats); `v2` is later firmware (mW, mV, mA, Wh as integers); `bulb` is
 * the older bulbs' power-only reading (power_mw); `bulb-total` adds total_wh,
 * as newer bulbs and light strips do.
 */
export const EMETER_UNITS = ['none', 'v1', 'v2', 'bulb', 'bulb-total'] as const;
export type EmeterUnits = (typeof EMETER_UNITS)[number];

/**
 * The sets of methods a module can answer with. A model maps each of its
 * module names to one of these, so `schedule` on a plug and
 * `smartlife.iot.common.schedule` on a bulb share one family.
 */
export const METHOD_FAMILIES = [
  'system', 'light-system', 'netif', 'cloud', 'time', 'emeter', 'schedule', 'count_down', 'anti_theft',
  'strip-manage', 'dimmer', 'lighting', 'light-strip', 'lighting-effect', 'motion', 'ambient-light',
] as const;
export type MethodFamily = (typeof METHOD_FAMILIES)[number];

export interface ErrorReply {
  readonly err_code: number;
  readonly err_msg: string;
}

/** What a model answers to what it does not know or cannot take; firmware families differ. */
export interface ModelErrors {
  readonly unknownModule: ErrorReply;
  readonly unknownMethod: ErrorReply;
  /** A parameter missing, of the wrong type or out of range. */
  readonly invalidArgument: ErrorReply;
}

export interface LightColour {
  readonly mode: string;
  readonly hue: number;
  readonly saturation: number;
  readonly color_temp: number;
  readonly brightness: number;
}

export interface LightSpec {
  readonly dimmable: boolean;
  /** Takes hue and saturation. */
  readonly color: boolean;
  /** White range in K; null for a bulb with one fixed white. */
  readonly colorTempRange: readonly [number, number] | null;
  /** The colour the light starts with. */
  readonly initial: LightColour;
  /** get_light_details, as is. */
  readonly details: JsonObject;
  /** get_default_behavior, as is. */
  readonly defaultBehavior: JsonObject;
  /** Light strips: LEDs (zones) along the strip, as sysinfo `length`. */
  readonly length?: number;
  /** Light strips: the transition (ms) get_light_state reports until a request sets another. */
  readonly transition?: number;
  /** Light strips: lighting_effect_state at start ({brightness, custom, enable, id, name}). */
  readonly effect?: JsonObject;
}

export interface DimmerSpec {
  /** get_dimmer_parameters at start; set_fade_on_time and the like change them. */
  readonly parameters: Readonly<Record<string, number>>;
  /** get_default_behavior, as is. */
  readonly defaultBehavior: JsonObject;
}

/** A dimmer's motion (PIR) and ambient light (LAS) sensors: their get_config replies at start. */
export interface SensorSpec {
  readonly motion?: JsonObject;
  readonly ambientLight?: JsonObject;
}

export interface ModelSpec {
  readonly name: ModelName;
  /** `sysinfo.model`, region included. */
  readonly model: string;
  readonly hwVer: string;
  readonly swVer: string;
  readonly kind: DeviceKind;
  readonly emeter: EmeterUnits;
  /** Mains voltage of the region the model is sold in. */
  readonly voltage: number;
  /** Typical load in W on an outlet that is switched on (lights: at 100 % brightness). */
  readonly loadW: number;
  /** Outlets with their own relay, alias, meter and rules (HS300: 6); 0 for a single device. */
  readonly childCount: number;
  /** Module name → the family of methods it answers. */
  readonly modules: Readonly<Record<string, MethodFamily>>;
  /** get_sysinfo in firmware's field order; a string `$name` is the live value `name`. */
  readonly sysinfo: Readonly<JsonObject>;
  readonly errors: ModelErrors;
  readonly light?: LightSpec;
  readonly dimmer?: DimmerSpec;
  readonly sensors?: SensorSpec;
  /** sysinfo preferred_state at start: the light or dimmer presets, which set_preferred_state changes. */
  readonly presets: readonly JsonObject[];
  /** From the sysinfo template: `dev_name`, or a bulb's `description`. */
  readonly devName: string;
  /** From the sysinfo template: older plugs report `type`, newer ones and bulbs `mic_type`. */
  readonly typeField: 'type' | 'mic_type';
  readonly typeValue: string;
  readonly feature: string;
  /** From the sysinfo template: hardware 1 firmware reports location as floats, later firmware as integers (`_i`, 1e-4 degrees). */
  readonly locationAsInteger: boolean;
  /** Whose codes the model answers unknown modules with: plugs' -1 or the bulbs' -2001. */
  readonly errorDialect: 'plug' | 'bulb';
}

const errorReply = shape.object({ err_code: shape.integer, err_msg: shape.string });

const lightColour = shape.object({
  mode: shape.string,
  hue: shape.integerIn(0, 360),
  saturation: shape.integerIn(0, 100),
  color_temp: shape.integerIn(0, 20_000),
  brightness: shape.integerIn(0, 100),
});

const tempRange: Reader<readonly [number, number]> = (value, where) => {
  const [low, high] = shape.arrayOf(shape.integerIn(1000, 20_000), { maxLength: 2 })(value, where);
  if (high === undefined || low >= high) throw new JsonShapeError(where, 'should be [lowest K, highest K]');
  return [low, high];
};

const modelFile = shape.object({
  name: shape.string,
  model: shape.string,
  hwVer: shape.string,
  swVer: shape.string,
  kind: shape.oneOf(...DEVICE_KINDS),
  emeter: shape.oneOf(...EMETER_UNITS),
  voltage: shape.numberIn(1, 400),
  loadW: shape.numberIn(0, 4000),
  childCount: shape.integerIn(0, 16),
  modules: shape.recordOf(shape.oneOf(...METHOD_FAMILIES)),
  sysinfo: shape.anyObject,
  errors: shape.object({ unknownModule: errorReply, unknownMethod: errorReply, invalidArgument: errorReply }),
  light: shape.optional(shape.object({
    dimmable: shape.boolean,
    color: shape.boolean,
    colorTempRange: shape.nullable(tempRange),
    initial: lightColour,
    details: shape.anyObject,
    defaultBehavior: shape.anyObject,
    length: shape.optional(shape.integerIn(1, 1000)),
    transition: shape.optional(shape.integerIn(0, 3_600_000)),
    effect: shape.optional(shape.anyObject),
  })),
  dimmer: shape.optional(shape.object({
    parameters: shape.recordOf(shape.integer),
    defaultBehavior: shape.anyObject,
  })),
  sensors: shape.optional(shape.object({
    motion: shape.optional(shape.anyObject),
    ambientLight: shape.optional(shape.anyObject),
  })),
  presets: shape.optional(shape.arrayOf(shape.anyObject, { maxLength: 16 })),
});

/** A template string that names a live value: `$alias`, `$relay_state`, ... */
const LIVE_VALUE = /^\$[A-Za-z_]+$/;

function checkTemplate(template: JsonObject, where: string): void {
  for (const [key, value] of Object.entries(template)) {
    if (typeof value === 'string' && value.startsWith('$') && !LIVE_VALUE.test(value)) {
      throw new JsonShapeError(`${where}.${key}`, `should name a live value as $name, got ${JSON.stringify(value)}`);
    }
  }
}

type ModelFile = ReturnType<typeof modelFile>;

/** The part of the file each method family (and each kind) needs, so that a gap shows at load and not mid-request. */
const NEEDS: ReadonlyArray<{ when: (file: ModelFile) => boolean; has: (file: ModelFile) => boolean; what: string }> = [
  { when: (f) => usesFamily(f, 'lighting', 'light-strip') || f.kind === 'bulb' || f.kind === 'lightstrip', has: (f) => f.light !== undefined, what: 'a light' },
  { when: (f) => usesFamily(f, 'lighting-effect'), has: (f) => f.light?.effect !== undefined, what: 'light.effect' },
  { when: (f) => f.kind === 'lightstrip', has: (f) => f.light?.length !== undefined, what: 'light.length' },
  { when: (f) => usesFamily(f, 'dimmer') || f.kind === 'dimmer', has: (f) => f.dimmer !== undefined, what: 'dimmer' },
  { when: (f) => usesFamily(f, 'motion'), has: (f) => f.sensors?.motion !== undefined, what: 'sensors.motion' },
  { when: (f) => usesFamily(f, 'ambient-light'), has: (f) => f.sensors?.ambientLight !== undefined, what: 'sensors.ambientLight' },
  { when: (f) => usesFamily(f, 'strip-manage') || f.kind === 'strip', has: (f) => f.childCount > 0, what: 'childCount above 0' },
];

function usesFamily(file: ModelFile, ...families: MethodFamily[]): boolean {
  return Object.values(file.modules).some((family) => families.includes(family));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * Checks a parsed model file and completes it. `source` names the file in
 * errors. Throws a JsonShapeError saying which field is wrong.
 */
export function readModelSpec(value: unknown, source: string): ModelSpec {
  const file = shape.read(modelFile, value, source);
  checkTemplate(file.sysinfo, `${source}.sysinfo`);
  if (!('system' in file.modules)) throw new JsonShapeError(`${source}.modules`, 'should include system: every device answers get_sysinfo');
  for (const need of NEEDS) {
    if (need.when(file) && !need.has(file)) throw new JsonShapeError(source, `should have ${need.what} for its kind (${file.kind}) and modules`);
  }
  const template = file.sysinfo;
  const typeField = 'type' in template ? 'type' : 'mic_type';
  const text = (key: string): string => (typeof template[key] === 'string' ? String(template[key]) : '');
  return deepFreeze({
    ...file,
    presets: file.presets ?? [],
    devName: text('dev_name') || text('description'),
    typeField,
    typeValue: text(typeField),
    feature: text('feature'),
    locationAsInteger: !('latitude' in template),
    errorDialect: file.errors.unknownModule.err_code === -2001 ? 'bulb' : 'plug',
  });
}

/** Reads and checks one model file; `entry` is its file name in `dir`, which must be the model's name. */
export function readModelFile(dir: string, entry: string): ModelSpec {
  const spec = readModelSpec(parseBoundedJson(readFileSync(path.join(dir, entry), 'utf8')), entry);
  if (`${spec.name}.json` !== entry) throw new JsonShapeError(`${entry}.name`, `should be the file's name, got ${JSON.stringify(spec.name)}`);
  return spec;
}

function modelFileNames(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
}

/** Every model in `dir`, by name. */
export function loadModels(dir: string): Map<ModelName, ModelSpec> {
  return new Map(modelFileNames(dir).map((entry) => {
    const spec = readModelFile(dir, entry);
    return [spec.name, spec];
  }));
}

const MODELS_DIR = path.join(__dirname, 'models');

/**
 * Every model, by file name. Only the names are read when the simulator
 * loads (the library entry point loads it); a model file is read and checked
 * the first time something asks for that model.
 */
export const MODEL_NAMES: readonly ModelName[] = Object.freeze(modelFileNames(MODELS_DIR).map((entry) => entry.slice(0, -'.json'.length)));

const loaded = new Map<ModelName, ModelSpec>();

function loadModel(name: ModelName): ModelSpec {
  let spec = loaded.get(name);
  if (!spec) {
    spec = readModelFile(MODELS_DIR, `${name}.json`);
    loaded.set(name, spec);
  }
  return spec;
}

/** Every model's spec by name; each is read on first access. */
export const MODELS: Readonly<Record<ModelName, ModelSpec>> = Object.freeze(Object.defineProperties(
  {} as Record<ModelName, ModelSpec>,
  Object.fromEntries(MODEL_NAMES.map((name) => [name, { get: () => loadModel(name), enumerable: true }])),
));

/** Accepts `HS110`, `hs110`, `HS110v2`, `HS110-2`, `HS110(EU)`, `hs110:hw2`, `HS110hw1`. */
export function resolveModel(name: string): ModelSpec {
  const key = name
    .trim()
    .toUpperCase()
    .replace(/\(.*\)/, '')
    .replace(/(?:[-_:.\s]+(?:HW|V)?|HW|V)2(?:\.0)?$/, 'V2')
    .replace(/(?:[-_:.\s]+(?:HW|V)?|HW|V)1(?:\.0)?$/, '');
  const found = MODEL_NAMES.find((m) => m.toUpperCase() === key);
  if (!found) throw new Error(`unknown model "${name}"; known models: ${MODEL_NAMES.join(', ')}`);
  return loadModel(found);
}

export interface DeviceIdentity {
  deviceId: string;
  hwId: string;
  fwId: string;
  oemId: string;
  /** `AA:BB:CC:DD:EE:FF` */
  mac: string;
}

function hexDigest(algorithm: 'sha1' | 'md5', text: string): string {
  return createHash(algorithm).update(text).digest('hex').toUpperCase();
}

/**
 * A stable identity derived from `seed`: the same seed always gives the
 * same deviceId and MAC, so a fleet restarted with the same layout looks
 * like the same devices to a client that remembers them.
 */
export function deriveIdentity(spec: ModelSpec, seed: string): DeviceIdentity {
  const mac = hexDigest('md5', `mac:${seed}`).slice(0, 6).match(/../g) ?? [];
  return {
    deviceId: hexDigest('sha1', `device:${spec.name}:${seed}`),
    // hwId, fwId and oemId identify a hardware/firmware line, not a unit.
    hwId: hexDigest('md5', `hw:${spec.model}:${spec.hwVer}`),
    fwId: hexDigest('md5', `fw:${spec.model}:${spec.swVer}`),
    oemId: hexDigest('md5', `oem:${spec.model}`),
    // 50:C7:BF is one of TP-Link's registered OUIs.
    mac: ['50', 'C7', 'BF', ...mac].join(':'),
  };
}

export function defaultAlias(spec: ModelSpec, seed: string): string {
  return `Simulated ${spec.name} ${seed}`;
}
