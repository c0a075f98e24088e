/**
 * Scale: 1000 simulated devices (one process) polled every 5 s by 1000
 * tplink-plug nodes in a real Node-RED runtime (another process). Measures
 * the Node-RED process alone from /proc: CPU as a share of one core over
 * the window, RSS (peak and end), and polls the devices missed.
 */
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sleep } from './measure';
import type { Figure } from './report';

export interface ScaleOptions {
  devices: number;
  pollSeconds: number;
  warmupMs: number;
  windowMs: number;
  log?: (line: string) => void;
}

const CLK_TCK = 100; // Linux USER_HZ

function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime
}

function rssMB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

function waitFor<T>(child: ChildProcess, cmd: string, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${cmd}' from child within ${ms} ms`)), ms);
    const onMessage = (m: { cmd?: string }): void => {
      if (m.cmd !== cmd) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m as T);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before '${cmd}'`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.disconnect();
    else child.kill();
  });
}

/** A userDir with the pack linked into node_modules, as `npm install` in ~/.node-red would leave it. */
function makeUserDir(devices: Array<{ host: string; port: number }>, pollSeconds: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kasa-scale-'));
  const root = path.resolve(__dirname, '..', '..');
  const scope = path.join(dir, 'node_modules', '@kasa-red');
  fs.mkdirSync(scope, { recursive: true });
  fs.symlinkSync(root, path.join(scope, 'node-red-tplink-kasa'), 'dir');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'scale-user-dir', version: '0.0.0', dependencies: { '@kasa-red/node-red-tplink-kasa': '*' } }));
  const flow: object[] = [{ id: 'tab', type: 'tab', label: 'scale' }];
  devices.forEach((d, i) => {
    flow.push({ id: `cfg${i}`, type: 'tplink-config', host: d.host, port: d.port, transport: 'tcp', timeout: 2 });
    flow.push({ id: `plug${i}`, type: 'tplink-plug', z: 'tab', device: `cfg${i}`, outlet: '', interval: pollSeconds, allowAdmin: false, wires: [] });
  });
  fs.writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flow));
  return dir;
}

export async function runScaleBench(options: ScaleOptions): Promise<Figure[]> {
  const log = options.log ?? (() => undefined);
  const fleet = fork(path.join(__dirname, 'fleet-process.js'), [String(options.devices)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let red: ChildProcess | undefined;
  let userDir: string | undefined;
  try {
    const ready = await waitFor<{ devices: Array<{ host: string; port: number }> }>(fleet, 'ready', 120_000);
    log(`  ${ready.devices.length} devices up`);
    userDir = makeUserDir(ready.devices, options.pollSeconds);
    red = fork(path.join(__dirname, 'node-red-process.js'), [userDir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await waitFor(red, 'ready', 120_000);
    const pid = red.pid as number;
    log(`  Node-RED running ${options.devices} polling plug nodes (pid ${pid}); warming up ${options.warmupMs / 1000} s`);
    await sleep(options.warmupMs);
    const from = Date.now();
    const cpu0 = cpuSeconds(pid);
    const fleetCpu0 = cpuSeconds(fleet.pid as number);
    let peak = 0;
    while (Date.now() - from < options.windowMs) {
      peak = Math.max(peak, rssMB(pid));
      await sleep(1000);
    }
    const to = Date.now();
    const wall = (to - from) / 1000;
    const cpuShare = (cpuSeconds(pid) - cpu0) / wall;
    const fleetShare = (cpuSeconds(fleet.pid as number) - fleetCpu0) / wall;
    const rssEnd = rssMB(pid);
    peak = Math.max(peak, rssEnd);
    fleet.send({ cmd: 'window', from, to, period: options.pollSeconds * 1000 });
    const window = await waitFor<{ missed: number; polls: number }>(fleet, 'window', 30_000);
    const expected = Math.floor((options.devices * (to - from)) / (options.pollSeconds * 1000));
    const detail = { devices: options.devices, pollSeconds: options.pollSeconds, windowSeconds: Math.round(wall), polls: window.polls, expectedPolls: expected, fleetProcessCpu: fleetShare, rssEndMB: rssEnd };
    return [
      { group: 'scale', name: `Node-RED CPU, ${options.devices} plugs polled every ${options.pollSeconds} s`, unit: '% of a core', ours: cpuShare * 100, better: 'lower', target: { max: 15 }, detail },
      { group: 'scale', name: 'Node-RED RSS (peak)', unit: 'MB', ours: peak, better: 'lower', target: { max: 250 }, detail },
      { group: 'scale', name: 'missed polls', unit: 'polls', ours: window.missed, better: 'lower', target: { max: 0 }, detail },
      { group: 'scale', name: 'polls answered in the window', unit: 'polls', ours: window.polls, better: 'higher', detail },
    ];
  } finally {
    if (red) await stop(red);
    await stop(fleet);
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  }
}
