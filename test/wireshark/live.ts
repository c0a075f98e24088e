/**
 * Live captures on lo for the dissector tests, without fixed sleeps: tshark
 * prints a line per captured packet (-P), and UDP "sentinel" datagrams to a
 * port of our own tell when the capture filter is live and when every packet
 * sent before the closing sentinel has been written. The two kinds differ in
 * length: under load tshark prints late, and a start sentinel still on its
 * way when the work ended once passed for the closing one, so the capture
 * stopped before the last exchange was written.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as dgram from 'dgram';
import type { AddressInfo } from 'net';
import { registerChild, stopCapture } from './tshark';

/** Sent until the capture shows one: the filter is live. */
const LIVE_SENTINEL = Buffer.from('kasa-capture-live');
/** Sent after the work until the capture shows one: everything sent before it is in the file. */
const DRAINED_SENTINEL = Buffer.from('kasa-capture-drained-sentinel');

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
  // A UDP summary line ends its Info column with "<source port> → <port> Len=<payload length>".
  const seen = (sentinel: Buffer): boolean => new RegExp(`(→|->) ${port} Len=${sentinel.length}\\b`).test(stdout);
  try {
    await sendUntil(socket, port, LIVE_SENTINEL, child, () => seen(LIVE_SENTINEL), timeoutMs, () => `capture did not start: ${stderr}`);
    const result = await work();
    await sendUntil(socket, port, DRAINED_SENTINEL, child, () => seen(DRAINED_SENTINEL), timeoutMs, () => `capture did not drain: ${stderr}`);
    return result;
  } finally {
    await stopCapture(child);
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

/** Sends `sentinel` every 50 ms until `done()` holds; rejects after `timeoutMs` or when tshark exits. */
function sendUntil(socket: dgram.Socket, port: number, sentinel: Buffer, child: ChildProcess, done: () => boolean, timeoutMs: number,
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
      socket.send(sentinel, port, '127.0.0.1');
      setTimeout(tick, 50);
    };
    tick();
  });
}
