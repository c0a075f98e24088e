import { strict as assert } from 'assert';
import fc from 'fast-check';
import { DEFAULT_MAX_DEPTH, JsonShapeError, nestingDepth, parseBoundedJson } from '../../lib/json';

/** The depth as a recursive walk of the parsed value sees it: the reference for the text scan. */
function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (typeof value === 'object' && value !== null) return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

function nested(levels: number, inner = '1'): string {
  return '{"a":'.repeat(levels) + inner + '}'.repeat(levels);
}

describe('bounded JSON', () => {
  it('counts the nesting of any JSON text as a walk of the parsed value does', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
      const text = JSON.stringify(value);
      assert.equal(nestingDepth(text), depthOf(JSON.parse(text)));
    }), { numRuns: 500 });
  });

  it('ignores brackets, quotes and backslashes inside strings', () => {
    assert.equal(nestingDepth(JSON.stringify({ a: '[[{{"\\', b: ['}]'] })), 2);
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a') }), (s) => {
      assert.equal(nestingDepth(JSON.stringify([s])), 1);
    }));
  });

  it(`accepts ${DEFAULT_MAX_DEPTH} levels and refuses one more`, () => {
    assert.deepEqual(parseBoundedJson(nested(DEFAULT_MAX_DEPTH)) !== undefined, true);
    assert.throws(() => parseBoundedJson(nested(DEFAULT_MAX_DEPTH + 1)), /nests deeper than 32 levels/);
  });

  it('refuses a value nested 100,000 levels deep without recursing', () => {
    const text = nested(100_000);
    assert.throws(() => parseBoundedJson(text), (error: unknown) => error instanceof JsonShapeError && /nests deeper/.test(error.message));
    assert.throws(() => parseBoundedJson('['.repeat(100_000)), /nests deeper/);
  });

  it('refuses text over the size limit before parsing it', () => {
    assert.throws(() => parseBoundedJson(`"${'x'.repeat(100)}"`, { maxBytes: 50 }), /more than the limit of 50/);
    assert.equal(parseBoundedJson(`"${'x'.repeat(40)}"`, { maxBytes: 50 }), 'x'.repeat(40));
  });

  it('names text that is not JSON, quoting its start', () => {
    assert.throws(() => parseBoundedJson('HTTP/1.1 400 Bad Request\r\n'), /reply is not JSON: "HTTP\/1.1 400 Bad Request\\r\\n"/);
    assert.throws(() => parseBoundedJson(''), /not JSON/);
    assert.throws(() => parseBoundedJson('{"a":1'), /not JSON/);
  });

  it('drops __proto__ keys, however spelled: Node-RED\'s message cloning would make them prototypes', () => {
    for (const text of ['{"__proto__":{"polluted":1},"a":{"__proto__":2,"b":3}}', '{"\\u005f_proto__":{"polluted":1},"a":{"__pro\\u0074o__":2,"b":3}}']) {
      const value = parseBoundedJson(text) as Record<string, unknown>;
      assert.equal(Object.getPrototypeOf(value), Object.prototype);
      assert.deepEqual(Object.keys(value), ['a'], text);
      assert.deepEqual(value.a, { b: 3 });
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    }
    assert.deepEqual(parseBoundedJson('{"alias":"caf\\u00e9"}'), { alias: 'café' });
  });

  it('never throws anything but a JsonShapeError, whatever the text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => {
      try {
        parseBoundedJson(text, { maxDepth: 4 });
      } catch (error) {
        assert.ok(error instanceof JsonShapeError, String(error));
      }
    }), { numRuns: 2000 });
  });
});
