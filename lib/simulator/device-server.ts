/**
 * Puts a SimulatedDevice on the network: TCP (length-prefixed frames, one
 * connection can carry many requests) and UDP (one datagram per request)
 * on the same port number, with the active fault applied to every reply.
 */
import * as dgram from 'dgram';
import { EventEmitter } from 'events';
import * as net from 'net';
import { decodeDatagram, encodeDatagram, encodeFrame, FrameDecoder } from '../classic/framing';
import {
  DEFAULT_ERR_CODE, DEFAULT_ERR_MSG, errorReply, garbageDatagram, garbageFrame, midFrameCut, oversizeFrame, type FaultSpec,
} from './faults';
import { bindUdp, closeServer, closeUdp, listenTcp, SimulatorError } from './sockets';
import { parseBoundedJson } from '../json';
import { SimulatedDevice, type SimulatedDeviceOptions } from './simulated-device';

export const DEFAULT_HOST = '127.0.0.1';
/** Real devices give up on much smaller requests; this bounds memory per connection. */
const MAX_REQUEST_FRAME = 64 * 1024;
/** Rules act on whole minutes; a second is close enough and costs little when nothing is due. */
const TICK_MS = 1000;

export interface StartDeviceOptions extends SimulatedDeviceOptions {
  /** Default 127.0.0.1. Pass only loopback or an address inside a test's network namespace. */
  host?: string;
  /** TCP and UDP port; 0 picks a free one (the same number for both when possible). Default 0. */
  port?: number;
  /** Listen on TCP (default true); false for a device reached only over KLAP/HTTP. */
  tcp?: boolean;
  /** Listen on UDP (default true). */
  udp?: boolean;
  /** Share the UDP port with a fleet's broadcast listener (SO_REUSEADDR). */
  reuseAddr?: boolean;
  fault?: FaultSpec;
  /** End the TCP connection after each reply, as some older plug firmware does. Default false (keep-alive). */
  closeAfterReply?: boolean;
  /** How long a reboot / reset keeps the device off the network, ms. Default 3000. */
  restartDurationMs?: number;
  /** A device already made (a device dump's, lib/simulator/fixture) to put on the network instead of making one from these options. */
  device?: SimulatedDevice;
}

export interface RunningDevice {
  readonly device: SimulatedDevice;
  readonly host: string;
  /** TCP port (and UDP port unless `udpPort` says otherwise). */
  readonly port: number;
  readonly udpPort: number;
  readonly model: string;
  readonly alias: string;
  readonly deviceId: string;
  readonly isOnline: boolean;
  readonly fault: FaultSpec | undefined;
  /** The request handling a KLAP server reuses: honours the err-code fault. */
  handle(request: object): Record<string, unknown>;
  /** Throws SyntaxError when `text` is not a JSON object. */
  handleJson(text: string): string;
  /** Answers one UDP request (a fleet's broadcast listener calls this), replying from this device's own socket. */
  handleDatagram(message: Buffer, from: { address: string; port: number }): void;
  setFault(fault: FaultSpec): Promise<void>;
  clearFault(): Promise<void>;
  offline(): Promise<void>;
  online(): Promise<void>;
  close(): Promise<void>;
  on(event: 'online' | 'offline', listener: () => void): this;
}

export async function startDevice(options: StartDeviceOptions): Promise<RunningDevice> {
  const server = new DeviceServer(options);
  await server.start();
  return server;
}

class DeviceServer extends EventEmitter implements RunningDevice {
  readonly device: SimulatedDevice;
  readonly host: string;
  port: number;
  udpPort: number;
  fault: FaultSpec | undefined;
  private readonly options: StartDeviceOptions;
  private tcpServer: net.Server | undefined;
  private udpSocket: dgram.Socket | undefined;
  private readonly connections = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Lets rules and timers act between requests; runs while the device is powered, online or not. */
  private ticker: NodeJS.Timeout | undefined;
  private listening = false;
  private closed = false;

