/**
 * wireshark/tplink-smart.lua's UDP 20002/20004 discovery dissector: a live
 * capture of the project's discover() probing the simulator's responder on
 * lo, and written packets for what a live run does not produce (a wrong
 * CRC, port 20004, the bare 16-byte probe, a cut or non-JSON body, an error).
 */
import assert from 'assert';
import * as dgram from 'dgram';
import type { AddressInfo } from 'net';
import { discover } from '../../lib/discovery';
import { buildDiscovery20002Request, encodeDiscovery20002Reply, encodeTdpPacket } from '../../lib/discovery/tdp';
import { klapDiscoveryResult } from '../../lib/simulator/klap-server';
import { startKlapDevice } from '../../lib/simulator/klap-device';
import { captureOnLoopback } from './live';
import { PcapWriter, type Endpoint } from './pcap';
import { dissect, tsharkPerSuite, values, withField } from './tshark';

const FIELDS = [
  'tplink_tdp.type', 'tplink_tdp.version', 'tplink_tdp.op_code', 'tplink_tdp.msg_size', 'tplink_tdp.serial',
  'tplink_tdp.crc.status', 'tplink_tdp.crc.computed', 'tplink_tdp.rsa_key', 'tplink_tdp.error_code', 'tplink_tdp.device_id',
  'tplink_tdp.device_type', 'tplink_tdp.device_model', 'tplink_tdp.ip', 'tplink_tdp.mac', 'tplink_tdp.encrypt_type',
  'tplink_tdp.http_port', 'tplink_tdp.login_version', 'json.key', '_ws.col.Info',
];
const CLIENT: Endpoint = { ip: '127.0.0.1', port: 40300 };
const PLUG: Endpoint = { ip: '127.0.0.5', port: 20002 };
const PLUG_20004: Endpoint = { ip: '127.0.0.6', port: 20004 };
const RESULT = klapDiscoveryResult({
  deviceId: '80061234ABCD', model: 'P110(EU)', mac: 'AA-BB-CC-DD-EE-FF', ip: '127.0.0.5', httpPort: 80, version: 2,
});

