/**
 * DiscoveryScanner: sweeps on an interval with one socket and reports what
 * changed. Events:
 * - 'device-new' (device): first reply from a deviceId;
 * - 'device-online' (device): a device reported offline answers again;
 * - 'device-offline' (device): no reply for `offlineAfter` sweeps in a row;
 * - 'device-changed' (device, changes): alias, relay state (outlets too) or IP changed;
 * - 'sweep' (summary): a sweep's window closed;
 * - 'error' (error): only when someone listens; otherwise kept in `lastError`,
 *   because an 'error' event without a listener would crash the host (Node-RED).
 */
import { EventEmitter } from 'events';
import { resolveSettings, resolveTimeout, type DiscoverySettings } from './settings';
import { ProbeSocket, type ProbeReport } from './probe-socket';
import { mergeReplies } from './replies';
import { FoundDeviceIndex } from './found-index';
import type { DiscoverOptions, DiscoveredDevice } from './types';

export interface DiscoveryScannerOptions extends DiscoverOptions {
  /** Milliseconds from one sweep's start to the next (default 10000, never less than `timeout`). */
  interval?: number;
  /** Missed sweeps before 'device-offline' (default 3). */
  offlineAfter?: number;
}

export interface DeviceChange {
  field: 'alias' | 'relay_state' | 'host' | 'child_state' | 'child_alias';
  previous: unknown;
  current: unknown;
  /** The outlet, for child_state / child_alias. */
  childId?: string;
}

export interface SweepSummary {
  sweep: number;
  /** Devices that answered during this sweep. */
  seen: number;
  online: number;
  offline: number;
  /** Probes the socket accepted, and the send errors (a sweep with none sent is an 'error'). */
  sent: number;
  errors: number;
}

interface Tracked {
  device: DiscoveredDevice;
  online: boolean;
  missed: number;
}

export class DiscoveryScanner extends EventEmitter {
  readonly interval: number;
  readonly offlineAfter: number;
  /** The last error, whether or not an 'error' listener saw it. */
  lastError: Error | undefined;
  private readonly options: DiscoveryScannerOptions;
  /** By the key FoundDeviceIndex gives: the deviceId a device was first seen under. */
  private readonly tracked = new Map<string, Tracked>();
  private readonly index = new FoundDeviceIndex();
  private seenThisSweep = new Set<string>();
  private socket: ProbeSocket | undefined;
  private socketBind: string | undefined;
  private lastReport: ProbeReport = { sent: 0, errors: [] };
  private timer: NodeJS.Timeout | undefined;
  private sweeps = 0;
  private running = false;
  private starting: Promise<void> | undefined;

