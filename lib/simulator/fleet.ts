/**
 * Many devices in one process, optionally answering broadcast discovery.
 *
 * A UDP socket bound to a unicast address never sees broadcasts, so a fleet
 * can add one listener bound to the wildcard (or broadcast) address that
 * hands each discovery datagram to every device; each device replies from
 * its own unicast socket, so the reply's source is that device's address,
 * as with real devices.
 */
import * as dgram from 'dgram';
import * as net from 'net';
import * as path from 'path';
import { DEFAULT_HOST, startDevice, type RunningDevice, type StartDeviceOptions } from './device-server';
import { parseFault, type FaultSpec } from './faults';
import { startFixture, type RunningFixture, type StartFixtureOptions } from './fixture/serve';
import { bindUdp, closeUdp } from './sockets';

export interface BroadcastListenerOptions {
  /** Default 0.0.0.0: use it only inside a network namespace; on a host prefer e.g. 127.255.255.255. */
  host?: string;
  /** Default: the first device's UDP port. */
  port?: number;
}

export interface StartFleetOptions {
  devices: StartDeviceOptions[];
  /** Device dumps served as devices (lib/simulator/fixture), each over the transport it was dumped over. */
  fixtures?: StartFixtureOptions[];
  broadcastListener?: boolean | BroadcastListenerOptions;
  /** Devices started at once; keeps a 1000-device start from opening everything in one tick. Default 64. */
  concurrency?: number;
  /**
   * Devices asking for port 0 get the port the first device got: for fleets
   * on consecutive addresses, where discovery expects one port. Default false.
   */
  samePort?: boolean;
}

export interface RunningFleet {
  readonly devices: RunningDevice[];
  readonly fixtures: RunningFixture[];
  /** Where the broadcast listener is bound, when there is one. */
  readonly broadcast: { host: string; port: number } | undefined;
  close(): Promise<void>;
}

export async function startFleet(options: StartFleetOptions): Promise<RunningFleet> {
  const shared = options.broadcastListener !== undefined && options.broadcastListener !== false;
  const specs = options.devices.map((d) => (shared ? { ...d, reuseAddr: true } : d));
  const concurrency = Math.max(1, options.concurrency ?? 64);
  const devices = options.samePort ? await startOnOnePort(specs, concurrency) : await startAll(specs, concurrency);
  const fixtures: RunningFixture[] = [];
  try {
    for (const fixture of options.fixtures ?? []) fixtures.push(await startFixture(fixture));
  } catch (error) {
    await Promise.all([...devices.map((d) => d.close()), ...fixtures.map((f) => f.close())]);
    throw error;
  }
  // Classic dumps on TCP/UDP answer broadcast discovery like the simulated models.
  const answering = [...devices, ...fixtures.flatMap((f) => (f.classic ? [f.classic] : []))];
  const closeAll = (): Promise<unknown> => Promise.all([...devices.map((d) => d.close()), ...fixtures.map((f) => f.close())]);
  let listener: dgram.Socket | undefined;
  let broadcast: { host: string; port: number } | undefined;
  if (shared) {
    const given = typeof options.broadcastListener === 'object' ? options.broadcastListener : {};
    const host = given.host ?? '0.0.0.0';
    const port = given.port ?? devices[0]?.udpPort ?? 9999;
    try {
      listener = await bindUdp(host, port, true);
    } catch (error) {
      await closeAll();
      throw error;
    }
    // Deliberately bound to accept broadcasts, which an address-bound socket cannot.
    listener.setBroadcast(true);
    listener.on('message', (message, from) => {
      for (const device of answering) device.handleDatagram(message, from);
    });
    broadcast = { host, port };
  }
  return {
    devices,
    fixtures,
    broadcast,
    async close(): Promise<void> {
      if (listener) await closeUdp(listener);
      await closeAll();
    },
  };
}

/** Starts `specs` `concurrency` at a time, in their order; a failure closes what started and rejects with the first reason. */
async function startAll(specs: StartDeviceOptions[], concurrency: number): Promise<RunningDevice[]> {
  const devices: RunningDevice[] = [];
  for (let i = 0; i < specs.length; i += concurrency) {
    const results = await Promise.allSettled(specs.slice(i, i + concurrency).map((spec) => startDevice(spec)));
    for (const result of results) if (result.status === 'fulfilled') devices.push(result.value);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // Leave nothing listening behind a failed start.
      await Promise.all(devices.map((d) => d.close()));
      throw failed.reason;
    }
  }
  return devices;
}

/**
 * How many port numbers a samePort fleet tries when the OS chose the port:
 * each collision needs another process on that very number on one of the
 * fleet's addresses, so two in a row are already rare.
 */
export const SAME_PORT_ATTEMPTS = 8;

/**
 * samePort: the devices asking for port 0 take the port the first device
 * got; the others keep their own. Returns them all in `specs` order.
 */
async function startOnOnePort(specs: StartDeviceOptions[], concurrency: number): Promise<RunningDevice[]> {
  if (specs.length === 0) return [];
  const follows = specs.map((d, i) => i > 0 && (d.port ?? 0) === 0);
  const onOnePort = await startFirstAndFollowers(specs[0], specs.filter((_d, i) => follows[i]), concurrency);
  let others: RunningDevice[];
  try {
    others = await startAll(specs.filter((_d, i) => i > 0 && !follows[i]), concurrency);
  } catch (error) {
    await Promise.all(onOnePort.map((d) => d.close()));
    throw error;
  }
  const inOrder = [onOnePort[0]];
  for (let i = 1, joined = 1, other = 0; i < specs.length; i++) inOrder.push(follows[i] ? onOnePort[joined++] : others[other++]);
  return inOrder;
}

