'use strict';
// The whole mocha suite within its time budget (npm test on a clean clone
// under 4 minutes on two cores): test files that share nothing fixed run
// side by side in a few mocha processes, with the heavy or time-keeping ones
// (APART) one after another in a lane of their own beside them, then the few
// that must have the machine to themselves (SERIAL) one after another. Every
// dist/test/**/*.test.js is picked up; a new file runs side by side unless
// it is listed below. Prints the ten slowest tests and hooks of the whole
// run and a closing "tests: N passed, N failed" line.
//
// Why not mocha --parallel: its worker pool kills a worker that takes more
// than a second to exit, and with it the c8 coverage that the worker writes
// on exit (under load, most of it was lost). Here each mocha process ends by
// itself. Why not one process per file: starting mocha (and Node-RED for the
// node tests) ~60 times costs more than it saves.
//
//   node scripts/run-tests.js                     (npm test runs it under c8 after lint and build)
//   KASA_TEST_JOBS=1 node scripts/run-tests.js    (one mocha process at a time)
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const testRoot = path.join(root, 'dist', 'test');

/**
 * Files (paths under test/, a trailing / for a folder) that must not run
 * beside any other test, and why: they run last, one after another. None
 * today: the KLAP node test binds the fixed discovery port UDP 20002 on an
 * address of its own (127.0.22.1), which no other test probes.
 */
const SERIAL = [];

/**
 * Files that share nothing fixed with other tests but are heavy or keep to
 * time windows, so that two of them must not meet: they run one after
 * another in a lane of their own, beside the side-by-side lanes (which are
 * one fewer for it), the longest first; that lane then joins the others. Everything else runs side by side,
 * the live captures of test/wireshark too: each tshark captures on lo with a
 * BPF filter naming only its own ephemeral ports (the device's and its
 * sentinel socket's), so no other test's traffic gets into its file; and
 * tplink-smartplug -b in network namespaces of its own (kasa-<pid>-<n>
 * names, a broadcast domain no other test is in).
 */
const APART = [
  ['e2e/', 'a real browser against the demo: heavy'],
  ['lan/', 'network namespaces; the scanner test counts a device offline after two 250 ms sweeps without its reply'],
  ['soak/', 'polls and switches on a 1 s clock; the hostile soak holds admin latency and recovery to deadlines'],
];

// Two cores: most files wait on sockets, timers and child processes, so a
// few more processes than cores keep both busy.
const JOBS = Number(process.env.KASA_TEST_JOBS) || os.availableParallelism() + 2;
// How long a mocha process may stay after the end of its run (closing what its tests opened, writing coverage).
const EXIT_GRACE_MS = 60_000;
// Each file's duration in the last run, to start the longest first next time;
// a clean clone has none yet and starts from the committed snapshot (refresh
// it with `cp dist/.test-durations.json scripts/test-durations.json`).
const DURATIONS = path.join(root, 'dist', '.test-durations.json');
const DURATIONS_SNAPSHOT = path.join(__dirname, 'test-durations.json');

function testFiles() {
  if (!fs.existsSync(testRoot)) throw new Error('dist/test is missing: run npm run build first');
  return fs.readdirSync(testRoot, { recursive: true })
    .filter((name) => name.endsWith('.test.js'))
    .map((name) => name.split(path.sep).join('/'))
    .sort();
}

function listedIn(list) {
  return (file) => list.some(([prefix]) => (prefix.endsWith('/') ? file.startsWith(prefix) : file === prefix));
}

/** Longest first (last run's durations; a file not in them weighs as the median one), so no long file starts last. */
function longestFirst(files) {
  const source = [DURATIONS, DURATIONS_SNAPSHOT].find((file) => fs.existsSync(file));
  const known = source ? JSON.parse(fs.readFileSync(source, 'utf8')) : {};
  const times = Object.values(known).sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  // Without any durations, the biggest files first.
  const weight = (f) => known[f] ?? median ?? fs.statSync(path.join(testRoot, f)).size;
  return files.map((f) => ({ file: f, weight: weight(f) })).sort((a, b) => b.weight - a.weight);
}

/**
 * The next batch for a lane that is free: from the front of the longest-first
 * queue, files adding up to the weight left shared among the lanes twice
 * over, and to no less than a small share of the whole. Batches shrink as the
 * queue does, so that the lanes end close together (equal batches left one
 * lane running the last one alone for half a minute), while small files
 * still share a mocha start.
 */
function takeBatch(queue, lanes, total) {
  const left = queue.reduce((sum, f) => sum + f.weight, 0);
  const target = Math.max(left / (lanes * 2), total / (lanes * 16));
  const batch = [queue.shift()];
  let weight = batch[0].weight;
  while (queue.length > 0 && weight + queue[0].weight <= target) {
    const next = queue.shift();
    batch.push(next);
    weight += next.weight;
  }
  return batch.map((f) => f.file);
}

/**
 * Runs mocha on some files; its output is printed whole when it ends (`live`:
 * as it comes). A mocha that has reported the end of its run (the timings
 * file appears) but is still there after EXIT_GRACE_MS is held open by
 * something a test left behind: it is killed and fails, rather than hold the
 * whole suite for good.
 */
