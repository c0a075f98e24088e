/**
 * Turns a Node-RED message into one light command, without any Node-RED
 * import so that the rules are testable alone. The forms: a switch value as
 * on the plug node (true/false, "on"/"off", 1/0, "toggle"), an object of
 * light fields ({ on, brightness, color_temp, hue, saturation, transition,
 * color }), a colour "#rrggbb", or a number whose msg.topic names the field
 * (what a Dashboard slider sends). Ranges are not checked here: the device
 * layer knows what each light takes and refuses the rest before sending.
 */
import { isObject } from '../classic/commands';
import type { LightChange } from '../device/types';
import { NodeInputError } from './input-error';
import { hexToHsv, isHexColour } from './light-colour';
import { describe, parsePowerValue } from './plug-command';

/** The fields of a light object in a message, in the protocol's own spelling. */
export const LIGHT_FIELDS = ['on', 'brightness', 'color_temp', 'hue', 'saturation', 'transition', 'color'] as const;
type LightField = (typeof LIGHT_FIELDS)[number];

/** Fields a number payload can set, named by msg.topic. */
const TOPIC_FIELDS: ReadonlySet<string> = new Set(['brightness', 'color_temp', 'hue', 'saturation']);

export type LightCommand =
  | { kind: 'power'; state: boolean | 'toggle'; transition?: number }
  | { kind: 'set'; change: LightChange }
  | { kind: 'read' };

export class LightInputError extends NodeInputError {}

/** What a light node puts in msg.command on its own output: a message from one light node can drive another. */
const OWN_REPORTS: ReadonlySet<string> = new Set(['light', 'state', 'power']);

export function parseLightCommand(msg: { command?: unknown; topic?: unknown; payload?: unknown; transition?: unknown }): LightCommand {
  if (wantsRead(msg)) return { kind: 'read' };
  const transition = msg.transition === undefined ? undefined : fieldNumber('transition', msg.transition);
  const power = parsePowerValue(msg.payload);
  if (power !== undefined) return withTransition({ kind: 'power', state: power }, transition);
  if (isHexColour(msg.payload)) return commandOf(colourFields(msg.payload, 'payload'), transition);
  if (isObject(msg.payload)) return objectCommand(msg.payload, transition);
  const field = typeof msg.topic === 'string' ? msg.topic.trim().toLowerCase() : '';
  if (TOPIC_FIELDS.has(field) && isNumberLike(msg.payload)) return commandOf({ [field]: fieldNumber(field, msg.payload) }, transition);
  throw new LightInputError('bad-input', { payload: describe(msg.payload) },
    `cannot tell what to do with payload ${describe(msg.payload)}: send true/false, "toggle", "#rrggbb", ` +
    'an object such as {"brightness": 50, "color_temp": 2700}, or a number with msg.topic "brightness", "color_temp", "hue" or "saturation"');
}

/** msg.command "info" (or a msg.topic "info") reads the light; the node's own reports switch by their payload. */
function wantsRead(msg: { command?: unknown; topic?: unknown }): boolean {
  if (msg.command !== undefined && msg.command !== null && msg.command !== '') {
    const name = typeof msg.command === 'string' ? msg.command.trim().toLowerCase() : '';
    if (name === 'info') return true;
    if (OWN_REPORTS.has(name)) return false;
    throw new LightInputError('unknown-command', { command: describe(msg.command) },
      `unknown command ${describe(msg.command)}: a light node knows "info" (read the light); everything else is in msg.payload`);
  }
  return typeof msg.topic === 'string' && msg.topic.trim().toLowerCase() === 'info';
}

function objectCommand(payload: Record<string, unknown>, msgTransition: number | undefined): LightCommand {
  const fields: Partial<Record<LightField, unknown>> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (!(LIGHT_FIELDS as readonly string[]).includes(key)) {
      throw new LightInputError('unknown-field', { field: key, fields: LIGHT_FIELDS.join(', ') },
        `a light object has no field "${key}"; its fields are ${LIGHT_FIELDS.join(', ')}`);
    }
    if (value !== undefined && value !== null) fields[key as LightField] = value;
  }
  const transition = fields.transition === undefined ? msgTransition : fieldNumber('transition', fields.transition);
  const change: Record<string, number> = {};
  if (fields.color !== undefined) {
    if (fields.hue !== undefined || fields.saturation !== undefined) {
      throw new LightInputError('colour-twice', {}, 'give either color or hue and saturation, not both');
    }
    if (!isHexColour(fields.color)) throw badValue('color', fields.color, '"#rrggbb"');
    Object.assign(change, colourFields(fields.color, 'color'));
  }
  for (const key of ['brightness', 'color_temp', 'hue', 'saturation'] as const) {
    if (fields[key] !== undefined) change[key] = fieldNumber(key, fields[key]);
  }
  if (fields.on !== undefined) {
    const on = parsePowerValue(fields.on);
    if (on === undefined) throw badValue('on', fields.on, 'true, false or "toggle"');
    if (on === 'toggle' && Object.keys(change).length > 0) {
      throw new LightInputError('toggle-with-fields', {}, '"on": "toggle" cannot go with other light fields (only with transition)');
    }
    if (on === 'toggle' || Object.keys(change).length === 0) return withTransition({ kind: 'power', state: on }, transition);
    return commandOf({ ...change, on: on ? 1 : 0 }, transition);
  }
  if (Object.keys(change).length === 0) {
    throw new LightInputError('nothing-to-change', { payload: describe(payload) },
      `the light object ${describe(payload)} changes nothing: give on, brightness, color_temp, hue, saturation or color`);
  }
  return commandOf(change, transition);
}

/**
 * The fields as a device-layer change. Brightness 0 switches the light off,
 * as it does a dimmer (and as a slider pulled to the bottom means).
 */
function commandOf(fields: Record<string, number>, transition: number | undefined): LightCommand {
  if (fields.brightness === 0) return withTransition({ kind: 'power', state: false }, transition);
  const change: LightChange = {};
  if (fields.on !== undefined) change.on = fields.on === 1;
  if (fields.brightness !== undefined) change.brightness = fields.brightness;
  if (fields.color_temp !== undefined) change.colorTemp = fields.color_temp;
  if (fields.hue !== undefined) change.hue = fields.hue;
  if (fields.saturation !== undefined) change.saturation = fields.saturation;
  if (transition !== undefined) change.transition = transition;
  return { kind: 'set', change };
}

function withTransition(command: { kind: 'power'; state: boolean | 'toggle' }, transition: number | undefined): LightCommand {
  return transition === undefined ? command : { ...command, transition };
}

function colourFields(value: string, field: string): Record<string, number> {
  const colour = hexToHsv(value);
  if (!colour) throw badValue(field, value, '"#rrggbb"');
  return { hue: colour.hue, saturation: colour.saturation, brightness: colour.brightness };
}

function isNumberLike(value: unknown): boolean {
  return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)));
}

/** A number, or a string holding one (HTTP and MQTT flows carry strings); whole-number and range checks come later. */
function fieldNumber(field: string, value: unknown): number {
  if (!isNumberLike(value)) throw badValue(field, value, 'a number');
  return Number(value);
}

function badValue(field: string, value: unknown, expected: string): LightInputError {
  return new LightInputError('bad-value', { field, value: describe(value), expected },
    `${field} must be ${expected}, got ${describe(value)}`);
}