/**
 * When the OS chose the first device's port, it was free on that address
 * only, and another process can hold the number on a follower's address (a
 * CI run failed with EADDRINUSE so): then start over on a fresh port,
 * closing what the try bound. A port the caller chose fails at once, as any
 * fixed port does.
 */
async function startFirstAndFollowers(first: StartDeviceOptions, followers: StartDeviceOptions[], concurrency: number): Promise<RunningDevice[]> {
  const osChosen = (first.port ?? 0) === 0;
  const tried: number[] = [];
  let lastError: unknown;
  for (let attempt = 1; attempt <= (osChosen ? SAME_PORT_ATTEMPTS : 1); attempt++) {
    const leader = await startDevice(first);
    try {
      return [leader, ...(await startAll(followers.map((d) => ({ ...d, port: leader.port })), concurrency))];
    } catch (error) {
      await leader.close();
      if (!osChosen || !isAddressInUse(error)) throw error;
      tried.push(leader.port);
      lastError = error;
    }
  }
  const cause = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(
    `samePort fleet: each of the ${SAME_PORT_ATTEMPTS} ports the OS gave ${first.host ?? DEFAULT_HOST} was taken on another fleet address (${tried.join(', ')}); last: ${cause}`,
    { cause: lastError },
  );
}

/** Whether a listen failed (at any depth of causes) because the address was taken, which another port can cure. */
function isAddressInUse(error: unknown): boolean {
  let cause = error;
  for (let depth = 0; depth < 4 && cause instanceof Error; depth++, cause = cause.cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EADDRINUSE') return true;
  }
  return false;
}

export interface FleetLayoutOptions extends Omit<StartDeviceOptions, 'host' | 'port'> {
  count: number;
  host?: string;
  port?: number;
  /** `ports`: one host, consecutive ports (port 0: each picks a free one); `hosts`: consecutive IPv4 addresses, one port. */
  layout?: 'ports' | 'hosts';
}

/** Device options for `count` devices laid out on consecutive ports or addresses. */
export function fleetLayout(options: FleetLayoutOptions): StartDeviceOptions[] {
  const { count, layout = 'ports', host = '127.0.0.1', port = 0, ...device } = options;
  if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer, not ${count}`);
  if (layout === 'hosts' && !net.isIPv4(host)) throw new Error(`layout "hosts" needs an IPv4 host, not "${host}"`);
  const out: StartDeviceOptions[] = [];
  for (let i = 0; i < count; i++) {
    const seed = device.seed !== undefined ? `${device.seed}-${i}` : `${layout === 'hosts' ? host : port}-${i}`;
    out.push({
      ...device,
      seed,
      alias: device.alias === undefined ? `Simulated ${device.model} ${i + 1}` : count > 1 ? `${device.alias} ${i + 1}` : device.alias,
      host: layout === 'hosts' ? addIPv4(host, i) : host,
      port: layout === 'ports' && port !== 0 ? port + i : port,
    });
  }
  return out;
}

export function addIPv4(address: string, n: number): string {
  const value = address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0) + n;
  if (value > 0xffff_ffff) throw new Error(`${address} + ${n} is past 255.255.255.255`);
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/**
 * A fleet file: `{"devices": [...], "broadcastListener": ...}` or a bare
 * array of devices. Each device takes the StartDeviceOptions fields, `count`
 * and `layout` (expanded with fleetLayout), and `fault` as an object or in
 * the CLI form (`"slow:500"`); or, instead of a `model`, a `fixture`: the
 * path of a device dump (relative to the fleet file) with `host`, `port`,
 * `username`, `password`, `alias`, `fault` and `discovery20002`.
 */
export function parseFleetFile(text: string, source = 'fleet file'): StartFleetOptions {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON: ${(error as Error).message}`);
  }
  const root = Array.isArray(data) ? { devices: data } : data;
  if (typeof root !== 'object' || root === null || !Array.isArray((root as { devices?: unknown }).devices)) {
    throw new Error(`${source}: expected an array of devices or {"devices": [...]}`);
  }
  const { devices: entries, broadcastListener } = root as { devices: unknown[]; broadcastListener?: unknown };
  const devices: StartDeviceOptions[] = [];
  const fixtures: StartFixtureOptions[] = [];
  entries.forEach((entry, index) => {
    const raw = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    if (typeof raw.model !== 'string' && typeof raw.fixture !== 'string') {
      throw new Error(`${source}: device ${index} needs a "model" string or a "fixture" (a device dump's path)`);
    }
    const fault: FaultSpec | undefined = typeof raw.fault === 'string' ? parseFault(raw.fault) : (raw.fault as FaultSpec | undefined);
    if (typeof raw.fixture === 'string') {
      fixtures.push({ ...raw, fault, fixture: path.resolve(path.dirname(source), raw.fixture) } as StartFixtureOptions);
      return;
    }
    const spec = { ...raw, fault } as StartDeviceOptions & { count?: number; layout?: 'ports' | 'hosts' };
    if (spec.count !== undefined) devices.push(...fleetLayout({ ...spec, count: spec.count }));
    else devices.push(spec);
  });
  const listener = broadcastListener as StartFleetOptions['broadcastListener'];
  const parsed: StartFleetOptions = fixtures.length > 0 ? { devices, fixtures } : { devices };
  return listener === undefined ? parsed : { ...parsed, broadcastListener: listener };
}
