/**
 * The pure-Lua crypto of wireshark/tplink-smart.lua (SHA-1, SHA-256, MD5,
 * AES-128-CBC decryption, CRC-32, base64, the KLAP key schedule) against
 * Node's crypto and the project's KLAP and UDP 20002 code, on random inputs
 * drawn by fast-check, run on every stand-alone Lua interpreter at hand (the
 * one inside tshark is exercised by the dissector tests).
 */
import assert from 'assert';
import { createCipheriv, createDecipheriv, createHash } from 'crypto';
import { execFileSync } from 'child_process';
import { writeFileSync } from 'fs';
import path from 'path';
import fc from 'fast-check';
import { authHash, handshake1ServerHash, handshake2ClientHash } from '../../lib/klap/auth';
import { deriveSessionKeys, sealPayload } from '../../lib/klap/session';
import { encodeTdpPacket } from '../../lib/discovery/tdp';
import { ensureLuas } from './lua-interpreters';
import { killChildren, makeTempDir, SMARTHOME_LUA, SMART_LUA } from './tshark';

const RUNNER = `
local smart = dofile(arg[1])
local smarthome = dofile(arg[2])
local unhex, hex = smart.from_hex, smart.to_hex
local function leaves(node, out)
  for _, item in ipairs(node.items or {}) do
    if item.items then leaves(item, out)
    else out[#out + 1] = (item.key or "") .. "=" .. tostring(item.value) .. "@" .. item.first .. "-" .. item.last end
  end
  return out
end
local function json(parse, text)
  local root, err = parse(text)
  return root and table.concat(leaves(root, {}), ";") or ("error " .. err)
end
for line in io.lines(arg[3]) do
  local op, a, b, c, d = line:match("^(%S+) ?(%S*) ?(%S*) ?(%S*) ?(%S*)$")
  local r
  if op == "md5" or op == "sha1" or op == "sha256" then r = hex(smart[op](unhex(a)))
  elseif op == "aes" then
    local plain, why = smart.aes128_cbc_decrypt(unhex(a), unhex(b), unhex(c))
    r = plain and hex(plain) or ("error " .. why)
  elseif op == "crc" then r = string.format("%08x", smart.crc32(unhex(a)))
  elseif op == "b64" then r = hex(smart.base64_decode(a) or "") .. "|" .. tostring(smart.base64_decode(a) ~= nil)
  elseif op == "klap" then
    local version, user, pass, seeds = tonumber(a), unhex(b), unhex(c), unhex(d)
    local l, rs = seeds:sub(1, 16), seeds:sub(17, 32)
    local auth = smart.klap_auth_hash(version, user, pass)
    local k = smart.klap_session_keys(l, rs, auth)
    r = table.concat({ hex(auth), hex(smart.klap_server_hash(version, l, rs, auth)),
      hex(smart.klap_client_hash(version, l, rs, auth)), hex(k.key), hex(k.iv_prefix), hex(k.sig_key),
      string.format("%d", k.initial_seq) }, " ")
  elseif op == "open" then
    local seeds = unhex(b)
    local k = smart.klap_session_keys(seeds:sub(1, 16), seeds:sub(17, 32), unhex(a))
    local ok, plain, why = smart.klap_open(k, tonumber(c), unhex(d))
    r = tostring(ok) .. " " .. (plain and hex(plain) or ("error " .. why))
  elseif op == "json" then
    local text = unhex(a)
    local mine, theirs = json(smart.parse_json, text), json(smarthome.parse_json, text)
    r = mine == theirs and mine or ("differ " .. mine .. " / " .. theirs)
  end
  io.write(r, "\\n")
end
`;

const hex = (data: Buffer | string): string => Buffer.from(data).toString('hex');
const digest = (algorithm: string, data: Buffer): string => createHash(algorithm).update(data).digest('hex');
const bytes = (max: number): fc.Arbitrary<Buffer> => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));
const exactly = (n: number): fc.Arbitrary<Buffer> => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a));

interface Case {
  line: string;
  expected: string;
}

