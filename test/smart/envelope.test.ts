/** The SMART envelope on the wire: encodeRequest joins it from its parts, so it is compared with JSON.stringify of the whole. */
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { ProtocolError } from '../../lib/errors';
import { parseBoundedJson, shape } from '../../lib/json';
import { encodeRequest, readReply, readShape } from '../../lib/smart/envelope';

/** The envelope as the apps (and python-kasa) send it: JSON.stringify of the object, in this key order. */
function reference(method: string, params: unknown, now: number, uuid: string): Buffer {
  const body: Record<string, unknown> = { method };
  if (params !== undefined) body.params = params;
  body.request_time_milis = now;
  body.terminal_uuid = uuid;
  return Buffer.from(JSON.stringify(body), 'utf8');
}

describe('SMART envelope', () => {
  it('encodes any method, params, time and terminal UUID exactly as JSON.stringify of the envelope would', () => {
    const params = fc.option(fc.dictionary(fc.string(), fc.jsonValue()), { nil: undefined });
    fc.assert(fc.property(fc.string(), params, fc.integer({ min: 0, max: 2 ** 45 }), fc.string(), (method, p, now, uuid) => {
      assert.deepEqual(encodeRequest({ method, params: p }, uuid, now), reference(method, p, now, uuid));
    }), { numRuns: 500 });
  });

  it('encodes as JSON.stringify would when methods and UUIDs come again (any Unicode, lone surrogates too), as they do request after request', () => {
    const text = fc.oneof(fc.constantFrom('get_device_info', 'set_device_info', 'ünïcödé', '\ud800', '"\\'), fc.string({ unit: 'binary' }));
    const params = fc.option(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()), { nil: undefined });
    fc.assert(fc.property(fc.array(fc.tuple(text, params, fc.integer({ min: 0, max: 2 ** 45 }), text), { minLength: 1, maxLength: 20 }), (requests) => {
      for (const [method, p, now, uuid] of requests) assert.deepEqual(encodeRequest({ method, params: p }, uuid, now), reference(method, p, now, uuid));
    }), { numRuns: 200 });
  });

  it('reads any reply as replyShape (an object with an integer error_code and any result) read by shape.object would, failures alike', () => {
    const replyShape = shape.object({ error_code: shape.integer, result: shape.optional((value: unknown) => value) });
    const reference = (bytes: Buffer): unknown => {
      let value: unknown;
      try {
        value = parseBoundedJson(bytes.toString('utf8'));
      } catch (error) {
        return `ProtocolError m reply: ${(error as Error).message}`;
      }
      try {
        const reply = readShape(replyShape, value, 'm reply');
        return { errorCode: reply.error_code, result: reply.result };
      } catch (error) {
        return error instanceof ProtocolError ? `ProtocolError ${error.message}` : error;
      }
    };
    const outcome = (bytes: Buffer): unknown => {
      try {
        return readReply(bytes, 'm');
      } catch (error) {
        return error instanceof ProtocolError ? `ProtocolError ${error.message}` : error;
      }
    };
    const code = fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 60), fc.string(), fc.constant(null), fc.boolean());
    const reply = fc.oneof(
      fc.record({ error_code: code, result: fc.jsonValue() }, { requiredKeys: [] }),
      fc.jsonValue(),
      fc.dictionary(fc.constantFrom('error_code', 'result', '__proto__', 'x'), fc.jsonValue()),
    ).map((value) => Buffer.from(JSON.stringify(value) ?? 'null', 'utf8'));
    const text = fc.oneof(reply, fc.constantFrom('{"__proto__":{"error_code":0},"result":1}', '{"error_code":0,"__proto__":1}', '[', '').map((t) => Buffer.from(t)));
    fc.assert(fc.property(text, (bytes) => {
      assert.deepEqual(outcome(bytes), reference(bytes));
    }), { numRuns: 1000 });
  });

  it('leaves out params that JSON.stringify leaves out, as it would', () => {
    const params = { toJSON: (): undefined => undefined };
    assert.deepEqual(encodeRequest({ method: 'm', params }, 'u', 5), reference('m', params, 5, 'u'));
    assert.equal(encodeRequest({ method: 'm', params }, 'u', 5).toString(), '{"method":"m","request_time_milis":5,"terminal_uuid":"u"}');
  });
});
