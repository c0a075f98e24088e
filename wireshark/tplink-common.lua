-- The code the three TP-Link dissectors here share, as a module they load with
-- require("tplink-common"): 32-bit operations on plain numbers, MD5, SHA-1,
-- SHA-256, AES-128-CBC decryption, CRC-32, base64, hex, and a JSON reader that
-- keeps each value's position so that fields can point into the bytes.
--
-- Wireshark puts the folder of every script it loads (plugin folders, -X
-- lua_script:) on require's path, so this file is found when it sits beside
-- them. In a plugin folder Wireshark also runs it as a plugin of its own: it
-- then only builds and returns its table, defines no global and registers
-- nothing. Lua 5.1 to 5.4, no bit library, no C modules: lookup tables and
-- plain arithmetic. The tests load it on stand-alone interpreters with
-- dofile() and compare it with Node's crypto.
--
-- SPDX-License-Identifier: MIT

local floor, char, byte, concat = math.floor, string.char, string.byte, table.concat

----------------------------------------------------------------------------
-- 8-bit AND/XOR tables; 32-bit operations built on them
----------------------------------------------------------------------------
local AND8, XOR8 = {}, {}
do
  local and4, xor4 = {}, {}
  for a = 0, 15 do
    for b = 0, 15 do
      local x, n, p, ra, rb = 0, 0, 1, a, b
      for _ = 1, 4 do
        local ba, bb = ra % 2, rb % 2
        if ba ~= bb then x = x + p elseif ba == 1 then n = n + p end
        ra, rb, p = (ra - ba) / 2, (rb - bb) / 2, p * 2
      end
      xor4[a * 16 + b], and4[a * 16 + b] = x, n
    end
  end
  for a = 0, 255 do
    local ah, al = floor(a / 16), a % 16
    for b = 0, 255 do
      local bh, bl = floor(b / 16), b % 16
      XOR8[a * 256 + b] = xor4[ah * 16 + bh] * 16 + xor4[al * 16 + bl]
      AND8[a * 256 + b] = and4[ah * 16 + bh] * 16 + and4[al * 16 + bl]
    end
  end
end

local TWO32 = 4294967296
local POW2 = {}
for i = 0, 32 do POW2[i] = 2 ^ i end

local function op32(t, a, b)
  local r, p = 0, 1
  for _ = 1, 4 do
    local la, lb = a % 256, b % 256
    r = r + t[la * 256 + lb] * p
    a, b, p = (a - la) / 256, (b - lb) / 256, p * 256
  end
  return r
end
local function band(a, b) return op32(AND8, a, b) end
local function bxor(a, b) return op32(XOR8, a, b) end
local function bor(a, b) return a + b - op32(AND8, a, b) end
local function bnot(a) return TWO32 - 1 - a end
local function rotl(x, n)
  local hi = floor(x / POW2[32 - n])
  return (x % POW2[32 - n]) * POW2[n] + hi
end
local function rotr(x, n) return rotl(x, 32 - n) end
local function shr(x, n) return floor(x / POW2[n]) end

local function be32(n)
  local b3 = n % 256; n = (n - b3) / 256
  local b2 = n % 256; n = (n - b2) / 256
  local b1 = n % 256; n = (n - b1) / 256
  return char(n % 256, b1, b2, b3)
end
local function le32(n)
  local b0 = n % 256; n = (n - b0) / 256
  local b1 = n % 256; n = (n - b1) / 256
  local b2 = n % 256; n = (n - b2) / 256
  return char(b0, b1, b2, n % 256)
end
local function read_be32(s, i)
  local a, b, c, d = byte(s, i, i + 3)
  return ((a * 256 + b) * 256 + c) * 256 + d
end