function aesCase([key, iv, plain, corrupt]: [Buffer, Buffer, Buffer, boolean]): Case {
  const cipher = createCipheriv('aes-128-cbc', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  if (corrupt) ciphertext[ciphertext.length - 1] ^= 0x5a;
  let expected: string;
  try {
    const decipher = createDecipheriv('aes-128-cbc', key, iv);
    expected = hex(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  } catch {
    expected = 'error bad padding';
  }
  return { line: `aes ${hex(key)} ${hex(iv)} ${hex(ciphertext)}`, expected };
}

function klapCase([version, username, password, seeds]: [1 | 2, string, string, Buffer]): Case {
  const local = seeds.subarray(0, 16);
  const remote = seeds.subarray(16, 32);
  const auth = authHash(version, { username, password });
  const keys = deriveSessionKeys(local, remote, auth);
  return {
    line: `klap ${version} ${hex(username)} ${hex(password)} ${hex(seeds)}`,
    expected: [hex(auth), hex(handshake1ServerHash(version, local, remote, auth)), hex(handshake2ClientHash(version, local, remote, auth)),
      hex(keys.key), hex(keys.ivPrefix), hex(keys.signingKey), String(keys.initialSeq)].join(' '),
  };
}

function openCase([auth, seeds, seq, plain, tamper]: [Buffer, Buffer, number, Buffer, boolean]): Case {
  const keys = deriveSessionKeys(seeds.subarray(0, 16), seeds.subarray(16, 32), auth);
  const body = sealPayload(keys, seq, plain);
  if (tamper) body[0] ^= 1; // the signature only: the ciphertext still decrypts
  return { line: `open ${hex(auth)} ${hex(seeds)} ${seq} ${hex(body)}`, expected: `${tamper ? 'false' : 'true'} ${hex(plain)}` };
}

function crcCase([type, serial, body]: [number, number, Buffer]): Case {
  const packet = encodeTdpPacket({ msgType: type, opCode: 1, flags: 17, serial }, body);
  const seeded = Buffer.from(packet);
  seeded.writeUInt32BE(0x5a6b7c8d, 12);
  return { line: `crc ${hex(seeded)}`, expected: packet.subarray(12, 16).toString('hex') };
}

function jsonCase(value: unknown): Case {
  const text = JSON.stringify({ method: 'multipleRequest', params: { requests: [value] } });
  return { line: `json ${hex(text)}`, expected: '' };
}

describe('tplink-smart.lua crypto against Node on stand-alone Lua 5.1 to 5.4 (fast-check)', function () {
  this.timeout(120_000);
  let luas: string[] = [];
  let tmp: ReturnType<typeof makeTempDir>;
  const seed = Date.now() % 1_000_000;
  const cases: Case[] = [];

  before(function () {
    this.timeout(600_000);
    luas = ensureLuas();
    tmp = makeTempDir('kasa-lua-crypto-');
    const sample = <T>(arbitrary: fc.Arbitrary<T>, count: number, offset: number): T[] => fc.sample(arbitrary, { numRuns: count, seed: seed + offset });
    for (const data of [...sample(bytes(300), 40, 1), ...[55, 56, 63, 64, 65, 119, 120].map((n) => Buffer.alloc(n, n))]) {
      for (const algorithm of ['md5', 'sha1', 'sha256']) cases.push({ line: `${algorithm} ${hex(data)}`, expected: digest(algorithm, data) });
    }
    cases.push(...sample(fc.tuple(exactly(16), exactly(16), bytes(100), fc.boolean()), 40, 2).map(aesCase));
    cases.push(...sample(fc.tuple(fc.constantFrom(1 as const, 2 as const), fc.string({ maxLength: 40, unit: 'grapheme' }),
      fc.string({ maxLength: 40, unit: 'grapheme' }), exactly(32)), 30, 3).map(klapCase));
    cases.push(...sample(fc.tuple(exactly(32), exactly(32), fc.integer({ min: -2147483648, max: 2147483646 }), bytes(80), fc.boolean()), 20, 4)
      .map(openCase));
    cases.push(...sample(fc.tuple(fc.nat(255), fc.nat(0xffffffff), bytes(600)), 20, 5).map(crcCase));
    for (const data of sample(bytes(64), 20, 6)) {
      const text = data.toString('base64');
      cases.push({ line: `b64 ${text}`, expected: `${hex(data)}|true` });
    }
    cases.push({ line: 'b64 not*base64', expected: '|false' });
    cases.push(...sample(fc.jsonValue({ maxDepth: 3 }), 20, 7).map(jsonCase));
  });
  after(() => {
    killChildren();
    tmp?.remove();
  });

  it('agrees with Node on every case, on every interpreter', () => {
    const input = path.join(tmp.dir, 'cases.txt');
    const runner = path.join(tmp.dir, 'runner.lua');
    writeFileSync(input, cases.map((c) => c.line).join('\n') + '\n');
    writeFileSync(runner, RUNNER);
    for (const lua of luas) {
      const out = execFileSync(lua, [runner, SMART_LUA, SMARTHOME_LUA, input], { encoding: 'utf8', timeout: 100_000, maxBuffer: 64 << 20 })
        .split('\n');
      cases.forEach((c, i) => {
        if (c.line.startsWith('json ')) {
          assert.doesNotMatch(out[i], /^differ|^error/, `${lua}: both JSON readers agree (seed ${seed}): ${c.line.slice(0, 80)}`);
        } else {
          assert.strictEqual(out[i], c.expected, `${lua} (fast-check seed ${seed}): ${c.line.slice(0, 100)}`);
        }
      });
    }
    assert.ok(luas.length >= 2, `ran on ${luas.join(', ')}`);
  });
});
