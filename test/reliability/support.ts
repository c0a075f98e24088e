/**
 * Helpers for the fault tests: a log of what the simulated device actually
 * received, a bound on how long a promise may stay unsettled, and a count
 * of open sockets and timers.
 */
import * as dgram from 'dgram';
import type { RunningDevice } from '../../lib/simulator';
import { waitFor } from '../support/wait';

export interface RequestLog {
  /** Every request the device handled, in order. */
  readonly requests: Array<Record<string, unknown>>;
  /** How many handled requests carried `module.method`. */
  count(module: string, method: string): number;
}

/** Wraps the device's request handler (the one every transport reaches) to record requests. */
export function recordRequests(running: RunningDevice): RequestLog {
  const requests: Array<Record<string, unknown>> = [];
  const device = running.device;
  const original = device.handle.bind(device);
  device.handle = (request: object) => {
    requests.push(request as Record<string, unknown>);
    return original(request);
  };
  return {
    requests,
    count: (module, method) => requests.filter((r) => {
      const m = r[module];
      return typeof m === 'object' && m !== null && method in m;
    }).length,
  };
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Resolves to how `promise` settled; fails if it is still pending after `ms` (a lost command). */
export function settleWithin<T>(promise: Promise<T>, ms: number, what = 'request'): Promise<Settled<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} neither resolved nor rejected within ${ms} ms`)), ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve({ ok: true, value }); },
      (error: unknown) => { clearTimeout(timer); resolve({ ok: false, error }); },
    );
  });
}

/** Kinds of handles that a leak would show: sockets, servers, timers. */
const WATCHED = new Set(['TCPSocketWrap', 'TCPServerWrap', 'TCPWRAP', 'UDPWRAP', 'Timeout', 'PipeWrap']);

export function openHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (WATCHED.has(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/** Waits (bounded) until the watched handles are no more than `baseline`; returns what is left over (the caller asserts on it). */
export async function handlesBackTo(baseline: Record<string, number>, ms = 2000): Promise<Record<string, number>> {
  const extra = (): Record<string, number> => {
    const left: Record<string, number> = {};
    for (const [kind, n] of Object.entries(openHandles())) if (n > (baseline[kind] ?? 0)) left[kind] = n - (baseline[kind] ?? 0);
    return left;
  };
  // What the last check saw: counting again after the wait would also count the timer mocha starts for the calling hook.
  let left = extra();
  await waitFor('handles back to the baseline', () => Object.keys(left = extra()).length === 0, ms).catch(() => undefined);
  return left;
}

/** Open TCP sockets of this process, both ends of a loopback connection counted. */
export function tcpSocketCount(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap').length;
}

/** Waits until this process has no more TCP sockets than `idle`: a device went offline and the client saw its kept-open connection end. */
export async function connectionsClosedTo(idle: number, ms = 2000): Promise<void> {
  await waitFor(() => `${tcpSocketCount() - idle} TCP connection(s) still open`, () => tcpSocketCount() <= idle, ms);
}

/** A UDP port that was free a moment ago on 127.0.0.1 (for a TDDP reply port). */
export async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** Resolves once `condition` holds; fails with `what` if it still does not after `ms` (see support/wait.ts). */
export async function waitUntil(condition: () => boolean, ms: number, what: string | (() => string)): Promise<void> {
  await waitFor(what, condition, ms);
}
