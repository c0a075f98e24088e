/**
 * Fuzz targets: each generates one input from a seeded Rng and feeds it to
 * a public parser. The contract checked is the parser's own: it returns a
 * result (or rejects with the library's typed error) and never throws
 * anything else; where an oracle exists (valid frames) the output is checked too.
 */
import { strict as assert } from 'assert';
import { encrypt } from '../../lib/classic/cipher';
import { decodeDatagram, encodeFrame, FrameDecoder, HEADER_LENGTH } from '../../lib/classic/framing';
import { SmartHomeClient } from '../../lib/classic/client';
import { readDayStats, readMethodResult, readRealtime } from '../../lib/classic/replies';
import { normalizeEnergy } from '../../lib/classic/response';
import { classicState, findOutlet } from '../../lib/device';
import { SmartHomeError } from '../../lib/errors';
import type { Transport } from '../../lib/transport';
import { decodePacket, encodePacket, peekIdentity, computeDigest } from '../../lib/tddp/packet';
import { readReply, judgeDatagram } from '../../lib/tddp/reply';
import { deriveKey, encryptData } from '../../lib/tddp/crypto';
import { TddpError } from '../../lib/tddp/errors';
import { TDDP_V2, DIGEST_OFFSET, DIGEST_LENGTH, V2_HEADER_LENGTH } from '../../lib/tddp/constants';
import { deriveSessionKeys, KlapClientSession, openPayload, sealPayload } from '../../lib/klap/session';
import { authHash, handshake1ServerHash } from '../../lib/klap/auth';
import { performHandshake } from '../../lib/klap/handshake';
import { readCookies } from '../../lib/klap/http';
import { parseDiscovery20002Reply, encodeDiscovery20002Reply } from '../../lib/discovery/tdp';
import { hostileJsonText, mutateBytes, mutateJson } from './mutate';
import { SMART_TARGETS } from './smart-targets';
import { httpReplyTarget } from './http-target';
import { Rng } from './rng';

export interface FuzzCase {
  /** What is saved and shown when the case fails. */
  input: Buffer;
  /** Target-specific extras (chunk sizes, expected frames). */
  extra?: unknown;
}

export interface FuzzTarget {
  name: string;
  generate(rng: Rng): FuzzCase;
  /** Throws (or rejects) when the contract is broken. */
  check(fuzzCase: FuzzCase): void | Promise<void>;
  /** Released once the run is over. */
  teardown?(): Promise<void>;
}

// ---------------------------------------------------------------- seeds

const SYSINFO = {
  system: {
    get_sysinfo: {
      sw_ver: '1.5.10 Build 191125 Rel.094314', hw_ver: '2.0', model: 'HS110(EU)', alias: 'Lamp', relay_state: 1,
      deviceId: '8006ACF1F1D1A1B2C3D4E5F60718293A4B5C6D7E', mic_type: 'IOT.SMARTPLUGSWITCH', err_code: 0,
      children: [{ id: '00', state: 0, alias: 'a' }, { id: '01', state: 1, alias: 'b' }],
    },
  },
};
const REALTIME = { emeter: { get_realtime: { current_ma: 120, voltage_mv: 230000, power_mw: 27600, total_wh: 12, err_code: 0 } } };
const DAYSTAT = { emeter: { get_daystat: { day_list: [{ year: 2024, month: 1, day: 2, energy_wh: 30 }], err_code: 0 } } };
const REPLY_SEEDS = [SYSINFO, REALTIME, DAYSTAT];

function randomPlaintext(rng: Rng): Buffer {
  if (rng.chance(0.5)) return Buffer.from(JSON.stringify(mutateJson(rng, rng.pick(REPLY_SEEDS))), 'utf8');
  return rng.bytes(rng.length(2048));
}

// ---------------------------------------------------------------- frames

interface FrameExtra {
  chunks: number[];
  maxFrameLength: number;
  /** Set when the stream is only whole, valid frames: the payloads expected. */
  expected?: Buffer[];
}

