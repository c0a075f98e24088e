/**
 * The pure parts of the Node-RED 5 compatibility check: they decide PASS or
 * FAIL, so they are tested here, in `npm test`, without installing anything.
 */
import { strict as assert } from 'assert';
import { allPassed, formatSummary, logProblems, nodeSetProblems, parseMochaSummary, startupVersions, NODE_TYPES, PACKAGE_NAME } from '../../scripts/compat/report';

describe('compat report', () => {
  it('reads the counts of mocha\'s spec reporter', () => {
    assert.deepEqual(parseMochaSummary('  ✔ a\n\n  41 passing (8s)\n'), { passing: 41, failing: 0, pending: 0 });
    assert.deepEqual(parseMochaSummary('  39 passing (9s)\n  1 pending\n  2 failing\n\n  1) x\n'), { passing: 39, failing: 2, pending: 1 });
    assert.deepEqual(parseMochaSummary('  0 passing (1ms)\n  3 failing\n'), { passing: 0, failing: 3, pending: 0 });
    assert.equal(parseMochaSummary('Error: Cannot find module'), undefined);
    // A test title that says "passing" is not the summary.
    assert.equal(parseMochaSummary('    ✔ keeps 3 passing cars apart\n'), undefined);
  });

  it('finds errors and warnings in a Node-RED log', () => {
    const log = [
      '25 Nov 15:04:21 - [info] Node-RED version: v5.0.7',
      '25 Nov 15:04:21 - [info] Node.js  version: v22.23.3',
      '25 Nov 15:04:22 - [warn] [tplink-plug:plug] something odd',
      '25 Nov 15:04:23 - [error] [tplink-config:cfg] failed',
      '[red] Uncaught Exception:',
      '25 Nov 15:04:24 - [info] [debug:out] an [error] in a payload is not a log error',
    ].join('\n');
    const { errors, warnings } = logProblems(log);
    assert.equal(errors.length, 2);
    assert.match(errors[0], /\[error\] \[tplink-config:cfg\]/);
    assert.match(errors[1], /Uncaught Exception/);
    assert.equal(warnings.length, 1);
    assert.deepEqual(startupVersions(log), { nodeRed: '5.0.7', node: 'v22.23.3' });
    assert.deepEqual(logProblems('25 Nov 15:04:21 - [info] Started flows\n'), { errors: [], warnings: [] });
  });

  it('checks the package\'s node sets in GET /nodes', () => {
    const set = (types: string[], extra: object = {}): object => ({ module: PACKAGE_NAME, types, enabled: true, ...extra });
    const good = [{ module: 'node-red', types: ['inject'], enabled: true }, ...NODE_TYPES.map((t) => set([t]))];
    assert.deepEqual(nodeSetProblems(good), []);
    assert.deepEqual(nodeSetProblems(good.slice(0, 3)), ['tplink-plug is not listed', 'tplink-tddp is not listed']);
    assert.deepEqual(nodeSetProblems([set(NODE_TYPES.slice(0, 2)), set(['tplink-plug'], { enabled: false }), set(['tplink-tddp'], { err: 'Cannot find module' })]), [
      'tplink-plug is not enabled',
      'tplink-tddp failed to load: Cannot find module',
    ]);
    assert.deepEqual(nodeSetProblems([{ module: 'node-red', types: ['inject'] }]), [`no node set of ${PACKAGE_NAME} is listed`]);
    assert.match(nodeSetProblems({ error: 'unauthorized' })[0], /did not answer a list/);
  });

  it('passes only when there are checks and all passed', () => {
    const ok = { name: 'a', ok: true, detail: '1 passing' };
    const bad = { name: 'b', ok: false, detail: 'relay still off' };
    assert.equal(allPassed([ok]), true);
    assert.equal(allPassed([ok, bad]), false);
    assert.equal(allPassed([]), false);
    const text = formatSummary('T', { 'node -v': 'v22.23.3' }, [ok, bad]);
    assert.match(text, /node -v: v22\.23\.3/);
    assert.match(text, /PASS {2}a — 1 passing/);
    assert.match(text, /FAIL {2}b — relay still off/);
    assert.match(text.split('\n').pop() ?? '', /^FAIL: 1 of 2 checks failed$/);
    assert.match(formatSummary('T', {}, [ok]).split('\n').pop() ?? '', /^PASS: 1 of 1 checks passed$/);
  });
});