--- The message padded to whole 64-byte blocks, length in bits appended
--- big-endian (SHA) or little-endian (MD5).
local function md_pad(msg, little)
  local bits = #msg * 8
  local hi, lo = floor(bits / TWO32), bits % TWO32
  local tail = little and (le32(lo) .. le32(hi)) or (be32(hi) .. be32(lo))
  return msg .. "\128" .. string.rep("\0", (55 - #msg) % 64) .. tail
end

----------------------------------------------------------------------------
-- MD5 (RFC 1321), SHA-1 and SHA-256 (FIPS 180-4)
----------------------------------------------------------------------------
local MD5_K, MD5_S = {}, {}
for i = 0, 63 do MD5_K[i] = floor(math.abs(math.sin(i + 1)) * TWO32) end
do
  local s = { { 7, 12, 17, 22 }, { 5, 9, 14, 20 }, { 4, 11, 16, 23 }, { 6, 10, 15, 21 } }
  for i = 0, 63 do MD5_S[i] = s[floor(i / 16) + 1][i % 4 + 1] end
end

local function md5(msg)
  msg = md_pad(msg, true)
  local a0, b0, c0, d0 = 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476
  local m = {}
  for chunk = 1, #msg, 64 do
    for i = 0, 15 do
      local w1, w2, w3, w4 = byte(msg, chunk + i * 4, chunk + i * 4 + 3)
      m[i] = w1 + w2 * 256 + w3 * 65536 + w4 * 16777216
    end
    local a, b, c, d = a0, b0, c0, d0
    for i = 0, 63 do
      local f, g
      if i < 16 then
        f, g = bxor(d, band(b, bxor(c, d))), i
      elseif i < 32 then
        f, g = bxor(c, band(d, bxor(b, c))), (5 * i + 1) % 16
      elseif i < 48 then
        f, g = bxor(bxor(b, c), d), (3 * i + 5) % 16
      else
        f, g = bxor(c, bor(b, bnot(d))), (7 * i) % 16
      end
      f = (f + a + MD5_K[i] + m[g]) % TWO32
      a, d, c = d, c, b
      b = (b + rotl(f, MD5_S[i])) % TWO32
    end
    a0, b0 = (a0 + a) % TWO32, (b0 + b) % TWO32
    c0, d0 = (c0 + c) % TWO32, (d0 + d) % TWO32
  end
  return le32(a0) .. le32(b0) .. le32(c0) .. le32(d0)
end

local function sha1(msg)
  msg = md_pad(msg, false)
  local h0, h1, h2, h3, h4 = 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0
  local w = {}
  for chunk = 1, #msg, 64 do
    for i = 0, 15 do w[i] = read_be32(msg, chunk + i * 4) end
    for i = 16, 79 do w[i] = rotl(bxor(bxor(w[i - 3], w[i - 8]), bxor(w[i - 14], w[i - 16])), 1) end
    local a, b, c, d, e = h0, h1, h2, h3, h4
    for i = 0, 79 do
      local f, k
      if i < 20 then
        f, k = bxor(d, band(b, bxor(c, d))), 0x5a827999
      elseif i < 40 then
        f, k = bxor(bxor(b, c), d), 0x6ed9eba1
      elseif i < 60 then
        f, k = bor(band(b, c), band(d, bor(b, c))), 0x8f1bbcdc
      else
        f, k = bxor(bxor(b, c), d), 0xca62c1d6
      end
      local t = (rotl(a, 5) + f + e + k + w[i]) % TWO32
      a, b, c, d, e = t, a, rotl(b, 30), c, d
    end
    h0, h1, h2 = (h0 + a) % TWO32, (h1 + b) % TWO32, (h2 + c) % TWO32
    h3, h4 = (h3 + d) % TWO32, (h4 + e) % TWO32
  end
  return be32(h0) .. be32(h1) .. be32(h2) .. be32(h3) .. be32(h4)
end

local SHA256_K = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

local function sha256(msg)
  msg = md_pad(msg, false)
  local h = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 }
  local w = {}
  for chunk = 1, #msg, 64 do
    for i = 1, 16 do w[i] = read_be32(msg, chunk + (i - 1) * 4) end
    for i = 17, 64 do
      local x, y = w[i - 15], w[i - 2]
      local s0 = bxor(bxor(rotr(x, 7), rotr(x, 18)), shr(x, 3))
      local s1 = bxor(bxor(rotr(y, 17), rotr(y, 19)), shr(y, 10))
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) % TWO32
    end
    local a, b, c, d, e, f, g, hh = h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
    for i = 1, 64 do
      local s1 = bxor(bxor(rotr(e, 6), rotr(e, 11)), rotr(e, 25))
      local ch = bxor(g, band(e, bxor(f, g)))
      local t1 = hh + s1 + ch + SHA256_K[i] + w[i]
      local s0 = bxor(bxor(rotr(a, 2), rotr(a, 13)), rotr(a, 22))
      local maj = bor(band(a, b), band(c, bor(a, b)))
      hh, g, f, e = g, f, e, (d + t1) % TWO32
      d, c, b, a = c, b, a, (t1 + s0 + maj) % TWO32
    end
    h[1], h[2], h[3], h[4] = (h[1] + a) % TWO32, (h[2] + b) % TWO32, (h[3] + c) % TWO32, (h[4] + d) % TWO32
    h[5], h[6], h[7], h[8] = (h[5] + e) % TWO32, (h[6] + f) % TWO32, (h[7] + g) % TWO32, (h[8] + hh) % TWO32
  end
  local out = {}
  for i = 1, 8 do out[i] = be32(h[i]) end
  return concat(out)