export const frameDecoderTarget: FuzzTarget = {
  name: 'frame decoder (TCP stream, UDP datagram)',
  generate(rng) {
    const parts: Buffer[] = [];
    const expected: Buffer[] = [];
    let valid = rng.chance(0.4);
    const count = 1 + rng.below(4);
    const maxFrameLength = rng.pick([16, 600, 4096, 65_536, 1 << 20]);
    for (let i = 0; i < count; i++) {
      const plain = randomPlaintext(rng);
      if (valid && plain.length <= maxFrameLength) {
        parts.push(encodeFrame(plain));
        expected.push(plain);
      } else {
        valid = false;
        parts.push(rng.chance(0.7) ? mutateBytes(rng, encodeFrame(plain)) : rng.bytes(rng.length(256)));
      }
    }
    const input = Buffer.concat(parts);
    const chunks: number[] = [];
    for (let left = input.length; left > 0;) {
      const size = Math.min(left, rng.chance(0.3) ? 1 + rng.below(4) : 1 + rng.length(input.length));
      chunks.push(size);
      left -= size;
    }
    const extra: FrameExtra = { chunks, maxFrameLength, expected: valid ? expected : undefined };
    return { input, extra };
  },
  check({ input, extra }) {
    const { chunks, maxFrameLength, expected } = extra as FrameExtra;
    const decoder = new FrameDecoder(maxFrameLength);
    const frames: Buffer[] = [];
    let failed = false;
    let offset = 0;
    for (const size of chunks) {
      const result = decoder.push(input.subarray(offset, offset + size));
      offset += size;
      frames.push(...result.frames);
      if (!result.ok) {
        assert.ok(result.error.length > maxFrameLength, 'an error names a length above the limit');
        failed = true;
      }
      // The size cap applies before buffering: never more than one frame's worth held.
      assert.ok(decoder.pendingBytes <= HEADER_LENGTH + maxFrameLength, `holds ${decoder.pendingBytes} bytes`);
      for (const frame of result.frames) assert.ok(frame.length <= maxFrameLength, 'a frame above the limit came out');
    }
    if (expected) {
      assert.ok(!failed, 'a stream of valid frames was rejected');
      assert.equal(frames.length, expected.length, 'frame count');
      frames.forEach((frame, i) => assert.ok(frame.equals(expected[i]), `frame ${i} differs`));
      assert.equal(decoder.pendingBytes, 0);
    }
    const datagram = decodeDatagram(input);
    assert.equal(datagram.length, input.length);
  },
};

// ------------------------------------------------- decryption and JSON parsing

/** A transport that answers with the UDP path's decryption of the fuzz input. */
class ScriptedTransport implements Transport {
  readonly kind = 'udp' as const;
  readonly host = '127.0.0.1';
  readonly port = 9999;
  next: Buffer = Buffer.alloc(0);
  async send(): Promise<Buffer> {
    return decodeDatagram(this.next);
  }
  async close(): Promise<void> {}
}

const replyTransport = new ScriptedTransport();
const replyClient = new SmartHomeClient({ host: '127.0.0.1', transportInstance: replyTransport, retries: 0 });

