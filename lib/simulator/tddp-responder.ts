/**
 * A simulated TDDP responder: answers requests the way a TP-Link device
 * does, from its own port to the requester's address on the fixed reply
 * port. Replies can be configured per type and subtype, including faults
 * (dropped, truncated, oversize, bad digest) for testing clients.
 */
import { createSocket, RemoteInfo, Socket } from 'dgram';
import { EventEmitter } from 'events';
import { AddressInfo } from 'net';
import {
  decodePacket, decryptData, deriveKey, encodePacket, encryptData, TddpCode, TddpHeader, TddpStatus,
  TddpSubtype, TddpType, TDDP_REPLY_PORT, TDDP_V2, TddpVersion,
} from '../tddp';

export type TddpFault = 'drop' | 'truncate' | 'oversize' | 'bad-digest';

export interface TddpCannedReply {
  /** Plain data (encrypted on the way out for version 2). */
  data?: string | Uint8Array;
  status?: number;
  /** Packet id to answer with instead of the request's. */
  id?: number;
  fault?: TddpFault;
  delayMs?: number;
}

/** Text or bytes: the data of a status-0 reply; a number: a data-less reply with that status. */
export type TddpReplySetting = string | Uint8Array | number | TddpCannedReply;

export interface TddpResponderOptions {
  host?: string;
  /** Port to listen on; 0 (the default) picks a free one. Real devices use 1040. */
  port?: number;
  username?: string;
  password?: string;
  /** Replies keyed "type:subtype", e.g. "3:0e" (see parseReplyKey); they override the defaults. */
  replies?: Record<string, TddpReplySetting>;
  /** Version of the replies; by default that of each request. */
  version?: TddpVersion;
  /** Port replies are sent to on the requester's host (default 61000); 0: the port the request came from (a TddpClient on reply port 0). */
  replyPort?: number;
}

export interface TddpRequestEvent {
  header: TddpHeader;
  /** Decrypted request data. */
  data: Buffer;
  from: RemoteInfo;
}

const DEFAULT_REPLIES: ReadonlyArray<[number, number, TddpReplySetting]> = [
  [TddpType.SPECIAL_COMMAND, TddpSubtype.PRODUCT, 'ABCD0110'],
  [TddpType.SPECIAL_COMMAND, TddpSubtype.WAN_PHYSICAL_LINK, 'wan_ph_link 1 0'],
  [TddpType.SPECIAL_COMMAND, TddpSubtype.WAN_LOGICAL_LINK, 'wan_logic_link 1 0'],
  [TddpType.SPECIAL_COMMAND, TddpSubtype.DEVICE_ID, '8006A1B2C3D4E5F60718293A4B5C6D7E8F901234'],
  [TddpType.SPECIAL_COMMAND, TddpSubtype.HARDWARE_ID, '60FF6B258734EA6880E186F8C96DDC61'],
  [TddpType.HEARTBEAT, 0, ''],
];
const DEFAULT_CONFIG = 'lan_ip 192.168.0.1\nlan_mask 255.255.255.0\n';
/** What the captured device sent for a subtype it did not know: status 3, packet id 0, no data. */
const UNSUPPORTED: TddpCannedReply = { status: TddpStatus.UNSUPPORTED, id: 0 };

export interface TddpResponderEvents {
  request: [request: TddpRequestEvent];
  ignored: [reason: string, from: RemoteInfo];
}

export class TddpResponder extends EventEmitter<TddpResponderEvents> {
  private readonly replies = new Map<string, TddpCannedReply>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly key: Buffer;
  private config: Buffer = Buffer.from(DEFAULT_CONFIG);
  private closed = false;

  constructor(private readonly socket: Socket, private readonly options: TddpResponderOptions) {
    super();
    this.key = deriveKey(options.username ?? 'admin', options.password ?? 'admin');
    for (const [type, subtype, reply] of DEFAULT_REPLIES) this.setReply(type, subtype, reply);
    for (const [key, reply] of Object.entries(options.replies ?? {})) {
      const { type, subtype } = parseReplyKey(key);
      this.setReply(type, subtype, reply);
    }
    socket.on('message', (message, from) => this.answer(message, from));
    // A device does not care whether its reply arrived; neither do we.
    socket.on('error', () => undefined);
  }

  get port(): number {
    return this.address().port;
  }

  address(): AddressInfo {
    return this.socket.address();
  }

  setReply(type: number, subtype: number, reply: TddpReplySetting): void {
    this.replies.set(replyKey(type, subtype), normalise(reply));
  }

