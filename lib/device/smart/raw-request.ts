/**
 * A SMART request given by a user (a flow's msg.payload, the CLI's -j): an
 * object with a string `method` and, optionally, object `params`, or its
 * JSON text. Checked before it is sent; anything else is a DeviceInputError.
 */
import type { DeviceAddress } from '../../errors';
import { isJsonObject, JsonShapeError, parseBoundedJson, type JsonObject } from '../../json';
import type { SmartRequest } from '../../smart/envelope';
import { badRequest, type DeviceInputError } from '../errors';

const EXPECTED = 'a SMART request: {"method": "get_device_info"} or {"method": "set_device_info", "params": {...}}';

function refuse(got: string, address?: DeviceAddress): DeviceInputError {
  return badRequest(EXPECTED, got, address);
}

/** True when `value` looks like a SMART request: {method: string, params?: object}, nothing else. */
export function isSmartRequest(value: unknown): value is JsonObject & SmartRequest {
  return isJsonObject(value) && typeof value.method === 'string' && value.method.length > 0
    && (value.params === undefined || isJsonObject(value.params))
    && Object.keys(value).every((key) => key === 'method' || key === 'params');
}

export function readSmartRequest(message: JsonObject | string, address?: DeviceAddress): SmartRequest {
  let value: unknown = message;
  if (typeof message === 'string') {
    try {
      value = parseBoundedJson(message);
    } catch (error) {
      if (error instanceof JsonShapeError) throw refuse('text that is not JSON', address);
      throw error;
    }
  }
  if (!isSmartRequest(value)) throw refuse(isJsonObject(value) ? `an object with keys ${Object.keys(value).slice(0, 4).join(', ')}` : typeof value, address);
  return value.params === undefined ? { method: value.method } : { method: value.method, params: value.params };
}
