/**
 * The short soak inside `npm test` (the long one is `npm run soak`).
 */
import { strict as assert } from 'assert';
import { runDeployCycles, runPollingSoak } from './soak';

describe('soak (short run)', function () {
  this.timeout(60_000);

  it('20 plugs polled every second for 8 s with switches and outages: no missed change, nothing left open', async () => {
    const report = await runPollingSoak({
      devices: 20, durationMs: 8000, pollSeconds: 1, switchEveryMs: 3000, outageEveryMs: 8000, outageMs: [500, 1500], seed: 7,
    });
    assert.ok(report.switches > 10, `only ${report.switches} switches happened`);
    assert.deepEqual(report.missed, []);
    assert.equal(report.unexplained, 0);
    assert.deepEqual(report.leftoverHandles, {});
    assert.ok(report.heapAfterMB < report.heapBeforeMB + 8, `heap ${report.heapAfterMB} MB after, ${report.heapBeforeMB} MB before`);
  });

  it('10 deploy cycles of 20 polling plug nodes leave no socket or timer behind', async () => {
    const report = await runDeployCycles(10, 20);
    assert.deepEqual(report.leftoverHandles, {});
  });
});
