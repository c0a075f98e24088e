/**
 * Runs the `npm start` demo (scripts/start.js) as a child process for a test:
 * a free port, a temporary user dir and a fleet on its own loopback /24, so
 * that it does not clash with a running `npm start` (127.0.0.x) or another
 * test run. Killed by stop(), which after() hooks call even on failure.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from '../../support/repo';

export interface DemoInfo {
  editor: string;
  dashboard: string;
  port: number;
  userDir: string;
  logFile: string;
  discoveryAddress: string;
  fleet: Array<{ host: string; port: number; model: string; alias: string }>;
}

export interface RunningDemo {
  info: DemoInfo;
  fleetBase: string;
  /** Everything the demo printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

const READY = 'KASA_DEMO_READY ';
const START_TIMEOUT_MS = 45_000;

export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A loopback /24 of its own: 127.<100-199>.<1-254>. */
export function randomFleetBase(): string {
  return `127.${100 + Math.floor(Math.random() * 100)}.${1 + Math.floor(Math.random() * 254)}.`;
}

export async function startDemo(): Promise<RunningDemo> {
  const root = repoRoot();
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kasa-demo-'));
  const fleetBase = randomFleetBase();
  const port = await freeTcpPort();
  const child: ChildProcess = spawn(process.execPath, [
    path.join(root, 'scripts', 'start.js'),
    '--port', String(port), '--user-dir', userDir, '--fleet-base', fleetBase, '--tddp-reply-port', '0',
  ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  };
  try {
    const info = await new Promise<DemoInfo>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the demo did not print ${READY.trim()} within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
        const line = output.split('\n').find((l) => l.startsWith(READY));
        if (line && output.slice(output.indexOf(line)).includes('\n')) {
          clearTimeout(timer);
          resolve(JSON.parse(line.slice(READY.length)) as DemoInfo);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`the demo exited (${child.exitCode ?? child.signalCode}) before it was ready`));
      });
    });
    return { info, fleetBase, output: () => output, stop };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- demo output ---\n${output}`);
  }
}
