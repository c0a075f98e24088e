/**
 * Runs inside the client namespace:
 *   node discover-client.js ours '<DiscoverOptions json>'
 *   node discover-client.js tplink-smarthome-api '<{broadcast, timeout, interval}>'
 * and prints one line: {tool, elapsedMs, lastReplyMs, devices: [{host, deviceId, children, ...}]}
 * (ours adds protocol, family, kind, port and loginVersion).
 * `lastReplyMs` is when the last new device answered: how long a sweep took to be complete.
 */
import { Client } from 'tplink-smarthome-api';
import { discover, type DiscoverOptions } from '../../lib/discovery/index';
import { emit } from './channel';

interface Found {
  host: string;
  deviceId: string;
  children: number;
  /** Ours only: how to reach it and what it is. */
  protocol?: string;
  family?: string;
  kind?: string;
  port?: number;
  loginVersion?: number;
}

async function ours(options: DiscoverOptions, started: number): Promise<{ found: Found[]; last: number }> {
  let last = 0;
  const devices = await discover({ ...options, onDevice: () => (last = Date.now() - started) });
  const found = devices.map((d) => ({
    host: d.host, deviceId: d.deviceId, children: d.children.length, protocol: d.protocol, family: d.family, kind: d.state.kind, port: d.port,
    ...(d.loginVersion === undefined ? {} : { loginVersion: d.loginVersion }),
  }));
  return { found, last };
}

/** tplink-smarthome-api v5: one probe per discoveryInterval until discoveryTimeout. */
function theirs(options: { broadcast?: string; timeout: number; interval?: number }, started: number): Promise<{ found: Found[]; last: number; errors: string[] }> {
  return new Promise((resolve) => {
    const client = new Client({ logLevel: 'silent' });
    const found = new Map<string, Found>();
    const errors: string[] = [];
    let last = 0;
    client.on('device-new', (device) => {
      const children = (device.sysInfo as { children?: unknown[] }).children?.length ?? 0;
      found.set(device.deviceId, { host: device.host, deviceId: device.deviceId, children });
      last = Date.now() - started;
    });
    client.on('error', (error: Error) => errors.push(error.message));
    client.startDiscovery({
      broadcast: options.broadcast ?? '255.255.255.255',
      discoveryInterval: options.interval ?? 10_000,
      discoveryTimeout: options.timeout,
      breakoutChildren: false,
      deviceTypes: ['plug'],
    });
    setTimeout(() => {
      client.stopDiscovery();
      resolve({ found: [...found.values()], last, errors });
    }, options.timeout + 50);
  });
}

async function main(): Promise<void> {
  const tool = process.argv[2];
  const options = JSON.parse(process.argv[3] ?? '{}') as DiscoverOptions & { interval?: number; timeout: number };
  const started = Date.now();
  if (tool === 'ours') {
    const { found, last } = await ours(options, started);
    emit({ tool, elapsedMs: Date.now() - started, lastReplyMs: last, devices: found });
  } else if (tool === 'tplink-smarthome-api') {
    const { found, last, errors } = await theirs(options, started);
    emit({ tool, elapsedMs: Date.now() - started, lastReplyMs: last, devices: found, errors });
  } else {
    throw new Error(`unknown tool ${String(tool)}`);
  }
}

main().catch((error: unknown) => {
  emit({ error: String(error), name: (error as Error).name });
  process.exitCode = 1;
});
