-- TP-Link Kasa Smart Home protocol dissector for Wireshark (TCP and UDP 9999).
--
-- TCP: a 4-byte big-endian length, then the payload; UDP: the payload alone.
-- The payload is JSON under an XOR autokey cipher (each byte XORed with the
-- previous cipher byte, the first with 171).
--
-- Named "kasa_smarthome" because Wireshark 3.6+ has a built-in dissector
-- called "tplink-smarthome" (fields tplink_smarthome.*); this one takes over
-- its ports. Runs on the Lua 5.1 to 5.4 that Wireshark ships: no bit library,
-- no bit operators. The JSON reader and the byte XOR table come from
-- tplink-common.lua, which must sit in the same folder. Outside Wireshark (no
-- `Proto` global) the file returns its cipher so the tests can exercise it on
-- plain interpreters.
--
-- SPDX-License-Identifier: MIT

-- The folders of the scripts Wireshark loads are on require's path; run with
-- dofile() (from init.lua, or a test), this file adds its own folder.
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])")
if here and not package.path:find(here .. "?.lua", 1, true) then package.path = here .. "?.lua;" .. package.path end
local found, common = pcall(require, "tplink-common")
if not found then error("tplink-smarthome.lua needs tplink-common.lua in its folder: " .. tostring(common):gsub(":?\n%s*no field.*", ""), 0) end

local floor, char, byte, concat = math.floor, string.char, string.byte, table.concat
local XOR8, parse_json = common.XOR8, common.parse_json

local INITIAL_KEY = 171

local function decrypt(s)
  local out, key = {}, INITIAL_KEY
  for i = 1, #s do
    local c = byte(s, i)
    out[i] = char(XOR8[key * 256 + c])
    key = c
  end
  return concat(out)
end

local function encrypt(s)
  local out, key = {}, INITIAL_KEY
  for i = 1, #s do
    key = XOR8[key * 256 + byte(s, i)]
    out[i] = char(key)
  end
  return concat(out)
end

if not Proto then
  return { decrypt = decrypt, encrypt = encrypt }
end

----------------------------------------------------------------------------
-- The dissector
----------------------------------------------------------------------------
local proto = Proto("kasa_smarthome", "TP-Link Kasa Smart Home Protocol")

local f = {
  length = ProtoField.uint32("kasa_smarthome.length", "Length", base.DEC),
  type = ProtoField.uint8("kasa_smarthome.type", "Type", base.DEC, { [0] = "Request", [1] = "Response" }),
  payload = ProtoField.bytes("kasa_smarthome.payload", "Encrypted payload"),
  text = ProtoField.string("kasa_smarthome.text", "Decrypted text"),
  module = ProtoField.string("kasa_smarthome.module", "Module"),
  method = ProtoField.string("kasa_smarthome.method", "Method"),
  err_code = ProtoField.int32("kasa_smarthome.err_code", "Error code", base.DEC),
  err_msg = ProtoField.string("kasa_smarthome.err_msg", "Error message"),
  alias = ProtoField.string("kasa_smarthome.alias", "Alias"),
  device_id = ProtoField.string("kasa_smarthome.deviceId", "Device ID"),
  model = ProtoField.string("kasa_smarthome.model", "Model"),
  relay_state = ProtoField.uint8("kasa_smarthome.relay_state", "Relay state", base.DEC, { [0] = "Off", [1] = "On" }),
  power = ProtoField.double("kasa_smarthome.power", "Power (W)"),
  power_mw = ProtoField.double("kasa_smarthome.power_mw", "Power (mW)"),
  voltage = ProtoField.double("kasa_smarthome.voltage", "Voltage (V)"),
  voltage_mv = ProtoField.double("kasa_smarthome.voltage_mv", "Voltage (mV)"),
  current = ProtoField.double("kasa_smarthome.current", "Current (A)"),
  current_ma = ProtoField.double("kasa_smarthome.current_ma", "Current (mA)"),
  total = ProtoField.double("kasa_smarthome.total", "Total energy (kWh)"),
  total_wh = ProtoField.double("kasa_smarthome.total_wh", "Total energy (Wh)"),
}
proto.fields = {
  f.length, f.type, f.payload, f.text, f.module, f.method, f.err_code, f.err_msg, f.alias,
  f.device_id, f.model, f.relay_state, f.power, f.power_mw, f.voltage, f.voltage_mv,
  f.current, f.current_ma, f.total, f.total_wh,
}

