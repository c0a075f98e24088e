/**
 * A dump of a device reached over KLAP or AES records its UDP 20002
 * discovery reply (it says which encryption, which login version and which
 * HTTP port the device advertises, which a fixture then advertises too).
 * One probe, sent to the device's own address only, answered or not
 * within a short wait; a device that does not answer is dumped without.
 */
import * as dgram from 'node:dgram';
import { isJsonObject, type JsonObject } from '../json';
import { buildDiscovery20002Request, DISCOVERY_20002_PORT, parseDiscovery20002Reply } from '../discovery/tdp';

export interface DiscoveryProbeOptions {
  host: string;
  /** Default 20002. */
  port?: number;
  /** Milliseconds to wait for the reply (default 1000). */
  timeout?: number;
}

/** The discovery `result` the device sent, or undefined when none came in time. */
export function probeDiscovery20002(options: DiscoveryProbeOptions): Promise<{ port: number; reply: JsonObject } | undefined> {
  const port = options.port ?? DISCOVERY_20002_PORT;
  const socket = dgram.createSocket(options.host.includes(':') ? 'udp6' : 'udp4');
  return new Promise((resolve) => {
    let settled = false;
    const finish = (value: { port: number; reply: JsonObject } | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), options.timeout ?? 1000);
    socket.on('error', () => finish(undefined));
    socket.on('message', (packet, from) => {
      if (from.address !== options.host) return;
      const parsed = parseDiscovery20002Reply(packet);
      if (!parsed || !isJsonObject(parsed.result)) return;
      // The bare probe offers no key, so no encrypt_info should come; if one does, it cannot be scrubbed: leave it out.
      const { encrypt_info: _sealed, ...reply } = parsed.result;
      // The port says which discovery it was, not where this probe went (a test's simulator listens elsewhere).
      finish({ port: DISCOVERY_20002_PORT, reply });
    });
    // No key offered: the reply then carries nothing sealed that the scrubber could not read.
    socket.send(buildDiscovery20002Request({ rsaPublicKeyPem: null }), port, options.host, (error) => {
      if (error) finish(undefined);
    });
  });
}
