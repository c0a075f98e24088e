-- TP-Link's newer local protocols, for Wireshark:
--   tplink_klap   KLAP sessions over HTTP (/app/handshake1, /app/handshake2,
--                 /app/request?seq=N), decrypted with the cloud account's
--                 credentials (protocol versions 1 and 2);
--   tplink_aes    AES "securePassthrough" sessions over HTTP (/app), decrypted
--                 with a session key and IV the user supplies;
--   tplink_smart  the SMART JSON that Tapo and new Kasa devices carry inside
--                 either session (classic Smart Home JSON inside KLAP is handed
--                 to tplink-smarthome.lua's kasa_smarthome fields when that
--                 script is loaded);
--   tplink_tdp    UDP 20002/20004 discovery.
--
-- KLAP and AES read what Wireshark's HTTP dissector found (URI, cookies,
-- body) from a post-dissector, so HTTP keeps its own tree, reassembly and
-- chunked decoding.
--
-- Same rules as the other scripts here: Lua 5.1 to 5.4, no bit library, no C
-- modules. The crypto (SHA-1, SHA-256, MD5, AES-128, CRC-32) and the JSON
-- reader come from tplink-common.lua, which must sit in the same folder.
-- Outside Wireshark (no `Proto` global) the file returns its KLAP key
-- schedule so the tests can compare it with the project's on stand-alone
-- interpreters.
--
-- SPDX-License-Identifier: MIT

-- Wireshark puts the folders of the scripts it loads on require's path; a
-- script run with dofile() (from init.lua, or a test) adds its own folder here.
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])")
if here and not package.path:find(here .. "?.lua", 1, true) then package.path = here .. "?.lua;" .. package.path end
local found, common = pcall(require, "tplink-common")
if not found then error("tplink-smart.lua needs tplink-common.lua in its folder: " .. tostring(common):gsub(":?\n%s*no field.*", ""), 0) end

local floor, concat = math.floor, table.concat
local TWO32 = 4294967296
local be32, read_be32 = common.be32, common.read_be32
local md5, sha1, sha256 = common.md5, common.sha1, common.sha256
local aes128_cbc_decrypt, crc32, base64_decode = common.aes128_cbc_decrypt, common.crc32, common.base64_decode
local from_hex, parse_json, member = common.from_hex, common.parse_json, common.member

