/**
 * The dissectors must run on every Lua that Wireshark ships (5.1 to 5.4) with
 * no bit library. tshark here embeds one of them; this file runs the shared
 * module's MD5 and JSON reader, TDDP's DES and the Smart Home cipher on
 * stand-alone interpreters of the others (Debian's lua5.1 and lua5.4 are
 * installed when missing and running as root) and compares them with Node's
 * MD5, des.js and the project's cipher.
 */
import assert from 'assert';
import { execFileSync } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import { readFileSync, writeFileSync } from 'fs';
import path from 'path';
import { decrypt, encrypt } from '../../lib/classic/cipher';
import { ensureLuas } from './lua-interpreters';
import { COMMON_LUA, killChildren, makeTempDir, PLUGIN_FILES, SMARTHOME_LUA, TDDP_LUA } from './tshark';

interface DesCipher {
  update(data: ArrayLike<number>): number[];
  final(): number[];
}
// des.js ships no typings; Node's OpenSSL 3 has no single DES.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DES } = require('des.js') as {
  DES: { create(options: { type: 'encrypt' | 'decrypt'; key: ArrayLike<number>; padding?: boolean }): DesCipher };
};

const RUNNER = `
local common = dofile(arg[1])
local tddp = dofile(arg[2])
local smarthome = dofile(arg[3])
local function unhex(h) return (h:gsub("..", function(c) return string.char(tonumber(c, 16)) end)) end
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local function leaves(node, out)
  for _, item in ipairs(node.items or {}) do
    if item.items then leaves(item, out)
    else out[#out + 1] = (item.key or "") .. "=" .. tostring(item.value) .. "@" .. item.first .. "-" .. item.last end
  end
  return out
end
for line in io.lines(arg[4]) do
  local op, a, b = line:match("^(%S+) (%S*) ?(%S*)$")
  local r
  if op == "md5" then r = hex(common.md5(unhex(a)))
  elseif op == "key" then r = hex(tddp.tddp_key(unhex(a), unhex(b)))
  elseif op == "des_enc" then r = hex(tddp.des_ecb_encrypt(unhex(a), unhex(b)))
  elseif op == "des_dec" then r = hex(tddp.des_ecb_decrypt(unhex(a), unhex(b)))
  elseif op == "xor_enc" then r = hex(smarthome.encrypt(unhex(a)))
  elseif op == "xor_dec" then r = hex(smarthome.decrypt(unhex(a)))
  elseif op == "json" then
    local root, err = common.parse_json(unhex(a))
    r = root and table.concat(leaves(root, {}), ";") or ("error " .. err)
  end
  io.write(r, "\\n")
end
`;

function desEcb(type: 'encrypt' | 'decrypt', key: Buffer, data: Buffer): Buffer {
  const cipher = DES.create({ type, key, padding: false });
  return Buffer.from([...cipher.update(data), ...cipher.final()]);
}

const md5 = (data: Buffer | string): Buffer => createHash('md5').update(data).digest();
const hex = (data: Buffer | string): string => Buffer.from(data).toString('hex');

