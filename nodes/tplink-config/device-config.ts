/**
 * What a tplink-config node holds and how its settings become a shared
 * device connection. Kept apart from the registration so plug nodes and
 * admin endpoints can import the types (a file with `export =` can export
 * nothing else).
 */
import { DeviceConnection } from '../../lib/device/connection';
import { DEVICE_TRANSPORTS, type DeviceTransport } from '../../lib/device/transport-choice';
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

export function transportOf(value: unknown): DeviceTransport {
  return DEVICE_TRANSPORTS.includes(value as DeviceTransport) ? (value as DeviceTransport) : 'tcp';
}

/** A positive number from an editor field, or the fallback for blank and nonsense. */
export function numberSetting(value: unknown, fallback: number): number {
  const n = Number(value);
  return value !== '' && value !== undefined && value !== null && Number.isFinite(n) && n > 0 ? n : fallback;
}

/**
 * KLAP and AES speak HTTP (port 80): such a device left on the editor's
 * default 9999 means port 80, not a session on the closed Smart Home port.
 * 'auto' keeps 9999: it tries the classic protocol there first, then HTTP
 * on 80.
 */
export function portFor(transport: DeviceTransport, setting: unknown): number {
  const http = transport === 'klap' || transport === 'aes';
  const port = numberSetting(setting, http ? 80 : 9999);
  return http && port === 9999 ? 80 : port;
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