----------------------------------------------------------------------------
-- KLAP key schedule (python-kasa's klaptransport documents it):
--   auth_hash v1 = md5(md5(user) .. md5(password))
--   auth_hash v2 = sha256(sha1(user) .. sha1(password))
--   handshake1 reply = remote_seed .. server hash, where
--     v1: sha256(local_seed .. auth), v2: sha256(local .. remote .. auth)
--   handshake2 body  v1: sha256(remote .. auth), v2: sha256(remote .. local .. auth)
--   key = sha256("lsk" .. local .. remote .. auth)[1..16]
--   iv  = sha256("iv" .. local .. remote .. auth): bytes 1..12 prefix each
--         message's IV, the last 4 are the first sequence number (signed)
--   signature key = sha256("ldk" .. local .. remote .. auth)[1..28]
--   body = sha256(sig key .. seq .. ciphertext) .. AES-128-CBC(key, prefix .. seq)
----------------------------------------------------------------------------
local function klap_auth_hash(version, username, password)
  if version == 1 then return md5(md5(username) .. md5(password)) end
  return sha256(sha1(username) .. sha1(password))
end

local function klap_server_hash(version, local_seed, remote_seed, auth)
  if version == 1 then return sha256(local_seed .. auth) end
  return sha256(local_seed .. remote_seed .. auth)
end

local function klap_client_hash(version, local_seed, remote_seed, auth)
  if version == 1 then return sha256(remote_seed .. auth) end
  return sha256(remote_seed .. local_seed .. auth)
end

local function klap_session_keys(local_seed, remote_seed, auth)
  local seeds = local_seed .. remote_seed .. auth
  local iv = sha256("iv" .. seeds)
  local seq = read_be32(iv, 29)
  if seq >= 2147483648 then seq = seq - TWO32 end
  return {
    key = sha256("lsk" .. seeds):sub(1, 16),
    iv_prefix = iv:sub(1, 12),
    sig_key = sha256("ldk" .. seeds):sub(1, 28),
    initial_seq = seq,
  }
end

local function seq_bytes(seq)
  return be32(seq < 0 and seq + TWO32 or seq)
end

--- Checks and decrypts a KLAP body. Returns signature_ok (nil when the body
--- is too short to hold one), then the plaintext or nil and the reason.
local function klap_open(keys, seq, body)
  if #body < 48 or (#body - 32) % 16 ~= 0 then
    return nil, nil, string.format("a body of %d bytes is not a signature and whole AES blocks", #body)
  end
  local ciphertext = body:sub(33)
  local sig_ok = sha256(keys.sig_key .. seq_bytes(seq) .. ciphertext) == body:sub(1, 32)
  local plain, reason = aes128_cbc_decrypt(keys.key, keys.iv_prefix .. seq_bytes(seq), ciphertext)
  return sig_ok, plain, reason
end

if not Proto then
  return {
    klap_auth_hash = klap_auth_hash, klap_server_hash = klap_server_hash,
    klap_client_hash = klap_client_hash, klap_session_keys = klap_session_keys, klap_open = klap_open,
  }
end

----------------------------------------------------------------------------
-- Shared by the dissectors below
----------------------------------------------------------------------------
local json_dissector = Dissector.get("json")
local decryption_group = expert.group.DECRYPTION or expert.group.SECURITY

local function span(dtvb, node)
  return dtvb(node.first - 1, node.last - node.first + 1)
end

--- A range preference ("80,8080-8090") as a list of {low, high}.
local function parse_ports(range)
  local out = {}
  for part in tostring(range or ""):gmatch("[^,%s]+") do
    local a, b = part:match("^(%d+)-(%d+)$")
    a, b = tonumber(a or part), tonumber(b or part)
    if a and b then out[#out + 1] = { a, b } end
  end
  return out
end

local function port_in(ranges, port)
  for _, r in ipairs(ranges) do
    if port >= r[1] and port <= r[2] then return true end
  end
  return false
end

--- Keeps `table_name` (tcp.port, udp.port) pointing the listed ports at
--- `handle`; ports that already had another dissector are left to it, and
--- only ports claimed here are released when the preference changes.
local function port_claimer(table_name)
  local claimed = {}
  return function(ranges, handle)
    local dt = DissectorTable.get(table_name)
    for _, port in ipairs(claimed) do dt:remove(port, handle) end
    claimed = {}
    for _, r in ipairs(ranges) do
      if r[1] >= 1 and r[2] <= 65535 and r[2] - r[1] < 1024 then
        for port = r[1], r[2] do
          if not dt:get_dissector(port) then
            dt:add(port, handle)
            claimed[#claimed + 1] = port
          end
        end
      end
    end
  end
end

-- What Wireshark's HTTP dissector found in the current frame.
local http_field = {
  method = Field.new("http.request.method"),
  uri = Field.new("http.request.uri"),
  code = Field.new("http.response.code"),
  request_in = Field.new("http.request_in"),
  cookie = Field.new("http.cookie"),
  set_cookie = Field.new("http.set_cookie"),
  body = Field.new("http.file_data"),
}
-- The handle HTTP registers for TCP ports ("http" is the one other
-- dissectors call; putting it in tcp.port makes Wireshark warn).
local http_handle
for _, name in ipairs({ "http-over-tcp", "http" }) do
  local ok, handle = pcall(Dissector.get, name)
  if ok and handle then http_handle = handle; break end
end

--- The HTTP message of this frame: { request, uri | status, request_in,
--- cookie, set_cookies, body, body_range }, or nil and the number of HTTP
--- messages when there is not exactly one (the clients and devices here
--- never pipeline, so one frame carries at most one message).
local function http_message()
  local methods, codes = { http_field.method() }, { http_field.code() }
  if #methods + #codes ~= 1 then return nil, #methods + #codes end
  local msg = { request = #methods == 1, set_cookies = {} }
  if msg.request then
    local uri, cookie = http_field.uri(), http_field.cookie()
    msg.uri = uri and uri.value or ""
    msg.cookie = cookie and cookie.value or nil
  else
    msg.status = codes[1].value
    local request_in = http_field.request_in()
    msg.request_in = request_in and request_in.value or nil
    for _, c in ipairs({ http_field.set_cookie() }) do msg.set_cookies[#msg.set_cookies + 1] = c.value end
  end
  local body = http_field.body()
  if body and body.len > 0 then
    msg.body_range = body.range
    msg.body = body.range:raw()
  end
  return msg
end

--- The value of cookie `name` in Cookie / Set-Cookie header values. Devices
--- send "TP_SESSIONID=...;TIMEOUT=86400" in one header, so every pair counts.
local function cookie_value(headers, name)
  for _, header in ipairs(headers) do
    for part in header:gmatch("[^;]+") do
      local k, v = part:match("^%s*([^=]-)%s*=%s*(.-)%s*$")
      if k == name then return v end
    end
  end
  return nil
end

local SESSION_COOKIE = "TP_SESSIONID"

--- Where a session is filed: its cookie, or else the client and the server.
local function session_keys(pinfo, msg)
  local client, server = pinfo.src, pinfo.dst
  local server_port = pinfo.dst_port
  if not msg.request then client, server, server_port = pinfo.dst, pinfo.src, pinfo.src_port end
  local pair = "pair " .. tostring(client) .. " " .. tostring(server) .. ":" .. server_port
  local id = msg.request and cookie_value({ msg.cookie or "" }, SESSION_COOKIE)
    or cookie_value(msg.set_cookies, SESSION_COOKIE)
  return id and ("id " .. id) or nil, pair
end

--- A message naming a session by cookie belongs to that one only; without
--- a cookie, to the last session between the same client and server.
local function find_session(sessions, pinfo, msg)
  local id, pair = session_keys(pinfo, msg)
  if id then return sessions[id] end
  return sessions[pair]
end

local function file_session(sessions, pinfo, msg, session)
  local id, pair = session_keys(pinfo, msg)
  if id then sessions[id] = session end
  sessions[pair] = session
end

--- What a protocol carried in HTTP sessions (KLAP, AES) keeps: the ports it
--- reads, and for the capture being read each frame's record and the
--- sessions filed by cookie or by client and server. reset() empties the
--- capture's part (Wireshark calls it as the protocol's init).
local function session_tracker(default_ports)
  local tracker = { ports = parse_ports(default_ports) }
  function tracker.reset()
    tracker.frames, tracker.sessions = {}, {}
  end
  tracker.reset()
  return tracker
end

--- The post-dissector of such a protocol: on its ports, the HTTP message of
--- a frame is worked out by analyse(msg, pinfo) once, on the first pass (a
--- session needs its frames in order), its record kept by frame number, and
--- shown by show(record, msg, tvb, pinfo, tree) on every pass.
local function session_dissector(tracker, analyse, show)
  return function(tvb, pinfo, tree)
    if not (port_in(tracker.ports, pinfo.src_port) or port_in(tracker.ports, pinfo.dst_port)) then return end
    local msg = http_message()
    if not msg then return end
    local record = tracker.frames[pinfo.number]
    if not record then
      if pinfo.visited then return end
      record = analyse(msg, pinfo)
      if not record then return end
      tracker.frames[pinfo.number] = record
    end
    show(record, msg, tvb, pinfo, tree)
  end
end

--- Replaces HTTP's columns (it fences the Info column) with our summary.
local function set_columns(pinfo, protocol, info)
  pinfo.cols.protocol = protocol
  pinfo.cols.info:clear_fence()
  pinfo.cols.info = info
end

local function short(s, n)
  return #s > n and (s:sub(1, n) .. "...") or s
end

----------------------------------------------------------------------------
-- SMART JSON: {"method", "params"} requests, {"error_code", "result"}
-- replies, multipleRequest batches and control_child envelopes
----------------------------------------------------------------------------
local smart = Proto("tplink_smart", "TP-Link SMART JSON")

-- Names from the public reverse engineering (python-kasa's SmartErrorCode).
local SMART_ERRORS = {
  [0] = "SUCCESS", [-1] = "COMMON_FAILED_ERROR", [-1001] = "UNSPECIFIC_ERROR",
  [-1002] = "UNKNOWN_METHOD_ERROR", [-1003] = "JSON_DECODE_FAIL_ERROR", [-1004] = "JSON_ENCODE_FAIL_ERROR",
  [-1005] = "AES_DECODE_FAIL_ERROR", [-1006] = "REQUEST_LEN_ERROR_ERROR", [-1007] = "CLOUD_FAILED_ERROR",
  [-1008] = "PARAMS_ERROR", [-1010] = "INVALID_PUBLIC_KEY_ERROR", [-1101] = "SESSION_PARAM_ERROR",
  [-1201] = "QUICK_SETUP_ERROR", [-1301] = "DEVICE_ERROR", [-1401] = "FIRMWARE_ERROR",
  [-1501] = "LOGIN_ERROR", [-1601] = "TIME_ERROR", [-1701] = "WIRELESS_ERROR", [-1801] = "SCHEDULE_ERROR",
  [-1901] = "COUNTDOWN_ERROR", [-2001] = "ANTITHEFT_ERROR", [-2101] = "ACCOUNT_ERROR", [-2201] = "STAT_ERROR",
  [-2301] = "DST_ERROR", [1000] = "NULL_TRANSPORT_ERROR", [1001] = "CMD_COMMAND_CANCEL_ERROR",
  [1002] = "TRANSPORT_NOT_AVAILABLE_ERROR", [1003] = "TRANSPORT_UNKNOWN_CREDENTIALS_ERROR",
  [1100] = "HAND_SHAKE_FAILED_ERROR", [1111] = "LOGIN_FAILED_ERROR", [1112] = "HTTP_TRANSPORT_FAILED_ERROR",
  [1200] = "MULTI_REQUEST_FAILED_ERROR", [9999] = "SESSION_TIMEOUT_ERROR",
}

local sf = {
  type = ProtoField.uint8("tplink_smart.type", "Type", base.DEC, { [0] = "Request", [1] = "Response" }),
  method = ProtoField.string("tplink_smart.method", "Method"),
  error_code = ProtoField.int32("tplink_smart.error_code", "Error code", base.DEC, SMART_ERRORS),
  request = ProtoField.uint16("tplink_smart.request", "Request", base.DEC),
  response = ProtoField.uint16("tplink_smart.response", "Response", base.DEC),
  device_id = ProtoField.string("tplink_smart.device_id", "Device ID"),
  device_on = ProtoField.bool("tplink_smart.device_on", "Device on"),
  nickname = ProtoField.string("tplink_smart.nickname", "Nickname"),
  power = ProtoField.double("tplink_smart.power", "Power (W)"),
  voltage = ProtoField.double("tplink_smart.voltage", "Voltage (V)"),
  current = ProtoField.double("tplink_smart.current", "Current (A)"),
  today_energy = ProtoField.double("tplink_smart.today_energy", "Energy today (Wh)"),
  month_energy = ProtoField.double("tplink_smart.month_energy", "Energy this month (Wh)"),
  energy = ProtoField.double("tplink_smart.energy", "Energy (Wh)"),
}
smart.fields = {
  sf.type, sf.method, sf.error_code, sf.request, sf.response, sf.device_id, sf.device_on, sf.nickname,
  sf.power, sf.voltage, sf.current, sf.today_energy, sf.month_energy, sf.energy,
}
local smart_ex = {
  error_code = ProtoExpert.new("tplink_smart.error_code.nonzero", "Device returned an error",
    expert.group.RESPONSE_CODE, expert.severity.WARN),
}
smart.experts = { smart_ex.error_code }

-- Energy keys per method, with the factor to the field's unit: the same
-- name means mW in get_energy_usage and W in get_current_power.
local SMART_ENERGY = {
  get_energy_usage = {
    current_power = { sf.power, 0.001, "mW" }, today_energy = { sf.today_energy, 1 }, month_energy = { sf.month_energy, 1 },
  },
  get_current_power = { current_power = { sf.power, 1 } },
  get_emeter_data = {
    power_mw = { sf.power, 0.001, "mW" }, voltage_mv = { sf.voltage, 0.001, "mV" },
    current_ma = { sf.current, 0.001, "mA" }, energy_wh = { sf.energy, 1 },
  },
}

--- What a request asks, kept for its reply (which names no method):
--- { method, device_id, child = info, requests = { info... } }.
local function smart_request_info(node)
  local m = member(node, "method")
  local info = { method = m and m.kind == "string" and m.value or nil }
  local params = member(node, "params")
  if info.method == "multipleRequest" then
    local list = member(params, "requests")
    info.requests = {}
    for i, item in ipairs(list and list.items or {}) do info.requests[i] = smart_request_info(item) end
  elseif info.method == "control_child" then
    local id, data = member(params, "device_id"), member(params, "requestData")
    info.device_id = id and id.kind == "string" and id.value or nil
    if data then info.child = smart_request_info(data) end
  end
  return info
end

local function smart_summary(info)
  if not info or not info.method then return "?" end
  if info.requests then
    local names = {}
    for i, r in ipairs(info.requests) do names[i] = smart_summary(r) end
    return info.method .. " [" .. concat(names, ", ") .. "]"
  end
  if info.child then return info.method .. " " .. (info.device_id or "?") .. ": " .. smart_summary(info.child) end
  return info.method
end

local function add_smart_error(tree, ctx, item)
  if not item or item.kind ~= "number" then return end
  local code = floor(item.value)
  local ti = tree:add(sf.error_code, span(ctx.dtvb, item), code)
  if code ~= 0 then
    local name = SMART_ERRORS[code]
    ti:add_proto_expert_info(smart_ex.error_code,
      "Device returned error_code " .. code .. (name and (" (" .. name .. ")") or ""))
    ctx.errors[#ctx.errors + 1] = code
  end
end

local function add_smart_values(tree, ctx, node, method)
  local energy = SMART_ENERGY[method or ""]
  for _, item in ipairs(node.items or {}) do
    local key, kind = item.key, item.kind
    if kind == "object" or kind == "array" then
      add_smart_values(tree, ctx, item, method)
    elseif key == "device_on" and (kind == "true" or kind == "false") then
      tree:add(sf.device_on, span(ctx.dtvb, item), item.value)
    elseif key == "nickname" and kind == "string" then
      local decoded = base64_decode(item.value)
      local ti = tree:add(sf.nickname, span(ctx.dtvb, item), decoded or item.value)
      if decoded then ti:append_text(" (base64 " .. short(item.value, 40) .. ")") end
    elseif key == "device_id" and kind == "string" then
      tree:add(sf.device_id, span(ctx.dtvb, item), item.value)
    elseif key == "error_code" and kind == "number" then
      add_smart_error(tree, ctx, item)
    elseif kind == "number" and energy and energy[key] then
      local field, factor, unit = energy[key][1], energy[key][2], energy[key][3]
      local ti = tree:add(field, span(ctx.dtvb, item), item.value * factor)
      if unit then ti:append_text(" (" .. key .. " " .. item.value .. " " .. unit .. ")") end
    end
  end
end

local add_smart_response

local function add_smart_request(tree, ctx, node)
  local m = member(node, "method")
  local method = m and m.kind == "string" and m.value or nil
  if method then tree:add(sf.method, span(ctx.dtvb, m), method) end
  local params = member(node, "params")
  if method == "multipleRequest" then
    local list = member(params, "requests")
    for i, item in ipairs(list and list.items or {}) do
      local sub = tree:add(sf.request, span(ctx.dtvb, item), i)
      sub:append_text(": " .. smart_summary(smart_request_info(item)))
      add_smart_request(sub, ctx, item)
    end
  elseif method == "control_child" then
    local id, data = member(params, "device_id"), member(params, "requestData")
    if id and id.kind == "string" then tree:add(sf.device_id, span(ctx.dtvb, id), id.value) end
    if data then add_smart_request(tree:add(span(ctx.dtvb, data), "Request to the child"), ctx, data) end
  elseif params then
    add_smart_values(tree, ctx, params, method)
  end
end

add_smart_response = function(tree, ctx, node, request)
  add_smart_error(tree, ctx, member(node, "error_code"))
  local m = member(node, "method")
  local method = request and request.method
  if m and m.kind == "string" then
    method = m.value
    tree:add(sf.method, span(ctx.dtvb, m), method)
  elseif method then
    tree:add(sf.method, method):set_generated()
  end
  local result = member(node, "result")
  if method == "multipleRequest" then
    local list = member(result, "responses")
    for i, item in ipairs(list and list.items or {}) do
      local sub = tree:add(sf.response, span(ctx.dtvb, item), i)
      local im = member(item, "method")
      if im and im.kind == "string" then sub:append_text(": " .. im.value) end
      add_smart_response(sub, ctx, item, request and request.requests and request.requests[i])
    end
  elseif method == "control_child" then
    local data = member(result, "responseData")
    if data then
      add_smart_response(tree:add(span(ctx.dtvb, data), "Response from the child"), ctx, data, request and request.child)
    end
  elseif result then
    add_smart_values(tree, ctx, result, method)
  end
end

--- True when a parsed body is SMART JSON rather than classic Smart Home JSON.
local function is_smart(root)
  if not root or root.kind ~= "object" then return false end
  local m, code = member(root, "method"), member(root, "error_code")
  return (m ~= nil and m.kind == "string") or (code ~= nil and code.kind == "number")
end

--- Adds a tplink_smart tree for decrypted SMART JSON in `dtvb`; `request`
--- is the request's info when this is a reply. Returns a summary for the
--- Info column.
local function dissect_smart(dtvb, root, pinfo, tree, is_reply, request)
  local subtree = tree:add(smart, dtvb())
  subtree:add(sf.type, is_reply and 1 or 0):set_generated()
  local ctx = { dtvb = dtvb, errors = {} }
  local summary
  if is_reply then
    add_smart_response(subtree, ctx, root, request)
    summary = smart_summary(request)
  else
    add_smart_request(subtree, ctx, root)
    summary = smart_summary(smart_request_info(root))
  end
  if #ctx.errors > 0 then summary = summary .. " error_code " .. concat(ctx.errors, ",") end
  if json_dissector then json_dissector:call(dtvb, pinfo, tree) end
  return summary
end

-- tplink-smarthome.lua's fields for classic JSON, when that script is loaded.
local classic_handle
local function classic_dissector()
  if classic_handle == nil then
    local ok, handle = pcall(Dissector.get, "kasa_smarthome_json")
    classic_handle = ok and handle or false
  end
  return classic_handle or nil
end

local function classic_summary(root)
  local names = {}
  for _, module in ipairs(root.items or {}) do
    if module.key ~= "context" then
      local methods = {}
      for _, method in ipairs(module.items or {}) do
        if method.kind == "object" or method.kind == "null" then methods[#methods + 1] = module.key .. "." .. method.key end
      end
      names[#names + 1] = #methods > 0 and concat(methods, ", ") or module.key
    end
  end
  return concat(names, ", ")
end

--- Decrypted JSON from KLAP or AES: SMART fields or the classic ones, and
--- the JSON tree. Returns a summary for the Info column.
local function dissect_plaintext(dtvb, text, pinfo, tree, is_reply, request)
  local root = parse_json(text)
  if not root then return "(not JSON)" end
  if is_smart(root) or (is_reply and request and request.smart) then
    return "SMART " .. dissect_smart(dtvb, root, pinfo, tree, is_reply, request and request.smart)
  end
  local classic = classic_dissector()
  if classic then
    classic:call(dtvb, pinfo, tree)
  elseif json_dissector then
    json_dissector:call(dtvb, pinfo, tree)
  end
  return classic_summary(root)
end

----------------------------------------------------------------------------
-- KLAP
----------------------------------------------------------------------------
local klap = Proto("tplink_klap", "TP-Link KLAP")

local KLAP_MESSAGES = {
  [1] = "handshake1 request", [2] = "handshake1 reply", [3] = "handshake2 request",
  [4] = "handshake2 reply", [5] = "request", [6] = "reply",
}
local GOOD_BAD = { [0] = "Bad", [1] = "Good" }

local kf = {
  message = ProtoField.uint8("tplink_klap.message", "Message", base.DEC, KLAP_MESSAGES),
  local_seed = ProtoField.bytes("tplink_klap.local_seed", "Local seed (client)"),
  remote_seed = ProtoField.bytes("tplink_klap.remote_seed", "Remote seed (device)"),
  server_hash = ProtoField.bytes("tplink_klap.server_hash", "Device's proof"),
  credentials = ProtoField.uint8("tplink_klap.credentials", "Credentials", base.DEC, { [0] = "No match", [1] = "Match" }),
  account = ProtoField.string("tplink_klap.account", "Matching account"),
  version = ProtoField.uint8("tplink_klap.version", "KLAP version", base.DEC),
  client_hash = ProtoField.bytes("tplink_klap.client_hash", "Client's proof"),
  client_hash_status = ProtoField.uint8("tplink_klap.client_hash.status", "Client's proof status", base.DEC, GOOD_BAD),
  session_id = ProtoField.string("tplink_klap.session_id", "Session ID"),
  timeout = ProtoField.uint32("tplink_klap.timeout", "Session timeout (s)", base.DEC),
  handshake_in = ProtoField.framenum("tplink_klap.handshake_in", "Session's handshake in frame", base.NONE),
  seq = ProtoField.int32("tplink_klap.seq", "Sequence number", base.DEC),
  signature = ProtoField.bytes("tplink_klap.signature", "Signature"),
  signature_status = ProtoField.uint8("tplink_klap.signature.status", "Signature status", base.DEC, GOOD_BAD),
  ciphertext = ProtoField.bytes("tplink_klap.ciphertext", "Ciphertext"),
  plaintext = ProtoField.string("tplink_klap.plaintext", "Decrypted"),
}
klap.fields = {
  kf.message, kf.local_seed, kf.remote_seed, kf.server_hash, kf.credentials, kf.account, kf.version,
  kf.client_hash, kf.client_hash_status, kf.session_id, kf.timeout, kf.handshake_in, kf.seq,
  kf.signature, kf.signature_status, kf.ciphertext, kf.plaintext,
}

local klap_ex = {
  unmatched = ProtoExpert.new("tplink_klap.credentials.unmatched",
    "No configured credentials match this handshake: requests of this session stay encrypted",
    decryption_group, expert.severity.WARN),
  client_hash = ProtoExpert.new("tplink_klap.client_hash.bad", "The client's proof does not match the session",
    expert.group.SECURITY, expert.severity.ERROR),
  signature = ProtoExpert.new("tplink_klap.signature.bad", "Signature does not match the ciphertext",
    expert.group.CHECKSUM, expert.severity.WARN),
  decrypt = ProtoExpert.new("tplink_klap.decrypt.failed", "Does not decrypt with the session's key",
    decryption_group, expert.severity.WARN),
  no_session = ProtoExpert.new("tplink_klap.session.unknown",
    "The handshake of this session is not in the capture", decryption_group, expert.severity.NOTE),
  malformed = ProtoExpert.new("tplink_klap.body.length", "Body has the wrong length for this message",
    expert.group.PROTOCOL, expert.severity.ERROR),
}
klap.experts = {
  klap_ex.unmatched, klap_ex.client_hash, klap_ex.signature, klap_ex.decrypt, klap_ex.no_session, klap_ex.malformed,
}

klap.prefs.ports = Pref.range("HTTP ports", "80", "TCP ports of KLAP devices (decoded as HTTP)", 65535)
klap.prefs.username = Pref.string("Username (e-mail)", "", "The TP-Link cloud account the device is bound to")
klap.prefs.password = Pref.string("Password", "", "The cloud account's password")
klap.prefs.credentials_file = Pref.string("Credentials file", "",
  "More accounts to try: a text file, one account per line, the e-mail, blanks, then the password")
klap.prefs.try_defaults = Pref.bool("Also try the blank and default accounts", true,
  "Devices never bound to the cloud use a blank account; some fall back to TP-Link's factory accounts")

-- TP-Link's factory accounts as the public reverse engineering gives them
-- (python-kasa's "KASA" and "TAPO" defaults), base64 as published there.
local DEFAULT_ACCOUNTS = {
  { "a2FzYUB0cC1saW5rLm5ldA==", "a2FzYVNldHVw", "(Kasa default account)" },
  { "dGVzdEB0cC1saW5rLm5ldA==", "dGVzdA==", "(Tapo default account)" },
}

--- Reads the credentials file; a missing file counts as empty.
local function read_accounts_file(path, out)
  if path == "" then return end
  local file = io.open(path, "r")
  if not file then return end
  for line in file:lines() do
    line = line:gsub("\r$", "")
    local user, pass = line:match("^%s*(%S+)%s*(.-)%s*$")
    if user and user:sub(1, 1) ~= "#" then out[#out + 1] = { user, pass or "", user } end
  end
  file:close()
end

-- Every (version, auth_hash) worth trying, built once per preference change.
local klap_candidates
local function candidates()
  if klap_candidates then return klap_candidates end
  local accounts = {}
  local user, pass = klap.prefs.username or "", klap.prefs.password or ""
  if user ~= "" or pass ~= "" then accounts[1] = { user, pass, user } end
  read_accounts_file(klap.prefs.credentials_file or "", accounts)
  if klap.prefs.try_defaults then
    accounts[#accounts + 1] = { "", "", "(blank account)" }
    for _, d in ipairs(DEFAULT_ACCOUNTS) do
      accounts[#accounts + 1] = { base64_decode(d[1]), base64_decode(d[2]), d[3] }
    end
  end
  local list, seen = {}, {}
  for _, version in ipairs({ 2, 1 }) do
    for _, a in ipairs(accounts) do
      local auth = klap_auth_hash(version, a[1], a[2])
      if not seen[version .. auth] then
        seen[version .. auth] = true
        list[#list + 1] = { version = version, auth = auth, name = a[3] }
      end
    end
  end
  klap_candidates = list
  return list
end

local klap_tracker = session_tracker("80")
local claim_klap_ports = port_claimer("tcp.port")
klap.init = klap_tracker.reset

local function klap_prefs_changed()
  klap_candidates = nil
  klap_tracker.ports = parse_ports(klap.prefs.ports)
  if http_handle then claim_klap_ports(klap_tracker.ports, http_handle) end
end
klap.prefs_changed = klap_prefs_changed

local function klap_path(uri)
  local path, query = uri:match("^([^?]*)%??(.*)$")
  return path, query
end

--- handshake1 reply: the device's seed and proof, checked against every
--- candidate account; a match opens the session's keys.
local function klap_handshake1_reply(record, request, msg, pinfo)
  local body = msg.body or ""
  if #body ~= 48 or not request.local_seed then record.malformed = #body ~= 48; return end
  local local_seed, remote_seed, proof = request.local_seed, body:sub(1, 16), body:sub(17, 48)
  local list = candidates()
  local session = { local_seed = local_seed, remote_seed = remote_seed, frame = pinfo.number, tried = #list }
  for _, c in ipairs(list) do
    if klap_server_hash(c.version, local_seed, remote_seed, c.auth) == proof then
      session.match = c
      session.keys = klap_session_keys(local_seed, remote_seed, c.auth)
      break
    end
  end
  session.id = cookie_value(msg.set_cookies, SESSION_COOKIE)
  session.timeout = tonumber(cookie_value(msg.set_cookies, "TIMEOUT") or "")
  record.session = session
  file_session(klap_tracker.sessions, pinfo, msg, session)
end

local function klap_decrypt(record, session, seq, body)
  record.session, record.seq = session, seq
  if not (session and session.keys and seq and body) then return end
  record.signature_ok, record.plain, record.reason = klap_open(session.keys, seq, body)
end

--- What a frame is and what it decrypts to, worked out once on the first
--- pass (the session state needs the frames in order) and kept.
local function klap_analyse(msg, pinfo)
  if msg.request then
    local path, query = klap_path(msg.uri)
    if path == "/app/handshake1" then
      local body = msg.body or ""
      return { kind = 1, local_seed = #body == 16 and body or nil, malformed = #body ~= 16 }
    elseif path == "/app/handshake2" then
      local record = { kind = 3, session = find_session(klap_tracker.sessions, pinfo, msg) }
      local s = record.session
      if s and s.match and msg.body then
        record.client_hash_ok = msg.body == klap_client_hash(s.match.version, s.local_seed, s.remote_seed, s.match.auth)
      end
      return record
    elseif path == "/app/request" then
      local record = { kind = 5 }
      klap_decrypt(record, find_session(klap_tracker.sessions, pinfo, msg), tonumber(query:match("seq=(-?%d+)") or ""), msg.body)
      local root = record.plain and parse_json(record.plain)
      if is_smart(root) then record.smart = smart_request_info(root) end
      return record
    end
    return nil
  end
  local request = msg.request_in and klap_tracker.frames[msg.request_in]
  if not request then return nil end
  local record = { kind = request.kind + 1, request = request, request_frame = msg.request_in }
  if request.kind == 1 then
    klap_handshake1_reply(record, request, msg, pinfo)
  elseif request.kind == 3 then
    record.session = request.session
  else
    klap_decrypt(record, request.session, request.seq, msg.body)
  end
  return record
end

local function add_generated(tree, field, value)
  local ti = tree:add(field, value)
  ti:set_generated()
  return ti
end

local function klap_show_credentials(tree, session)
  if session.match then
    local ti = add_generated(tree, kf.credentials, 1)
    ti:append_text(" (KLAP v" .. session.match.version .. ", " .. session.match.name .. ")")
    add_generated(ti, kf.version, session.match.version)
    add_generated(ti, kf.account, session.match.name)
    return "credentials match (v" .. session.match.version .. ", " .. session.match.name .. ")"
  end
  local ti = add_generated(tree, kf.credentials, 0)
  ti:append_text(" (tried " .. session.tried .. " account and version pairs)")
  ti:add_proto_expert_info(klap_ex.unmatched)
  return "no credentials match"
end

--- Signature, ciphertext and plaintext of a request or reply; returns the
--- Info summary.
local function klap_show_sealed(tree, record, msg, pinfo)
  local session = record.session
  if record.seq then tree:add(kf.seq, record.seq) end
  if not session then
    tree:add_proto_expert_info(klap_ex.no_session)
    return "(no handshake in the capture)"
  end
  add_generated(tree, kf.handshake_in, session.frame)
  if not session.keys then return "(encrypted: no credentials match)" end
  local range = msg.body_range
  if not range or record.signature_ok == nil then
    tree:add_proto_expert_info(klap_ex.malformed, record.reason or "No body")
    return "(no sealed body)"
  end
  local sig = tree:add(kf.signature, range:range(0, 32))
  add_generated(sig, kf.signature_status, record.signature_ok and 1 or 0)
  if not record.signature_ok then sig:add_proto_expert_info(klap_ex.signature) end
  local ct = tree:add(kf.ciphertext, range:range(32))
  if not record.plain then
    ct:add_proto_expert_info(klap_ex.decrypt, "Does not decrypt with the session's key: " .. record.reason)
    return "(does not decrypt)"
  end
  local label = record.kind == 5 and "KLAP decrypted request" or "KLAP decrypted reply"
  local dtvb = ByteArray.new(record.plain, true):tvb(label)
  tree:add(kf.plaintext, dtvb(), record.plain)
  local request = record.kind == 6 and record.request or nil
  return dissect_plaintext(dtvb, record.plain, pinfo, tree, record.kind == 6, request)
end

local function klap_show(record, msg, tvb, pinfo, root_tree)
  local tree = root_tree:add(klap, msg.body_range or tvb())
  tree:add(kf.message, record.kind):set_generated()
  local range, session = msg.body_range, record.session
  local info
  if record.kind == 1 then
    if record.local_seed then tree:add(kf.local_seed, range) else tree:add_proto_expert_info(klap_ex.malformed) end
    info = "handshake1 request"
  elseif record.kind == 2 then
    if not session then
      tree:add_proto_expert_info(klap_ex.malformed)
      info = "handshake1 reply (malformed)"
    else
      tree:add(kf.remote_seed, range:range(0, 16))
      tree:add(kf.server_hash, range:range(16, 32))
      if session.id then add_generated(tree, kf.session_id, session.id) end
      if session.timeout then add_generated(tree, kf.timeout, session.timeout) end
      info = "handshake1 reply: " .. klap_show_credentials(tree, session)
    end
  elseif record.kind == 3 then
    info = "handshake2 request"
    if range then
      local ti = tree:add(kf.client_hash, range)
      if record.client_hash_ok ~= nil then
        add_generated(ti, kf.client_hash_status, record.client_hash_ok and 1 or 0)
        if not record.client_hash_ok then ti:add_proto_expert_info(klap_ex.client_hash) end
      end
    end
    if session then add_generated(tree, kf.handshake_in, session.frame) else tree:add_proto_expert_info(klap_ex.no_session) end
  elseif record.kind == 4 then
    info = "handshake2 reply: HTTP " .. tostring(msg.status)
    if session then add_generated(tree, kf.handshake_in, session.frame) end
  else
    local seq = record.seq and (" seq=" .. record.seq) or ""
    info = (record.kind == 5 and "request" or "reply") .. seq .. ": " .. klap_show_sealed(tree, record, msg, pinfo)
  end
  tree:append_text(", " .. KLAP_MESSAGES[record.kind])
  set_columns(pinfo, "KLAP", info)
end

klap.dissector = session_dissector(klap_tracker, klap_analyse, klap_show)

register_postdissector(klap)
klap_prefs_changed()

----------------------------------------------------------------------------
-- UDP 20002/20004 discovery: a 16-byte big-endian header
--   version u8 = 2 | msg_type u8 | op_code u16 | msg_size u16 | flags u8 |
--   reserved u8 | serial u32 | crc32 u32
-- then msg_size bytes of JSON: {"params":{"rsa_key":PEM}} from the client,
-- {"error_code":0,"result":{...}} from a device. The CRC is CRC-32 over the
-- whole packet with 0x5A6B7C8D in the CRC field.
----------------------------------------------------------------------------
local tdp = Proto("tplink_tdp", "TP-Link Discovery (UDP 20002)")
local TDP_HEADER = 16
local TDP_CRC_SEED = be32(0x5a6b7c8d)

local tf = {
  version = ProtoField.uint8("tplink_tdp.version", "Version", base.DEC),
  msg_type = ProtoField.uint8("tplink_tdp.msg_type", "Message type", base.DEC),
  op_code = ProtoField.uint16("tplink_tdp.op_code", "Op code", base.DEC, { [1] = "Probe" }),
  msg_size = ProtoField.uint16("tplink_tdp.msg_size", "Message size", base.DEC),
  flags = ProtoField.uint8("tplink_tdp.flags", "Flags", base.HEX),
  reserved = ProtoField.uint8("tplink_tdp.reserved", "Reserved", base.HEX),
  serial = ProtoField.uint32("tplink_tdp.serial", "Serial", base.HEX),
  crc = ProtoField.uint32("tplink_tdp.crc", "CRC-32", base.HEX),
  crc_status = ProtoField.uint8("tplink_tdp.crc.status", "CRC status", base.DEC, GOOD_BAD),
  crc_computed = ProtoField.uint32("tplink_tdp.crc.computed", "Computed CRC-32", base.HEX),
  type = ProtoField.uint8("tplink_tdp.type", "Type", base.DEC, { [0] = "Query", [1] = "Reply" }),
  rsa_key = ProtoField.string("tplink_tdp.rsa_key", "Client's RSA public key"),
  error_code = ProtoField.int32("tplink_tdp.error_code", "Error code", base.DEC, SMART_ERRORS),
  device_id = ProtoField.string("tplink_tdp.device_id", "Device ID"),
  device_type = ProtoField.string("tplink_tdp.device_type", "Device type"),
  device_model = ProtoField.string("tplink_tdp.device_model", "Model"),
  ip = ProtoField.string("tplink_tdp.ip", "IP address"),
  mac = ProtoField.string("tplink_tdp.mac", "MAC address"),
  encrypt_type = ProtoField.string("tplink_tdp.encrypt_type", "Encryption scheme"),
  http_port = ProtoField.uint16("tplink_tdp.http_port", "HTTP port", base.DEC),
  login_version = ProtoField.uint8("tplink_tdp.login_version", "Login version", base.DEC),
  https = ProtoField.bool("tplink_tdp.https", "HTTPS supported"),
  sym_schm = ProtoField.string("tplink_tdp.encrypt_info.sym_schm", "Encrypted info scheme"),
}
tdp.fields = {
  tf.version, tf.msg_type, tf.op_code, tf.msg_size, tf.flags, tf.reserved, tf.serial, tf.crc, tf.crc_status,
  tf.crc_computed, tf.type, tf.rsa_key, tf.error_code, tf.device_id, tf.device_type, tf.device_model, tf.ip, tf.mac,
  tf.encrypt_type, tf.http_port, tf.login_version, tf.https, tf.sym_schm,
}
local tdp_ex = {
  crc = ProtoExpert.new("tplink_tdp.crc.bad", "CRC-32 does not match the packet", expert.group.CHECKSUM, expert.severity.WARN),
  length = ProtoExpert.new("tplink_tdp.length.mismatch", "Message size does not match the data",
    expert.group.PROTOCOL, expert.severity.WARN),
  not_json = ProtoExpert.new("tplink_tdp.not_json", "Body is not JSON", expert.group.PROTOCOL, expert.severity.WARN),
  version = ProtoExpert.new("tplink_tdp.version.unknown", "Unknown version", expert.group.PROTOCOL, expert.severity.WARN),
  error_code = ProtoExpert.new("tplink_tdp.error_code.nonzero", "Device returned an error",
    expert.group.RESPONSE_CODE, expert.severity.WARN),
}
tdp.experts = { tdp_ex.crc, tdp_ex.length, tdp_ex.not_json, tdp_ex.version, tdp_ex.error_code }

tdp.prefs.ports = Pref.range("UDP ports", "20002,20004", "UDP ports of discovery queries and replies", 65535)

-- Fields of a reply's result (and of its mgt_encrypt_schm / encrypt_info).
local TDP_STRINGS = {
  device_id = tf.device_id, device_type = tf.device_type, device_model = tf.device_model, ip = tf.ip, mac = tf.mac,
  encrypt_type = tf.encrypt_type, sym_schm = tf.sym_schm,
}

local function add_tdp_values(tree, btvb, node)
  for _, item in ipairs(node.items or {}) do
    local key, kind = item.key, item.kind
    if kind == "object" and (key == "mgt_encrypt_schm" or key == "encrypt_info" or key == "result" or key == "params") then
      add_tdp_values(tree, btvb, item)
    elseif kind == "string" and TDP_STRINGS[key] then
      tree:add(TDP_STRINGS[key], span(btvb, item), item.value)
    elseif kind == "string" and key == "rsa_key" then
      tree:add(tf.rsa_key, span(btvb, item), item.value)
    elseif kind == "number" and key == "http_port" then
      tree:add(tf.http_port, span(btvb, item), floor(item.value))
    elseif kind == "number" and key == "lv" then
      tree:add(tf.login_version, span(btvb, item), floor(item.value))
    elseif (kind == "true" or kind == "false") and key == "is_support_https" then
      tree:add(tf.https, span(btvb, item), item.value)
    elseif kind == "number" and key == "error_code" then
      local code = floor(item.value)
      local ti = tree:add(tf.error_code, span(btvb, item), code)
      if code ~= 0 then ti:add_proto_expert_info(tdp_ex.error_code, "Device returned error_code " .. code) end
    end
  end
end

local function add_tdp_crc(tree, tvb, pinfo)
  local packet = tvb:raw()
  local computed = crc32(packet:sub(1, 12) .. TDP_CRC_SEED .. packet:sub(17))
  local ti = tree:add(tf.crc, tvb(12, 4))
  local good = computed == tvb(12, 4):uint()
  add_generated(ti, tf.crc_status, good and 1 or 0)
  if not good then
    add_generated(ti, tf.crc_computed, computed)
    ti:add_proto_expert_info(tdp_ex.crc)
    return " [bad CRC]"
  end
  return ""
end

--- The JSON body: fields, the JSON tree and a summary; nil when not JSON.
local function add_tdp_body(tree, tvb, pinfo, size)
  local present = tvb:len() - TDP_HEADER
  if present <= 0 then return nil end
  local btvb = tvb(TDP_HEADER, present):tvb()
  local root = parse_json(btvb:raw())
  if not root or root.kind ~= "object" then
    tree:add_proto_expert_info(tdp_ex.not_json)
    return "(not JSON)"
  end
  add_tdp_values(tree, btvb, root)
  if json_dissector then json_dissector:call(btvb, pinfo, tree) end
  local result = member(root, "result")
  local model, ip = member(result, "device_model"), member(result, "ip")
  if model or ip then
    return (model and model.kind == "string" and model.value or "?") .. " at " .. (ip and ip.kind == "string" and ip.value or "?")
  end
  return member(member(root, "params"), "rsa_key") and "with the client's RSA key" or ""
end

local tdp_ports = parse_ports("20002,20004")

function tdp.dissector(tvb, pinfo, tree)
  if tvb:len() < TDP_HEADER then return 0 end
  local subtree = tree:add(tdp, tvb())
  local version = tvb(0, 1):uint()
  local vitem = subtree:add(tf.version, tvb(0, 1))
  if version ~= 2 then vitem:add_proto_expert_info(tdp_ex.version) end
  subtree:add(tf.msg_type, tvb(1, 1))
  subtree:add(tf.op_code, tvb(2, 2))
  local size = tvb(4, 2):uint()
  local sitem = subtree:add(tf.msg_size, tvb(4, 2))
  if size ~= tvb:len() - TDP_HEADER then
    sitem:add_proto_expert_info(tdp_ex.length,
      string.format("Message size says %d bytes, %d present", size, tvb:len() - TDP_HEADER))
  end
  subtree:add(tf.flags, tvb(6, 1))
  subtree:add(tf.reserved, tvb(7, 1))
  subtree:add(tf.serial, tvb(8, 4))
  local crc_note = add_tdp_crc(subtree, tvb, pinfo)
  local reply = port_in(tdp_ports, pinfo.src_port) and not port_in(tdp_ports, pinfo.dst_port)
  add_generated(subtree, tf.type, reply and 1 or 0)
  local summary = add_tdp_body(subtree, tvb, pinfo, size)
  set_columns(pinfo, "TDP", string.format("Discovery %s serial 0x%08x%s%s", reply and "reply" or "query",
    tvb(8, 4):uint(), summary and summary ~= "" and (": " .. summary) or "", crc_note))
  return tvb:len()
end

local tdp_registered = {}
local function tdp_prefs_changed()
  local udp = DissectorTable.get("udp.port")
  for _, port in ipairs(tdp_registered) do udp:remove(port, tdp) end
  tdp_registered = {}
  tdp_ports = parse_ports(tdp.prefs.ports)
  for _, r in ipairs(tdp_ports) do
    if r[1] >= 1 and r[2] <= 65535 and r[2] - r[1] < 1024 then
      for port = r[1], r[2] do
        udp:add(port, tdp)
        tdp_registered[#tdp_registered + 1] = port
      end
    end
  end
end
tdp.prefs_changed = tdp_prefs_changed
tdp_prefs_changed()

----------------------------------------------------------------------------
-- AES securePassthrough (python-kasa's aestransport documents it): POST /app
--   {"method":"handshake","params":{"key":<client RSA public key, PEM>}}
--   -> {"error_code":0,"result":{"key":base64(RSA(16-byte key .. 16-byte IV))}}
--      with the TP_SESSIONID cookie;
--   {"method":"securePassthrough","params":{"request":base64(AES-128-CBC)}}
--   -> {"error_code":0,"result":{"response":base64(AES-128-CBC)}}
-- The first passthrough is login_device; its token goes into /app?token=.
-- The RSA private key never crosses the wire, so decryption needs the
-- session's key and IV from the user (a client can print them).
----------------------------------------------------------------------------
local aes = Proto("tplink_aes", "TP-Link AES securePassthrough")

local AES_MESSAGES = {
  [1] = "handshake request", [2] = "handshake reply", [3] = "securePassthrough request",
  [4] = "securePassthrough reply", [5] = "request", [6] = "reply",
}
local af = {
  message = ProtoField.uint8("tplink_aes.message", "Message", base.DEC, AES_MESSAGES),
  method = ProtoField.string("tplink_aes.method", "Method"),
  error_code = ProtoField.int32("tplink_aes.error_code", "Error code", base.DEC, SMART_ERRORS),
  public_key = ProtoField.string("tplink_aes.public_key", "Client's RSA public key"),
  encrypted_key = ProtoField.bytes("tplink_aes.encrypted_key", "Session key and IV, RSA-encrypted"),
  session_id = ProtoField.string("tplink_aes.session_id", "Session ID"),
  timeout = ProtoField.uint32("tplink_aes.timeout", "Session timeout (s)", base.DEC),
  token = ProtoField.string("tplink_aes.token", "Token"),
  handshake_in = ProtoField.framenum("tplink_aes.handshake_in", "Session's handshake in frame", base.NONE),
  ciphertext = ProtoField.bytes("tplink_aes.ciphertext", "Ciphertext"),
  key_index = ProtoField.uint8("tplink_aes.key_index", "Decrypted with key", base.DEC),
  plaintext = ProtoField.string("tplink_aes.plaintext", "Decrypted"),
}
aes.fields = {
  af.message, af.method, af.error_code, af.public_key, af.encrypted_key, af.session_id, af.timeout, af.token,
  af.handshake_in, af.ciphertext, af.key_index, af.plaintext,
}
local aes_ex = {
  no_key = ProtoExpert.new("tplink_aes.key.missing",
    "Encrypted: set tplink_aes.keys to the session's AES key and IV to decrypt", decryption_group, expert.severity.NOTE),
  decrypt = ProtoExpert.new("tplink_aes.decrypt.failed", "None of the configured keys decrypts this",
    decryption_group, expert.severity.WARN),
  error_code = ProtoExpert.new("tplink_aes.error_code.nonzero", "Device returned an error",
    expert.group.RESPONSE_CODE, expert.severity.WARN),
  not_json = ProtoExpert.new("tplink_aes.not_json", "Body is not JSON", expert.group.PROTOCOL, expert.severity.WARN),
  base64 = ProtoExpert.new("tplink_aes.base64.bad", "Not base64", expert.group.PROTOCOL, expert.severity.ERROR),
}
aes.experts = { aes_ex.no_key, aes_ex.decrypt, aes_ex.error_code, aes_ex.not_json, aes_ex.base64 }

aes.prefs.ports = Pref.range("HTTP ports", "80", "TCP ports of AES (securePassthrough) devices (decoded as HTTP)", 65535)
aes.prefs.keys = Pref.string("Session keys", "",
  "The sessions' AES-128 key and IV in hex, KEY:IV (or the 64 hex digits of both), several separated by commas")

--- The keys preference as a list of { key, iv } (bad entries skipped).
local function parse_aes_keys(text)
  local list = {}
  for entry in tostring(text or ""):gmatch("[^,;%s]+") do
    local key, iv = entry:match("^(%x+):(%x+)$")
    if not key and #entry == 64 then key, iv = entry:sub(1, 32), entry:sub(33) end
    key, iv = key and from_hex(key), iv and from_hex(iv)
    if key and iv and #key == 16 and #iv == 16 then list[#list + 1] = { key = key, iv = iv } end
  end
  return list
end

local aes_keys = {}
local aes_tracker = session_tracker("80")
local claim_aes_ports = port_claimer("tcp.port")
aes.init = aes_tracker.reset

local function aes_prefs_changed()
  aes_keys = parse_aes_keys(aes.prefs.keys)
  aes_tracker.ports = parse_ports(aes.prefs.ports)
  if http_handle then claim_aes_ports(aes_tracker.ports, http_handle) end
end
aes.prefs_changed = aes_prefs_changed

--- Decrypts base64 `data` with the session's key, or else finds the
--- configured key that gives JSON (and files it with the session).
local function aes_decrypt(record, session, b64)
  record.ciphertext = base64_decode(b64)
  if not record.ciphertext then return end
  local order = {}
  if session and session.key_index then order[1] = session.key_index end
  for i = 1, #aes_keys do if i ~= order[1] then order[#order + 1] = i end end
  for _, i in ipairs(order) do
    local k = aes_keys[i]
    local plain = aes128_cbc_decrypt(k.key, k.iv, record.ciphertext)
    if plain and parse_json(plain) then
      record.plain, record.key_index = plain, i
      if session then session.key_index = i end
      return
    end
  end
end

local function aes_analyse_request(msg, pinfo)
  local root = msg.body and parse_json(msg.body)
  local method = member(root, "method")
  method = method and method.kind == "string" and method.value or nil
  local params = member(root, "params")
  if method == "handshake" then
    local key = member(params, "key")
    return { kind = 1, pem = key and key.kind == "string" and key.value or nil }
  end
  if method == "securePassthrough" then
    local record = { kind = 3, session = find_session(aes_tracker.sessions, pinfo, msg) }
    local request = member(params, "request")
    if request and request.kind == "string" then aes_decrypt(record, record.session, request.value) end
    local inner = record.plain and parse_json(record.plain)
    if is_smart(inner) then record.smart = smart_request_info(inner) end
    return record
  end
  return { kind = 5 }
end

local function aes_analyse(msg, pinfo)
  if msg.request then
    if klap_path(msg.uri) ~= "/app" then return nil end
    return aes_analyse_request(msg, pinfo)
  end
  local request = msg.request_in and aes_tracker.frames[msg.request_in]
  if not request then return nil end
  local record = { kind = request.kind + 1, request = request, session = request.session }
  local result = member(msg.body and parse_json(msg.body), "result")
  if request.kind == 1 then
    local id = cookie_value(msg.set_cookies, SESSION_COOKIE)
    local session = { frame = pinfo.number, id = id, timeout = tonumber(cookie_value(msg.set_cookies, "TIMEOUT") or "") }
    record.session = session
    file_session(aes_tracker.sessions, pinfo, msg, session)
  elseif request.kind == 3 then
    local response = member(result, "response")
    if response and response.kind == "string" then aes_decrypt(record, request.session, response.value) end
  end
  return record
end

local function aes_show_error(tree, btvb, root)
  local code = member(root, "error_code")
  if not code or code.kind ~= "number" then return "" end
  local c = floor(code.value)
  local ti = tree:add(af.error_code, span(btvb, code), c)
  if c == 0 then return "" end
  local name = SMART_ERRORS[c]
  ti:add_proto_expert_info(aes_ex.error_code, "Device returned error_code " .. c .. (name and (" (" .. name .. ")") or ""))
  return " error_code " .. c
end

--- The decrypted side of a passthrough; returns the Info summary.
local function aes_show_sealed(tree, record, pinfo)
  if not record.ciphertext then return "" end
  local reply = record.kind == 4
  local ctvb = ByteArray.new(record.ciphertext, true):tvb(reply and "AES encrypted reply" or "AES encrypted request")
  local ct = tree:add(af.ciphertext, ctvb())
  if not record.plain then
    if #aes_keys == 0 then
      ct:add_proto_expert_info(aes_ex.no_key)
      return ": (encrypted: no key set)"
    end
    ct:add_proto_expert_info(aes_ex.decrypt)
    return ": (no configured key decrypts this)"
  end
  add_generated(tree, af.key_index, record.key_index)
  local ptvb = ByteArray.new(record.plain, true):tvb(reply and "AES decrypted reply" or "AES decrypted request")
  tree:add(af.plaintext, ptvb(), record.plain)
  local root = parse_json(record.plain)
  local token = member(member(root, "result"), "token")
  if token and token.kind == "string" then tree:add(af.token, span(ptvb, token), token.value) end
  return ": " .. dissect_plaintext(ptvb, record.plain, pinfo, tree, reply, record.request)
end

local function aes_show(record, msg, tvb, pinfo, root_tree)
  local tree = root_tree:add(aes, msg.body_range or tvb())
  add_generated(tree, af.message, record.kind)
  tree:append_text(", " .. AES_MESSAGES[record.kind])
  local info = AES_MESSAGES[record.kind]
  local session = record.session
  if msg.request then
    local token = msg.uri:match("[?&]token=([^&]+)")
    if token then add_generated(tree, af.token, token) end
  end
  if session and record.kind > 2 then add_generated(tree, af.handshake_in, session.frame) end
  if record.kind == 2 and session then
    if session.id then add_generated(tree, af.session_id, session.id) end
    if session.timeout then add_generated(tree, af.timeout, session.timeout) end
  end
  if msg.body_range then
    local btvb = msg.body_range:tvb()
    local root = parse_json(msg.body)
    if not root then
      tree:add_proto_expert_info(aes_ex.not_json)
    else
      local method = member(root, "method")
      if method and method.kind == "string" then
        tree:add(af.method, span(btvb, method), method.value)
        if record.kind == 5 then info = info .. ": " .. method.value end
      end
      info = info .. aes_show_error(tree, btvb, root)
      local pem = member(member(root, "params"), "key")
      if record.kind == 1 and pem and pem.kind == "string" then tree:add(af.public_key, span(btvb, pem), pem.value) end
      local key = member(member(root, "result"), "key")
      if record.kind == 2 and key and key.kind == "string" then
        local decoded = base64_decode(key.value)
        if decoded then
          tree:add(af.encrypted_key, ByteArray.new(decoded, true):tvb("AES encrypted session key")())
        else
          tree:add_proto_expert_info(aes_ex.base64)
        end
      end
    end
  end
  if record.kind == 3 or record.kind == 4 then info = info .. aes_show_sealed(tree, record, pinfo) end
  if record.kind == 2 and session and session.id then info = info .. ": session " .. session.id end
  set_columns(pinfo, "AES", info)
end

aes.dissector = session_dissector(aes_tracker, aes_analyse, aes_show)

register_postdissector(aes)
aes_prefs_changed()
