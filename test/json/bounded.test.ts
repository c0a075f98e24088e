import { strict as assert } from 'assert';
import fc from 'fast-check';
import { DEFAULT_MAX_DEPTH, JsonShapeError, nestingDepth, parseBoundedJson } from '../../lib/json';
import { fewOpeners } from '../../lib/json/bounded';

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

  it('takes the few-openers shortcut only when it cannot change the answer', () => {
    // Exactly at the limit, every opener nests: the shortcut accepts, one more level is refused.
    assert.equal(fewOpeners(nested(DEFAULT_MAX_DEPTH), DEFAULT_MAX_DEPTH), true);
    assert.equal(fewOpeners(nested(DEFAULT_MAX_DEPTH + 1), DEFAULT_MAX_DEPTH), false);
    assert.throws(() => parseBoundedJson(`[${nested(DEFAULT_MAX_DEPTH)}]`), /nests deeper than 32 levels/);
    // Openers inside strings count for the shortcut but not for the depth: the full scan decides.
    const inStrings = JSON.stringify({ a: '{'.repeat(40), b: ['[', '"[', '\\[', '\\"{'.repeat(10)] });
    assert.equal(fewOpeners(inStrings, DEFAULT_MAX_DEPTH), false);
    assert.deepEqual(parseBoundedJson(inStrings), JSON.parse(inStrings));
    // Many openers side by side, none deep.
    const wide = JSON.stringify(Array.from({ length: 50 }, () => [{}]));
    assert.equal(fewOpeners(wide, DEFAULT_MAX_DEPTH), false);
    assert.equal((parseBoundedJson(wide) as unknown[]).length, 50);
    // Escaped quotes must not end a string early: here the brackets after them are still inside it.
    const escapes = `{"a":"\\\\\\"${'['.repeat(40)}","b":${nested(31)}}`;
    assert.deepEqual(parseBoundedJson(escapes), JSON.parse(escapes));
    assert.throws(() => parseBoundedJson(`{"a":"\\\\\\"${'['.repeat(40)}","b":${nested(32)}}`), /nests deeper/);
  });

  it('accepts exactly the texts whose parsed depth is within the limit, shortcut or not', () => {
    const bracketText = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a'), maxLength: 12 });
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, bracketText, fc.integer(), tie('array'), tie('object')),
      array: fc.array(tie('node'), { maxLength: 3 }),
      object: fc.dictionary(bracketText, tie('node'), { maxKeys: 3 }),
    })).node;
    fc.assert(fc.property(value, fc.integer({ min: 0, max: 12 }), (parsed, limit) => {
      const text = JSON.stringify(parsed);
      const within = depthOf(parsed) <= limit;
      if (within) assert.deepEqual(parseBoundedJson(text, { maxDepth: limit }), JSON.parse(text));
      else assert.throws(() => parseBoundedJson(text, { maxDepth: limit }), /nests deeper/);
    }), { numRuns: 1000 });
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
