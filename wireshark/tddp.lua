-- TP-Link Device Debug Protocol (TDDP) dissector for Wireshark.
--
-- UDP 1040 (device) and 61000 (where devices send replies). Versions 1 and 2:
--   version u8, type u8, code u8, reply status u8, data length u32 (big-endian),
--   packet id u16, subtype u8, reserved u8                       (12 bytes)
--   v2 only: 16-byte MD5 over the whole packet, digest field zeroed,
--   then the data, DES-ECB encrypted with the first 8 bytes of
--   MD5(username .. password), zero-padded to a multiple of 8.
--
-- Wireshark ships Lua 5.1 to 5.4 depending on the version, with or without
-- `bit`/`bit32`: DES below works on arrays of bits, and MD5 comes from
-- tplink-common.lua (which must sit in the same folder), so that one file runs
-- on all of them. Outside Wireshark (no `Proto` global) the file returns its
-- DES and key functions, which is how the tests exercise them on stand-alone
-- interpreters.
--
-- SPDX-License-Identifier: MIT

-- tplink-common.lua is found where Wireshark loads scripts from (their folders
-- are on require's path), or beside this file when it is run with dofile().
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])")
if here and not package.path:find(here .. "?.lua", 1, true) then package.path = here .. "?.lua;" .. package.path end
local found, common = pcall(require, "tplink-common")
if not found then error("tddp.lua needs tplink-common.lua in its folder: " .. tostring(common):gsub(":?\n%s*no field.*", ""), 0) end

local char, byte, concat = string.char, string.byte, table.concat
local md5, to_hex = common.md5, common.to_hex

----------------------------------------------------------------------------
-- DES (FIPS 46-3), ECB, on arrays of bits: slow but needs no bit operators,
-- and TDDP payloads are a few hundred bytes.
----------------------------------------------------------------------------
local DES_IP = {
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
  62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
  61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7 }
local DES_FP = {}
for i = 1, 64 do DES_FP[DES_IP[i]] = i end
local DES_E = {
  32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13,
  12, 13, 14, 15, 16, 17, 16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25,
  24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1 }
local DES_P = {
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
  2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25 }
local DES_PC1 = {
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18,
  10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
  63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22,
  14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4 }
local DES_PC2 = {
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4,
  26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47, 55, 30, 40,
  51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32 }
local DES_SHIFTS = { 1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1 }
local DES_S = {
  { 14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7,
    0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
    4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0,
    15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13 },
  { 15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10,
    3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
    0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15,
    13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9 },
  { 10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8,
    13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
    13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7,
    1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12 },
  { 7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15,
    13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
    10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4,
    3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14 },
  { 2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9,
    14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
    4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14,
    11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3 },
  { 12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11,
    10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
    9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6,
    4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13 },
  { 4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1,
    13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
    1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2,
    6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12 },
  { 13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7,
    1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
    7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8,
    2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11 } }

local function to_bits(s, from)
  local bits = {}
  for i = 0, 7 do
    local v = byte(s, from + i) or 0
    for j = 8, 1, -1 do
      local b = v % 2
      bits[i * 8 + j] = b
      v = (v - b) / 2
    end
  end
  return bits
end

local function from_bits(bits)
  local out = {}
  for i = 0, 7 do
    local v = 0
    for j = 1, 8 do v = v * 2 + bits[i * 8 + j] end
    out[i + 1] = char(v)
  end
  return concat(out)
end

--- The 16 round keys (arrays of 48 bits) for an 8-byte key string.
local function des_subkeys(key)
  local kb = to_bits(key, 1)
  local cd = {}
  for i = 1, 56 do cd[i] = kb[DES_PC1[i]] end
  local subkeys = {}
  for round = 1, 16 do
    for _ = 1, DES_SHIFTS[round] do
      local c1, d1 = cd[1], cd[29]
      for i = 1, 27 do cd[i], cd[28 + i] = cd[i + 1], cd[29 + i] end
      cd[28], cd[56] = c1, d1
    end
    local k = {}
    for i = 1, 48 do k[i] = cd[DES_PC2[i]] end
    subkeys[round] = k
  end
  return subkeys
end

