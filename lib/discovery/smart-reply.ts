/**
 * UDP 20002/20004 discovery replies of SMART devices, read in full with
 * shape readers: what the device is (device_type, device_model, ip, mac),
 * how to talk to it (mgt_encrypt_schm: encrypt_type, http_port, lv,
 * is_support_https) and, when present, encrypt_info: a JSON object
 * encrypted with AES-128-CBC whose key and IV come encrypted to the RSA
 * key our probe offered (RSA-OAEP with SHA-1). The codec pair for the
 * device side (encodeEncryptInfo) lives here too, for the simulator.
 *
 * Nothing here throws on a bad datagram: a reply is untrusted, so the
 * result says what was wrong instead.
 */
import { constants, createCipheriv, createDecipheriv, generateKeyPair, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { isJsonObject, JsonShapeError, parseBoundedJson, shape, type JsonObject } from '../json';
import { decodeTdpHeader, TDP_HEADER_LENGTH, tdpCrcValid, type TdpHeader } from './tdp';

export const DISCOVERY_20004_PORT = 20004;
export const DISCOVERY_RSA_BITS = 2048;

const schemeShape = shape.object({
  encrypt_type: shape.optional(shape.string),
  http_port: shape.optional(shape.integerIn(1, 65535)),
  lv: shape.optional(shape.integerIn(1, 100)),
  is_support_https: shape.optional(shape.boolean),
});

const encryptInfoShape = shape.object({ sym_schm: shape.string, key: shape.string, data: shape.string });

const resultShape = shape.object({
  device_id: shape.string,
  device_type: shape.string,
  device_model: shape.string,
  ip: shape.lenient(shape.string),
  mac: shape.lenient(shape.string),
  mgt_encrypt_schm: shape.optional(schemeShape),
  encrypt_info: shape.lenient(encryptInfoShape),
  /** Cameras list login versions here instead of lv: ["1","2"] or ["3"]. */
  encrypt_type: shape.lenient(shape.arrayOf(shape.string, { maxLength: 8 })),
  device_name: shape.lenient(shape.string),
  owner: shape.lenient(shape.string),
  factory_default: shape.lenient(shape.boolean),
  is_support_iot_cloud: shape.lenient(shape.boolean),
  obd_src: shape.lenient(shape.string),
  hw_ver: shape.lenient(shape.string),
  firmware_version: shape.lenient(shape.string),
});

export interface SmartDiscoveryReply {
  header: TdpHeader;
  /** Reported, not enforced: not every firmware is known to fill in the CRC of a reply. */
  crcValid: boolean;
  deviceId: string;
  /** "SMART.TAPOPLUG", "SMART.KASAPLUG", "SMART.TAPOBULB", "IOT.SMARTPLUGSWITCH", ... */
  deviceType: string;
  /** "P110(EU)": model with region. */
  deviceModel: string;
  ip: string | undefined;
  /** As sent: "AA-BB-CC-DD-EE-FF". */
  mac: string | undefined;
  /** 'KLAP' or 'AES' (from mgt_encrypt_schm, else encrypt_info's sym_schm). */
  encryptType: string | undefined;
  httpPort: number | undefined;
  /** mgt_encrypt_schm.lv, else the highest of a camera's encrypt_type list; absent on the first firmware of each family. */
  loginVersion: number | undefined;
  supportsHttps: boolean | undefined;
  factoryDefault: boolean | undefined;
  owner: string | undefined;
  /** The decrypted encrypt_info, when the reply had one and the key to open it was given. */
  decrypted: JsonObject | undefined;
  /** Why encrypt_info could not be opened, when it could not. */
  decryptError: string | undefined;
}

export type SmartDiscoveryParse = { ok: true; reply: SmartDiscoveryReply } | { ok: false; reason: string };

export interface DiscoveryKeyPair {
  publicKeyPem: string;
  privateKey: KeyObject;
}

export function createDiscoveryKeyPair(): Promise<DiscoveryKeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: DISCOVERY_RSA_BITS, publicExponent: 65537 }, (error, publicKey, privateKey) => {
      if (error) return reject(error);
      resolve({ publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey });
    });
  });
}

