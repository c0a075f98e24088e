/**
 * What a SMART request looks like on the wire and what comes back, read at
 * the boundary: the envelope {method, params, request_time_milis,
 * terminal_uuid}, multipleRequest batches, control_child for strip outlets,
 * and the readers that check each reply's shape before anything uses it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ProtocolError, type DeviceAddress } from '../errors';
import { JsonShapeError, parseBoundedJson, shape, type JsonObject } from '../json';

export interface SmartRequest {
  method: string;
  /** Omitted from the wire when undefined (python-kasa sends none for getters). */
  params?: JsonObject | undefined;
}

/** One reply (or one entry of a multipleRequest reply): the code and, on success, the result. */
export interface SmartReply {
  errorCode: number;
  /** The method's result; getters answer an object, some setters nothing. */
  result: unknown;
}

/**
 * A client's identity across requests. Some firmware answers -1012 to
 * set_device_info without one. Shaped like the apps' (base64 of an MD5).
 */
export function newTerminalUuid(): string {
  return createHash('md5').update(randomBytes(16)).digest('base64');
}

/** A method's envelope start, `{"method":"..."`, and the same followed by the time's key, for a request without params. */
interface MethodHead {
  bare: Buffer;
  timed: Buffer;
}

/** Envelope parts as bytes, by method and by terminal UUID (`,"terminal_uuid":"..."}`): the same few of each, request after request. */
const methodHeads = new Map<string, MethodHead>();
const uuidTails = new Map<string, Buffer>();
const MAX_CACHED_PARTS = 64;

function cachedPart<T>(cache: Map<string, T>, key: string, make: (key: string) => T): T {
  let part = cache.get(key);
  if (part === undefined) {
    part = make(key);
    if (cache.size >= MAX_CACHED_PARTS) cache.clear();
    cache.set(key, part);
  }
  return part;
}

const PARAMS_KEY = ',"params":';
const TIME_KEY = ',"request_time_milis":';

function methodHead(method: string): MethodHead {
  const bare = `{"method":${JSON.stringify(method)}`;
  return { bare: Buffer.from(bare, 'utf8'), timed: Buffer.from(bare + TIME_KEY, 'utf8') };
}

function uuidTail(uuid: string): Buffer {
  return Buffer.from(`,"terminal_uuid":${JSON.stringify(uuid)}}`, 'utf8');
}

/**
 * The envelope as JSON.stringify would write {method, params, request_time_milis,
 * terminal_uuid}, put together in bytes: every request is encoded, and
 * stringifying the one-off object cost more than the rest of the envelope.
 * The parts that repeat are kept as bytes and copied; only the params and
 * the time are written as text (encoding each part as text each time cost
 * twice as much for a getter).
 */
export function encodeRequest(request: SmartRequest, terminalUuid: string, now: number = Date.now()): Buffer {
  const head = cachedPart(methodHeads, request.method, methodHead);
  const params = request.params === undefined ? undefined : (JSON.stringify(request.params) as string | undefined);
  const time = JSON.stringify(now);
  const tail = cachedPart(uuidTails, terminalUuid, uuidTail);
  if (params === undefined) {
    const bytes = Buffer.allocUnsafe(head.timed.length + time.length + tail.length);
    bytes.set(head.timed, 0);
    const at = head.timed.length + bytes.write(time, head.timed.length, 'latin1');
    bytes.set(tail, at);
    return bytes;
  }
  const paramsLength = Buffer.byteLength(params, 'utf8');
  const bytes = Buffer.allocUnsafe(head.bare.length + PARAMS_KEY.length + paramsLength + TIME_KEY.length + time.length + tail.length);
  bytes.set(head.bare, 0);
  let at = head.bare.length + bytes.write(PARAMS_KEY, head.bare.length, 'latin1');
  at += bytes.write(params, at, 'utf8');
  at += bytes.write(TIME_KEY, at, 'latin1');
  at += bytes.write(time, at, 'latin1');
  bytes.set(tail, at);
  return bytes;
}

