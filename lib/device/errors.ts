/**
 * What the device layer refuses before anything is sent: an outlet the
 * device does not have, a feature it lacks, a value outside what it takes.
 * Each carries a reason and its details as strings, so that a node can say
 * it in the user's language and the CLI can call it a usage error.
 */
import { SmartHomeError, type DeviceAddress } from '../errors';
import type { OutletState } from './types';

export type DeviceInputReason = 'unknown-outlet' | 'outlet-not-dimmable' | 'unsupported' | 'out-of-range' | 'bad-request';

export class DeviceInputError extends SmartHomeError {
  readonly reason: DeviceInputReason;
  readonly details: Readonly<Record<string, string>>;

  constructor(reason: DeviceInputReason, details: Record<string, string>, message: string, address?: DeviceAddress) {
    super('EINPUT', message, address);
    this.reason = reason;
    this.details = details;
  }
}

/** The device has no outlet by that name; `count` says how many it has. */
export function unknownOutlet(ref: string | number, count: number, address?: DeviceAddress): DeviceInputError {
  const message = count === 0
    ? `outlet ${JSON.stringify(ref)}: the device has no outlets (it is not a power strip)`
    : `outlet ${JSON.stringify(ref)} is not on this device (it has ${count} outlets)`;
  return new DeviceInputError('unknown-outlet', { outlet: String(ref), count: String(count) }, message, address);
}

/**
 * A brightness asked of an outlet that does not dim (a KS240's fan) on a
 * device where another one does: names that outlet, so the user knows
 * where the brightness goes.
 */
export function outletNotDimmable(outlet: OutletState, dimmer: OutletState, model: string, address?: DeviceAddress): DeviceInputError {
  const details = { outlet: String(outlet.index), alias: outlet.alias, dimmer: String(dimmer.index), dimmerAlias: dimmer.alias, model };
  return new DeviceInputError('outlet-not-dimmable', details,
    `outlet ${outlet.index} (${JSON.stringify(outlet.alias)}) of ${model || 'this device'} has no brightness: outlet ${dimmer.index} (${JSON.stringify(dimmer.alias)}) is the one that dims`,
    address);
}

/** The device cannot do `what` ("brightness", "colour", "energy"...); `model` names it. */
export function unsupported(what: string, model: string, address?: DeviceAddress): DeviceInputError {
  return new DeviceInputError('unsupported', { what, model }, `${model || 'this device'} has no ${what}`, address);
}

/** `field` must be a whole number from `min` to `max`; returns it when it is. */
export function checkInteger(field: string, value: unknown, min: number, max: number, address?: DeviceAddress): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new DeviceInputError('out-of-range', { field, value: shown, min: String(min), max: String(max) },
    `${field} must be a whole number from ${min} to ${max}, got ${shown}`, address);
}

/** A raw request the device's family cannot send: `expected` says what it takes. */
export function badRequest(expected: string, got: string, address?: DeviceAddress): DeviceInputError {
  return new DeviceInputError('bad-request', { expected, got }, `expected ${expected}, got ${got}`, address);
}
