/**
 * Fuzz targets for the SMART protocol: the request client's reply
 * handling (envelopes, batches, control_child, pages, device info,
 * energy, energy statistics and device time), the AES transport's decryption and unpadding path, and the UDP
 * 20002 reply parser (with discovery's found device made from it). The
 * contract is the API's own: a result or a SmartHomeError (EPROTOCOL,
 * EDEVICE, EAUTH), never anything else.
 */
import { strict as assert } from 'assert';
import { constants, generateKeyPairSync, publicEncrypt } from 'crypto';
import { SmartHomeError } from '../../lib/errors';
import type { Transport } from '../../lib/transport';
import { SmartClient } from '../../lib/smart/client';
import { AesSessionCipher } from '../../lib/smart/aes/cipher';
import { decryptPkcs1, unpadPkcs1Type2 } from '../../lib/smart/aes/rsa';
import { passthrough } from '../../lib/smart/aes/handshake';
import { readHandshakeReply, readLoginReply } from '../../lib/smart/aes/envelope';
import { encodeDiscovery20002Reply } from '../../lib/discovery/tdp';
import { encodeEncryptInfo, readSmartDiscoveryReply } from '../../lib/discovery/smart-reply';
import { parseTdpReply } from '../../lib/discovery/replies';
import { readDeviceTime, readEnergyData } from '../../lib/smart/energy-data';
import { hostileJsonText, mutateBytes, mutateJson } from './mutate';
import type { Rng } from './rng';
import type { FuzzTarget } from './targets';

const ADDRESS = { host: '127.0.0.1', port: 80 };

function allowed(error: unknown): void {
  if (!(error instanceof SmartHomeError)) throw error;
  assert.ok(['EPROTOCOL', 'EDEVICE', 'EAUTH'].includes(error.code), `unexpected code ${error.code}`);
}

function notPolluted(): void {
  const probe: Record<string, unknown> = {};
  assert.equal(probe.error_code, undefined, 'Object.prototype was polluted');
  assert.equal(probe.result, undefined, 'Object.prototype was polluted');
}

// ---------------------------------------------------------------- SMART replies

const INFO = { device_id: '80223C', model: 'P110', type: 'SMART.TAPOPLUG', device_on: true, nickname: 'S8O8Y2hl', ssid: 'V2lGaQ==', rssi: -50, brightness: 40, color_temp_range: [2500, 6500] };
const SEEDS: unknown[] = [
  { error_code: 0, result: INFO },
  { error_code: 0, result: { responses: [{ method: 'get_energy_usage', error_code: 0, result: { current_power: 5000, today_energy: 3 } }, { method: 'get_current_power', error_code: 0, result: { current_power: 5 } }, { method: 'get_emeter_data', error_code: -1002 }] } },
  { error_code: 0, result: { responseData: { error_code: 0, result: INFO } } },
  { error_code: 0, result: { child_device_list: [INFO, { ...INFO, position: 2 }], start_index: 0, sum: 3 } },
  { error_code: 0, result: { component_list: [{ id: 'energy_monitoring', ver_code: 2 }] } },
  { error_code: 0, result: { data: [0, 120, 3400, 17], start_timestamp: 1775347200, end_timestamp: 1783209600, interval: 1440, local_time: '2026-05-10 12:00:00' } },
  { error_code: 0, result: { timestamp: 1778414400, time_diff: 120, region: 'Europe/Berlin' } },
  { error_code: 9999 },
  { error_code: -1003 },
];

/** Answers every exchange with the fuzz input. */
class ScriptedTransport implements Transport {
  readonly kind = 'klap' as const;
  readonly host = ADDRESS.host;
  readonly port = ADDRESS.port;
  next: Buffer = Buffer.alloc(0);
  async send(): Promise<Buffer> {
    return this.next;
  }
  async close(): Promise<void> {}
}

const transport = new ScriptedTransport();

export const smartReplyTarget: FuzzTarget = {
  name: 'SMART reply parsing (client: envelope, batch, control_child, pages, device info, energy, energy data, device time)',
  generate(rng) {
    switch (rng.below(4)) {
      case 0: return { input: Buffer.from(JSON.stringify(mutateJson(rng, rng.pick(SEEDS)))) };
      case 1: return { input: mutateBytes(rng, Buffer.from(JSON.stringify(rng.pick(SEEDS)))) };
      case 2: return { input: Buffer.from(hostileJsonText(rng)) };
      default: return { input: Buffer.from(JSON.stringify(rng.pick(SEEDS))) };
    }
  },
  async check({ input }) {
    transport.next = input;
    const fresh = new SmartClient({ host: ADDRESS.host, transportInstance: transport, timeout: 5000 });
    try {
      switch (input.length % 7) {
        case 0: assert.equal(typeof (await fresh.getDeviceInfo()).deviceId, 'string'); break;
        case 1: for (const o of await fresh.callMany([{ method: 'a' }, { method: 'b' }, { method: 'a' }])) assert.ok(o.ok || o.error instanceof SmartHomeError); break;
        case 2: assert.ok(Array.isArray(await fresh.getChildren())); break;
        case 3: assert.equal(typeof (await fresh.getEnergy({ childId: 'C1' })).power_mw, 'number'); break;
        case 4: assert.ok((await fresh.getComponents()) instanceof Map); break;
        case 5: {
          const result = await fresh.call('get_energy_data', { start_timestamp: 0, end_timestamp: 1, interval: 1440 });
          assert.ok(readEnergyData(result, ADDRESS).data.every((wh) => Number.isFinite(wh) && wh >= 0));
          assert.ok(Number.isInteger(readDeviceTime(result, ADDRESS).time_diff));
          break;
        }
        default: await fresh.call('get_device_info', undefined, { childId: 'C1' });
      }
    } catch (error) {
      allowed(error);
    }
    notPolluted();
  },
};