  clearReply(type: number, subtype: number): void {
    this.replies.delete(replyKey(type, subtype));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(message: Buffer, from: RemoteInfo): void {
    const parsed = decodePacket(message);
    if (!parsed.ok) return void this.emit('ignored', parsed.error.message, from);
    const { header, data } = parsed.packet;
    if (header.code !== TddpCode.REQUEST) return void this.emit('ignored', `code ${header.code} is not a request`, from);
    let plain: Buffer;
    try {
      plain = header.version === TDDP_V2 ? decryptData(this.key, data) : data;
    } catch {
      return void this.emit('ignored', 'request data is not whole DES blocks', from);
    }
    this.emit('request', { header, data: plain, from });
    const reply = this.replyFor(header, plain);
    if (reply.fault === 'drop') return;
    const packet = this.encodeReply(header, reply);
    const replyPort = this.options.replyPort ?? TDDP_REPLY_PORT;
    const send = (): void => {
      if (!this.closed) this.socket.send(packet, replyPort === 0 ? from.port : replyPort, from.address);
    };
    if (!reply.delayMs) return send();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      send();
    }, reply.delayMs);
    this.timers.add(timer);
  }

  private replyFor(header: TddpHeader, plain: Buffer): TddpCannedReply {
    const configured = this.replies.get(replyKey(header.type, header.subtype));
    if (configured) return configured;
    // Configuration is a small store: what SET_CONFIG writes, GET_SYSTEM_INFO reads back.
    if (header.type === TddpType.SET_CONFIG) {
      this.config = Buffer.from(plain);
      return {};
    }
    if (header.type === TddpType.GET_SYSTEM_INFO) return { data: this.config };
    return UNSUPPORTED;
  }

  private encodeReply(request: TddpHeader, reply: TddpCannedReply): Buffer {
    const version = this.options.version ?? request.version;
    const plain = reply.data ?? Buffer.alloc(0);
    const packet = encodePacket({
      version,
      type: request.type,
      code: TddpCode.REPLY,
      status: reply.status ?? TddpStatus.OK,
      id: reply.id ?? request.id,
      subtype: request.subtype,
      data: version === TDDP_V2 ? encryptData(this.key, plain) : Buffer.from(plain),
    });
    return applyFault(packet, reply.fault);
  }
}

export async function startTddpResponder(options: TddpResponderOptions = {}): Promise<TddpResponder> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port: options.port ?? 0, address: options.host ?? '127.0.0.1', exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    socket.close();
    throw error;
  });
  return new TddpResponder(socket, options);
}

/** "3:0e" -> { type: 3, subtype: 0x0e }. Type is decimal or 0x-hex, subtype always hex. */
export function parseReplyKey(key: string): { type: number; subtype: number } {
  const match = /^\s*(0x[0-9a-f]{1,2}|\d{1,3}):(?:0x)?([0-9a-f]{1,2})\s*$/i.exec(key);
  const type = match ? Number(match[1]) : NaN;
  if (!match || type > 0xff) throw new RangeError(`TDDP reply key must look like "3:0e" (type:subtype hex), got "${key}"`);
  return { type, subtype: parseInt(match[2], 16) };
}

/**
 * Parses a command-line reply setting "type:subtype=value", where value is
 * text, "hex:<bytes>", "status:<n>" or "fault:<drop|truncate|oversize|bad-digest>".
 */
export function parseReplyFlag(flag: string): { type: number; subtype: number; reply: TddpReplySetting } {
  const equals = flag.indexOf('=');
  if (equals < 0) throw new RangeError(`TDDP reply must look like "3:0e=text", got "${flag}"`);
  const { type, subtype } = parseReplyKey(flag.slice(0, equals));
  const value = flag.slice(equals + 1);
  const [kind, ...rest] = value.split(':');
  const argument = rest.join(':');
  if (kind === 'hex' && /^([0-9a-f]{2})*$/i.test(argument)) return { type, subtype, reply: Buffer.from(argument, 'hex') };
  if (kind === 'status' && /^\d{1,3}$/.test(argument) && Number(argument) <= 0xff) return { type, subtype, reply: Number(argument) };
  if (kind === 'fault' && isFault(argument)) return { type, subtype, reply: { data: '', fault: argument } };
  if (rest.length > 0 && (kind === 'hex' || kind === 'status' || kind === 'fault')) {
    throw new RangeError(`invalid TDDP reply value "${value}"`);
  }
  return { type, subtype, reply: value };
}

function replyKey(type: number, subtype: number): string {
  return `${type}:${subtype}`;
}

function normalise(reply: TddpReplySetting): TddpCannedReply {
  if (typeof reply === 'number') return { status: reply };
  if (typeof reply === 'string' || reply instanceof Uint8Array) return { data: reply };
  return reply;
}

function isFault(value: string): value is TddpFault {
  return value === 'drop' || value === 'truncate' || value === 'oversize' || value === 'bad-digest';
}

function applyFault(packet: Buffer, fault: TddpFault | undefined): Buffer {
  switch (fault) {
    case 'truncate': return packet.subarray(0, Math.max(11, packet.length - 8));
    case 'oversize': return Buffer.concat([packet, Buffer.alloc(8, 0xee)]);
    case 'bad-digest': {
      const out = Buffer.from(packet);
      out[12] ^= 0xff; // first digest byte (version 2); for version 1, the data
      return out;
    }
    default: return packet;
  }
}
