/**
 * What a tplink-config node holds and how its settings become a client.
 * Kept apart from the registration so plug nodes and admin endpoints can
 * import the types (a file with `export =` can export nothing else).
 */
import { SmartHomeClient } from '../../lib/classic/client';
import type { TransportName } from '../../lib/classic/transports';
import type { Node, NodeDef } from '../types';

export interface TplinkConfigDef extends NodeDef {
  host: string;
  port: string | number;
  transport: string;
  /** Seconds per request. */
  timeout: string | number;
}

export interface TplinkConfigCredentials {
  username: string;
  password: string;
}

export interface TplinkConfigNode extends Node<TplinkConfigCredentials> {
  /** Undefined when the settings cannot make a client; `setupError` says why. */
  client: SmartHomeClient | undefined;
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

export function createClient(def: TplinkConfigDef, credentials: Partial<TplinkConfigCredentials>): SmartHomeClient {
  const transport = transportOf(def.transport);
  const client = new SmartHomeClient({
    host: String(def.host ?? '').trim(),
    port: portFor(transport, def.port),
    transport,
    timeout: Math.round(numberSetting(def.timeout, 5) * 1000),
    username: credentials.username || undefined,
    password: credentials.password || undefined,
  });
  // Any number of plug nodes listen for online/offline.
  client.setMaxListeners(0);
  return client;
}
