/**
 * A minimal pcap writer for the dissector tests: Ethernet / IPv4 / TCP or UDP,
 * correct lengths and IPv4 header checksum, TCP/UDP checksums left at zero
 * (Wireshark does not verify them by default).
 *
 * Addresses are only written into files; nothing here touches the network.
 */
import { writeFileSync } from 'fs';

const LINKTYPE_ETHERNET = 1;
const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;

export interface Endpoint {
  ip: string;
  port: number;
}

function ipBytes(ip: string): Buffer {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return Buffer.from(parts);
}

function ipChecksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function macFor(ip: string): Buffer {
  return Buffer.concat([Buffer.from([0x02, 0x00]), ipBytes(ip)]);
}

export class PcapWriter {
  private readonly records: Buffer[] = [];
  private micros = 0;
  private ipId = 1;

  /** Adds an Ethernet frame carrying an IPv4 packet with `protocol` and `l4`. */
  private addIp(src: string, dst: string, protocol: number, l4: Buffer): void {
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + l4.length, 2);
    ip.writeUInt16BE(this.ipId++ & 0xffff, 4);
    ip[8] = 64;
    ip[9] = protocol;
    ipBytes(src).copy(ip, 12);
    ipBytes(dst).copy(ip, 16);
    ip.writeUInt16BE(ipChecksum(ip), 10);
    const ether = Buffer.concat([macFor(dst), macFor(src), Buffer.from([0x08, 0x00])]);
    const frame = Buffer.concat([ether, ip, l4]);
    const header = Buffer.alloc(16);
    this.micros += 1000;
    header.writeUInt32LE(1_700_000_000 + Math.floor(this.micros / 1e6), 0);
    header.writeUInt32LE(this.micros % 1e6, 4);
    header.writeUInt32LE(frame.length, 8);
    header.writeUInt32LE(frame.length, 12);
    this.records.push(header, frame);
  }

  udp(from: Endpoint, to: Endpoint, payload: Buffer): this {
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(from.port, 0);
    udp.writeUInt16BE(to.port, 2);
    udp.writeUInt16BE(8 + payload.length, 4);
    this.addIp(from.ip, to.ip, 17, Buffer.concat([udp, payload]));
    return this;
  }

  tcpSegment(from: Endpoint, to: Endpoint, seq: number, ack: number, flags: number, payload: Buffer): this {
    const tcp = Buffer.alloc(20);
    tcp.writeUInt16BE(from.port, 0);
    tcp.writeUInt16BE(to.port, 2);
    tcp.writeUInt32BE(seq >>> 0, 4);
    tcp.writeUInt32BE(ack >>> 0, 8);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    tcp.writeUInt16BE(65535, 14);
    this.addIp(from.ip, to.ip, 6, Buffer.concat([tcp, payload]));
    return this;
  }

  /** Starts a TCP connection (three-way handshake) and returns it. */
  tcp(client: Endpoint, server: Endpoint): TcpConnection {
    return new TcpConnection(this, client, server);
  }

  toBuffer(): Buffer {
    const global = Buffer.alloc(24);
    global.writeUInt32LE(0xa1b2c3d4, 0);
    global.writeUInt16LE(2, 4);
    global.writeUInt16LE(4, 6);
    global.writeUInt32LE(65535, 16);
    global.writeUInt32LE(LINKTYPE_ETHERNET, 20);
    return Buffer.concat([global, ...this.records]);
  }

  write(file: string): string {
    writeFileSync(file, this.toBuffer());
    return file;
  }
}

export class TcpConnection {
  private clientSeq = 1000;
  private serverSeq = 5000;

  constructor(
    private readonly pcap: PcapWriter,
    readonly client: Endpoint,
    readonly server: Endpoint,
  ) {
    pcap.tcpSegment(client, server, this.clientSeq++, 0, TCP_SYN, Buffer.alloc(0));
    pcap.tcpSegment(server, client, this.serverSeq++, this.clientSeq, TCP_SYN | TCP_ACK, Buffer.alloc(0));
    pcap.tcpSegment(client, server, this.clientSeq, this.serverSeq, TCP_ACK, Buffer.alloc(0));
  }

  /** One segment from the client (`fromClient`) or the server, with `payload`. */
  send(fromClient: boolean, payload: Buffer): this {
    if (fromClient) {
      this.pcap.tcpSegment(this.client, this.server, this.clientSeq, this.serverSeq, TCP_PSH | TCP_ACK, payload);
      this.clientSeq += payload.length;
    } else {
      this.pcap.tcpSegment(this.server, this.client, this.serverSeq, this.clientSeq, TCP_PSH | TCP_ACK, payload);
      this.serverSeq += payload.length;
    }
    return this;
  }

  /** Sends `payload` in segments cut at `cuts` (offsets into payload). */
  sendSplit(fromClient: boolean, payload: Buffer, cuts: number[]): this {
    let start = 0;
    for (const cut of [...cuts, payload.length]) {
      this.send(fromClient, payload.subarray(start, cut));
      start = cut;
    }
    return this;
  }

  close(): void {
    const { pcap, client, server } = this;
    pcap.tcpSegment(client, server, this.clientSeq++, this.serverSeq, TCP_FIN | TCP_ACK, Buffer.alloc(0));
    pcap.tcpSegment(server, client, this.serverSeq++, this.clientSeq, TCP_FIN | TCP_ACK, Buffer.alloc(0));
    pcap.tcpSegment(client, server, this.clientSeq, this.serverSeq, TCP_ACK, Buffer.alloc(0));
  }
}
