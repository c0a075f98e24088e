/**
 * Helpers for the fault tests: a log of what the simulated device actually
 * received, a bound on how long a promise may stay unsettled, and a count
 * of open sockets and timers.
 */
import * as net from 'net';
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

/** Resolves once `condition` holds; fails with `what` if it still does not after `ms` (see support/wait.ts). */
export async function waitUntil(condition: () => boolean, ms: number, what: string | (() => string)): Promise<void> {
  await waitFor(what, condition, ms);
}

/** What a recording proxy saw, per connection: the client's bytes and the device's. */
export interface RecordingProxy {
  readonly port: number;
  readonly connections: Array<{ sent: Buffer[]; received: Buffer[] }>;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of `target` that keeps every byte both
 * ways: the secrets tests read session tokens and KLAP seeds off the wire,
 * to look for them where they must never be.
 */
export async function startRecordingProxy(target: { host: string; port: number }): Promise<RecordingProxy> {
  const connections: RecordingProxy['connections'] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const record = { sent: [] as Buffer[], received: [] as Buffer[] };
    connections.push(record);
    const device = net.connect(target.port, target.host);
    for (const socket of [client, device]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => { record.sent.push(chunk); device.write(chunk); });
    device.on('data', (chunk: Buffer) => { record.received.push(chunk); client.write(chunk); });
    client.on('end', () => device.end());
    device.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