export const replyTarget: FuzzTarget = {
  name: 'decryption + JSON reply parsing (client)',
  generate(rng) {
    switch (rng.below(5)) {
      case 0: return { input: encrypt(JSON.stringify(mutateJson(rng, rng.pick(REPLY_SEEDS)))) };
      case 1: return { input: mutateBytes(rng, encrypt(JSON.stringify(rng.pick(REPLY_SEEDS)))) };
      case 2: return { input: encrypt(hostileJsonText(rng)) };
      case 3: return { input: encrypt(mutateBytes(rng, Buffer.from(JSON.stringify(rng.pick(REPLY_SEEDS))))) };
      default: return { input: rng.bytes(rng.length(1024)) };
    }
  },
  async check({ input }) {
    replyTransport.next = input;
    const op = input.length % 5;
    try {
      switch (op) {
        case 0: {
          const sysinfo = await replyClient.getSysInfo();
          assert.ok(typeof sysinfo === 'object' && sysinfo !== null);
          break;
        }
        case 1: {
          const reply = await replyClient.send({ emeter: { get_realtime: {} } });
          const reading = normalizeEnergy(readMethodResult(reply, 'emeter', 'get_realtime', readRealtime, replyClient.address));
          for (const key of ['power', 'power_mw', 'voltage', 'current', 'total']) assert.equal(typeof reading[key], 'number', key);
          break;
        }
        case 2: {
          // The state model takes whatever the sysinfo reader let through.
          const state = classicState(await replyClient.getSysInfo());
          assert.equal(typeof state.on, 'boolean');
          const outlet = findOutlet(state.outlets, '01');
          if (outlet) assert.equal(typeof outlet.on, 'boolean');
          break;
        }
        case 3: {
          const reply = await replyClient.send({ emeter: { get_daystat: { year: 2024, month: 1 } } });
          assert.ok(Array.isArray(readMethodResult(reply, 'emeter', 'get_daystat', readDayStats, replyClient.address).day_list));
          break;
        }
        default: {
          const reply = await replyClient.sendUnchecked({ system: { get_sysinfo: {} } });
          assert.ok(typeof reply === 'object' && reply !== null && !Array.isArray(reply));
        }
      }
    } catch (error) {
      if (!(error instanceof SmartHomeError)) throw error;
      assert.ok(error.code === 'EPROTOCOL' || error.code === 'EDEVICE', `unexpected code ${error.code}`);
    }
    const probe: Record<string, unknown> = {};
    assert.equal(probe.relay_state, undefined, 'Object.prototype was polluted');
    assert.equal(probe.err_code, undefined, 'Object.prototype was polluted');
  },
  async teardown() {
    await replyClient.close();
  },
};

// ---------------------------------------------------------------- TDDP

const TDDP_KEY = deriveKey('admin', 'admin');
const TDDP_ADDRESS = { host: '127.0.0.1', port: 1040 };
const TDDP_FROM = { address: '127.0.0.1', family: 'IPv4' as const, port: 61000, size: 0 };

export const tddpTarget: FuzzTarget = {
  name: 'TDDP packet and reply parser',
  generate(rng) {
    const version = rng.chance(0.7) ? TDDP_V2 : 1;
    const plain = rng.bytes(rng.length(300));
    const data = version === TDDP_V2 && rng.chance(0.8) ? encryptData(TDDP_KEY, plain) : plain;
    const packet = encodePacket({
      version, type: rng.below(5), code: rng.chance(0.8) ? 2 : rng.below(256), status: rng.chance(0.8) ? 0 : rng.below(256),
      id: rng.chance(0.5) ? 0x1234 : rng.below(0x10000), subtype: rng.below(256), data,
    });
    if (rng.chance(0.15)) return { input: packet };
    const mutated = rng.chance(0.1) ? rng.bytes(rng.length(128)) : mutateBytes(rng, packet, 66_000);
    // Most mutations would stop at the digest check; re-sign half of them so the rest of the parser is reached.
    if (mutated.length >= V2_HEADER_LENGTH && mutated[0] === TDDP_V2 && rng.chance(0.5)) {
      computeDigest(mutated).copy(mutated, DIGEST_OFFSET, 0, DIGEST_LENGTH);
    }
    return { input: mutated };
  },
  check({ input }) {
    for (const verifyDigest of [true, false]) {
      const parsed = decodePacket(input, { verifyDigest });
      if (parsed.ok) {
        assert.equal(parsed.packet.data.length, parsed.packet.header.length);
      } else {
        assert.equal(typeof parsed.error.message, 'string');
      }
    }
    peekIdentity(input);
    judgeDatagram(input, TDDP_FROM, { address: '127.0.0.1', id: 0x1234, subtype: input[10] ?? 0 });
    for (const checkDecryption of [true, false]) {
      const reply = readReply(input, { key: TDDP_KEY, checkDecryption, address: TDDP_ADDRESS });
      if (!reply.ok) assert.ok(reply.error instanceof TddpError, 'readReply failed without a TddpError');
      else assert.ok(Buffer.isBuffer(reply.response.data));
    }
  },
};

// ---------------------------------------------------------------- KLAP

const LOCAL_SEED = Buffer.alloc(16, 1);
const REMOTE_SEED = Buffer.alloc(16, 2);
const KLAP_AUTH = authHash(2, { username: 'user@example.com', password: 'secret' });
const KLAP_KEYS = deriveSessionKeys(LOCAL_SEED, REMOTE_SEED, KLAP_AUTH);
const KLAP_ADDRESS = { host: '127.0.0.1', port: 80 };

