/**
 * Live captures on lo for the dissector tests, without fixed sleeps: tshark
 * prints a line per captured packet (-P), and UDP "sentinel" datagrams to a
 * port of our own tell when the capture filter is live and when every packet
 * sent before the closing sentinel has been written.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as dgram from 'dgram';
import type { AddressInfo } from 'net';
import { registerChild, stopCapture } from './tshark';

const SENTINEL = Buffer.from('kasa-capture-sentinel');

export interface LoopbackCaptureOptions {
  /** The pcapng to write. */
  file: string;
  /** BPF for the traffic under test, e.g. `tcp port 40123`; the sentinel port is added. */
  filter: string;
  /** Upper bound for each wait (capture live, capture drained). */
  timeoutMs?: number;
}

/** Runs `work` while tshark captures `filter` on lo into `file`; resolves with work's result once the file is closed. */
export async function captureOnLoopback<T>(options: LoopbackCaptureOptions, work: () => Promise<T>): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = (socket.address() as AddressInfo).port;
  const child = spawn('tshark', ['-i', 'lo', '-f', `(${options.filter}) or udp port ${port}`, '-w', options.file, '-P', '-l'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  registerChild(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const sentinelsSeen = (): number => stdout.split('\n').filter((line) => line.includes(`→ ${port} `) || line.includes(`-> ${port} `)).length;
  try {
    await sendUntil(socket, port, child, () => sentinelsSeen() > 0, timeoutMs, () => `capture did not start: ${stderr}`);
    const result = await work();
    const before = sentinelsSeen();
    await sendUntil(socket, port, child, () => sentinelsSeen() > before, timeoutMs, () => `capture did not drain: ${stderr}`);
    return result;
  } finally {
    await stopCapture(child);
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

/** Sends a sentinel every 50 ms until `done()` holds; rejects after `timeoutMs` or when tshark exits. */
function sendUntil(socket: dgram.Socket, port: number, child: ChildProcess, done: () => boolean, timeoutMs: number,
  why: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      if (done()) {
        resolve();
        return;
      }
      if (child.exitCode !== null || child.signalCode !== null || Date.now() - started > timeoutMs) {
        reject(new Error(why()));
        return;
      }
      socket.send(SENTINEL, port, '127.0.0.1');
      setTimeout(tick, 50);
    };
    tick();
  });
}