  constructor(options: StartDeviceOptions) {
    super();
    this.options = options;
    this.device = options.device ?? new SimulatedDevice(options);
    this.host = options.host ?? DEFAULT_HOST;
    this.port = options.port ?? 0;
    this.udpPort = this.port;
    this.fault = options.fault;
    this.device.onRestart = (delaySeconds) => this.restart(delaySeconds);
  }

  get model(): string { return this.device.model; }
  get alias(): string { return this.device.alias; }
  get deviceId(): string { return this.device.deviceId; }
  get isOnline(): boolean { return this.listening; }

  async start(): Promise<void> {
    await this.openListeners(true);
    this.ticker = setInterval(() => this.device.tick(), TICK_MS);
    this.ticker.unref();
    if (this.fault?.kind === 'offline') await this.applyOffline(this.fault);
  }

  handle(request: object): Record<string, unknown> {
    if (this.fault?.kind === 'err-code') {
      return errorReply(request, this.fault.errCode ?? DEFAULT_ERR_CODE, this.fault.errMsg ?? DEFAULT_ERR_MSG);
    }
    return this.device.handle(request);
  }

  handleJson(text: string): string {
    let request: unknown;
    try {
      request = parseBoundedJson(text);
    } catch (error) {
      throw new SyntaxError(error instanceof Error ? error.message : String(error));
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      throw new SyntaxError('a Smart Home request is a JSON object');
    }
    return JSON.stringify(this.handle(request));
  }

  async setFault(fault: FaultSpec): Promise<void> {
    const wasOffline = this.fault?.kind === 'offline';
    this.fault = fault;
    if (fault.kind === 'offline') await this.applyOffline(fault);
    else if (wasOffline && !this.listening) await this.online();
  }

  async clearFault(): Promise<void> {
    const wasOffline = this.fault?.kind === 'offline';
    this.fault = undefined;
    if (wasOffline && !this.listening && !this.closed) await this.online();
  }

  /** Closes the listeners and drops every connection: new connections are refused. */
  async offline(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    for (const socket of this.connections) socket.destroy();
    this.connections.clear();
    const server = this.tcpServer;
    const udp = this.udpSocket;
    this.tcpServer = undefined;
    this.udpSocket = undefined;
    await Promise.all([server ? closeServer(server) : undefined, udp ? closeUdp(udp) : undefined]);
    this.emit('offline');
  }

