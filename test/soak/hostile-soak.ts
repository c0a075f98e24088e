/**
 * The hostile-device soak (issue 15), in a real Node-RED process started
 * the way a user runs it (the package installed in a userDir, flows deployed
 * over the admin API), not the test helper: one device per hostile mode,
 * plus one that behaves but falls silent for a while. Every device has a
 * plug node polling every second and an inject every 0.5 s toggling it.
 * Measured from outside the runtime: that it stays up, the admin API's
 * latency, the runtime's RSS and open file descriptors (start, peak, end),
 * what reached the Catch node per mode and how late, and how long the
 * silent device's node took to show it again once it answered.
 *
 * Catch and Status nodes write what they see to files in the userDir
 * (core function and file nodes), read back here. Everything is on loopback.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HOSTILE_MODES, startHostileDevice, type HostileMode, type RunningHostileDevice } from '../../lib/simulator';
import { repoRoot, runnable } from '../support/repo';
import { letTimePass } from '../support/wait';

export interface HostileSoakOptions {
  durationMs: number;
  /** When the recovery device falls silent (ms after the start) and for how long. */
  silenceAtMs: number;
  silenceMs: number;
  progress?: (line: string) => void;
}

export interface ModeReport {
  mode: HostileMode;
  /** Errors that reached the Catch node from this device's plug node. */
  caught: number;
  /** A sample of what they said (the first distinct messages). */
  messages: string[];
  /** The longest time from an inject to its Catch report, ms. */
  slowestReportMs: number;
}

export interface Sample {
  start: number;
  peak: number;
  end: number;
}

export interface HostileSoakReport {
  seconds: number;
  nodeRedVersion: string;
  /** False if the runtime exited or the admin API stopped answering. */
  upThroughout: boolean;
  adminRequests: number;
  adminFailures: number;
  adminSlowestMs: number;
  adminMedianMs: number;
  rssMB: Sample;
  openFds: Sample;
  modes: ModeReport[];
  /** From the silent device answering again to its plug node's status leaving red, ms (undefined: never). */
  recoveryMs: number | undefined;
  /** The runtime's own log lines that mention an uncaught exception or a crash. */
  crashLines: string[];
}

/** Every mode that is not 'none'; the recovery device is a healthy one that is silenced for a while. */
const SOAK_MODES = HOSTILE_MODES.filter((m) => m !== 'none');
const RECOVERY = 'recovery';

interface Runtime {
  child: ChildProcess;
  port: number;
  version: string;
  log: string[];
}

function writeUserDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kasa-red-hostile-soak-'));
  fs.mkdirSync(path.join(dir, 'node_modules', '@kasa-red'), { recursive: true });
  fs.symlinkSync(repoRoot(), path.join(dir, 'node_modules', '@kasa-red', 'node-red-tplink-kasa'), 'dir');
  const settings = { uiPort: 0, httpAdminRoot: '/', credentialSecret: 'soak', flowFile: 'flows.json', logging: { console: { level: 'warn' } } };
  fs.writeFileSync(path.join(dir, 'settings.js'), `module.exports = ${JSON.stringify(settings)};\n`);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'soak', dependencies: { '@kasa-red/node-red-tplink-kasa': '*' } }));
  return dir;
}

function startRuntime(userDir: string): Promise<Runtime> {
  const script = runnable('test/nodes/support/runtime-process');
  const child = spawn(process.execPath, [script, userDir], { cwd: repoRoot(), stdio: ['pipe', 'pipe', 'pipe'] });
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`Node-RED did not start within 30 s\n${log.join('')}`));
    }, 30_000);
    child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      log.push(text);
      out += text;
      const line = out.split('\n').find((l) => l.startsWith('{"port"'));
      if (!line || out === '') return;
      out = '';
      clearTimeout(timer);
      const { port, version } = JSON.parse(line) as { port: number; version: string };
      resolve({ child, port, version, log });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Node-RED exited with ${code}\n${log.join('')}`));
    });
  });
}

async function admin(runtime: Runtime, method: string, url: string, body?: unknown): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const headers: Record<string, string> = { accept: 'application/json', 'Node-RED-Deployment-Type': 'full' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`http://127.0.0.1:${runtime.port}${url}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(5000),
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

