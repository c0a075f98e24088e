/**
 * What a tplink-config node holds and how its settings become a shared
 * device connection. Kept apart from the registration so plug nodes and
 * admin endpoints can import the types (a file with `export =` can export
 * nothing else).
 */
import type { TransportName } from '../../lib/classic/transports';
import { DeviceConnection } from '../../lib/device/connection';
import type { TrafficHook } from '../../lib/traffic';
import type { Node, NodeDef } from '../types';

export interface TplinkConfigDef extends NodeDef {
  host: string;
  port: string | number;
  transport: string;
  /** Seconds per request. */
  timeout: string | number;
  /** Write every request and reply to the Node-RED log at debug level. */
  logTraffic?: boolean;
}

export interface TplinkConfigCredentials {
  username: string;
  password: string;
}

export interface TplinkConfigNode extends Node<TplinkConfigCredentials> {
  /** The device every node on this configuration shares; undefined when the settings cannot make one (`setupError` says why). */
  connection: DeviceConnection | undefined;
  setupError: Error | undefined;
}

const TRANSPORTS: readonly TransportName[] = ['tcp', 'udp', 'klap', 'auto'];

export function transportOf(value: unknown): TransportName {
  return TRANSPORTS.includes(value as TransportName) ? (value as TransportName) : 'tcp';
}

/** A positive number from an editor field, or the fallback for blank and nonsense. */
export function numberSetting(value: unknown, fallback: number): number {
  const n = Number(value);
  return value !== '' && value !== undefined && value !== null && Number.isFinite(n) && n > 0 ? n : fallback;
}

/**
 * KLAP speaks HTTP (port 80): a KLAP device left on the editor's default
 * 9999 means port 80, not a KLAP session on the closed Smart Home port.
 */
export function portFor(transport: TransportName, setting: unknown): number {
  const port = numberSetting(setting, transport === 'klap' ? 80 : 9999);
  return transport === 'klap' && port === 9999 ? 80 : port;
}

/** The shared connection: it connects on first use, so a device away at deploy is found once it is back. */
export function createConnection(def: TplinkConfigDef, credentials: Partial<TplinkConfigCredentials>, onTraffic?: TrafficHook): DeviceConnection {
  const transport = transportOf(def.transport);
  const host = String(def.host ?? '').trim();
  if (host === '') throw new TypeError('no host');
  const connection = new DeviceConnection({
    host,
    port: portFor(transport, def.port),
    transport,
    timeout: Math.round(numberSetting(def.timeout, 5) * 1000),
    username: credentials.username || undefined,
    password: credentials.password || undefined,
    onTraffic,
  });
  // Any number of plug nodes listen for online/offline.
  connection.setMaxListeners(0);
  return connection;
}
