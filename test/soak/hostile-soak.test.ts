/**
 * The short hostile-device soak inside `npm test` (3 minutes in `npm run soak`):
 * one device per hostile mode against a real Node-RED process for 14 s, long
 * enough for every check of the long run to fail (a crash, a slow admin API,
 * a mode that never reaches Catch, no recovery after a 4 s silence, file
 * descriptors that grow with every poll and toggle).
 */
import { strict as assert } from 'assert';
import { hostileSoakProblems, runHostileSoak } from './hostile-soak';

describe('hostile-device soak in a real Node-RED (short run)', function () {
  this.timeout(90_000);

  it('one device per mode, polled every 1 s and toggled every 0.5 s for 14 s: up throughout, every mode at Catch, recovery after a silence', async () => {
    const options = { durationMs: 14_000, silenceAtMs: 4000, silenceMs: 4000 };
    const report = await runHostileSoak(options);
    console.log(`      admin ${report.adminMedianMs}/${report.adminSlowestMs} ms (median/slowest), rss ${report.rssMB.start.toFixed(0)}/${report.rssMB.peak.toFixed(0)}/${report.rssMB.end.toFixed(0)} MB, fds ${report.openFds.start}/${report.openFds.peak}/${report.openFds.end}, recovery ${report.recoveryMs} ms`);
    assert.deepEqual(hostileSoakProblems(report, options), []);
    assert.ok(report.adminRequests >= 10, `only ${report.adminRequests} admin requests`);
  });
});