// ---------------------------------------------------------------- AES

const RSA = generateKeyPairSync('rsa', { modulusLength: 1024 });
const RSA_PEM = RSA.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const SESSION = { cipher: new AesSessionCipher(Buffer.alloc(32, 9)), cookie: 'TP_SESSIONID=A', expiresAt: Infinity };

/** A PKCS#1 v1.5 ciphertext of 32 bytes, padded from the Rng so that the same seed gives the same input. */
function rsaCiphertext(rng: Rng): Buffer {
  const padding = rng.bytes(128 - 3 - 32).map((b) => b || 1);
  const block = Buffer.concat([Buffer.from([0, 2]), padding, Buffer.from([0]), rng.bytes(32)]);
  return publicEncrypt({ key: RSA_PEM, padding: constants.RSA_NO_PADDING }, block);
}

function aesBody(rng: Rng): Buffer {
  const inner = Buffer.from(JSON.stringify(mutateJson(rng, rng.pick(SEEDS))));
  const response = rng.chance(0.7) ? SESSION.cipher.encrypt(inner) : rng.bytes(rng.length(64)).toString('base64');
  const outer = { error_code: rng.chance(0.8) ? 0 : rng.pick([9999, -1501, -1003, 1003]), result: { response, key: response, token: 'T' } };
  return rng.chance(0.5) ? Buffer.from(JSON.stringify(outer)) : mutateBytes(rng, Buffer.from(JSON.stringify(outer)));
}

export const aesTarget: FuzzTarget = {
  name: 'AES transport: RSA unpadding, session decryption, passthrough and login replies',
  generate(rng) {
    switch (rng.below(4)) {
      case 0: return { input: rng.chance(0.3) ? rsaCiphertext(rng) : mutateBytes(rng, rsaCiphertext(rng), 256), extra: 'rsa' };
      case 1: return { input: rng.bytes(rng.chance(0.5) ? 128 : rng.length(300)), extra: 'block' };
      default: return { input: aesBody(rng), extra: 'envelope' };
    }
  },
  async check({ input, extra }) {
    if (extra === 'rsa') {
      const plain = decryptPkcs1(RSA.privateKey, input);
      assert.ok(plain === undefined || Buffer.isBuffer(plain));
      return;
    }
    if (extra === 'block') {
      const plain = unpadPkcs1Type2(input);
      if (plain) assert.ok(plain.length <= input.length - 11);
      const fromText = SESSION.cipher.decrypt(input.toString('latin1'));
      assert.ok(fromText === undefined || Buffer.isBuffer(fromText));
      const fromBase64 = SESSION.cipher.decrypt(input.toString('base64'));
      assert.ok(fromBase64 === undefined || (input.length % 16 === 0 && fromBase64.length < input.length));
      return;
    }
    const text = input.toString('utf8');
    for (const read of [readHandshakeReply, readLoginReply]) {
      try {
        read(text, ADDRESS);
      } catch (error) {
        allowed(error);
      }
    }
    const outcome = await passthrough(async () => ({ status: 200, body: input, setCookie: [] }), SESSION, '/app?token=T', Buffer.from('{}'), ADDRESS);
    if (outcome.ok) assert.ok(Buffer.isBuffer(outcome.plaintext));
    else allowed(outcome.error);
    notPolluted();
  },
};

// ---------------------------------------------------------------- UDP 20002

const DISCOVERY_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 });
const DISCOVERY_PEM = DISCOVERY_KEY.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const ENCRYPT_INFO = encodeEncryptInfo({ device_id: 'D', http_port: 443 }, DISCOVERY_PEM);
const DISCOVERY_RESULT = {
  device_id: 'D', device_type: 'SMART.TAPOPLUG', device_model: 'P110(EU)', ip: '192.0.2.1', mac: '3C-52-A1-00-00-00',
  mgt_encrypt_schm: { is_support_https: false, encrypt_type: 'KLAP', http_port: 80, lv: 2 }, encrypt_info: ENCRYPT_INFO, encrypt_type: ['1', '2'],
};

export const discovery20002Target: FuzzTarget = {
  name: 'UDP 20002 reply parser (full, with encrypt_info) and the found device discovery makes of it',
  generate(rng) {
    const result = rng.chance(0.6) ? mutateJson(rng, DISCOVERY_RESULT) : DISCOVERY_RESULT;
    const packet = encodeDiscovery20002Reply(result as Record<string, unknown>, rng.next());
    return { input: rng.chance(0.5) ? packet : mutateBytes(rng, packet) };
  },
  check({ input }) {
    // What discovery makes of the same datagram: a found device that says how to reach it, or nothing.
    const found = parseTdpReply(input, { address: '192.0.2.1', port: 20002 });
    if (found) {
      assert.ok(found.protocol === 'klap' || found.protocol === 'aes', found.protocol);
      assert.ok(Number.isInteger(found.port) && found.port > 0 && found.port < 65536);
      assert.equal(found.needsCredentials, true);
    }
    const parsed = readSmartDiscoveryReply(input, DISCOVERY_KEY.privateKey);
    if (!parsed.ok) {
      assert.equal(typeof parsed.reason, 'string');
      return;
    }
    const { reply } = parsed;
    assert.equal(typeof reply.deviceId, 'string');
    assert.ok(reply.httpPort === undefined || (Number.isInteger(reply.httpPort) && reply.httpPort > 0 && reply.httpPort < 65536));
    assert.ok(reply.decrypted === undefined || typeof reply.decrypted === 'object');
    notPolluted();
  },
};

export const SMART_TARGETS: readonly FuzzTarget[] = [smartReplyTarget, aesTarget, discovery20002Target];