export function multipleRequest(requests: readonly SmartRequest[]): SmartRequest {
  return { method: 'multipleRequest', params: { requests: requests.map(inner) } };
}

/** A request for one outlet of a strip; `request` may itself be a multipleRequest. */
export function controlChild(deviceId: string, request: SmartRequest): SmartRequest {
  return { method: 'control_child', params: { device_id: deviceId, requestData: inner(request) } };
}

function inner(request: SmartRequest): JsonObject {
  return request.params === undefined ? { method: request.method } : { method: request.method, params: request.params };
}

// ---------------------------------------------------------------- readers

/** Any JSON value: the parser already bounded its size and depth; method readers check it further. */
const anyValue: shape.Reader<unknown> = (value) => value;

const replyShape = shape.object({ error_code: shape.integer, result: shape.optional(anyValue) });

const MAX_BATCH_RESPONSES = 100;

const batchEntryShape = shape.object({
  method: shape.lenient(shape.string),
  error_code: shape.integer,
  result: shape.optional(anyValue),
});

const batchResultShape = shape.object({ responses: shape.arrayOf(batchEntryShape, { maxLength: MAX_BATCH_RESPONSES }) });

const controlChildResultShape = shape.object({ responseData: replyShape });

export interface BatchEntry extends SmartReply {
  /** Some firmware leaves it out; such entries are asked again one by one. */
  method: string | undefined;
}

/** Runs a reader, turning a shape error into a ProtocolError naming the device and what was read. */
export function readShape<T>(reader: shape.Reader<T>, value: unknown, what: string, address?: DeviceAddress): T {
  try {
    return shape.read(reader, value, '');
  } catch (error) {
    if (error instanceof JsonShapeError) throw new ProtocolError(`${what}: ${error.message}`, address, error);
    throw error;
  }
}

/** `read`, which the caller read as value.key, when it is the object's own (shape.field's rule: an inherited name reads as absent). */
function own(read: unknown, value: JsonObject, key: string): unknown {
  return read !== undefined && Object.prototype.hasOwnProperty.call(value, key) ? read : undefined;
}

/**
 * replyShape read straight into a SmartReply, the one object made: every
 * reply is read, and shape.object's intermediate object was garbage. The
 * same checks in the same order (test/smart/envelope.test.ts holds the two
 * to the same results). Both fields are read where they are named
 * (reply.error_code), not as value[key] in shape.field, shared by every
 * reader, where the lookup was the generic one.
 */
const replyReader: shape.Reader<SmartReply> = (value, path) => {
  const reply = shape.anyObject(value, path);
  const errorCode = shape.integer(own(reply.error_code, reply, 'error_code'), path === '' ? 'error_code' : `${path}.error_code`);
  return { errorCode, result: own(reply.result, reply, 'result') };
};

/** Parses a reply's bytes: a JSON object with an integer error_code. */
export function readReply(bytes: Buffer, method: string, address?: DeviceAddress): SmartReply {
  let value: unknown;
  try {
    value = parseBoundedJson(bytes.toString('utf8'));
  } catch (error) {
    throw new ProtocolError(`${method} reply: ${(error as Error).message}`, address, error);
  }
  return readShape(replyReader, value, `${method} reply`, address);
}

/** The `result` of a multipleRequest: its responses, each with its own error_code. */
export function readBatchResult(result: unknown, address?: DeviceAddress): BatchEntry[] {
  const read = readShape(batchResultShape, result, 'multipleRequest result', address);
  return read.responses.map((r) => ({ method: r.method, errorCode: r.error_code, result: r.result }));
}

/** The `result` of a control_child: the outlet's own reply. */
export function readControlChildResult(result: unknown, address?: DeviceAddress): SmartReply {
  const read = readShape(controlChildResultShape, result, 'control_child result', address);
  return { errorCode: read.responseData.error_code, result: read.responseData.result };
}
