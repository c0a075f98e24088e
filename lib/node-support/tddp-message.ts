/**
 * TDDP request fields from a Node-RED message (with the node's defaults),
 * and the reply as message properties. No Node-RED imports.
 */
import type { TddpRequest, TddpResponse } from '../tddp';
import { NodeInputError } from './input-error';

export class TddpInputError extends NodeInputError {}

/** A byte from a number, a decimal string or a hex string ("0x0a"); undefined when blank. */
export function parseByte(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let n = NaN;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const text = value.trim();
    if (/^0x[0-9a-f]{1,2}$/i.test(text)) n = parseInt(text.slice(2), 16);
    else if (/^\d{1,3}$/.test(text)) n = Number(text);
  }
  if (!Number.isInteger(n) || n < 0 || n > 255) {
    throw new TddpInputError('bad-byte', { field, value: String(value) }, `${field} must be a byte (0-255 or 0x00-0xff), got ${String(value)}`);
  }
  return n;
}

/** msg.type / msg.subtype override the node's; msg.payload (string or Buffer) is the data, anything else sends none. */
export function tddpRequestOf(
  msg: { payload?: unknown; type?: unknown; subtype?: unknown },
  defaults: { type: unknown; subtype: unknown },
): TddpRequest {
  const type = parseByte(msg.type, 'msg.type') ?? parseByte(defaults.type, 'type');
  const subtype = parseByte(msg.subtype, 'msg.subtype') ?? parseByte(defaults.subtype, 'subtype');
  if (subtype === undefined) throw new TddpInputError('no-subtype', {}, 'no subtype: set one on the node or in msg.subtype');
  const payload = msg.payload;
  const data = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : undefined;
  const request: TddpRequest = { subtype };
  if (type !== undefined) request.type = type;
  if (data !== undefined) request.data = data;
  return request;
}

/** payload: the data as a Buffer; text: the same as UTF-8 up to the first NUL; header: the reply header. */
export function tddpReplyProperties(response: TddpResponse): { payload: Buffer; text: string; header: Record<string, unknown> } {
  const { digest, ...header } = response.header;
  const nul = response.data.indexOf(0);
  const text = (nul >= 0 ? response.data.subarray(0, nul) : response.data).toString('utf8');
  return { payload: response.data, text, header: { ...header, digest: digest?.toString('hex') } };
}
