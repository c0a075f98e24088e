/**
 * wireshark/tplink-smarthome.lua under tshark, on captures written here:
 * TCP messages split over segments and packed several to a segment, UDP
 * discovery, error replies, both energy unit forms and broken input.
 */
import assert from 'assert';
import { writeFileSync } from 'fs';
import { encodeDatagram, encodeFrame } from '../../lib/classic/framing';
import { PcapWriter, type Endpoint } from './pcap';
import { dissect, tsharkPerSuite, values, verbose, withField } from './tshark';

const CLIENT: Endpoint = { ip: '127.0.0.1', port: 40100 };
const DEVICE: Endpoint = { ip: '127.0.0.2', port: 9999 };
const DEVICE_B: Endpoint = { ip: '127.0.0.3', port: 9999 };
const BROADCAST: Endpoint = { ip: '127.255.255.255', port: 9999 };

const SYSINFO_REQUEST = '{"system":{"get_sysinfo":null}}';
const SYSINFO_REPLY = JSON.stringify({
  system: {
    get_sysinfo: {
      sw_ver: '1.5.4 Build 180815 Rel.121440', model: 'HS110(EU)', alias: 'Desk lamp, "left" \u00e9',
      deviceId: '8006F9D3E8E4C4B0C9F3A1B2C3D4E5F6A7B8C9D0', relay_state: 1, err_code: 0,
    },
  },
});
const ENERGY_V1 = '{"emeter":{"get_realtime":{"current":0.512,"voltage":231.2,"power":118.4,"total":3.25,"err_code":0}}}';
const ENERGY_V2 = '{"emeter":{"get_realtime":{"current_ma":512,"voltage_mv":231200,"power_mw":118400,"total_wh":3250,"err_code":0}}}';

