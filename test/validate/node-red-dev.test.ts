/**
 * The node-red-dev scorecard. The online catalogue it fetches for the naming
 * checks is answered from a local empty catalogue (scripts/offline-catalogue.js);
 * every other check, including the npm registry look-ups, runs for real.
 *
 * test:one builds first: node-red-dev reads the node files package.json names, in dist/.
 */
import { strict as assert } from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from '../support/repo';

// P02 is disabled inside node-red-dev itself (it never writes a P02 entry).
const CHECKS = ['P01', 'P03', 'P04', 'P05', 'P06', 'P07', 'P08', 'N01', 'N02', 'D01', 'D02', 'D03'];

describe('node-red-dev validate', function () {
  this.timeout(180_000);

  it('passes every check of the scorecard', async () => {
    const root = repoRoot();
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nrdev-')), 'scorecard.json');
    const run = path.join(path.dirname(require.resolve('node-red-dev/package.json')), 'bin', 'run');
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['-r', path.join(root, 'scripts', 'offline-catalogue.js'), run, 'validate', '-o', out],
        { cwd: root, timeout: 170_000 }, (error, so, se) => (error ? reject(new Error(`${error.message}\n${so}\n${se}`)) : resolve(so)));
    });
    assert.doesNotMatch(stdout, /Unable to parse/, 'every node HTML file parses');
    const scorecard = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, { test?: boolean }>;
    const failed = CHECKS.filter((check) => scorecard[check]?.test !== true);
    assert.deepEqual(failed, [], `failed checks: ${JSON.stringify(scorecard, null, 1)}\n${stdout}`);
  });
});
