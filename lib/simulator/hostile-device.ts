/**
 * A hostile device on loopback: an honest SimulatedDevice behind TCP and
 * UDP on one port, whose answers are bent by a mode that can change at any
 * time (hostile-replies.ts says what each mode sends). Tests and the soak
 * use it to show that no reply, however wrong, stops the library or
 * Node-RED, and that a node recovers once the device behaves ('none').
 * Requests are read through the same bounded parser as replies.
 */
import * as dgram from 'dgram';
import * as net from 'net';
import { decodeDatagram, FrameDecoder } from '../classic/framing';
import { isJsonObject, parseBoundedJson } from '../json';
import { SimulatedDevice, type SimulatedDeviceOptions } from './simulated-device';
import { bindUdp, closeServer, closeUdp, listenTcp } from './sockets';
import { hostileDatagram, hostileFrame, type HostileMode } from './hostile-replies';
import { DEFAULT_HOST } from './device-server';

/** Real devices give up on much smaller requests; this bounds memory per connection. */
const MAX_REQUEST_FRAME = 64 * 1024;
const TRICKLE_MS = 100;

export interface HostileDeviceOptions extends Partial<SimulatedDeviceOptions> {
  mode: HostileMode;
  /** Default 127.0.0.1. Loopback only, or an address inside a test's own network namespace. */
  host?: string;
  /** TCP and UDP port; 0 (default) picks a free one. */
  port?: number;
}

export interface RunningHostileDevice {
  readonly device: SimulatedDevice;
  readonly host: string;
  readonly port: number;
  readonly mode: HostileMode;
  /** Requests read (TCP frames and UDP datagrams), whatever the mode did with them. */
  readonly requestsSeen: number;
  /** TCP connections open now. */
  readonly connections: number;
  setMode(mode: HostileMode): void;
  close(): Promise<void>;
}

export async function startHostileDevice(options: HostileDeviceOptions): Promise<RunningHostileDevice> {
  const server = new HostileServer(options);
  await server.start(options.port ?? 0);
  return server;
}

class HostileServer implements RunningHostileDevice {
  readonly device: SimulatedDevice;
  readonly host: string;
  port = 0;
  mode: HostileMode;
  requestsSeen = 0;
  private tcp: net.Server | undefined;
  private udp: dgram.Socket | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(options: HostileDeviceOptions) {
    this.device = new SimulatedDevice({ model: 'HS110', alias: `Hostile ${options.mode}`, on: false, ...options });
    this.host = options.host ?? DEFAULT_HOST;
    this.mode = options.mode;
  }

  get connections(): number {
    return this.sockets.size;
  }

  async start(port: number): Promise<void> {
    // With port 0, the TCP port picked may be taken for UDP: try a few.
    for (let attempt = 1; ; attempt++) {
      const tcp = await listenTcp(this.host, port, (socket) => this.accept(socket));
      const tcpPort = (tcp.address() as net.AddressInfo).port;
      try {
        this.udp = await bindUdp(this.host, tcpPort, false);
      } catch (error) {
        await closeServer(tcp);
        if (port !== 0 || attempt >= 8) throw error;
        continue;
      }
      this.udp.on('message', (message, from) => this.answerDatagram(message, from));
      this.tcp = tcp;
      this.port = tcpPort;
      return;
    }
  }

  setMode(mode: HostileMode): void {
    this.mode = mode;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await Promise.all([this.tcp ? closeServer(this.tcp) : undefined, this.udp ? closeUdp(this.udp) : undefined]);
    this.tcp = undefined;
    this.udp = undefined;
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => undefined); // Clients reset connections; nothing to report.
    socket.on('close', () => this.sockets.delete(socket));
    if (this.mode === 'never-reads') {
      socket.pause();
      return;
    }
    const decoder = new FrameDecoder(MAX_REQUEST_FRAME);
    socket.on('data', (chunk: Buffer) => {
      const decoded = decoder.push(chunk);
      for (const frame of decoded.frames) this.answerFrame(socket, frame);
      if (!decoded.ok) socket.destroy();
    });
  }

  private answerFrame(socket: net.Socket, frame: Buffer): void {
    const request = this.readRequest(frame);
    if (!request || socket.destroyed) return void socket.destroy();
    const mode = this.mode;
    switch (mode) {
      case 'never-reads': socket.pause(); return;
      case 'silent': this.device.handle(request); return;
      case 'huge-length': return this.trickle(socket, 0xffff_ffff);
      case 'announced-trickle': return this.trickle(socket, 1_000_000);
      case 'rst-mid-frame': {
        const frameOut = hostileFrame('none', request, this.answer);
        socket.write(frameOut?.subarray(0, Math.ceil((frameOut?.length ?? 8) / 2)) ?? Buffer.alloc(0), () => socket.resetAndDestroy());
        return;
      }
      default: {
        const reply = hostileFrame(mode, request, this.answer);
        if (reply && socket.writable) socket.write(reply);
      }
    }
  }

  private answerDatagram(message: Buffer, from: dgram.RemoteInfo): void {
    const request = this.readRequest(decodeDatagram(message));
    if (!request) return;
    const mode = this.mode;
    if (mode === 'silent') {
      this.device.handle(request);
      return;
    }
    // The stream modes have no datagram form: over UDP such a device just stays silent.
    const reply = hostileDatagram(mode, request, this.answer);
    if (reply && this.udp) this.udp.send(reply, from.port, from.address, () => undefined);
  }

  /** The request as an object through the bounded parser, or undefined (a device drops what it cannot read). */
  private readRequest(bytes: Buffer): Record<string, unknown> | undefined {
    this.requestsSeen += 1;
    try {
      const request = parseBoundedJson(bytes.toString('utf8'));
      return isJsonObject(request) ? request : undefined;
    } catch {
      return undefined;
    }
  }

  private readonly answer = (request: Record<string, unknown>): Record<string, unknown> => this.device.handle(request);

  /** A length prefix, then one byte per 100 ms for as long as the client listens. */
  private trickle(socket: net.Socket, announced: number): void {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(announced >>> 0, 0);
    socket.write(header);
    const timer = setInterval(() => {
      if (socket.destroyed || !socket.writable) {
        clearInterval(timer);
        this.timers.delete(timer);
        return;
      }
      socket.write(Buffer.from([0x20]));
    }, TRICKLE_MS);
    this.timers.add(timer);
  }
}