interface KlapExtra {
  kind: 'reply' | 'handshake1' | 'cookie' | 'discovery';
  seq: number;
}

export const klapTarget: FuzzTarget = {
  name: 'KLAP reply, handshake and 20002 parsers',
  generate(rng) {
    const seq = rng.chance(0.5) ? KLAP_KEYS.initialSeq + 1 : rng.next() | 0;
    switch (rng.below(8)) {
      case 0: case 1: case 2: {
        const body = sealPayload(KLAP_KEYS, KLAP_KEYS.initialSeq + 1, randomPlaintext(rng));
        const input = rng.chance(0.2) ? body : rng.chance(0.1) ? rng.bytes(rng.length(256)) : mutateBytes(rng, body);
        return { input, extra: { kind: 'reply', seq } satisfies KlapExtra };
      }
      case 3: case 4: {
        const hash = handshake1ServerHash(2, LOCAL_SEED, REMOTE_SEED, KLAP_AUTH);
        const good = Buffer.concat([REMOTE_SEED, hash]);
        return { input: rng.chance(0.2) ? good : mutateBytes(rng, good), extra: { kind: 'handshake1', seq } satisfies KlapExtra };
      }
      case 5: {
        const good = Buffer.from(`TP_SESSIONID=${rng.bytes(8).toString('hex')};TIMEOUT=${rng.below(100000)}`);
        return { input: mutateBytes(rng, good), extra: { kind: 'cookie', seq } satisfies KlapExtra };
      }
      default: {
        const good = encodeDiscovery20002Reply(mutateJson(rng, { device_id: 'x', device_type: 'SMART.KASAPLUG', mgt_encrypt_schm: { http_port: 80, lv: 2 } }) as Record<string, unknown>, rng.next());
        return { input: rng.chance(0.5) ? good : mutateBytes(rng, good), extra: { kind: 'discovery', seq } satisfies KlapExtra };
      }
    }
  },
  check({ input, extra }) {
    const { kind, seq } = extra as KlapExtra;
    switch (kind) {
      case 'reply': {
        const session = new KlapClientSession(KLAP_KEYS);
        const opened = session.open(seq, input);
        if (opened.ok) assert.ok(Buffer.isBuffer(opened.plaintext));
        else assert.equal(typeof opened.reason, 'string');
        openPayload(KLAP_KEYS, seq, input, true);
        return;
      }
      case 'handshake1':
        return checkHandshake(input);
      case 'cookie': {
        const text = input.toString('latin1');
        assert.ok(readCookies([text, text.split(';')[0]]) instanceof Map);
        return;
      }
      case 'discovery': {
        const reply = parseDiscovery20002Reply(input);
        if (reply) assert.equal(typeof reply.crcValid, 'boolean');
        return;
      }
    }
  },
};

async function checkHandshake(reply1: Buffer): Promise<void> {
  let calls = 0;
  try {
    const result = await performHandshake(
      async (path) => {
        calls++;
        return path.endsWith('handshake1')
          ? { status: 200, body: reply1, setCookie: ['TP_SESSIONID=abc;TIMEOUT=86400'] }
          : { status: 200, body: Buffer.alloc(0), setCookie: [] };
      },
      { address: KLAP_ADDRESS, credentials: { username: 'user@example.com', password: 'secret' }, versions: [2, 1], localSeed: LOCAL_SEED },
    );
    assert.ok(result.session instanceof KlapClientSession);
    assert.equal(calls, 2);
  } catch (error) {
    if (!(error instanceof SmartHomeError)) throw error;
    assert.ok(error.code === 'EPROTOCOL' || error.code === 'EAUTH', `unexpected code ${error.code}`);
    // Credentials never appear in what the user sees.
    assert.ok(!error.message.includes('secret') && !error.message.includes('user@example.com'), 'credentials in an error message');
  }
}

export const TARGETS: readonly FuzzTarget[] = [frameDecoderTarget, replyTarget, tddpTarget, klapTarget, httpReplyTarget, ...SMART_TARGETS];