end

----------------------------------------------------------------------------
-- AES-128 decryption (FIPS 197), CBC with PKCS#7 padding. The S-box and the
-- GF(2^8) products are computed here rather than typed in.
----------------------------------------------------------------------------
local SBOX, INV_SBOX, MUL9, MUL11, MUL13, MUL14 = {}, {}, {}, {}, {}, {}
do
  local exp, log = {}, {}
  local x = 1
  for i = 0, 254 do
    exp[i], log[x] = x, i
    local doubled = (x * 2) % 256
    if x >= 128 then doubled = XOR8[doubled * 256 + 0x1b] end
    x = XOR8[x * 256 + doubled] -- x * 3, 3 generates the multiplicative group
  end
  local function mul(a, b)
    if a == 0 or b == 0 then return 0 end
    return exp[(log[a] + log[b]) % 255]
  end
  local function rotl8(v, n) return (v * 2 ^ n) % 256 + floor(v / 2 ^ (8 - n)) end
  for a = 0, 255 do
    local inv = a == 0 and 0 or exp[(255 - log[a]) % 255]
    local s = inv
    for n = 1, 4 do s = XOR8[s * 256 + rotl8(inv, n)] end
    s = XOR8[s * 256 + 0x63]
    SBOX[a], INV_SBOX[s] = s, a
    MUL9[a], MUL11[a], MUL13[a], MUL14[a] = mul(a, 9), mul(a, 11), mul(a, 13), mul(a, 14)
  end
end

--- The 176 bytes of round keys (1-based array) for a 16-byte key.
local function aes128_round_keys(key)
  local w = { byte(key, 1, 16) }
  local rcon = 1
  for i = 17, 176, 4 do
    local t1, t2, t3, t4 = w[i - 4], w[i - 3], w[i - 2], w[i - 1]
    if (i - 1) % 16 == 0 then
      t1, t2, t3, t4 = XOR8[SBOX[t2] * 256 + rcon], SBOX[t3], SBOX[t4], SBOX[t1]
      rcon = rcon >= 128 and XOR8[((rcon * 2) % 256) * 256 + 0x1b] or rcon * 2
    end
    w[i], w[i + 1] = XOR8[w[i - 16] * 256 + t1], XOR8[w[i - 15] * 256 + t2]
    w[i + 2], w[i + 3] = XOR8[w[i - 14] * 256 + t3], XOR8[w[i - 13] * 256 + t4]
  end
  return w
end

-- State bytes are column-major, as they arrive: index 4 * column + row + 1.
-- Inverse ShiftRows moves row r right by r columns: the byte that lands at
-- (r, c) comes from (r, c - r).
local INV_SHIFT = {}
for c = 0, 3 do
  for r = 0, 3 do INV_SHIFT[4 * c + r + 1] = 4 * ((c - r) % 4) + r + 1 end
end

local function aes128_decrypt_block(rk, s)
  local t = {}
  for i = 1, 16 do s[i] = XOR8[s[i] * 256 + rk[160 + i]] end
  for round = 9, 0, -1 do
    local base = round * 16
    for i = 1, 16 do t[i] = XOR8[INV_SBOX[s[INV_SHIFT[i]]] * 256 + rk[base + i]] end
    if round == 0 then return t end
    for c = 0, 15, 4 do
      local a0, a1, a2, a3 = t[c + 1], t[c + 2], t[c + 3], t[c + 4]
      s[c + 1] = XOR8[XOR8[XOR8[MUL14[a0] * 256 + MUL11[a1]] * 256 + MUL13[a2]] * 256 + MUL9[a3]]
      s[c + 2] = XOR8[XOR8[XOR8[MUL9[a0] * 256 + MUL14[a1]] * 256 + MUL11[a2]] * 256 + MUL13[a3]]
      s[c + 3] = XOR8[XOR8[XOR8[MUL13[a0] * 256 + MUL9[a1]] * 256 + MUL14[a2]] * 256 + MUL11[a3]]
      s[c + 4] = XOR8[XOR8[XOR8[MUL11[a0] * 256 + MUL13[a1]] * 256 + MUL9[a2]] * 256 + MUL14[a3]]
    end
  end