  constructor(options: DiscoveryScannerOptions = {}) {
    super();
    this.options = { ...options };
    this.interval = Math.max(resolveTimeout(options), positiveInt(options.interval, 10_000));
    this.offlineAfter = Math.max(1, positiveInt(options.offlineAfter, 3));
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Devices seen so far, by deviceId, with their last known state. */
  get devices(): DiscoveredDevice[] {
    return [...this.tracked.values()].map((t) => t.device);
  }

  isOnline(deviceId: string): boolean | undefined {
    return this.tracked.get(this.index.find(deviceId) ?? deviceId)?.online;
  }

  /**
   * Starts sweeping. Resolves once the socket is bound and the first sweep
   * is under way; rejects (and stays stopped) when the options cannot work
   * at all: an unknown interface, an address that is not local.
   */
  start(): Promise<void> {
    if (this.running) return this.starting ?? Promise.resolve();
    this.running = true;
    this.starting = this.openSocket().then(
      () => {
        if (this.running) void this.sweep();
      },
      async (error: unknown) => {
        this.running = false;
        throw error;
      },
    );
    return this.starting;
  }

  /** Stops sweeping and releases the socket and every timer. Safe to call twice. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.starting?.catch(() => undefined);
    await this.closeSocket();
  }

  private async openSocket(): Promise<DiscoverySettings> {
    // Resolved afresh for every socket: an interface's address may change (DHCP, a restarted bridge).
    const settings = resolveSettings(this.options);
    this.socketBind = settings.plan.bindAddress;
    this.socket = await ProbeSocket.open({
      ...settings.socket,
      onDevice: (device) => this.onReply(device),
      onError: (error) => this.fail(error),
    });
    return settings;
  }

  private async closeSocket(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    await socket?.close();
  }

  private async sweep(): Promise<void> {
    if (!this.running) return;
    this.sweeps += 1;
    const sweep = this.sweeps;
    this.seenThisSweep = new Set();
    this.timer = setTimeout(() => void this.endSweep(sweep), this.interval);
    let settings: DiscoverySettings;
    try {
      settings = resolveSettings(this.options);
      if (this.socket && settings.plan.bindAddress !== this.socketBind) await this.closeSocket();
      if (!this.socket) settings = await this.openSocket();
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    // stop() while the socket was opening closed nothing: close what it opened.
    if (!this.running) {
      await this.closeSocket();
      return;
    }
    const socket = this.socket;
    if (!socket) return;
    const report = await socket.probe(settings.plan.destinations, settings.probes, settings.spacing);
    this.lastReport = report;
    if (this.running && report.sent === 0 && report.errors.length > 0) {
      this.fail(report.errors[0] as Error);
      // A socket that cannot send any more (interface gone, address removed) is replaced next sweep.
      if (this.socket === socket) await this.closeSocket();
    }
  }

  private endSweep(sweep: number): void {
    if (!this.running) return;
    let online = 0;
    for (const [key, entry] of this.tracked) {
      if (this.seenThisSweep.has(key)) {
        online += 1;
        continue;
      }
      entry.missed += 1;
      if (entry.online && entry.missed >= this.offlineAfter) {
        entry.online = false;
        this.emit('device-offline', entry.device);
      } else if (entry.online) {
        online += 1;
      }
    }
    const summary: SweepSummary = {
      sweep, seen: this.seenThisSweep.size, online, offline: this.tracked.size - online,
      sent: this.lastReport.sent, errors: this.lastReport.errors.length,
    };
    this.emit('sweep', summary);
    void this.sweep();
  }

  private onReply(device: DiscoveredDevice): void {
    if (!this.running) return;
    const key = this.index.keyOf(device);
    this.seenThisSweep.add(key);
    const entry = this.tracked.get(key);
    if (!entry) {
      this.tracked.set(key, { device, online: true, missed: 0 });
      this.emit('device-new', device);
      return;
    }
    const previous = entry.device;
    entry.device = mergeReplies(previous, device);
    entry.missed = 0;
    const changes = changesBetween(previous, entry.device);
    if (!entry.online) {
      entry.online = true;
      this.emit('device-online', entry.device);
    }
    if (changes.length > 0) this.emit('device-changed', entry.device, changes);
  }

  private fail(error: Error): void {
    this.lastError = error;
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}

function changesBetween(before: DiscoveredDevice, after: DiscoveredDevice): DeviceChange[] {
  const changes: DeviceChange[] = [];
  const add = (field: DeviceChange['field'], previous: unknown, current: unknown, childId?: string): void => {
    if (previous !== current) changes.push(childId === undefined ? { field, previous, current } : { field, previous, current, childId });
  };
  add('host', before.host, after.host);
  add('alias', before.sysinfo.alias, after.sysinfo.alias);
  add('relay_state', before.sysinfo.relay_state, after.sysinfo.relay_state);
  for (const child of after.children) {
    const old = before.children.find((c) => c.id === child.id);
    if (!old) continue;
    add('child_state', old.state, child.state, child.id);
    add('child_alias', old.alias, child.alias, child.id);
  }
  return changes;
}

function positiveInt(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}