function runFiles(files, timingsDir, live) {
  const started = Date.now();
  const args = [require.resolve('mocha/bin/mocha.js'), ...(process.stdout.isTTY ? ['--color'] : []), ...files.map((f) => path.join(testRoot, f))];
  const timings = path.join(timingsDir, `${process.hrtime.bigint()}.jsonl`);
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, KASA_TEST_TIMINGS: timings }, stdio: ['ignore', live ? 'inherit' : 'pipe', live ? 'inherit' : 'pipe'] });
  const output = [];
  child.stdout?.on('data', (chunk) => output.push(chunk));
  child.stderr?.on('data', (chunk) => output.push(chunk));
  let ranAt;
  let heldOpen = false;
  const watch = setInterval(() => {
    ranAt ??= fs.existsSync(timings) ? Date.now() : undefined;
    if (ranAt !== undefined && Date.now() - ranAt > EXIT_GRACE_MS) {
      heldOpen = true;
      child.kill('SIGKILL');
    }
  }, 1000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearInterval(watch);
      if (heldOpen) output.push(Buffer.from(`\nmocha ended its run but did not exit within ${EXIT_GRACE_MS / 1000} s: a test left a socket, timer or child open (${files.join(' ')})\n`));
      if (!live || heldOpen) process.stdout.write(Buffer.concat(output));
      resolve({ files, timings, ok: code === 0 && !signal, ms: Date.now() - started });
    });
  });
}

/** The side-by-side files, longest first, shared by the lanes: each free lane takes its next batch (takeBatch). */
function sideBySideQueue(files, lanes, timingsDir) {
  const queue = longestFirst(files);
  const total = queue.reduce((sum, f) => sum + f.weight, 0);
  return {
    async drain(results) {
      while (queue.length > 0) results.push(await runFiles(takeBatch(queue, lanes, total), timingsDir, false));
    },
  };
}

/** One file after another; output printed as it comes (`live`) or whole as each file ends. */
async function runOneByOne(files, timingsDir, live) {
  const results = [];
  for (const file of files) results.push(await runFiles([file], timingsDir, live));
  return results;
}

/** What the reporter wrote for one mocha process: durations of tests and hooks, then its counts (missing if mocha died first). */
function recordsOf(timings) {
  const lines = fs.existsSync(timings) ? fs.readFileSync(timings, 'utf8').split('\n').filter(Boolean) : [];
  return lines.map((line) => JSON.parse(line));
}

/** Each file's duration, for the order of the next run: the sum of its tests and hooks. */
function saveDurations(timings) {
  const byFile = {};
  for (const t of timings) byFile[t.file] = (byFile[t.file] ?? 0) + t.ms;
  const known = Object.fromEntries(Object.entries(byFile).map(([file, ms]) => [file.replace(/^test\//, ''), ms]));
  fs.writeFileSync(DURATIONS, JSON.stringify(known, null, 1));
}

async function main() {
  const files = testFiles();
  const serial = files.filter(listedIn(SERIAL));
  const apart = longestFirst(files.filter(listedIn(APART))).map((f) => f.file);
  const sideBySide = files.filter((f) => !serial.includes(f) && !apart.includes(f));
  // KASA_TEST_JOBS=1: the APART files after the others, not beside them.
  const together = JOBS > 1 && apart.length > 0;
  const lanes = together ? JOBS - 1 : JOBS;
  const timingsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kasa-test-timings-'));
  try {
    process.stdout.write(`${sideBySide.length} test files side by side in ${lanes} lanes, ${apart.length} one by one ${together ? 'beside them' : 'after them'}, then ${serial.length} alone\n`);
    const started = Date.now();
    const queue = sideBySideQueue(sideBySide, lanes, timingsDir);
    const results = [];
    let apartMs = 0;
    // The APART lane, once through its files, takes side-by-side batches like the others.
    const apartLane = async () => {
      results.push(...await runOneByOne(apart, timingsDir, false));
      apartMs = Date.now() - started;
      await queue.drain(results);
    };
    const sideLanes = () => Array.from({ length: lanes }, () => queue.drain(results));
    if (together) await Promise.all([apartLane(), ...sideLanes()]);
    else await Promise.all(sideLanes()).then(apartLane);
    const sideBySideMs = Date.now() - started;
    results.push(...await runOneByOne(serial, timingsDir, true));
    report(results, { sideBySideMs, apartMs, aloneMs: Date.now() - started - sideBySideMs });
    return results.every((r) => r.ok) ? 0 : 1;
  } finally {
    fs.rmSync(timingsDir, { recursive: true, force: true });
  }
}

function report(results, { sideBySideMs, apartMs, aloneMs }) {
  const { slowestLines } = require(path.join(testRoot, 'support', 'timing-reporter.js'));
  const timings = [];
  const totals = { passes: 0, failures: 0, pending: 0 };
  for (const { timings: file, ok } of results) {
    const records = recordsOf(file);
    const stats = records.find((r) => r.stats)?.stats;
    timings.push(...records.filter((r) => r.ms !== undefined));
    if (!stats) {
      totals.failures += ok ? 0 : 1; // mocha ended before reporting: counted as one failure
      continue;
    }
    totals.passes += stats.passes;
    totals.failures += stats.failures || (ok ? 0 : 1); // a mocha killed for not exiting counts as one
    totals.pending += stats.pending;
  }
  saveDurations(timings);
  const failedFiles = results.filter((r) => !r.ok).map((r) => `  ${r.files.map((f) => `test/${f}`).join(' ')}`);
  const out = [
    '',
    `mocha: ${(sideBySideMs / 1000).toFixed(1)} s side by side (the one-by-one files done at ${(apartMs / 1000).toFixed(1)} s), ${(aloneMs / 1000).toFixed(1)} s alone`,
    'ten slowest tests and hooks:',
    ...slowestLines(timings, 10).map((line) => `  ${line}`),
    ...(failedFiles.length > 0 ? ['', 'failed:', ...failedFiles] : []),
    '',
    `tests: ${totals.passes} passed, ${totals.failures} failed${totals.pending ? `, ${totals.pending} skipped` : ''}`,
    '',
  ];
  process.stdout.write(out.join('\n'));
}

main().then((code) => {
  process.exitCode = code;
}, (error) => {
  process.stderr.write(`run-tests: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