describe('Wireshark dissectors on stand-alone Lua 5.1 to 5.4', function () {
  this.timeout(60_000);
  let luas: string[] = [];
  let tmp: ReturnType<typeof makeTempDir>;
  const cases: { line: string; expected: string }[] = [];

  before(function () {
    this.timeout(600_000);
    luas = ensureLuas();
    tmp = makeTempDir('kasa-lua-');
    const key = md5('adminadmin').subarray(0, 8);
    for (const size of [0, 1, 55, 56, 63, 64, 65, 200, 1000]) {
      const data = randomBytes(size);
      cases.push({ line: `md5 ${hex(data)}`, expected: hex(md5(data)) });
    }
    cases.push({ line: `key ${hex('admin')} ${hex('admin')}`, expected: 'f6fdffe48c908deb' });
    cases.push({ line: `des_enc 133457799bbcdff1 0123456789abcdef`, expected: '85e813540f0ab405' });
    for (let i = 0; i < 4; i++) {
      const data = randomBytes(8 * (i + 1));
      const k = randomBytes(8);
      cases.push({ line: `des_enc ${hex(k)} ${hex(data)}`, expected: hex(desEcb('encrypt', k, data)) });
      cases.push({ line: `des_dec ${hex(key)} ${hex(data)}`, expected: hex(desEcb('decrypt', key, data)) });
    }
    for (const size of [1, 31, 300]) {
      const data = randomBytes(size);
      cases.push({ line: `xor_enc ${hex(data)}`, expected: hex(encrypt(data)) });
      cases.push({ line: `xor_dec ${hex(data)}`, expected: hex(decrypt(data)) });
    }
    // Positions are 1-based and inclusive, found here by searching the text.
    const doc = '{"system":{"get_sysinfo":{"alias":"a\\"b\\u00e9","relay_state":1,"x":[true,null,-2.5e1]}}}';
    const at = (token: string): string => {
      const first = doc.indexOf(token) + 1;
      return `${first}-${first + token.length - 1}`;
    };
    const one = doc.indexOf(':1,') + 2;
    cases.push({
      line: `json ${hex(doc)}`,
      expected: `alias=a"b\u00e9@${at('"a\\"b\\u00e9"')};relay_state=1@${one}-${one}`
        + `;=true@${at('true')};=null@${at('null')};=-25.0@${at('-2.5e1')}`,
    });
    cases.push({ line: `json ${hex('{"a":1')}`, expected: 'error expected \',\' or \'}\'' });
    cases.push({ line: `json ${hex('{"a":1} x')}`, expected: 'error trailing text' });
    cases.push({ line: `json ${hex('{"a":"\\q"}')}`, expected: 'error bad escape' });
    cases.push({ line: `json ${hex('["a')}`, expected: 'error unterminated string' });
    cases.push({ line: `json ${hex('{1:2}')}`, expected: 'error expected a key' });
    // 64 levels are read, the 65th is refused: a bound on the reader's recursion.
    cases.push({ line: `json ${hex(`${'['.repeat(64)}7${']'.repeat(64)}`)}`, expected: '=7@65-65' });
    cases.push({ line: `json ${hex(`${'['.repeat(65)}${']'.repeat(65)}`)}`, expected: 'error nested too deeply' });
  });
  after(() => {
    killChildren();
    tmp?.remove();
  });

  it('uses no bit library, no operator that Lua 5.1 lacks and no module but the shared one', () => {
    for (const file of PLUGIN_FILES) {
      const code = readFileSync(file, 'utf8').split('\n').map((line) => line.replace(/--.*$/, '')).join('\n')
        .replace('pcall(require, "tplink-common")', '');
      assert.doesNotMatch(code, /\bbit32\b|\bbit\.|\brequire\b|\/\/|<<|>>|[^~]~[^=]/, path.basename(file));
    }
  });

  it('defines no global, the shared module nor the dissectors, on every interpreter', () => {
    // Outside Wireshark the dissectors stop before their Proto code; what runs is what a plugin folder runs first.
    const strict = 'setmetatable(_G, { __newindex = function(_, name) error("global " .. tostring(name), 2) end })\n'
      + 'local common = dofile(arg[1])\n'
      + 'for i = 2, #arg do dofile(arg[i]) end\n'
      + 'io.write(type(common.md5), " ", type(package.loaded["tplink-common"]))\n';
    const runner = path.join(tmp.dir, 'strict.lua');
    writeFileSync(runner, strict);
    for (const lua of luas) {
      const out = execFileSync(lua, [runner, COMMON_LUA, ...PLUGIN_FILES], { encoding: 'utf8', timeout: 60_000 });
      assert.strictEqual(out, 'function table', `${lua}: the dissectors found the module by require()`);
    }
  });

  it('computes MD5, DES, the Smart Home cipher and JSON positions alike on every interpreter', () => {
    const input = path.join(tmp.dir, 'cases.txt');
    const runner = path.join(tmp.dir, 'runner.lua');
    writeFileSync(input, cases.map((c) => c.line).join('\n') + '\n');
    writeFileSync(runner, RUNNER);
    for (const lua of luas) {
      const out = execFileSync(lua, [runner, COMMON_LUA, TDDP_LUA, SMARTHOME_LUA, input], { encoding: 'utf8', timeout: 60_000 })
        .split('\n').slice(0, cases.length);
      cases.forEach((c, i) => {
        // Lua 5.1/5.2 print -25 where 5.3+ print -25.0.
        const got = out[i].replace('=-25@', '=-25.0@');
        assert.strictEqual(got, c.expected, `${lua}: ${c.line.slice(0, 60)}`);
      });
    }
    assert.ok(luas.length >= 2, `ran on ${luas.join(', ')}`);
  });
});