end

--- AES-128-CBC decryption. Returns the plaintext with the PKCS#7 padding
--- removed, or nil and a reason when the input or the padding is wrong
--- (which, after a good signature, means a wrong key).
local function aes128_cbc_decrypt(key, iv, data)
  if #key ~= 16 or #iv ~= 16 then return nil, "key and IV must be 16 bytes" end
  if #data == 0 or #data % 16 ~= 0 then return nil, "not whole AES blocks" end
  local rk = aes128_round_keys(key)
  local prev = { byte(iv, 1, 16) }
  local out = {}
  for i = 1, #data, 16 do
    local block = { byte(data, i, i + 15) }
    local plain = aes128_decrypt_block(rk, { byte(data, i, i + 15) })
    for j = 1, 16 do plain[j] = char(XOR8[plain[j] * 256 + prev[j]]) end
    out[#out + 1] = concat(plain)
    prev = block
  end
  local text = concat(out)
  local pad = byte(text, #text)
  if pad < 1 or pad > 16 or text:sub(-pad) ~= string.rep(char(pad), pad) then
    return nil, "bad padding"
  end
  return text:sub(1, #text - pad)
end

----------------------------------------------------------------------------
-- CRC-32 (the zlib one), base64, hex
----------------------------------------------------------------------------
local CRC_TABLE = {}
for n = 0, 255 do
  local c = n
  for _ = 1, 8 do
    if c % 2 == 1 then c = bxor(0xedb88320, (c - 1) / 2) else c = c / 2 end
  end
  CRC_TABLE[n] = c
end

local function crc32(s)
  local crc = TWO32 - 1
  for i = 1, #s do
    local low = crc % 256
    crc = bxor(CRC_TABLE[XOR8[low * 256 + byte(s, i)]], (crc - low) / 256)
  end
  return bnot(crc)
end

local B64 = {}
do
  local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  for i = 1, 64 do B64[byte(alphabet, i)] = i - 1 end
end

--- Decodes standard base64 (whitespace ignored); nil when it is not base64.
local function base64_decode(s)
  s = s:gsub("[ \t\r\n]", "")
  if #s % 4 ~= 0 or s:find("=[^=]") or s:find("===") then return nil end
  local out = {}
  for i = 1, #s, 4 do
    local a, b, c, d = byte(s, i, i + 3)
    local va, vb = B64[a], B64[b]
    local vc, vd = c == 61 and 0 or B64[c], d == 61 and 0 or B64[d]
    if not (va and vb and vc and vd) then return nil end
    local n = ((va * 64 + vb) * 64 + vc) * 64 + vd
    local x3 = n % 256; n = (n - x3) / 256
    local x2 = n % 256
    local x1 = (n - x2) / 256
    out[#out + 1] = c == 61 and char(x1) or d == 61 and char(x1, x2) or char(x1, x2, x3)
  end
  return concat(out)
end

local function to_hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", byte(c)) end))
end
local function from_hex(h)
  if #h % 2 ~= 0 or h:find("[^%x]") then return nil end
  return (h:gsub("..", function(c) return char(tonumber(c, 16)) end))
end

----------------------------------------------------------------------------
-- JSON with positions: every value and key carries first and last (1-based,
-- inclusive), which a dissector turns into the range of its field
----------------------------------------------------------------------------
local MAX_DEPTH = 64

local function utf8_char(cp)
  if cp < 0x80 then return char(cp) end
  if cp < 0x800 then return char(0xC0 + floor(cp / 64), 0x80 + cp % 64) end
  if cp < 0x10000 then
    return char(0xE0 + floor(cp / 4096), 0x80 + floor(cp / 64) % 64, 0x80 + cp % 64)
  end
  return char(0xF0 + floor(cp / 262144), 0x80 + floor(cp / 4096) % 64,
    0x80 + floor(cp / 64) % 64, 0x80 + cp % 64)
end

local ESCAPES = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n', r = '\r', t = '\t' }

local parse_value

local function skip_ws(s, i)
  return s:find("[^ \t\r\n]", i) or #s + 1
end

local function parse_string(s, i)
  local parts, j = {}, i + 1
  while true do
    local k = s:find('["\\]', j)
    if not k then error("unterminated string", 0) end
    parts[#parts + 1] = s:sub(j, k - 1)
    if s:sub(k, k) == '"' then return concat(parts), k end
    local e = s:sub(k + 1, k + 1)
    if e == "u" then
      local hex = s:sub(k + 2, k + 5)
      if not hex:find("^%x%x%x%x$") then error("bad \\u escape", 0) end
      local cp = tonumber(hex, 16)
      j = k + 6
      if cp >= 0xD800 and cp < 0xDC00 and s:sub(j, j + 1) == "\\u" then
        local lo = tonumber(s:sub(j + 2, j + 5), 16)
        if lo and lo >= 0xDC00 and lo < 0xE000 then
          cp = 0x10000 + (cp - 0xD800) * 1024 + (lo - 0xDC00)
          j = j + 6
        end
      end
      parts[#parts + 1] = utf8_char(cp)
    elseif ESCAPES[e] then
      parts[#parts + 1] = ESCAPES[e]
      j = k + 2
    else
      error("bad escape", 0)
    end
  end
end

local function parse_container(s, i, depth, close)
  if depth > MAX_DEPTH then error("nested too deeply", 0) end
  local node = { kind = close == "}" and "object" or "array", first = i, items = {} }
  i = skip_ws(s, i + 1)
  if s:sub(i, i) == close then node.last = i; return node, i + 1 end
  while true do
    local key, key_first, key_last
    if close == "}" then
      if s:sub(i, i) ~= '"' then error("expected a key", 0) end
      key_first = i
      key, key_last = parse_string(s, i)
      i = skip_ws(s, key_last + 1)
      if s:sub(i, i) ~= ":" then error("expected ':'", 0) end
      i = skip_ws(s, i + 1)
    end
    local value
    value, i = parse_value(s, i, depth + 1)
    value.key, value.key_first, value.key_last = key, key_first, key_last
    node.items[#node.items + 1] = value
    i = skip_ws(s, i)
    local c = s:sub(i, i)
    if c == close then node.last = i; return node, i + 1 end
    if c ~= "," then error("expected ',' or '" .. close .. "'", 0) end
    i = skip_ws(s, i + 1)
  end
end

parse_value = function(s, i, depth)
  local c = s:sub(i, i)
  if c == "{" then return parse_container(s, i, depth, "}") end
  if c == "[" then return parse_container(s, i, depth, "]") end
  if c == '"' then
    local v, last = parse_string(s, i)
    return { kind = "string", value = v, first = i, last = last }, last + 1
  end
  local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
  if num and num ~= "" and tonumber(num) then
    return { kind = "number", value = tonumber(num), first = i, last = i + #num - 1 }, i + #num
  end
  for word, v in pairs({ ["true"] = true, ["false"] = false, ["null"] = "null" }) do
    if s:sub(i, i + #word - 1) == word then
      return { kind = word, value = v, first = i, last = i + #word - 1 }, i + #word
    end
  end
  error("unexpected character at " .. i, 0)
end

--- Parses `s`; returns the root node or nil and an error message.
local function parse_json(s)
  local ok, node, i = pcall(parse_value, s, skip_ws(s, 1), 1)
  if not ok then return nil, node end
  if skip_ws(s, i) <= #s then return nil, "trailing text" end
  return node
end

--- The item of `node` (an object) under `key`, or nil.
local function member(node, key)
  if not node or node.kind ~= "object" then return nil end
  for _, item in ipairs(node.items) do
    if item.key == key then return item end
  end
  return nil
end

return {
  -- XOR8[a * 256 + b] is a XOR b for two bytes (read it, never write it).
  XOR8 = XOR8,
  be32 = be32, read_be32 = read_be32,
  md5 = md5, sha1 = sha1, sha256 = sha256,
  aes128_cbc_decrypt = aes128_cbc_decrypt, crc32 = crc32, base64_decode = base64_decode,
  to_hex = to_hex, from_hex = from_hex,
  parse_json = parse_json, member = member,
}