/** One tab per device: config, polling plug (two wires, so Node-RED clones what it sends), an inject every 0.5 s. */
function soakFlow(devices: Map<string, RunningHostileDevice>, userDir: string): object[] {
  const flow: object[] = [{ id: 'soak', type: 'tab', label: 'hostile soak' }];
  for (const [name, device] of devices) {
    flow.push(
      { id: `cfg-${name}`, type: 'tplink-config', name, host: device.host, port: device.port, transport: 'tcp', timeout: 1 },
      { id: `plug-${name}`, type: 'tplink-plug', z: 'soak', name, device: `cfg-${name}`, outlet: '', interval: 1, allowAdmin: false, wires: [[`sink1-${name}`, `sink2-${name}`]] },
      { id: `sink1-${name}`, type: 'function', z: 'soak', func: 'return null;', outputs: 0 },
      { id: `sink2-${name}`, type: 'function', z: 'soak', func: 'return null;', outputs: 0 },
      {
        id: `inject-${name}`, type: 'inject', z: 'soak', repeat: '0.5', once: true, onceDelay: 0.5,
        props: [{ p: 'payload' }, { p: 'command', v: 'toggle', vt: 'str' }], payload: '', payloadType: 'date', wires: [[`plug-${name}`]],
      },
    );
  }
  const line = (fields: string): string => `msg.payload = JSON.stringify({ ${fields}, at: Date.now() }); return msg;`;
  flow.push(
    // Ids apart from type names: Node-RED 4 takes a node whose id is 'catch' for a circular config node.
    { id: 'soak-catch', type: 'catch', z: 'soak', scope: null, uncaught: false, wires: [['catch-line']] },
    { id: 'catch-line', type: 'function', z: 'soak', func: line("node: msg.error.source.name, message: String(msg.error.message), asked: typeof msg.payload === 'number' ? msg.payload : null"), outputs: 1, wires: [['catch-file']] },
    { id: 'catch-file', type: 'file', z: 'soak', filename: path.join(userDir, 'catch.jsonl'), filenameType: 'str', appendNewline: true, createDir: false, overwriteFile: 'false', encoding: 'utf8', wires: [] },
    { id: 'soak-status', type: 'status', z: 'soak', scope: [`plug-${RECOVERY}`], wires: [['status-line']] },
    { id: 'status-line', type: 'function', z: 'soak', func: line('fill: msg.status.fill, text: msg.status.text'), outputs: 1, wires: [['status-file']] },
    { id: 'status-file', type: 'file', z: 'soak', filename: path.join(userDir, 'status.jsonl'), filenameType: 'str', appendNewline: true, createDir: false, overwriteFile: 'false', encoding: 'utf8', wires: [] },
  );
  return flow;
}

/** RSS (MB) and open file descriptors of a process, from /proc. */
function processUsage(pid: number): { rssMB: number; fds: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return { rssMB: rssKb / 1024, fds: fs.readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined;
  }
}

function readLines<T>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

function sample(values: number[]): Sample {
  return { start: values[0] ?? NaN, peak: Math.max(...values), end: values[values.length - 1] ?? NaN };
}