describe('Wireshark Smart Home dissector (tshark)', function () {
  this.timeout(60_000);
  const { file } = tsharkPerSuite('kasa-ws-');

  it('has a guard that fails on a dissector raising a Lua error (tshark itself exits 0)', async () => {
    const broken = file('broken.lua');
    writeFileSync(broken, 'local p = Proto("kasa_broken", "Broken")\n'
      + 'function p.dissector(tvb) error("deliberate") end\n'
      + 'DissectorTable.get("udp.port"):add(9999, p)\n');
    const pcap = new PcapWriter();
    pcap.udp(CLIENT, DEVICE, encodeDatagram(SYSINFO_REQUEST));
    const capture = pcap.write(file('guard.pcap'));
    await assert.rejects(dissect(capture, [], { scripts: [broken] }), /Lua Error: .*deliberate/);
    const unparsable = file('unparsable.lua');
    writeFileSync(unparsable, 'local x = = 1\n');
    await assert.rejects(dissect(capture, [], { scripts: [unparsable] }), /Lua: syntax error/);
  });

  it('reassembles a request split over three segments, the cuts inside the length and the payload', async () => {
    const pcap = new PcapWriter();
    const conn = pcap.tcp(CLIENT, DEVICE);
    const request = encodeFrame(SYSINFO_REQUEST);
    conn.sendSplit(true, request, [2, 9]);
    const reply = encodeFrame(SYSINFO_REPLY);
    conn.sendSplit(false, reply, [100, 200]);
    conn.close();
    const rows = withField(await dissect(pcap.write(file('split.pcap')), [
      'kasa_smarthome.length', 'kasa_smarthome.type', 'kasa_smarthome.module', 'kasa_smarthome.method',
      'kasa_smarthome.alias', 'kasa_smarthome.deviceId', 'kasa_smarthome.relay_state', 'kasa_smarthome.err_code',
      'kasa_smarthome.text', 'tplink_smarthome.len', 'json.key',
    ]), 'kasa_smarthome.length');
    assert.strictEqual(rows.length, 2, 'one request and one reply, each dissected once');
    const [req, rep] = rows;
    assert.deepStrictEqual(req['kasa_smarthome.length'], [String(Buffer.byteLength(SYSINFO_REQUEST))]);
    assert.deepStrictEqual(req['kasa_smarthome.type'], ['0']);
    assert.deepStrictEqual(req['kasa_smarthome.module'], ['system']);
    assert.deepStrictEqual(req['kasa_smarthome.method'], ['get_sysinfo']);
    assert.deepStrictEqual(req['kasa_smarthome.text'], [SYSINFO_REQUEST]);
    assert.deepStrictEqual(rep['kasa_smarthome.length'], [String(Buffer.byteLength(SYSINFO_REPLY))]);
    assert.deepStrictEqual(rep['kasa_smarthome.type'], ['1']);
    assert.deepStrictEqual(rep['kasa_smarthome.alias'], ['Desk lamp, "left" \u00e9']);
    assert.deepStrictEqual(rep['kasa_smarthome.deviceId'], ['8006F9D3E8E4C4B0C9F3A1B2C3D4E5F6A7B8C9D0']);
    assert.deepStrictEqual(rep['kasa_smarthome.relay_state'], ['1']);
    assert.deepStrictEqual(rep['kasa_smarthome.err_code'], ['0']);
    assert.ok(rep['json.key'].includes('get_sysinfo'), 'the JSON dissector shows the decrypted tree');
    assert.deepStrictEqual(values(rows, 'tplink_smarthome.len'), [], 'the built-in dissector gave up port 9999');
  });

  it('dissects several messages in one segment and a message that straddles two', async () => {
    const pcap = new PcapWriter();
    const conn = pcap.tcp(CLIENT, DEVICE);
    const on = encodeFrame('{"system":{"set_relay_state":{"state":1}}}');
    const energy = encodeFrame('{"emeter":{"get_realtime":{}}}');
    const info = encodeFrame(SYSINFO_REQUEST);
    const stream = Buffer.concat([on, energy, info]);
    // Segment 1: `on`, `energy` and the first 5 bytes of `info`; segment 2: the rest.
    conn.sendSplit(true, stream, [on.length + energy.length + 5]);
    conn.close();
    const rows = withField(await dissect(pcap.write(file('packed.pcap')), [
      'kasa_smarthome.length', 'kasa_smarthome.module', 'kasa_smarthome.method', 'kasa_smarthome.relay_state', '_ws.col.Info',
    ]), 'kasa_smarthome.length');
    assert.strictEqual(rows.length, 2);
    assert.deepStrictEqual(rows[0]['kasa_smarthome.method'], ['set_relay_state', 'get_realtime']);
    assert.deepStrictEqual(rows[0]['kasa_smarthome.relay_state'], ['1']);
    assert.match(rows[0]['_ws.col.Info'][0], /system\.set_relay_state.*emeter\.get_realtime/);
    assert.deepStrictEqual(rows[1]['kasa_smarthome.method'], ['get_sysinfo']);
    assert.deepStrictEqual(values(rows, 'kasa_smarthome.length'), [on, energy, info].map((f) => String(f.length - 4)));
  });

  it('reads energy in both firmware unit forms and filters on them', async () => {
    const pcap = new PcapWriter();
    const conn = pcap.tcp(CLIENT, DEVICE);
    conn.send(false, encodeFrame(ENERGY_V1));
    conn.send(false, encodeFrame(ENERGY_V2));
    conn.close();
    const pcapFile = pcap.write(file('energy.pcap'));
    const energyFields = ['power', 'voltage', 'current', 'total', 'power_mw', 'voltage_mv', 'current_ma', 'total_wh']
      .map((name) => `kasa_smarthome.${name}`);
    const rows = withField(await dissect(pcapFile, ['kasa_smarthome.method', ...energyFields]), 'kasa_smarthome.method');
    assert.strictEqual(rows.length, 2);
    const num = (row: Record<string, string[]>, field: string): number[] => row[field].map(Number);
    assert.deepStrictEqual(num(rows[0], 'kasa_smarthome.power'), [118.4]);
    assert.deepStrictEqual(num(rows[0], 'kasa_smarthome.voltage'), [231.2]);
    assert.deepStrictEqual(num(rows[0], 'kasa_smarthome.current'), [0.512]);
    assert.deepStrictEqual(num(rows[0], 'kasa_smarthome.total'), [3.25]);
    assert.deepStrictEqual(rows[0]['kasa_smarthome.power_mw'], []);
    assert.deepStrictEqual(num(rows[1], 'kasa_smarthome.power_mw'), [118400]);
    assert.deepStrictEqual(num(rows[1], 'kasa_smarthome.voltage_mv'), [231200]);
    assert.deepStrictEqual(num(rows[1], 'kasa_smarthome.current_ma'), [512]);
    assert.deepStrictEqual(num(rows[1], 'kasa_smarthome.total_wh'), [3250]);
    assert.deepStrictEqual(rows[1]['kasa_smarthome.power'], []);
    const filtered = await dissect(pcapFile, ['kasa_smarthome.power_mw'], { filter: 'kasa_smarthome.power_mw > 100000' });
    assert.strictEqual(filtered.length, 1);
  });

  it('flags a non-zero err_code with expert info and names it in the Info column', async () => {
    const pcap = new PcapWriter();
    const conn = pcap.tcp(CLIENT, DEVICE);
    conn.send(true, encodeFrame('{"smartlife.iot.dimmer":{"set_brightness":{"brightness":50}}}'));
    conn.send(false, encodeFrame('{"smartlife.iot.dimmer":{"err_code":-1,"err_msg":"module not support"}}'));
    conn.send(false, encodeFrame('{"system":{"set_dev_alias":{"err_code":-3,"err_msg":"invalid argument"}}}'));
    conn.close();
    const rows = withField(await dissect(pcap.write(file('errors.pcap')), [
      'kasa_smarthome.err_code', 'kasa_smarthome.err_msg', '_ws.col.Info', '_ws.expert.severity',
    ]), 'kasa_smarthome.err_code');
    assert.strictEqual(rows.length, 2);
    assert.deepStrictEqual(rows[0]['kasa_smarthome.err_code'], ['-1']);
    assert.deepStrictEqual(rows[0]['kasa_smarthome.err_msg'], ['module not support']);
    assert.ok(rows[0]['_ws.expert.message'].some((m) => /err_code -1/.test(m)), rows[0]['_ws.expert.message'].join());
    assert.deepStrictEqual(rows[1]['kasa_smarthome.err_code'], ['-3']);
    assert.match(rows[1]['_ws.col.Info'][0], /set_dev_alias err_code -3/);
    assert.ok(rows[1]['_ws.expert.message'].some((m) => /err_code -3/.test(m)));
  });

  it('dissects UDP discovery: a broadcast request and replies from two devices', async () => {
    const pcap = new PcapWriter();
    const discoverer = { ip: '127.0.0.1', port: 40200 };
    pcap.udp(discoverer, BROADCAST, encodeDatagram('{"system":{"get_sysinfo":{}}}'));
    pcap.udp(DEVICE, discoverer, encodeDatagram(SYSINFO_REPLY));
    const second = JSON.parse(SYSINFO_REPLY) as { system: { get_sysinfo: Record<string, unknown> } };
    Object.assign(second.system.get_sysinfo, { alias: 'Kettle', deviceId: '80061111', relay_state: 0 });
    pcap.udp(DEVICE_B, discoverer, encodeDatagram(JSON.stringify(second)));
    const rows = await dissect(pcap.write(file('discovery.pcap')), [
      'kasa_smarthome.length', 'kasa_smarthome.type', 'kasa_smarthome.method', 'kasa_smarthome.alias',
      'kasa_smarthome.deviceId', 'kasa_smarthome.relay_state',
    ]);
    assert.strictEqual(rows.length, 3);
    assert.deepStrictEqual(values(rows, 'kasa_smarthome.length'), [], 'UDP has no length prefix');
    assert.deepStrictEqual(values(rows, 'kasa_smarthome.type'), ['0', '1', '1']);
    assert.deepStrictEqual(values(rows, 'kasa_smarthome.method'), ['get_sysinfo', 'get_sysinfo', 'get_sysinfo']);
    assert.deepStrictEqual(values(rows, 'kasa_smarthome.alias'), ['Desk lamp, "left" \u00e9', 'Kettle']);
    assert.deepStrictEqual(values(rows, 'kasa_smarthome.deviceId'),
      ['8006F9D3E8E4C4B0C9F3A1B2C3D4E5F6A7B8C9D0', '80061111']);
    assert.deepStrictEqual(values(rows, 'kasa_smarthome.relay_state'), ['1', '0']);
  });

  it('flags text that is not JSON and a length field that does not match, without a Lua error', async () => {
    const pcap = new PcapWriter();
    pcap.udp(DEVICE, CLIENT, encodeDatagram('this is not {json'));
    const conn = pcap.tcp(CLIENT, DEVICE);
    conn.send(true, encodeFrame('plain words'));
    const bogus = Buffer.concat([Buffer.from([0x7f, 0xff, 0xff, 0xff]), encodeDatagram('{"a":1}')]);
    conn.send(true, bogus);
    conn.close();
    const rows = withField(await dissect(pcap.write(file('broken.pcap')), ['kasa_smarthome.text']), '_ws.expert.message');
    const messages = values(rows, '_ws.expert.message');
    assert.strictEqual(messages.filter((m) => m === 'Decrypted text is not JSON').length, 2, messages.join('; '));
    assert.ok(messages.some((m) => /Length field says 2147483647 bytes, 7 present/.test(m)), messages.join('; '));
  });

  it('flags a short message when TCP reassembly is off', async () => {
    const pcap = new PcapWriter();
    const conn = pcap.tcp(CLIENT, DEVICE);
    conn.sendSplit(true, encodeFrame(SYSINFO_REQUEST), [12]);
    conn.close();
    const rows = withField(await dissect(pcap.write(file('nodesegment.pcap')), ['kasa_smarthome.length'],
      { prefs: { 'tcp.desegment_tcp_streams': 'FALSE' } }), 'kasa_smarthome.length');
    assert.ok(rows.length >= 1);
    const length = Buffer.byteLength(SYSINFO_REQUEST);
    assert.ok(values(rows, '_ws.expert.message').includes(`Length field says ${length} bytes, 8 present`),
      values(rows, '_ws.expert.message').join('; '));
  });

  it('decodes other ports only when the preference lists them', async () => {
    const pcap = new PcapWriter();
    const other = { ip: '127.0.0.2', port: 10999 };
    pcap.tcp(CLIENT, other).send(true, encodeFrame(SYSINFO_REQUEST)).close();
    pcap.udp(CLIENT, other, encodeDatagram(SYSINFO_REQUEST));
    const pcapFile = pcap.write(file('ports.pcap'));
    const fields = ['kasa_smarthome.method'];
    assert.deepStrictEqual(values(await dissect(pcapFile, fields), 'kasa_smarthome.method'), []);
    const rows = await dissect(pcapFile, fields, { prefs: { 'kasa_smarthome.ports': '9999,10990-11000' } });
    assert.deepStrictEqual(values(rows, 'kasa_smarthome.method'), ['get_sysinfo', 'get_sysinfo']);
  });

  it('shows the protocol tree with module, method and the JSON subtree', async () => {
    const pcap = new PcapWriter();
    pcap.tcp(CLIENT, DEVICE).send(false, encodeFrame(ENERGY_V2)).close();
    const text = await verbose(pcap.write(file('tree.pcap')), 'kasa_smarthome', 'kasa_smarthome');
    assert.match(text, /TP-Link Kasa Smart Home Protocol/);
    assert.match(text, /Module: emeter\n\s+Method: get_realtime/);
    assert.match(text, /Power \(mW\): 118400/);
    assert.match(text, /JavaScript Object Notation/);
  });
});
