import { strict as assert } from 'assert';
import { JsonShapeError, parseBoundedJson, shape as s } from '../../lib/json';

const sysinfo = s.object({
  alias: s.string,
  relay_state: s.optional(s.bit),
  children: s.optional(s.arrayOf(s.object({ id: s.string, state: s.bit, alias: s.string }))),
});

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof JsonShapeError, `expected a JsonShapeError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('did not throw');
}

describe('JSON shape readers', () => {
  it('returns the declared fields, typed, and drops the others', () => {
    const read = s.read(sysinfo, { alias: 'Lamp', relay_state: 1, extra: { deep: true } }, 'sysinfo');
    assert.deepEqual(read, { alias: 'Lamp', relay_state: 1 });
  });

  it('says where and what was wrong', () => {
    assert.equal(problem(() => s.read(sysinfo, { alias: 'x', relay_state: 'on' }, 'sysinfo')),
      'sysinfo.relay_state should be 0 or 1, got "on"');
    assert.equal(problem(() => s.read(sysinfo, { alias: 'x', children: 'x' }, 'sysinfo')),
      'sysinfo.children should be an array, got "x"');
    assert.equal(problem(() => s.read(sysinfo, { alias: 'x', children: [{ id: 'a', state: 0, alias: '' }, { id: 7, state: 0, alias: '' }] }, 'sysinfo')),
      'sysinfo.children[1].id should be a string, got 7');
    assert.equal(problem(() => s.read(sysinfo, [], 'sysinfo')), 'sysinfo should be an object, got an array');
    assert.equal(problem(() => s.read(sysinfo, null, '')), 'reply should be an object, got null');
  });

  it('field reads an own property through its reader, inherited names as absent, and names its path', () => {
    assert.equal(s.field({ a: 3 }, '', 'a', s.integer), 3);
    assert.equal(s.field({ a: 3 }, 'reply', 'b', s.optional(s.integer)), undefined);
    assert.equal(s.field({}, '', 'toString', s.optional(s.string)), undefined);
    assert.equal(problem(() => s.read((v, p) => s.field(s.anyObject(v, p), p, 'a', s.integer), { a: 'x' }, 'reply')),
      'reply.a should be an integer, got "x"');
  });

  it('refuses numbers that are not finite, and strings for numbers', () => {
    const reading = s.object({ power: s.finiteNumber });
    assert.match(problem(() => s.read(reading, parseBoundedJson('{"power":1e309}'), 'realtime')), /realtime.power should be a finite number, got Infinity/);
    assert.match(problem(() => s.read(reading, { power: 'NaN' }, 'realtime')), /got "NaN"/);
    assert.deepEqual(s.read(reading, { power: 12.5 }), { power: 12.5 });
  });

  it('ranges, choices and integers', () => {
    assert.equal(s.integerIn(0, 100)(100, 'b'), 100);
    assert.match(problem(() => s.integerIn(0, 100)(101, 'b')), /b should be an integer from 0 to 100, got 101/);
    assert.match(problem(() => s.integerIn(0, 100)(1.5, 'b')), /got 1.5/);
    assert.equal(s.oneOf('a', 'b')('b', 'm'), 'b');
    assert.match(problem(() => s.oneOf('a', 'b')('c', 'm')), /m should be "a" or "b", got "c"/);
    assert.match(problem(() => s.integer(2 ** 60, 'n')), /should be an integer/);
  });

  it('optional, lenient, nullable and either', () => {
    assert.equal(s.optional(s.string)(undefined, 'x'), undefined);
    assert.match(problem(() => s.optional(s.string)(null, 'x')), /x should be a string, got null/);
    assert.equal(s.lenient(s.finiteNumber)('junk', 'x'), undefined);
    assert.equal(s.nullable(s.string)(null, 'x'), null);
    const idOrNumber = s.either(s.string, s.integer, 'an id');
    assert.equal(idOrNumber(3, 'id'), 3);
    assert.match(problem(() => idOrNumber(true, 'id')), /id should be an id, got true/);
  });

  it('limits array lengths', () => {
    assert.match(problem(() => s.arrayOf(s.integer, { maxLength: 2 })([1, 2, 3], 'list')), /list has 3 entries, more than the limit of 2/);
  });

  it('never lets a __proto__ key reach a prototype', () => {
    // JSON.parse itself (parseBoundedJson drops these keys): the readers must be safe on any value.
    const value: unknown = JSON.parse('{"__proto__":{"polluted":1},"a":{"__proto__":2}}');
    const numbers = s.recordOf(s.either(s.integer, s.anyObject, 'a number or object'))(value, 'm');
    assert.equal(Object.getPrototypeOf(numbers), Object.prototype);
    assert.ok(Object.prototype.hasOwnProperty.call(numbers, '__proto__'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const picked = s.object({ ['__proto__']: s.optional(s.anyObject) })(value, 'o');
    assert.equal(Object.getPrototypeOf(picked), Object.prototype);
    assert.deepEqual(Object.keys(picked), ['__proto__']);
  });

  it('objectKeeping checks the declared fields and keeps the others as they came', () => {
    const reader = s.objectKeeping({ relay_state: s.bit, alias: s.optional(s.string) });
    const read = reader(JSON.parse('{"relay_state":1,"rssi":-60,"next":{"a":[1]},"__proto__":{"x":1}}'), 'sysinfo');
    assert.deepEqual({ ...read }, { relay_state: 1, rssi: -60, next: { a: [1] }, ['__proto__']: { x: 1 } });
    assert.equal(Object.getPrototypeOf(read), Object.prototype);
    assert.equal(problem(() => reader({ relay_state: 'on' }, 'sysinfo')), 'sysinfo.relay_state should be 0 or 1, got "on"');
    assert.equal(problem(() => reader({ relay_state: 0, alias: 3 }, 'sysinfo')), 'sysinfo.alias should be a string, got 3');
  });
});
