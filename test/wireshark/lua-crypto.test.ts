/**
 * The pure-Lua crypto of wireshark/tplink-common.lua (SHA-1, SHA-256, MD5,
 * AES-128-CBC decryption, CRC-32, base64) and tplink-smart.lua's KLAP key
 * schedule against Node's crypto and the project's KLAP and UDP 20002 code,
 * and the module's JSON reader against JSON.parse, on random inputs drawn by
 * fast-check, run on every stand-alone Lua interpreter at hand (the one inside
 * tshark is exercised by the dissector tests).
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
import { COMMON_LUA, killChildren, makeTempDir, SMART_LUA } from './tshark';

const RUNNER = `
local common = dofile(arg[1])
local smart = dofile(arg[2])
local unhex, hex = common.from_hex, common.to_hex
-- Every node in document order: kind, its span, its key and the key's span, a string's bytes or a number.
local function nodes(node, out)
  local value = node.kind == "string" and hex(node.value) or node.kind == "number" and string.format("%.17g", node.value) or ""
  out[#out + 1] = table.concat({ node.kind, node.first, node.last, node.key and hex(node.key) or "-",
    node.key_first or 0, node.key_last or 0, value }, ",")
  for _, item in ipairs(node.items or {}) do nodes(item, out) end
  return out
end
for line in io.lines(arg[3]) do
  local op, a, b, c, d = line:match("^(%S+) ?(%S*) ?(%S*) ?(%S*) ?(%S*)$")
  local r
  if op == "md5" or op == "sha1" or op == "sha256" then r = hex(common[op](unhex(a)))
  elseif op == "aes" then
    local plain, why = common.aes128_cbc_decrypt(unhex(a), unhex(b), unhex(c))
    r = plain and hex(plain) or ("error " .. why)
  elseif op == "crc" then r = string.format("%08x", common.crc32(unhex(a)))
  elseif op == "b64" then r = hex(common.base64_decode(a) or "") .. "|" .. tostring(common.base64_decode(a) ~= nil)
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
    local root, err = common.parse_json(unhex(a))
    r = root and table.concat(nodes(root, {}), ";") or ("error " .. err)
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

/** JSON text of `value`: indented or not, its non-ASCII as \u escapes (surrogate pairs for the rest) or as UTF-8. */
function jsonText([value, indent, escaped]: [unknown, number | string | undefined, boolean]): string {
  const text = JSON.stringify(value, null, indent);
  return escaped ? text.replace(/[\u0080-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
}

interface ExpectedNode {
  kind: string;
  value: unknown;
  key?: string;
}

/** The values of `value` in document order, as the Lua reader lists its nodes. */
function documentOrder(value: unknown, key?: string, out: ExpectedNode[] = []): ExpectedNode[] {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object'
    : typeof value === 'boolean' ? String(value) : typeof value;
  out.push({ kind, value, key });
  if (Array.isArray(value)) value.forEach((item) => documentOrder(item, undefined, out));
  else if (kind === 'object') Object.entries(value as Record<string, unknown>).forEach(([k, v]) => documentOrder(v, k, out));
  return out;
}

/** Holds the reader's nodes of `text` (runner output) to JSON.parse: kinds, keys, decoded strings, numbers and every span. */
function checkJsonNodes(text: string, out: string, where: string): void {
  const expected = documentOrder(JSON.parse(text));
  const rows = out.split(';');
  assert.strictEqual(rows.length, expected.length, `${where}: one node per value (${out.slice(0, 80)})`);
  // Positions count bytes of the UTF-8 text, 1-based and inclusive.
  const bytes = Buffer.from(text);
  const span = (first: string, last: string): unknown => JSON.parse(bytes.subarray(Number(first) - 1, Number(last)).toString());
  rows.forEach((row, i) => {
    const [kind, first, last, keyHex, keyFirst, keyLast, value] = row.split(',');
    const want = expected[i];
    assert.strictEqual(kind, want.kind, `${where}: node ${i}`);
    assert.deepStrictEqual(span(first, last), want.value, `${where}: node ${i} spans its value`);
    if (want.key === undefined) {
      assert.strictEqual(keyHex, '-', `${where}: node ${i} has no key`);
    } else {
      assert.strictEqual(keyHex, hex(want.key), `${where}: node ${i}'s key`);
      assert.strictEqual(span(keyFirst, keyLast), want.key, `${where}: node ${i} spans its key`);
    }
    if (kind === 'string') assert.strictEqual(value, hex(want.value as string), `${where}: node ${i}'s text`);
    if (kind === 'number') assert.strictEqual(Number(value), want.value, `${where}: node ${i}'s number`);
  });
}

describe('tplink-common.lua crypto and JSON reader against Node on stand-alone Lua 5.1 to 5.4 (fast-check)', function () {
  this.timeout(120_000);
  let luas: string[] = [];
  let tmp: ReturnType<typeof makeTempDir>;
  const seed = Date.now() % 1_000_000;
  const cases: Case[] = [];
  const jsonTexts: string[] = [];

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
    const json = (stringUnit: 'binary' | 'grapheme'): fc.Arbitrary<unknown> => fc.jsonValue({ maxDepth: 3, stringUnit });
    const layout = fc.constantFrom<number | string | undefined>(undefined, 2, '\t');
    jsonTexts.push(...sample(fc.tuple(fc.oneof(json('binary'), json('grapheme')), layout, fc.boolean()), 60, 7).map(jsonText));
  });
  after(() => {
    killChildren();
    tmp?.remove();
  });

  /** The runner's answer to each line, on `lua`. */
  const run = (lua: string, lines: string[], name: string): string[] => {
    const input = path.join(tmp.dir, `${name}.txt`);
    const runner = path.join(tmp.dir, 'runner.lua');
    writeFileSync(input, lines.join('\n') + '\n');
    writeFileSync(runner, RUNNER);
    return execFileSync(lua, [runner, COMMON_LUA, SMART_LUA, input], { encoding: 'utf8', timeout: 100_000, maxBuffer: 64 << 20 }).split('\n');
  };

  it('agrees with Node on every case, on every interpreter', () => {
    for (const lua of luas) {
      const out = run(lua, cases.map((c) => c.line), 'crypto');
      cases.forEach((c, i) => assert.strictEqual(out[i], c.expected, `${lua} (fast-check seed ${seed}): ${c.line.slice(0, 100)}`));
    }
    assert.ok(luas.length >= 2, `ran on ${luas.join(', ')}`);
  });

  it('reads JSON as JSON.parse does, with the span of every value and key, on every interpreter', () => {
    for (const lua of luas) {
      const out = run(lua, jsonTexts.map((text) => `json ${hex(text)}`), 'json');
      jsonTexts.forEach((text, i) => checkJsonNodes(text, out[i], `${lua} (fast-check seed ${seed}) ${text.slice(0, 60)}`));
    }
    assert.ok(jsonTexts.some((text) => /\\ud[89ab]/.test(text)), 'a surrogate pair was escaped');
  });
});