local function des_block(block, subkeys, decrypt)
  local l, r = {}, {}
  for i = 1, 32 do l[i], r[i] = block[DES_IP[i]], block[DES_IP[32 + i]] end
  local sout = {}
  for round = 1, 16 do
    local k = subkeys[decrypt and (17 - round) or round]
    for box = 0, 7 do
      local x = {}
      for j = 1, 6 do
        local n = box * 6 + j
        x[j] = (r[DES_E[n]] + k[n]) % 2
      end
      local v = DES_S[box + 1][(x[1] * 2 + x[6]) * 16 + x[2] * 8 + x[3] * 4 + x[4] * 2 + x[5] + 1]
      for j = 4, 1, -1 do
        local b = v % 2
        sout[box * 4 + j] = b
        v = (v - b) / 2
      end
    end
    local nr = {}
    for i = 1, 32 do nr[i] = (l[i] + sout[DES_P[i]]) % 2 end
    l, r = r, nr
  end
  local pre, out = {}, {}
  for i = 1, 32 do pre[i], pre[32 + i] = r[i], l[i] end
  for i = 1, 64 do out[i] = pre[DES_FP[i]] end
  return out
end

--- DES-ECB over `data` (a trailing partial block is zero-padded).
local function des_ecb(key, data, decrypt)
  local subkeys = des_subkeys(key)
  local out = {}
  for i = 1, #data, 8 do
    out[#out + 1] = from_bits(des_block(to_bits(data, i), subkeys, decrypt))
  end
  return concat(out)
end

local function tddp_key(username, password)
  return md5(username .. password):sub(1, 8)
end

if not Proto then
  -- Loaded outside Wireshark (tests): expose the crypto and stop here.
  return {
    des_ecb_encrypt = function(key, data) return des_ecb(key, data, false) end,
    des_ecb_decrypt = function(key, data) return des_ecb(key, data, true) end,
    tddp_key = tddp_key,
  }
end

----------------------------------------------------------------------------
-- The dissector
----------------------------------------------------------------------------
local HEADER_V1 = 12
local HEADER_V2 = 28
local DEFAULT_PORTS = { 1040, 61000 }

local proto = Proto("tddp", "TP-Link Device Debug Protocol")

local types = {
  [1] = "SET_USR_CFG",
  [2] = "GET_SYS_INF",
  [3] = "CMD_SPE_OPR",
  [4] = "HEART_BEAT",
}
local codes = { [1] = "Request", [2] = "Reply" }
local statuses = { [0] = "OK", [3] = "Unsupported", [9] = "Error" }
local digest_statuses = { [0] = "Bad", [1] = "Good" }

local f = {
  version = ProtoField.uint8("tddp.version", "Version", base.DEC),
  type = ProtoField.uint8("tddp.type", "Type", base.HEX, types),
  code = ProtoField.uint8("tddp.code", "Code", base.DEC, codes),
  status = ProtoField.uint8("tddp.status", "Reply status", base.HEX, statuses),
  length = ProtoField.uint32("tddp.length", "Data length", base.DEC),
  id = ProtoField.uint16("tddp.id", "Packet ID", base.HEX_DEC),
  subtype = ProtoField.uint8("tddp.subtype", "Subtype", base.HEX),
  reserved = ProtoField.uint8("tddp.reserved", "Reserved", base.HEX),
  digest = ProtoField.bytes("tddp.digest", "MD5 digest"),
  digest_status = ProtoField.uint8("tddp.digest.status", "Digest status", base.DEC, digest_statuses),
  digest_computed = ProtoField.string("tddp.digest.computed", "Computed digest"),
  data = ProtoField.bytes("tddp.data", "Data"),
  plaintext = ProtoField.bytes("tddp.plaintext", "Decrypted data"),
  text = ProtoField.string("tddp.text", "Text"),
}
proto.fields = {
  f.version, f.type, f.code, f.status, f.length, f.id, f.subtype, f.reserved,
  f.digest, f.digest_status, f.digest_computed, f.data, f.plaintext, f.text,
}

local decryption_group = expert.group.DECRYPTION or expert.group.SECURITY
local ex = {
  bad_digest = ProtoExpert.new("tddp.digest.bad", "MD5 digest does not match the packet",
    expert.group.CHECKSUM, expert.severity.ERROR),
  length = ProtoExpert.new("tddp.length.mismatch", "Data length does not match the packet",
    expert.group.PROTOCOL, expert.severity.WARN),
  undecryptable = ProtoExpert.new("tddp.decrypt.failed",
    "Data does not decrypt to text: wrong username or password?",
    decryption_group, expert.severity.WARN),
  unknown_version = ProtoExpert.new("tddp.version.unknown", "Unknown TDDP version",
    expert.group.PROTOCOL, expert.severity.WARN),
}
proto.experts = { ex.bad_digest, ex.length, ex.undecryptable, ex.unknown_version }

proto.prefs.username = Pref.string("Username", "admin",
  "Username for the DES key (MD5(username .. password)); empty to not decrypt")
proto.prefs.password = Pref.string("Password", "admin", "Password for the DES key")

local key_cache = { id = nil, key = nil }
local function current_key()
  local user, pass = proto.prefs.username or "", proto.prefs.password or ""
  if user == "" and pass == "" then return nil end
  local id = user .. "\0" .. pass
  if key_cache.id ~= id then
    key_cache.id, key_cache.key = id, tddp_key(user, pass)
  end
  return key_cache.key
end

-- Text when every byte before the zero padding is printable (or tab/CR/LF).
local function printable(s)
  local trimmed = s:gsub("%z+$", "")
  if trimmed:find("[^\t\r\n\32-\126]") then return nil end
  return trimmed
end

local function add_data(tree, pinfo, tvb, offset, version, length)
  local present = tvb:len() - offset
  if present <= 0 then return end
  local data_item = tree:add(f.data, tvb(offset, present))
  if version == 1 then
    local text = printable(tvb:raw(offset, present))
    if text and text ~= "" then data_item:add(f.text, tvb(offset, present), text) end
    return
  end
  local key = current_key()
  if not key then return end
  local plain = des_ecb(key, tvb:raw(offset, present), true)
  local shown = math.min(length, #plain)
  plain = plain:sub(1, shown)
  local ptvb = ByteArray.new(plain, true):tvb("TDDP decrypted data")
  local pitem = data_item:add(f.plaintext, ptvb())
  local text = printable(plain)
  if text then
    pitem:add(f.text, ptvb(), text)
    pinfo.cols.info:append(" \"" .. (#text > 40 and text:sub(1, 40) .. "..." or text) .. "\"")
  else
    pitem:add_proto_expert_info(ex.undecryptable)
  end
end

function proto.dissector(tvb, pinfo, tree)
  local total = tvb:len()
  if total < HEADER_V1 then return 0 end
  local version = tvb(0, 1):uint()
  local header = version == 2 and HEADER_V2 or HEADER_V1
  if total < header then return 0 end

  pinfo.cols.protocol = "TDDP"
  local subtree = tree:add(proto, tvb(), "TP-Link Device Debug Protocol")
  local vitem = subtree:add(f.version, tvb(0, 1))
  if version ~= 1 and version ~= 2 then vitem:add_proto_expert_info(ex.unknown_version) end
  local ptype, code = tvb(1, 1):uint(), tvb(2, 1):uint()
  subtree:add(f.type, tvb(1, 1))
  subtree:add(f.code, tvb(2, 1))
  subtree:add(f.status, tvb(3, 1))
  local length = tvb(4, 4):uint()
  local litem = subtree:add(f.length, tvb(4, 4))
  subtree:add(f.id, tvb(8, 2))
  local subtype = tvb(10, 1):uint()
  subtree:add(f.subtype, tvb(10, 1))
  subtree:add(f.reserved, tvb(11, 1))

  pinfo.cols.info = string.format("v%d %s %s subtype 0x%02x id %d", version,
    codes[code] or ("code " .. code), types[ptype] or ("type " .. ptype), subtype, tvb(8, 2):uint())

  if version == 2 then
    local digest_tvb = tvb(12, 16)
    local ditem = subtree:add(f.digest, digest_tvb)
    local zeroed = tvb:raw(0, 12) .. string.rep("\0", 16) .. tvb:raw(28, total - 28)
    local computed = md5(zeroed)
    local good = computed == digest_tvb:raw()
    ditem:add(f.digest_status, digest_tvb, good and 1 or 0):set_generated()
    if not good then
      ditem:add(f.digest_computed, digest_tvb, to_hex(computed)):set_generated()
      ditem:add_proto_expert_info(ex.bad_digest)
      pinfo.cols.info:append(" [bad digest]")
    end
  end

  local present = total - header
  local padded = version == 2 and (length + 7) - (length + 7) % 8 or length
  if present ~= length and present ~= padded then
    litem:add_proto_expert_info(ex.length,
      string.format("Data length says %d bytes, the packet carries %d", length, present))
  end
  add_data(subtree, pinfo, tvb, header, version, length)
  return total
end

local udp_table = DissectorTable.get("udp.port")
for _, port in ipairs(DEFAULT_PORTS) do udp_table:add(port, proto) end