describe('Wireshark UDP 20002/20004 discovery dissector', function () {
  this.timeout(60_000);
  const suite = tsharkPerSuite('kasa-tdp-');

  it('dissects a live discover({ includeKlap }) sweep against the simulator: queries with the key, replies with the device', async () => {
    const device = await startKlapDevice({ model: 'KP115', alias: 'Discovered', klap: { version: 2 }, discovery20002: 0 });
    // The 9999 probe goes to a socket of ours, so nothing else on lo gets it.
    const classicSink = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => classicSink.bind(0, '127.0.0.1', resolve));
    const file = suite.file('live.pcapng');
    const tdpPort = device.discoveryPort as number;
    try {
      const found = await captureOnLoopback({ file, filter: `udp port ${tdpPort}` }, () => discover({
        target: '127.0.0.1', port: (classicSink.address() as AddressInfo).port, includeKlap: true, klapPort: tdpPort, timeout: 400, probes: 2,
      }));
      assert.strictEqual(found.length, 1, 'the sweep found the device');
    } finally {
      await new Promise<void>((resolve) => classicSink.close(() => resolve()));
      await device.close();
    }
    const rows = withField(await dissect(file, FIELDS, { prefs: { 'tplink_tdp.ports': String(tdpPort) } }), 'tplink_tdp.type');
    assert.deepStrictEqual(values(rows, 'tplink_tdp.type'), ['0', '1', '0', '1']);
    assert.deepStrictEqual(values(rows, 'tplink_tdp.crc.status'), ['1', '1', '1', '1']);
    assert.deepStrictEqual(values(rows, 'tplink_tdp.version'), ['2', '2', '2', '2']);
    const [query, reply] = rows;
    // tshark -T fields writes a field's newlines as \n.
    assert.match(query['tplink_tdp.rsa_key'][0], /^-----BEGIN PUBLIC KEY-----\\n[\w+/=\\]+-----END PUBLIC KEY-----\\n$/);
    assert.deepStrictEqual(reply['tplink_tdp.serial'], query['tplink_tdp.serial'], 'the reply echoes the serial');
    assert.deepStrictEqual(reply['tplink_tdp.device_id'], [device.running.deviceId]);
    assert.deepStrictEqual(reply['tplink_tdp.device_type'], ['IOT.SMARTPLUGSWITCH']);
    assert.match(reply['tplink_tdp.device_model'][0], /^KP115/);
    assert.deepStrictEqual(reply['tplink_tdp.ip'], ['127.0.0.1']);
    assert.deepStrictEqual(reply['tplink_tdp.encrypt_type'], ['KLAP']);
    assert.deepStrictEqual(reply['tplink_tdp.http_port'], [String(device.klapPort)]);
    assert.deepStrictEqual(reply['tplink_tdp.login_version'], ['2']);
    assert.deepStrictEqual(reply['tplink_tdp.error_code'], ['0']);
    assert.ok(reply['json.key'].includes('mgt_encrypt_schm'), 'the body goes to the JSON dissector');
    assert.match(reply['_ws.col.Info'][0], /^Discovery reply serial 0x[0-9a-f]{8}: KP115\(\w+\) at 127\.0\.0\.1$/);
  });

  it('flags a wrong CRC, reads port 20004 and the bare probe, and survives cut, foreign and failing bodies', async () => {
    const pcap = new PcapWriter();
    const query = buildDiscovery20002Request({ rsaPublicKeyPem: null, serial: 0x01020304 });
    pcap.udp(CLIENT, PLUG_20004, query);
    pcap.udp(PLUG_20004, CLIENT, encodeDiscovery20002Reply(RESULT, 0x01020304));
    const corrupted = encodeDiscovery20002Reply(RESULT, 7);
    corrupted[corrupted.indexOf('P110')] = 0x51; // 'Q': still JSON, now with a wrong CRC
    pcap.udp(PLUG, CLIENT, corrupted);
    pcap.udp(PLUG, CLIENT, encodeDiscovery20002Reply(RESULT, 8).subarray(0, 60));
    pcap.udp(PLUG, CLIENT, encodeTdpPacket({ msgType: 0, opCode: 1, flags: 17, serial: 9 }, Buffer.from('not json at all')));
    pcap.udp(PLUG, CLIENT, encodeTdpPacket({ msgType: 0, opCode: 1, flags: 17, serial: 10 }, Buffer.from('{"error_code":-1501}')));
    pcap.udp(PLUG, CLIENT, Buffer.from([2, 0, 0]));
    const rows = await dissect(pcap.write(suite.file('written.pcap')), FIELDS);
    assert.strictEqual(rows.length, 7);
    const [bare, reply20004, badCrc, cut, foreign, failing, tiny] = rows;
    assert.deepStrictEqual(bare['tplink_tdp.msg_size'], ['0']);
    assert.deepStrictEqual(bare['tplink_tdp.type'], ['0']);
    assert.deepStrictEqual(bare['tplink_tdp.crc.status'], ['1']);
    assert.deepStrictEqual(reply20004['tplink_tdp.type'], ['1']);
    assert.deepStrictEqual(reply20004['tplink_tdp.device_model'], ['P110(EU)']);
    assert.deepStrictEqual(reply20004['tplink_tdp.mac'], ['AA-BB-CC-DD-EE-FF']);
    assert.deepStrictEqual(badCrc['tplink_tdp.crc.status'], ['0']);
    assert.strictEqual(badCrc['tplink_tdp.crc.computed'].length, 1);
    assert.ok(badCrc['_ws.expert.message'].includes('CRC-32 does not match the packet'), badCrc['_ws.expert.message'].join());
    assert.match(badCrc['_ws.col.Info'][0], /\[bad CRC\]$/);
    assert.deepStrictEqual(badCrc['tplink_tdp.device_model'], ['Q110(EU)'], 'the body is still read');
    assert.ok(cut['_ws.expert.message'].some((m) => /^Message size says \d+ bytes, 44 present$/.test(m)), cut['_ws.expert.message'].join());
    assert.ok(cut['_ws.expert.message'].includes('Body is not JSON'));
    assert.ok(foreign['_ws.expert.message'].includes('Body is not JSON'));
    assert.deepStrictEqual(failing['tplink_tdp.error_code'], ['-1501']);
    assert.ok(failing['_ws.expert.message'].includes('Device returned error_code -1501'));
    assert.deepStrictEqual(tiny['tplink_tdp.type'], [], 'three bytes are not a discovery packet');
  });
});