/** Reads a 20002 datagram; `privateKey` opens encrypt_info (the key whose public half the probe offered). Never throws. */
export function readSmartDiscoveryReply(packet: Buffer, privateKey?: KeyObject): SmartDiscoveryParse {
  const header = decodeTdpHeader(packet);
  if (!header) return { ok: false, reason: 'not a version-2 TDP packet (16-byte header)' };
  let result: shape.ReadResult<typeof resultShape>;
  try {
    const body = parseBoundedJson(packet.subarray(TDP_HEADER_LENGTH).toString('utf8'));
    const envelope = isJsonObject(body) ? body : {};
    if (typeof envelope.error_code === 'number' && envelope.error_code !== 0) return { ok: false, reason: `error_code ${envelope.error_code}` };
    result = shape.read(resultShape, envelope.result, 'result');
  } catch (error) {
    if (error instanceof JsonShapeError) return { ok: false, reason: error.message };
    throw error;
  }
  const scheme = result.mgt_encrypt_schm;
  const opened = result.encrypt_info && privateKey ? openEncryptInfo(result.encrypt_info, privateKey) : undefined;
  return {
    ok: true,
    reply: {
      header, crcValid: tdpCrcValid(packet), deviceId: result.device_id, deviceType: result.device_type, deviceModel: result.device_model,
      ip: result.ip, mac: result.mac, encryptType: scheme?.encrypt_type ?? result.encrypt_info?.sym_schm, httpPort: scheme?.http_port,
      loginVersion: scheme?.lv ?? highestVersion(result.encrypt_type), supportsHttps: scheme?.is_support_https,
      factoryDefault: result.factory_default, owner: result.owner,
      decrypted: opened?.ok ? opened.value : undefined, decryptError: opened && !opened.ok ? opened.reason : undefined,
    },
  };
}

function highestVersion(list: readonly string[] | undefined): number | undefined {
  const versions = (list ?? []).map(Number).filter((n) => Number.isInteger(n) && n > 0 && n < 100);
  return versions.length > 0 ? Math.max(...versions) : undefined;
}

type Opened = { ok: true; value: JsonObject } | { ok: false; reason: string };

/** Decrypts encrypt_info: RSA-OAEP(SHA-1) gives key and IV, AES-128-CBC the JSON. Never throws. */
export function openEncryptInfo(info: { sym_schm: string; key: string; data: string }, privateKey: KeyObject): Opened {
  if (info.sym_schm !== 'AES') return { ok: false, reason: `unknown sym_schm ${JSON.stringify(info.sym_schm.slice(0, 16))}` };
  let keyAndIv: Buffer;
  try {
    keyAndIv = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(info.key, 'base64'));
  } catch {
    return { ok: false, reason: 'encrypt_info key does not decrypt with our RSA key' };
  }
  if (keyAndIv.length !== 32) return { ok: false, reason: `encrypt_info key is ${keyAndIv.length} bytes, expected 32` };
  let text: string;
  try {
    const decipher = createDecipheriv('aes-128-cbc', keyAndIv.subarray(0, 16), keyAndIv.subarray(16));
    text = Buffer.concat([decipher.update(Buffer.from(info.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    return { ok: false, reason: 'encrypt_info data does not decrypt (bad padding)' };
  }
  try {
    const value = parseBoundedJson(text);
    return isJsonObject(value) ? { ok: true, value } : { ok: false, reason: 'encrypt_info data is not a JSON object' };
  } catch (error) {
    return { ok: false, reason: `encrypt_info data: ${(error as Error).message}` };
  }
}

/** The device's side: encrypt_info for a probe that offered `rsaKeyPem`. */
export function encodeEncryptInfo(data: JsonObject, rsaKeyPem: string): { sym_schm: 'AES'; key: string; data: string } {
  const keyAndIv = randomBytes(32);
  const cipher = createCipheriv('aes-128-cbc', keyAndIv.subarray(0, 16), keyAndIv.subarray(16));
  const encrypted = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
  const key = publicEncrypt({ key: rsaKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, keyAndIv);
  return { sym_schm: 'AES', key: key.toString('base64'), data: encrypted.toString('base64') };
}