local ex = {
  err_code = ProtoExpert.new("kasa_smarthome.err_code.nonzero", "Device returned an error",
    expert.group.RESPONSE_CODE, expert.severity.WARN),
  length = ProtoExpert.new("kasa_smarthome.length.mismatch", "Length field does not match the data",
    expert.group.PROTOCOL, expert.severity.ERROR),
  not_json = ProtoExpert.new("kasa_smarthome.not_json", "Decrypted text is not JSON",
    expert.group.PROTOCOL, expert.severity.WARN),
}
proto.experts = { ex.err_code, ex.length, ex.not_json }

proto.prefs.ports = Pref.range("TCP/UDP ports", "9999", "Ports to decode as the Smart Home protocol", 65535)
proto.prefs.max_length = Pref.uint("Largest message", 1048576,
  "A TCP length field above this is treated as garbage rather than waited for")
proto.prefs.json = Pref.bool("Show the JSON tree", true, "Hand the decrypted text to the JSON dissector")

local json_dissector = Dissector.get("json")
local tcp_srcport = Field.new("tcp.srcport")

-- Keys read as fields wherever they appear, and the energy keys read only
-- under an emeter module (other modules reuse names such as "total").
local STRING_KEYS = { alias = f.alias, deviceId = f.device_id, model = f.model, err_msg = f.err_msg }
local ENERGY_KEYS = {
  power = f.power, power_mw = f.power_mw, voltage = f.voltage, voltage_mv = f.voltage_mv,
  current = f.current, current_ma = f.current_ma, total = f.total, total_wh = f.total_wh,
}

local function span(dtvb, node)
  return dtvb(node.first - 1, node.last - node.first + 1)
end

local function add_values(tree, dtvb, node, ctx)
  for _, item in ipairs(node.items or {}) do
    local key = item.key
    if item.kind == "number" then
      if key == "err_code" then
        local code = floor(item.value)
        local it = tree:add(f.err_code, span(dtvb, item), code)
        if code ~= 0 then
          it:add_proto_expert_info(ex.err_code, "Device returned err_code " .. code)
          ctx.err = code
        end
      elseif key == "relay_state" or (key == "state" and ctx.method == "set_relay_state") then
        tree:add(f.relay_state, span(dtvb, item), floor(item.value))
      elseif ctx.emeter and ENERGY_KEYS[key] then
        tree:add(ENERGY_KEYS[key], span(dtvb, item), item.value)
      end
    elseif item.kind == "string" and STRING_KEYS[key] then
      tree:add(STRING_KEYS[key], span(dtvb, item), item.value)
    elseif item.kind == "object" or item.kind == "array" then
      add_values(tree, dtvb, item, ctx)
    end
  end
end

