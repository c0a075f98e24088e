/**
 * A simulated SMART device on the network: its HTTP endpoint (AES
 * securePassthrough or KLAP, as the model's firmware speaks), an optional
 * UDP 20002 discovery responder, and the fault modes of the classic
 * simulator where they apply (slow, no-reply, split, close-mid-frame and
 * garbage on the HTTP replies, err-code on every method, offline, udp-drop
 * on discovery).
 */
import { createHash } from 'node:crypto';
import type { JsonObject } from '../../json';
import { DISCOVERY_20002_PORT } from '../../discovery/tdp';
import { encodeEncryptInfo } from '../../discovery/smart-reply';
import type { FaultSpec } from '../faults';
import { startDiscovery20002Responder, startKlapServer } from '../klap-server';
import { startAesServer } from './aes-server';
import { SmartSimulatedDevice, type SmartSimulatedDeviceOptions } from './device';

export interface StartSmartDeviceOptions extends SmartSimulatedDeviceOptions {
  host?: string;
  /** HTTP port; 0 (default) picks a free one, 80 on a real network. */
  port?: number;
  /** The cloud account the device is bound to; blank (default) for an unbound device. */
  username?: string;
  password?: string;
  /** Override the model's transport (a P110 on older AES firmware, ...). */
  transport?: 'aes' | 'klap';
  /** Override the model's login version (AES login_device, KLAP hashing). */
  loginVersion?: 1 | 2;
  sessionTimeoutSeconds?: number;
  fault?: FaultSpec;
  /** Answer UDP 20002 probes: false (default), true for port 20002, or a port number (0: a free one). */
  discovery20002?: boolean | number;
  /** Add encrypt_info to discovery replies when the probe offers a key (as cameras do). */
  discoveryEncryptInfo?: boolean;
  /** A device already made (a device dump's, lib/simulator/fixture) instead of one made from these options. */
  device?: SmartSimulatedDevice;
  /** The discovery `result` to answer with (a device dump's recorded one), given where the device listens; default: made from the device. */
  discoveryResult?: (where: { ip: string; httpPort: number }) => Record<string, unknown>;
}

export interface RunningSmartDevice {
  readonly device: SmartSimulatedDevice;
  readonly host: string;
  readonly port: number;
  readonly transport: 'aes' | 'klap';
  readonly loginVersion: 1 | 2;
  readonly discoveryPort: number | undefined;
  /** Discovery probes received so far, answered or dropped. */
  readonly discoveryProbes: number;
  readonly fault: FaultSpec | undefined;
  readonly isOnline: boolean;
  /** Handshakes and requests the endpoint has seen (the open one). */
  readonly stats: { handshakes: number; requests: number };
  /** A discovery probe that reached a shared listener, answered from this device's 20002 socket (ignored without one). */
  answerDiscovery(packet: Buffer, peer: { address: string; port: number }): void;
  setFault(fault: FaultSpec | undefined): Promise<void>;
  clearFault(): Promise<void>;
  /** Forgets every session, as the device does when TIMEOUT passes or it reboots. */
  expireSessions(): void;
  close(): Promise<void>;
}

interface Endpoint {
  port: number;
  stats: { handshakes: number; requests: number };
  expireSessions(): void;
  close(): Promise<void>;
}

