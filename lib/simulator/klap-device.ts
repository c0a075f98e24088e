/**
 * A simulated device as new firmware presents it: TCP 9999 closed, the
 * Smart Home JSON reachable only over KLAP (HTTP), found by UDP 20002
 * discovery. Composes startDevice (state, faults, reboots) with the KLAP
 * server and the 20002 responder, and follows the device offline and back.
 */
import { startDevice, type RunningDevice, type StartDeviceOptions } from './device-server';
import { klapDiscoveryResult, startDiscovery20002Responder, startKlapServer, type KlapServer } from './klap-server';
import type { KlapVersion } from '../klap/auth';
import { DISCOVERY_20002_PORT } from '../discovery/tdp';

export interface KlapDeviceOptions extends StartDeviceOptions {
  klap: {
    version: KlapVersion;
    /** The cloud account the device is bound to; blank for an unbound device. */
    username?: string;
    password?: string;
    /** HTTP port; 0 (default) picks a free one, 80 on a real network. */
    port?: number;
    sessionTimeoutSeconds?: number;
  };
  /** Answer UDP 20002 probes: false (default), true for port 20002, or a port number (0: a free one). */
  discovery20002?: boolean | number;
  /** The discovery `result` to answer with (a device dump's recorded one), given where the device listens; default: a KLAP plug's. */
  discoveryResult?: (where: { ip: string; httpPort: number }) => Record<string, unknown>;
}

export interface RunningKlapDevice {
  readonly running: RunningDevice;
  readonly host: string;
  readonly klapPort: number;
  readonly klapVersion: KlapVersion;
  /** Undefined unless discovery20002 was asked for. */
  readonly discoveryPort: number | undefined;
  readonly server: KlapServer;
  /** Resolves once the KLAP port has followed the device's last offline/online change. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function startKlapDevice(options: KlapDeviceOptions): Promise<RunningKlapDevice> {
  // New firmware closes 9999 (TCP, and UDP discovery moves to 20002) unless asked otherwise.
  const running = await startDevice({ ...options, tcp: options.tcp ?? false, udp: options.udp ?? false });
  const host = running.host;
  const { klap } = options;
  const serve = (port: number): Promise<KlapServer> =>
    startKlapServer({ ...klap, host, port, handler: (text) => running.handleJson(text) });

  let server = await serve(klap.port ?? 0);
  const klapPort = server.port;
  // Follow reboots and offline faults: the HTTP port goes away and comes back with no sessions.
  let transition = Promise.resolve();
  const follow = (step: () => Promise<void>): void => {
    transition = transition.then(step).catch(() => undefined);
  };
  const onOffline = (): void => follow(() => server.close());
  const onOnline = (): void => follow(async () => {
    server = await serve(klapPort);
  });
  running.on('offline', onOffline);
  running.on('online', onOnline);

  const wanted = options.discovery20002;
  const responder = wanted === undefined || wanted === false
    ? undefined
    : await startDiscovery20002Responder({
      host,
      port: wanted === true ? DISCOVERY_20002_PORT : wanted,
      result: () => options.discoveryResult?.({ ip: host, httpPort: klapPort }) ?? klapDiscoveryResult({
        deviceId: running.deviceId, model: running.model, mac: running.device.identity.mac, ip: host, httpPort: klapPort, version: klap.version,
      }),
    });

  return {
    running,
    host,
    klapPort,
    klapVersion: klap.version,
    discoveryPort: responder?.port,
    get server() {
      return server;
    },
    settled: () => transition,
    async close() {
      await running.close();
      await transition;
      await server.close();
      await responder?.close();
    },
  };
}
