/**
 * One UDP socket that sends discovery probes and hands every valid reply to
 * `onDevice`. Probes are repeated and spaced against packet loss; every
 * timer belongs to the socket and goes when it closes.
 */
import * as dgram from 'dgram';
import { encodeDatagram } from '../classic/framing';
import { system } from '../classic/commands';
import { ConnectionError, type DeviceAddress } from '../errors';
import { buildDiscovery20002Request } from './tdp';
import { parseSysinfoReply, parseTdpReply } from './replies';
import type { DiscoveredDevice, DiscoveredKind } from './types';

/** First byte of a UDP 20002 packet; an encrypted '{' starts with 0xd0. */
const TDP_VERSION = 2;
/** get_sysinfo only: some firmware resets when a broadcast asks for emeter data as well. */
const SYSINFO_PROBE = encodeDatagram(Buffer.from(JSON.stringify(system.getSysinfo())));

export interface ProbeSocketOptions {
  bindAddress: string | undefined;
  /** UDP port of the get_sysinfo probe. */
  port: number;
  /** False: no get_sysinfo probe, only the 20002 one (tplink-smartplug -b sends its own). Default true. */
  classic?: boolean;
  kinds: readonly DiscoveredKind[];
  /** Also probe these ports with the UDP 20002 packet (20002 and 20004; none: no such probe). */
  tdpPorts: readonly number[];
  /** Every wanted device, with the datagram it came in. */
  onDevice: (device: DiscoveredDevice, datagram: Buffer) => void;
  /** Errors of the socket itself after it was bound. */
  onError: (error: Error) => void;
}

export interface ProbeReport {
  sent: number;
  errors: Error[];
}

export class ProbeSocket {
  private readonly socket: dgram.Socket;
  private readonly options: ProbeSocketOptions;
  /** What goes to every destination each round: get_sysinfo to the classic port, the TDP probe to 20002/20004. */
  private readonly packets: ReadonlyArray<{ packet: Buffer; port: number }>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pending = new Set<() => void>();
  private closed = false;

  private constructor(socket: dgram.Socket, options: ProbeSocketOptions) {
    this.socket = socket;
    this.options = options;
    const tdpProbe = options.tdpPorts.length === 0 ? undefined : buildDiscovery20002Request();
    this.packets = [
      ...(options.classic === false ? [] : [{ packet: SYSINFO_PROBE, port: options.port }]),
      ...(tdpProbe ? options.tdpPorts.map((port) => ({ packet: tdpProbe, port })) : []),
    ];
    socket.on('message', (message, rinfo) => this.receive(message, rinfo));
    socket.on('error', (error) => options.onError(new ConnectionError(`discovery socket: ${error.message}`, this.where, error)));
  }

  /** Binds a socket; rejects with a ConnectionError when the address cannot be used. */
  static open(options: ProbeSocketOptions): Promise<ProbeSocket> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
      const fail = (error: Error): void => {
        socket.close();
        const from = options.bindAddress ?? '0.0.0.0';
        reject(new ConnectionError(`cannot bind the discovery socket to ${from}: ${error.message}`, { host: from, port: 0 }, error));
      };
      socket.once('error', fail);
      socket.bind({ address: options.bindAddress, port: 0 }, () => {
        socket.off('error', fail);
        socket.setBroadcast(true);
        resolve(new ProbeSocket(socket, options));
      });
    });
  }

  private get where(): DeviceAddress {
    return { host: this.options.bindAddress ?? '0.0.0.0', port: this.options.port };
  }

  /**
   * Sends `count` probes to every destination, `spacing` ms apart, and
   * resolves after the last one with what was sent and what failed.
   */
  probe(destinations: readonly string[], count: number, spacing: number): Promise<ProbeReport> {
    const report: ProbeReport = { sent: 0, errors: [] };
    const rounds = Math.max(1, Math.floor(count));
    return new Promise((resolve) => {
      let outstanding = rounds * destinations.length * this.packets.length;
      if (outstanding === 0 || this.closed) {
        resolve(report);
        return;
      }
      const done = (): void => {
        this.pending.delete(done);
        resolve(report);
      };
      this.pending.add(done);
      const settle = (error: Error | null, host: string, port: number): void => {
        if (error) report.errors.push(new ConnectionError(`cannot send the discovery probe: ${error.message}`, { host, port }, error));
        else report.sent += 1;
        outstanding -= 1;
        if (outstanding === 0) done();
      };
      for (let round = 0; round < rounds; round += 1) {
        this.later(round * spacing, () => {
          for (const host of destinations) {
            for (const { packet, port } of this.packets) this.send(packet, host, port, settle);
          }
        });
      }
    });
  }

  /** Closes the socket and cancels queued probes; pending `probe()` calls resolve. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const done of [...this.pending]) done();
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private send(packet: Buffer, host: string, port: number, settle: (error: Error | null, host: string, port: number) => void): void {
    if (this.closed) {
      settle(new Error('socket closed'), host, port);
      return;
    }
    try {
      this.socket.send(packet, port, host, (error) => settle(error ?? null, host, port));
    } catch (error) {
      settle(error as Error, host, port);
    }
  }

  private later(delay: number, run: () => void): void {
    if (delay <= 0) {
      run();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, delay);
    this.timers.add(timer);
  }

  private receive(message: Buffer, rinfo: dgram.RemoteInfo): void {
    const device = this.options.tdpPorts.length > 0 && message[0] === TDP_VERSION
      ? parseTdpReply(message, rinfo)
      : this.options.classic === false ? undefined : parseSysinfoReply(message, rinfo, this.options.port);
    if (device && this.options.kinds.includes(device.kind)) this.options.onDevice(device, message);
  }
}