export async function runHostileSoak(options: HostileSoakOptions): Promise<HostileSoakReport> {
  const log = options.progress ?? (() => undefined);
  const devices = new Map<string, RunningHostileDevice>();
  const userDir = writeUserDir();
  let runtime: Runtime | undefined;
  try {
    for (const mode of SOAK_MODES) devices.set(mode, await startHostileDevice({ mode, alias: `Soak ${mode}` }));
    devices.set(RECOVERY, await startHostileDevice({ mode: 'none', alias: 'Soak recovery' }));
    runtime = await startRuntime(userDir);
    let exited = false;
    runtime.child.once('exit', () => (exited = true));
    const deployed = await admin(runtime, 'POST', '/flows', soakFlow(devices, userDir));
    if (deployed.status >= 300) throw new Error(`deploy answered ${deployed.status}`);

    const rss: number[] = [];
    const fds: number[] = [];
    const latencies: number[] = [];
    let adminFailures = 0;
    let silenceEndedAt: number | undefined;
    const started = Date.now();
    const recovery = devices.get(RECOVERY) as RunningHostileDevice;
    for (let tick = 0; Date.now() - started < options.durationMs && !exited; tick++) {
      const elapsed = Date.now() - started;
      if (recovery.mode === 'none' && silenceEndedAt === undefined && elapsed >= options.silenceAtMs) {
        recovery.setMode('silent');
        log(`  ${Math.round(elapsed / 1000)} s: recovery device silent for ${options.silenceMs / 1000} s`);
      } else if (recovery.mode === 'silent' && elapsed >= options.silenceAtMs + options.silenceMs) {
        recovery.setMode('none');
        silenceEndedAt = Date.now();
        log(`  ${Math.round(elapsed / 1000)} s: recovery device answers again`);
      }
      try {
        const res = await admin(runtime, 'GET', '/flows');
        if (res.status !== 200) adminFailures++;
        latencies.push(res.ms);
      } catch {
        adminFailures++;
      }
      const usage = processUsage(runtime.child.pid ?? -1);
      if (usage) {
        rss.push(usage.rssMB);
        fds.push(usage.fds);
      }
      if (tick % 30 === 0) log(`  ${Math.round(elapsed / 1000)} s: rss ${usage?.rssMB.toFixed(1)} MB, ${usage?.fds} fds, admin ${latencies[latencies.length - 1]?.toFixed(0)} ms`);
      await letTimePass(1000, 'one sample a second');
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    const upThroughout = !exited && runtime.child.exitCode === null && adminFailures === 0;
    const caught = readLines<{ node: string; message: string; asked: number | null; at: number }>(path.join(userDir, 'catch.jsonl'));
    const statuses = readLines<{ fill: string; text: string; at: number }>(path.join(userDir, 'status.jsonl'));
    const recovered = silenceEndedAt === undefined ? undefined : statuses.find((s) => s.at >= (silenceEndedAt as number) && s.fill !== 'red' && s.fill !== 'yellow');
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      seconds,
      nodeRedVersion: runtime.version,
      upThroughout,
      adminRequests: latencies.length,
      adminFailures,
      adminSlowestMs: Math.round(sorted[sorted.length - 1] ?? NaN),
      adminMedianMs: Math.round(sorted[Math.floor(sorted.length / 2)] ?? NaN),
      rssMB: sample(rss),
      openFds: sample(fds),
      modes: SOAK_MODES.map((mode) => modeReport(mode, caught)),
      recoveryMs: recovered && silenceEndedAt !== undefined ? recovered.at - silenceEndedAt : undefined,
      crashLines: runtime.log.join('').split('\n').filter((l) => /uncaught|Maximum call stack|RangeError|TypeError/i.test(l)).slice(0, 10),
    };
  } finally {
    if (runtime && runtime.child.exitCode === null) {
      const child = runtime.child;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.stdin?.end();
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 8000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    for (const device of devices.values()) await device.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  }
}

function modeReport(mode: HostileMode, caught: Array<{ node: string; message: string; asked: number | null; at: number }>): ModeReport {
  const mine = caught.filter((c) => c.node === mode);
  const messages = [...new Set(mine.map((c) => c.message.replace(/127\.0\.0\.1:\d+: /, '')))].slice(0, 4);
  const slowest = Math.max(0, ...mine.filter((c) => c.asked !== null).map((c) => c.at - (c.asked as number)));
  return { mode, caught: mine.length, messages, slowestReportMs: slowest };
}

/** What must hold, as problems to print; empty when the soak passed. */
export function hostileSoakProblems(report: HostileSoakReport, options: HostileSoakOptions): string[] {
  const problems: string[] = [];
  if (!report.upThroughout) problems.push(`Node-RED was not up throughout (${report.adminFailures} admin requests failed)`);
  if (report.adminSlowestMs > 1000) problems.push(`the admin API took ${report.adminSlowestMs} ms`);
  for (const m of report.modes) {
    if (m.mode === 'large-valid') {
      if (m.caught > 0) problems.push(`large-valid: a valid 900 KiB reply was reported as an error: ${m.messages.join(' | ')}`);
    } else if (m.caught === 0) {
      problems.push(`${m.mode}: nothing reached the Catch node`);
    }
    // A message's deadline is the config's 1 s: its report may come a little after, never long after.
    if (m.slowestReportMs > 2500) problems.push(`${m.mode}: a Catch report came ${m.slowestReportMs} ms after its message`);
  }
  if (report.recoveryMs === undefined) problems.push('the silenced device never showed again');
  else if (report.recoveryMs > 2000) problems.push(`recovery after the ${options.silenceMs / 1000} s silence took ${report.recoveryMs} ms`);
  if (report.crashLines.length > 0) problems.push(`the runtime logged: ${report.crashLines.join(' | ')}`);
  if (report.openFds.end > report.openFds.start + 20) problems.push(`open FDs grew from ${report.openFds.start} to ${report.openFds.end}`);
  return problems;
}
