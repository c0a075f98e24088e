/**
 * The UDP 20002 discovery packet ("TDP" v2) that newer firmware answers
 * instead of, or as well as, the XOR query on 9999. Layout from the public
 * reverse engineering (python-kasa's _AesDiscoveryQuery; WithSecure's
 * AC1750 advisory): a 16-byte big-endian header
 *   version u8 = 2 | msg_type u8 | op_code u16 (1 = probe) | msg_size u16 |
 *   flags u8 | pad u8 | serial u32 (random) | crc32 u32
 * then msg_size bytes of JSON. The CRC is a CRC-32 over the whole packet
 * computed with 0x5A6B7C8D in the CRC field.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { isObject } from '../classic/commands';
import { parseBoundedJson } from '../json';

export const DISCOVERY_20002_PORT = 20002;
export const TDP_HEADER_LENGTH = 16;
const TDP_VERSION = 2;
const OP_PROBE = 1;
const CRC_SEED = 0x5a6b7c8d;
/** python-kasa sets 17 when the probe carries a key, 0 for the bare header. */
const FLAGS_WITH_KEY = 17;

export interface TdpHeader {
  version: number;
  msgType: number;
  opCode: number;
  msgSize: number;
  flags: number;
  serial: number;
  crc: number;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Builds a packet with a valid CRC around `json` (empty for the bare probe). */
export function encodeTdpPacket(fields: Omit<TdpHeader, 'version' | 'msgSize' | 'crc'>, json: Buffer): Buffer {
  const packet = Buffer.alloc(TDP_HEADER_LENGTH + json.length);
  packet.writeUInt8(TDP_VERSION, 0);
  packet.writeUInt8(fields.msgType, 1);
  packet.writeUInt16BE(fields.opCode, 2);
  packet.writeUInt16BE(json.length, 4);
  packet.writeUInt8(fields.flags, 6);
  packet.writeUInt32BE(fields.serial >>> 0, 8);
  packet.writeUInt32BE(CRC_SEED, 12);
  json.copy(packet, TDP_HEADER_LENGTH);
  packet.writeUInt32BE(crc32(packet), 12);
  return packet;
}

/** Reads the header; undefined when the packet is too short or not version 2. */
export function decodeTdpHeader(packet: Buffer): TdpHeader | undefined {
  if (packet.length < TDP_HEADER_LENGTH || packet[0] !== TDP_VERSION) return undefined;
  return {
    version: TDP_VERSION,
    msgType: packet.readUInt8(1),
    opCode: packet.readUInt16BE(2),
    msgSize: packet.readUInt16BE(4),
    flags: packet.readUInt8(6),
    serial: packet.readUInt32BE(8),
    crc: packet.readUInt32BE(12),
  };
}

export function tdpCrcValid(packet: Buffer): boolean {
  if (packet.length < TDP_HEADER_LENGTH) return false;
  const copy = Buffer.from(packet);
  copy.writeUInt32BE(CRC_SEED, 12);
  return crc32(copy) === packet.readUInt32BE(12);
}

let cachedKeyPair: { publicKeyPem: string; privateKey: KeyObject } | undefined;
/**
 * Devices may encrypt part of their reply (encrypt_info) to the key a probe
 * offers; one key pair per process is enough. Its private half opens those
 * replies (readSmartDiscoveryReply in smart-reply.ts).
 */
export function defaultDiscoveryKeyPair(): { publicKeyPem: string; privateKey: KeyObject } {
  if (!cachedKeyPair) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    cachedKeyPair = { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
  }
  return cachedKeyPair;
}

export interface Discovery20002RequestOptions {
  /** PEM of a 2048-bit RSA public key to offer; null sends the 16-byte bare probe older python-kasa used. Default: the per-process key. */
  rsaPublicKeyPem?: string | null;
  serial?: number;
}

export function buildDiscovery20002Request(options: Discovery20002RequestOptions = {}): Buffer {
  const pem = options.rsaPublicKeyPem === undefined ? defaultDiscoveryKeyPair().publicKeyPem : options.rsaPublicKeyPem;
  const serial = options.serial ?? randomBytes(4).readUInt32BE(0);
  const json = pem === null ? Buffer.alloc(0) : Buffer.from(JSON.stringify({ params: { rsa_key: pem } }));
  return encodeTdpPacket({ msgType: 0, opCode: OP_PROBE, flags: pem === null ? 0 : FLAGS_WITH_KEY, serial }, json);
}

/** What a device needs to know about a probe: which serial to echo, which key was offered. */
export function parseDiscovery20002Request(packet: Buffer): { serial: number; rsaKey?: string } | undefined {
  const header = decodeTdpHeader(packet);
  if (!header || header.opCode !== OP_PROBE || !tdpCrcValid(packet)) return undefined;
  if (header.msgSize === 0) return { serial: header.serial };
  const body = readJsonObject(packet.subarray(TDP_HEADER_LENGTH, TDP_HEADER_LENGTH + header.msgSize));
  const params = body?.params;
  const rsaKey = isObject(params) && typeof params.rsa_key === 'string' ? params.rsa_key : undefined;
  return rsaKey === undefined ? { serial: header.serial } : { serial: header.serial, rsaKey };
}

export interface Discovery20002Reply {
  header: TdpHeader;
  crcValid: boolean;
  deviceId?: string;
  deviceType?: string; // e.g. IOT.SMARTPLUGSWITCH
  deviceModel?: string; // e.g. HS100(UK)
  ip?: string;
  mac?: string;
  encryptType?: string; // 'KLAP', 'AES', ...
  httpPort?: number;
  /** mgt_encrypt_schm.lv; absent on the first KLAP plugs. */
  loginVersion?: number;
  /** The whole `result` object, for fields not lifted above. */
  result: Record<string, unknown>;
}

/**
 * Parses a device's reply. Never throws (replies are untrusted datagrams);
 * undefined when it is not a version-2 packet carrying `{result: {...}}`.
 * The CRC is reported, not enforced: it is not established publicly that
 * every firmware fills it in on replies.
 */
export function parseDiscovery20002Reply(packet: Buffer): Discovery20002Reply | undefined {
  const header = decodeTdpHeader(packet);
  if (!header) return undefined;
  const result = readJsonObject(packet.subarray(TDP_HEADER_LENGTH))?.result;
  if (!isObject(result)) return undefined;
  const scheme = isObject(result.mgt_encrypt_schm) ? result.mgt_encrypt_schm : {};
  const reply: Discovery20002Reply = { header, crcValid: tdpCrcValid(packet), result };
  assignString(reply, 'deviceId', result.device_id);
  assignString(reply, 'deviceType', result.device_type);
  assignString(reply, 'deviceModel', result.device_model);
  assignString(reply, 'ip', result.ip);
  assignString(reply, 'mac', result.mac);
  assignString(reply, 'encryptType', scheme.encrypt_type);
  if (isPort(scheme.http_port)) reply.httpPort = scheme.http_port;
  if (typeof scheme.lv === 'number' && Number.isInteger(scheme.lv)) reply.loginVersion = scheme.lv;
  return reply;
}

/** Encodes a device's reply (used by the simulator's responder). */
export function encodeDiscovery20002Reply(result: Record<string, unknown>, serial: number): Buffer {
  const json = Buffer.from(JSON.stringify({ error_code: 0, result }));
  return encodeTdpPacket({ msgType: 0, opCode: OP_PROBE, flags: FLAGS_WITH_KEY, serial }, json);
}

type StringField = 'deviceId' | 'deviceType' | 'deviceModel' | 'ip' | 'mac' | 'encryptType';
function assignString(reply: Discovery20002Reply, field: StringField, value: unknown): void {
  if (typeof value === 'string') reply[field] = value;
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 65536;
}

function readJsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed = parseBoundedJson(bytes.toString('utf8'));
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