-- Module / method items, with the values found under each method.
local function add_commands(tree, dtvb, root, summary)
  for _, module in ipairs(root.items) do
    if module.key ~= "context" then
      local mtree = tree:add(f.module, dtvb(module.key_first - 1, module.key_last - module.key_first + 1), module.key)
      local emeter = module.key:find("emeter", 1, true) ~= nil
      -- A module that the device does not have answers at module level:
      -- {"module":{"err_code":-1,"err_msg":"module not support"}}.
      local module_ctx = { emeter = emeter }
      for _, method in ipairs(module.items or {}) do
        if method.kind == "object" or method.kind == "null" then
          local ctx = { emeter = emeter, method = method.key }
          local ttree = mtree:add(f.method, dtvb(method.key_first - 1, method.key_last - method.key_first + 1), method.key)
          add_values(ttree, dtvb, method, ctx)
          summary[#summary + 1] = module.key .. "." .. method.key .. (ctx.err and (" err_code " .. ctx.err) or "")
        else
          add_values(mtree, dtvb, { items = { method } }, module_ctx)
        end
      end
      if module_ctx.err then summary[#summary + 1] = module.key .. " err_code " .. module_ctx.err end
    end
  end
end

local function is_response(pinfo)
  local ports = proto.prefs.ports
  local src, dst = pinfo.src_port, pinfo.dst_port
  if src == dst then return nil end
  -- Pref.range gives a string; a port that is in it matches as a whole item.
  local function listed(p)
    for part in tostring(ports):gmatch("[^,%s]+") do
      local a, b = part:match("^(%d+)-(%d+)$")
      if a then
        if p >= tonumber(a) and p <= tonumber(b) then return true end
      elseif tonumber(part) == p then
        return true
      end
    end
    return false
  end
  if listed(src) then return true end
  if listed(dst) then return false end
  return nil
end

--- Dissects one message; `tvb` holds its payload at `offset` (after any length field).
local function dissect_message(tvb, pinfo, tree, offset, truncated)
  local present = tvb:len() - offset
  local subtree = tree
  local raw = present > 0 and tvb:raw(offset, present) or ""
  if present > 0 then tree:add(f.payload, tvb(offset, present)) end
  local response = is_response(pinfo)
  if response ~= nil then tree:add(f.type, response and 1 or 0):set_generated() end
  local text = decrypt(raw)
  local dtvb = ByteArray.new(text, true):tvb("Decrypted Smart Home message")
  subtree:add(f.text, dtvb(), text)

  local summary = {}
  local root = text ~= "" and parse_json(text)
  if root and root.kind == "object" then
    add_commands(subtree, dtvb, root, summary)
    if proto.prefs.json and json_dissector then
      json_dissector:call(dtvb, pinfo, subtree)
    end
  elseif truncated then
    summary[#summary + 1] = "(truncated)"
  else
    subtree:add_proto_expert_info(ex.not_json)
    summary[#summary + 1] = "(not JSON)"
  end
  local direction = response == true and "Response" or response == false and "Request" or "Message"
  return direction .. " " .. (#summary > 0 and concat(summary, ", ") or "")
end

local info_parts = { frame = nil, list = {} }
local function set_info(pinfo, line)
  -- Several messages in one segment: list them all, whatever sub-dissectors
  -- wrote into the column in between.
  if info_parts.frame ~= pinfo.number then info_parts.frame, info_parts.list = pinfo.number, {} end
  info_parts.list[#info_parts.list + 1] = line
  pinfo.cols.protocol = "KASA"
  pinfo.cols.info = concat(info_parts.list, "; ")
end

local function dissect_tcp_message(tvb, pinfo, tree)
  local subtree = tree:add(proto, tvb())
  local length = tvb(0, 4):uint()
  local litem = subtree:add(f.length, tvb(0, 4))
  local present = tvb:len() - 4
  local truncated = present < length
  if present ~= length then
    litem:add_proto_expert_info(ex.length,
      string.format("Length field says %d bytes, %d present", length, present))
  end
  set_info(pinfo, dissect_message(tvb, pinfo, subtree, 4, truncated))
  return tvb:len()
end

local function tcp_message_length(tvb, _, offset)
  local length = tvb(offset, 4):uint()
  if length > proto.prefs.max_length then
    -- Not a length we believe: take what is there and flag it.
    return tvb:len() - offset
  end
  return length + 4
end

function proto.dissector(tvb, pinfo, tree)
  if tvb:len() == 0 then return 0 end
  if tcp_srcport() then
    dissect_tcp_pdus(tvb, tree, 4, tcp_message_length, dissect_tcp_message)
    return tvb:len()
  end
  local subtree = tree:add(proto, tvb())
  set_info(pinfo, dissect_message(tvb, pinfo, subtree, 0, false))
  return tvb:len()
end

-- Plain Smart Home JSON that another dissector decrypted (KLAP, in
-- tplink-smart.lua, finds this one by name): the same fields and JSON tree,
-- under a kasa_smarthome item.
local plain_json = Proto("kasa_smarthome_json", "TP-Link Kasa Smart Home JSON (decrypted by another dissector)")

function plain_json.dissector(tvb, pinfo, tree)
  local root = parse_json(tvb:raw())
  if not root or root.kind ~= "object" then return 0 end
  local subtree = tree:add(proto, tvb())
  add_commands(subtree, tvb, root, {})
  if proto.prefs.json and json_dissector then json_dissector:call(tvb, pinfo, subtree) end
  return tvb:len()
end

local registered = {}
local function register_ports()
  local tcp, udp = DissectorTable.get("tcp.port"), DissectorTable.get("udp.port")
  for _, port in ipairs(registered) do
    tcp:remove(port, proto)
    udp:remove(port, proto)
  end
  registered = {}
  for part in tostring(proto.prefs.ports):gmatch("[^,%s]+") do
    local a, b = part:match("^(%d+)-(%d+)$")
    a, b = tonumber(a or part), tonumber(b or part)
    if a and b and a >= 1 and b <= 65535 and b - a < 1024 then
      for port = a, b do
        tcp:add(port, proto)
        udp:add(port, proto)
        registered[#registered + 1] = port
      end
    end
  end
end

proto.prefs_changed = register_ports
register_ports()
