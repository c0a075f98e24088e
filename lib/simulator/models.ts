/**
 * The simulated models: what each one reports about itself and which
 * protocol modules it answers. Values are written from the protocol and from
 * the shape of real sysinfo replies; version strings are plausible, not
 * copied from any particular unit.
 */
import { createHash } from 'crypto';

export type ModelName = 'HS100' | 'HS105' | 'HS110' | 'HS110v2' | 'KP115' | 'HS200' | 'HS220' | 'HS300' | 'LB130';

export const MODEL_NAMES: readonly ModelName[] = [
  'HS100', 'HS105', 'HS110', 'HS110v2', 'KP115', 'HS200', 'HS220', 'HS300', 'LB130',
];

export type DeviceKind = 'plug' | 'dimmer' | 'strip' | 'bulb';

/**
 * How an energy meter reports: `v1` is HS110 hardware 1 (W, V, A, kWh as
 * floats); `v2` is later firmware (mW, mV, mA, Wh as integers); `bulb` is
 * the bulbs' power-only reading (power_mw).
 */
export type EmeterUnits = 'none' | 'v1' | 'v2' | 'bulb';

export interface ModelSpec {
  readonly name: ModelName;
  /** `sysinfo.model`, region included. */
  readonly model: string;
  readonly hwVer: string;
  readonly swVer: string;
  readonly devName: string;
  readonly kind: DeviceKind;
  readonly emeter: EmeterUnits;
  /** Older plugs report `type`, newer ones and bulbs `mic_type`. */
  readonly typeField: 'type' | 'mic_type';
  readonly typeValue: 'IOT.SMARTPLUGSWITCH' | 'IOT.SMARTBULB';
  readonly feature: string;
  /** Mains voltage of the region the model is sold in. */
  readonly voltage: number;
  /** Typical load in W on an outlet that is switched on (bulbs: at 100 % brightness). */
  readonly loadW: number;
  /** Hardware 1 firmware reports location as floats, later firmware as integers (`_i`, 1e-4 degrees). */
  readonly locationAsInteger: boolean;
  /** Bulbs answer unknown modules and methods with their own error codes. */
  readonly errorDialect: 'plug' | 'bulb';
  readonly childCount: number;
}

const plugBase = {
  typeValue: 'IOT.SMARTPLUGSWITCH',
  errorDialect: 'plug',
  childCount: 0,
  locationAsInteger: true,
} as const;

export const MODELS: Readonly<Record<ModelName, ModelSpec>> = {
  HS100: {
    ...plugBase, name: 'HS100', model: 'HS100(US)', hwVer: '2.0', swVer: '1.5.10 Build 191125 Rel.094314',
    devName: 'Smart Wi-Fi Plug', kind: 'plug', emeter: 'none', typeField: 'type', feature: 'TIM', voltage: 120, loadW: 60,
  },
  HS105: {
    ...plugBase, name: 'HS105', model: 'HS105(US)', hwVer: '1.0', swVer: '1.5.8 Build 191125 Rel.135310',
    devName: 'Smart Wi-Fi Plug Mini', kind: 'plug', emeter: 'none', typeField: 'type', feature: 'TIM', voltage: 120, loadW: 40,
  },
  HS110: {
    ...plugBase, name: 'HS110', model: 'HS110(EU)', hwVer: '1.0', swVer: '1.2.6 Build 180626 Rel.101317',
    devName: 'Wi-Fi Smart Plug With Energy Monitoring', kind: 'plug', emeter: 'v1', typeField: 'type', feature: 'TIM:ENE',
    voltage: 230, loadW: 120, locationAsInteger: false,
  },
  HS110v2: {
    ...plugBase, name: 'HS110v2', model: 'HS110(EU)', hwVer: '2.0', swVer: '1.5.4 Build 180815 Rel.121440',
    devName: 'Smart Wi-Fi Plug With Energy Monitoring', kind: 'plug', emeter: 'v2', typeField: 'type', feature: 'TIM:ENE',
    voltage: 230, loadW: 95,
  },
  KP115: {
    ...plugBase, name: 'KP115', model: 'KP115(US)', hwVer: '1.0', swVer: '1.0.19 Build 220418 Rel.152605',
    devName: 'Smart Wi-Fi Plug Mini', kind: 'plug', emeter: 'v2', typeField: 'mic_type', feature: 'TIM:ENE',
    voltage: 120, loadW: 75,
  },
  HS200: {
    ...plugBase, name: 'HS200', model: 'HS200(US)', hwVer: '3.0', swVer: '1.1.6 Build 200520 Rel.090530',
    devName: 'Smart Wi-Fi Light Switch', kind: 'plug', emeter: 'none', typeField: 'mic_type', feature: 'TIM',
    voltage: 120, loadW: 45,
  },
  HS220: {
    ...plugBase, name: 'HS220', model: 'HS220(US)', hwVer: '1.0', swVer: '1.5.11 Build 191213 Rel.100944',
    devName: 'Smart Wi-Fi Dimmer', kind: 'dimmer', emeter: 'none', typeField: 'mic_type', feature: 'TIM',
    voltage: 120, loadW: 45,
  },
  HS300: {
    ...plugBase, name: 'HS300', model: 'HS300(US)', hwVer: '1.0', swVer: '1.0.20 Build 200624 Rel.090912',
    devName: 'Smart Wi-Fi Power Strip', kind: 'strip', emeter: 'v2', typeField: 'mic_type', feature: 'TIM:ENE',
    voltage: 120, loadW: 35, childCount: 6,
  },
  LB130: {
    name: 'LB130', model: 'LB130(US)', hwVer: '1.0', swVer: '1.8.6 Build 180809 Rel.091659',
    devName: 'Smart Wi-Fi LED Bulb with Color Changing', kind: 'bulb', emeter: 'bulb', typeField: 'mic_type',
    typeValue: 'IOT.SMARTBULB', feature: '', voltage: 120, loadW: 10.5, locationAsInteger: true,
    errorDialect: 'bulb', childCount: 0,
  },
};

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
  return MODELS[found];
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