export async function startSmartDevice(options: StartSmartDeviceOptions): Promise<RunningSmartDevice> {
  const device = options.device ?? new SmartSimulatedDevice(options);
  const host = options.host ?? '127.0.0.1';
  // A device made elsewhere (a dump's) reports the address it was given.
  if (!options.device) device.ip = host;
  const transport = options.transport ?? device.spec.transport;
  const loginVersion = (options.loginVersion ?? device.spec.loginVersion) as 1 | 2;
  const account = { username: options.username ?? '', password: options.password ?? '' };
  let fault = options.fault;
  const httpFault = (): FaultSpec | undefined => fault;
  const handler = (text: string): string => device.handleJson(text);
  const handleParsed = (request: JsonObject): string => device.handleRequest(request);

  const open = async (port: number): Promise<Endpoint> => transport === 'aes'
    ? startAesServer({ host, port, loginVersion, ...account, handler, handleParsed, sessionTimeoutSeconds: options.sessionTimeoutSeconds, fault: httpFault })
    : startKlapServer({
      host, port, version: loginVersion, ...account, handler, sessionTimeoutSeconds: options.sessionTimeoutSeconds, refuseAesWith1003: true, fault: httpFault,
    });

  let endpoint: Endpoint | undefined = await open(options.port ?? 0);
  const port = endpoint.port;
  let offlineTimer: NodeJS.Timeout | undefined;
  const goOffline = async (): Promise<void> => {
    const current = endpoint;
    endpoint = undefined;
    await current?.close();
  };
  const goOnline = async (): Promise<void> => {
    endpoint ??= await open(port);
  };

  const applyFault = async (next: FaultSpec | undefined): Promise<void> => {
    clearTimeout(offlineTimer);
    fault = next;
    device.failWith = next?.kind === 'err-code' ? (next.errCode ?? -1) : undefined;
    if (next?.kind === 'offline') {
      await goOffline();
      if (next.durationMs !== undefined) {
        offlineTimer = setTimeout(() => { applyFault(undefined).catch(() => undefined); }, next.durationMs);
      }
    } else {
      await goOnline();
    }
  };
  await applyFault(fault);

  let probes = 0;
  const wanted = options.discovery20002;
  const responder = wanted === undefined || wanted === false
    ? undefined
    : await startDiscovery20002Responder({
      host,
      port: wanted === true ? DISCOVERY_20002_PORT : wanted,
      result: (probe) => {
        probes += 1;
        if (fault?.kind === 'udp-drop' || fault?.kind === 'offline') return undefined;
        return options.discoveryResult?.({ ip: host, httpPort: port })
          ?? discoveryResult(device, { transport, loginVersion, port, account, probe, encryptInfo: options.discoveryEncryptInfo === true });
      },
    });

  return {
    device, host, port, transport, loginVersion,
    discoveryPort: responder?.port,
    get discoveryProbes() { return probes; },
    get fault() { return fault; },
    get isOnline() { return endpoint !== undefined; },
    get stats() { return endpoint?.stats ?? { handshakes: 0, requests: 0 }; },
    answerDiscovery: (packet, peer) => responder?.answer(packet, peer),
    setFault: applyFault,
    clearFault: () => applyFault(undefined),
    expireSessions: () => endpoint?.expireSessions(),
    async close() {
      clearTimeout(offlineTimer);
      await goOffline();
      await responder?.close();
    },
  };
}

interface DiscoveryContext {
  transport: 'aes' | 'klap';
  loginVersion: 1 | 2;
  port: number;
  account: { username: string };
  probe: { rsaKey?: string };
  encryptInfo: boolean;
}

/** The discovery `result` of a SMART device, in the shape real ones send. */
export function discoveryResult(device: SmartSimulatedDevice, context: DiscoveryContext): Record<string, unknown> {
  const owner = context.account.username === '' ? '' : createHash('md5').update(context.account.username).digest('hex').toUpperCase();
  const scheme: Record<string, unknown> = { is_support_https: false, encrypt_type: context.transport.toUpperCase(), http_port: context.port };
  if (device.spec.advertiseLoginVersion !== false) scheme.lv = context.loginVersion;
  const result: Record<string, unknown> = {
    // 32 hex digits here, unlike the 40 of get_device_info.
    device_id: createHash('md5').update(device.deviceId).digest('hex').toUpperCase(), owner, device_type: device.spec.type, device_model: `${device.spec.model}(${device.spec.region})`,
    ip: device.ip, mac: device.mac, is_support_iot_cloud: true, obd_src: 'tplink', factory_default: false, mgt_encrypt_schm: scheme,
  };
  if (context.encryptInfo && context.probe.rsaKey) {
    try {
      result.encrypt_info = encodeEncryptInfo({ device_id: device.deviceId, owner, connect_type: 'wireless', connect_ssid: device.ssid, http_port: context.port }, context.probe.rsaKey);
    } catch {
      // A probe whose key is not a usable RSA key gets the reply without encrypt_info.
    }
  }
  return result;
}
