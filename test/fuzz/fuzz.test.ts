/**
 * The short fuzz run inside `npm test`: every target for a few thousand
 * inputs with a fixed seed (the long run is `npm run fuzz`).
 */
import { strict as assert } from 'assert';
import { runTarget } from './runner';
import { TARGETS, type FuzzTarget } from './targets';
import { Rng } from './rng';

const SHORT_COUNT = 4000;
const SEED = 20240501;

describe('fuzz (short run)', function () {
  this.timeout(30_000);

  after(async () => {
    for (const target of TARGETS) await target.teardown?.();
  });

  for (const target of TARGETS) {
    it(`${target.name}: ${SHORT_COUNT} inputs without an exception out of the API`, async () => {
      const report = await runTarget(target, { count: SHORT_COUNT, seed: SEED, timeLimitMs: 10_000 });
      const first = report.firstFailures[0];
      assert.equal(report.failures, 0, first ? `input ${first.index} (${first.input.toString('hex').slice(0, 200)}):\n${first.error}` : '');
      assert.equal(report.inputs, SHORT_COUNT);
    });
  }

  it('the runner counts an exception as a failure and keeps the input', async () => {
    const throwing: FuzzTarget = {
      name: 'throws on a zero byte',
      generate: (rng) => ({ input: rng.bytes(4) }),
      check: ({ input }) => {
        if (input.includes(0)) throw new TypeError('boom');
      },
    };
    const report = await runTarget(throwing, { count: 2000, seed: 1, timeLimitMs: 5000 });
    assert.ok(report.failures > 0);
    assert.ok(report.firstFailures[0].input.includes(0));
  });

  it('the same seed generates the same inputs', () => {
    for (const target of TARGETS) {
      const a: string[] = [];
      const b: string[] = [];
      for (const out of [a, b]) {
        const rng = new Rng(42);
        for (let i = 0; i < 50; i++) out.push(target.generate(rng).input.toString('hex'));
      }
      assert.deepEqual(a, b, target.name);
    }
  });
});