  /** Reopens the listeners on the same port(s). */
  async online(): Promise<void> {
    if (this.listening || this.closed) return;
    await this.openListeners(false);
    this.emit('online');
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.ticker);
    this.ticker = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.device.onRestart = undefined;
    await this.offline();
  }

  handleDatagram(message: Buffer, from: { address: string; port: number }): void {
    const fault = this.fault;
    const kind = fault?.kind;
    // udp-drop loses the datagram on the way in; no-reply applies it and stays silent, as over TCP.
    if (!this.listening || !this.udpSocket || kind === 'udp-drop' || kind === 'offline') return;
    let reply: Buffer;
    try {
      const answer = this.handleJson(decodeDatagram(message).toString('utf8'));
      if (kind === 'no-reply') return;
      reply = fault?.kind === 'garbage' ? garbageDatagram(fault.length) : encodeDatagram(answer);
    } catch {
      return; // Firmware ignores datagrams it cannot parse.
    }
    const socket = this.udpSocket;
    const send = (): void => {
      if (this.udpSocket === socket) socket.send(reply, from.port, from.address, () => undefined);
    };
    if (fault?.kind === 'slow') this.after(fault.delayMs ?? 2000, send);
    else send();
  }

  private async openListeners(firstTime: boolean): Promise<void> {
    const wantTcp = this.options.tcp !== false;
    const wantUdp = this.options.udp !== false;
    // With port 0, the TCP port picked by the OS may be taken for UDP; try a few.
    const attempts = firstTime && this.port === 0 && wantTcp && wantUdp ? 8 : 1;
    for (let attempt = 1; ; attempt++) {
      const server = wantTcp ? await listenTcp(this.host, this.port, (s) => this.accept(s)) : undefined;
      const tcpPort = server ? (server.address() as net.AddressInfo).port : this.port;
      const udpWanted = firstTime ? (wantTcp ? tcpPort : this.port) : this.udpPort;
      try {
        const udp = wantUdp ? await bindUdp(this.host, udpWanted, this.options.reuseAddr === true) : undefined;
        if (udp) {
          udp.on('message', (msg, rinfo) => this.handleDatagram(msg, rinfo));
          this.udpPort = udp.address().port;
        }
        this.tcpServer = server;
        this.udpSocket = udp;
        this.port = wantTcp ? tcpPort : this.udpPort;
        if (!wantUdp) this.udpPort = this.port;
        this.listening = true;
        return;
      } catch (error) {
        if (server) await closeServer(server);
        if (attempt >= attempts) {
          throw error instanceof SimulatorError ? error : new SimulatorError(`cannot listen: ${String(error)}`, this.host, udpWanted);
        }
      }
    }
  }

  private accept(socket: net.Socket): void {
    if (!this.listening) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.connections.add(socket);
    const decoder = new FrameDecoder(MAX_REQUEST_FRAME);
    let queue = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      const decoded = decoder.push(chunk);
      for (const frame of decoded.frames) queue = queue.then(() => this.answer(socket, frame));
      if (!decoded.ok) queue = queue.then(() => { socket.destroy(); });
    });
    socket.on('error', () => undefined); // Clients reset connections; nothing to report.
    socket.on('close', () => this.connections.delete(socket));
  }

  private async answer(socket: net.Socket, request: Buffer): Promise<void> {
    if (socket.destroyed) return;
    let replyText: string;
    try {
      replyText = this.handleJson(request.toString('utf8'));
    } catch {
      socket.destroy(); // Not JSON: firmware drops the connection.
      return;
    }
    const fault = this.fault;
    switch (fault?.kind) {
      case 'no-reply':
        return;
      case 'slow':
        await this.sleep(fault.delayMs ?? 2000);
        return this.write(socket, encodeFrame(replyText));
      case 'split':
        return this.writeSplit(socket, encodeFrame(replyText), fault.chunkSize ?? 1, fault.intervalMs ?? 1);
      case 'close-mid-frame': {
        const frame = encodeFrame(replyText);
        if (!socket.destroyed) socket.end(frame.subarray(0, midFrameCut(frame.length, fault.bytes)));
        return;
      }
      case 'garbage':
        return this.write(socket, garbageFrame(fault.length, fault.framed ?? true));
      case 'oversize-length':
        return this.write(socket, oversizeFrame(replyText, fault.length));
      default:
        if (this.options.closeAfterReply) {
          if (!socket.destroyed) socket.end(encodeFrame(replyText));
          return;
        }
        return this.write(socket, encodeFrame(replyText));
    }
  }

  private write(socket: net.Socket, bytes: Buffer): void {
    if (!socket.destroyed && socket.writable) socket.write(bytes);
  }

  private async writeSplit(socket: net.Socket, frame: Buffer, chunkSize: number, intervalMs: number): Promise<void> {
    const size = Math.max(1, Math.floor(chunkSize));
    for (let offset = 0; offset < frame.length; offset += size) {
      if (socket.destroyed) return;
      if (offset > 0) await this.sleep(intervalMs);
      this.write(socket, frame.subarray(offset, offset + size));
    }
  }

  private async applyOffline(fault: { durationMs?: number }): Promise<void> {
    await this.offline();
    if (fault.durationMs !== undefined) {
      this.after(fault.durationMs, () => {
        if (this.fault?.kind === 'offline') this.fault = undefined;
        this.online().catch(() => undefined);
      });
    }
  }

  /** Reboot: the reply goes out, then the device drops off the network for a while. */
  private restart(delaySeconds: number): void {
    this.after(Math.max(0, delaySeconds) * 1000, () => {
      this.offline()
        .then(() => this.after(this.options.restartDurationMs ?? 3000, () => { this.online().catch(() => undefined); }))
        .catch(() => undefined);
    });
  }

  private after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }
}
