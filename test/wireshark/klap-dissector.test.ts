/**
 * wireshark/tplink-smart.lua's KLAP dissector on live captures of the
 * project's KLAP client talking to the KLAP simulator on lo, versions 1 and
 * 2: sessions decrypted with the right account (from the preferences or a
 * credentials file), reported as not matching with a wrong one, and the
 * classic Smart Home fields filled inside KLAP; and on written captures of
 * what a live run does not produce (forged signatures, lost handshakes).
 */
import assert from 'assert';
import { writeFileSync } from 'fs';
import path from 'path';
import { SmartHomeClient } from '../../lib/classic/client';
import { connect } from '../../lib/device';
import { authHash, handshake1ServerHash, handshake2ClientHash, type KlapVersion } from '../../lib/klap/auth';
import { deriveSessionKeys, sealPayload } from '../../lib/klap/session';
import { startKlapDevice } from '../../lib/simulator/klap-device';
import { captureOnLoopback } from './live';
import { PcapWriter } from './pcap';
import { dissect, tsharkPerSuite, values, verbose, withField, type Row } from './tshark';

const OWNER = { username: 'owner@example.com', password: 'correct horse; battery:staple' };
const KLAP_FIELDS = [
  'tplink_klap.message', 'tplink_klap.credentials', 'tplink_klap.version', 'tplink_klap.account',
  'tplink_klap.client_hash.status', 'tplink_klap.seq', 'tplink_klap.signature.status', 'tplink_klap.plaintext',
  'tplink_klap.session_id', 'kasa_smarthome.method', 'kasa_smarthome.alias', 'kasa_smarthome.relay_state',
  'kasa_smarthome.power', 'kasa_smarthome.power_mw', 'json.key', '_ws.col.Info',
];

interface KlapCapture {
  file: string;
  port: number;
  alias: string;
}

/**
 * The project's client against the simulator, one session: sysinfo, relay
 * on, energy. The function the tests swap when other clients join.
 */
async function captureKlapSession(dir: string, version: KlapVersion): Promise<KlapCapture> {
  const alias = `KLAP v${version} plug`;
  const device = await startKlapDevice({ model: 'HS110', alias, klap: { version, ...OWNER } });
  const file = path.join(dir, `klap-v${version}.pcapng`);
  try {
    await captureOnLoopback({ file, filter: `tcp port ${device.klapPort}` }, async () => {
      // connect() reads the sysinfo; then the relay and the meter, as a user of the library would.
      const plug = await connect({ host: '127.0.0.1', transport: 'klap', klapPort: device.klapPort, timeout: 5000, ...OWNER });
      try {
        await plug.setPower(true);
        await plug.energy?.read();
      } finally {
        await plug.close();
      }
    });
  } finally {
    await device.close();
  }
  return { file, port: device.klapPort, alias };
}

function prefsFor(capture: KlapCapture, extra: Record<string, string>): Record<string, string> {
  return { 'tplink_klap.ports': String(capture.port), 'tplink_klap.try_defaults': 'FALSE', ...extra };
}

const byMessage = (rows: Row[], message: number): Row[] =>
  rows.filter((row) => row['tplink_klap.message'].includes(String(message)));

describe('Wireshark KLAP dissector on live captures (client <-> KLAP simulator on lo)', function () {
  this.timeout(120_000);
  const suite = tsharkPerSuite('kasa-klap-');
  const captures = new Map<KlapVersion, KlapCapture>();

  before(async function () {
    this.timeout(900_000);
    // Side by side: each simulator has its own port and each capture's filter names only that port.
    const [v1, v2] = await Promise.all([captureKlapSession(suite.dir, 1), captureKlapSession(suite.dir, 2)]);
    captures.set(1, v1).set(2, v2);
  });

  for (const version of [1, 2] as const) {
    it(`v${version}: the right account matches and every request and reply decrypts, signature checked`, async () => {
      const capture = captures.get(version) as KlapCapture;
      const rows = withField(await dissect(capture.file, KLAP_FIELDS, {
        prefs: prefsFor(capture, { 'tplink_klap.username': OWNER.username, 'tplink_klap.password': OWNER.password }),
      }), 'tplink_klap.message');
      assert.deepStrictEqual(values(rows, 'tplink_klap.message'), ['1', '2', '3', '4', '5', '6', '5', '6', '5', '6']);
      const [hello] = byMessage(rows, 2);
      assert.deepStrictEqual(hello['tplink_klap.credentials'], ['1']);
      assert.deepStrictEqual(hello['tplink_klap.version'], [String(version)]);
      assert.deepStrictEqual(hello['tplink_klap.account'], [OWNER.username]);
      assert.match(hello['tplink_klap.session_id'][0], /^[0-9A-F]{32}$/);
      assert.deepStrictEqual(values(byMessage(rows, 3), 'tplink_klap.client_hash.status'), ['1']);

      const sealed = [...byMessage(rows, 5), ...byMessage(rows, 6)];
      assert.deepStrictEqual(values(sealed, 'tplink_klap.signature.status'), ['1', '1', '1', '1', '1', '1']);
      const seqs = byMessage(rows, 5).map((row) => Number(row['tplink_klap.seq'][0]));
      assert.deepStrictEqual(byMessage(rows, 6).map((row) => Number(row['tplink_klap.seq'][0])), seqs, 'a reply shows its request\'s seq');
      assert.deepStrictEqual(seqs.map((seq) => seq - seqs[0]), [0, 1, 2], 'consecutive sequence numbers');

      const methods = values(rows, 'kasa_smarthome.method');
      for (const method of ['get_sysinfo', 'set_relay_state', 'get_realtime']) {
        assert.strictEqual(methods.filter((m) => m === method).length, 2, `${method} request and reply in ${methods}`);
      }
      assert.ok(values(rows, 'kasa_smarthome.alias').includes(capture.alias));
      assert.ok(values(rows, 'kasa_smarthome.relay_state').includes('1'));
      assert.ok(values(rows, 'kasa_smarthome.power').length + values(rows, 'kasa_smarthome.power_mw').length === 1, 'one energy reading');
      assert.ok(values(rows, 'json.key').includes('get_sysinfo'), 'the decrypted JSON goes to the JSON dissector');
      assert.match(byMessage(rows, 5)[0]['_ws.col.Info'][0], /^request seq=-?\d+: system\.get_sysinfo$/);
    });
  }

  it('says the credentials do not match with a wrong password, and leaves the requests encrypted', async () => {
    const capture = captures.get(2) as KlapCapture;
    const rows = withField(await dissect(capture.file, KLAP_FIELDS, {
      prefs: prefsFor(capture, { 'tplink_klap.username': OWNER.username, 'tplink_klap.password': 'wrong' }),
    }), 'tplink_klap.message');
    const [hello] = byMessage(rows, 2);
    assert.deepStrictEqual(hello['tplink_klap.credentials'], ['0']);
    assert.ok(hello['_ws.expert.message'].some((m) => /No configured credentials match/.test(m)), hello['_ws.expert.message'].join());
    assert.match(hello['_ws.col.Info'][0], /no credentials match/);
    assert.deepStrictEqual(values(rows, 'tplink_klap.plaintext'), []);
    assert.deepStrictEqual(values(rows, 'kasa_smarthome.method'), []);
    assert.ok(byMessage(rows, 5).every((row) => /encrypted: no credentials match/.test(row['_ws.col.Info'][0])));
  });

  it('finds the account in a credentials file of several, and tries the blank account by default', async () => {
    const capture = captures.get(1) as KlapCapture;
    const accounts = suite.file('accounts.txt');
    writeFileSync(accounts, `# accounts to try\nfirst@example.com  pw1\r\nsecond@example.com\n${OWNER.username}\t${OWNER.password}\n`);
    const rows = withField(await dissect(capture.file, KLAP_FIELDS, {
      prefs: prefsFor(capture, { 'tplink_klap.credentials_file': accounts }),
    }), 'tplink_klap.message');
    assert.deepStrictEqual(values(rows, 'tplink_klap.account'), [OWNER.username]);
    assert.strictEqual(values(rows, 'kasa_smarthome.method').length, 6);

    const blank = await startKlapDevice({ model: 'HS100', klap: { version: 2 } });
    const file = suite.file('blank.pcapng');
    try {
      await captureOnLoopback({ file, filter: `tcp port ${blank.klapPort}` }, async () => {
        const client = new SmartHomeClient({ host: '127.0.0.1', transport: 'klap', klapPort: blank.klapPort });
        await client.getSysInfo().finally(() => client.close());
      });
    } finally {
      await blank.close();
    }
    const unbound = withField(await dissect(file, KLAP_FIELDS, { prefs: { 'tplink_klap.ports': String(blank.klapPort) } }),
      'tplink_klap.message');
    assert.deepStrictEqual(values(unbound, 'tplink_klap.account'), ['(blank account)']);
    assert.deepStrictEqual(values(unbound, 'kasa_smarthome.method'), ['get_sysinfo', 'get_sysinfo']);
  });

  it('shows the handshake, the session and the decrypted Smart Home tree', async () => {
    const capture = captures.get(2) as KlapCapture;
    const text = await verbose(capture.file, 'tplink_klap,kasa_smarthome', 'tplink_klap',
      prefsFor(capture, { 'tplink_klap.username': OWNER.username, 'tplink_klap.password': OWNER.password }));
    assert.match(text, /TP-Link KLAP, handshake1 reply/);
    assert.match(text, /Credentials: Match \(1\) \(KLAP v2, owner@example\.com\)/);
    assert.match(text, /Signature status: Good \(1\)/);
    assert.match(text, /Decrypted: \{"system":\{"get_sysinfo"/);
    assert.match(text, /TP-Link Kasa Smart Home Protocol\n\s+Module: system\n\s+Method: get_sysinfo/);
  });
});

/** An HTTP/1.1 message as KLAP clients and devices write it. */
function httpMessage(firstLine: string, body: Buffer, headers: Record<string, string> = {}): Buffer {
  const lines = [firstLine, 'Content-Type: application/octet-stream', `Content-Length: ${body.length}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]);
}

describe('Wireshark KLAP dissector on written captures (tampering, lost handshakes)', function () {
  this.timeout(60_000);
  const suite = tsharkPerSuite('kasa-klap-written-');

  it('flags a bad signature, an undecryptable body, a session without its handshake and a short handshake reply', async () => {
    const localSeed = Buffer.alloc(16, 1);
    const remoteSeed = Buffer.alloc(16, 2);
    const auth = authHash(2, OWNER);
    const keys = deriveSessionKeys(localSeed, remoteSeed, auth);
    const cookie = 'TP_SESSIONID=0123456789ABCDEF';
    const pcap = new PcapWriter();
    const device = { ip: '127.0.0.2', port: 80 };
    const conn = pcap.tcp({ ip: '127.0.0.1', port: 40500 }, device);
    conn.send(true, httpMessage('POST /app/handshake1 HTTP/1.1', localSeed));
    conn.send(false, httpMessage('HTTP/1.1 200 OK', Buffer.concat([remoteSeed, handshake1ServerHash(2, localSeed, remoteSeed, auth)]),
      { 'Set-Cookie': `${cookie};TIMEOUT=86400` }));
    conn.send(true, httpMessage('POST /app/handshake2 HTTP/1.1', handshake2ClientHash(2, localSeed, remoteSeed, auth), { Cookie: cookie }));
    conn.send(false, httpMessage('HTTP/1.1 200 OK', Buffer.alloc(0)));
    const seq = keys.initialSeq + 1;
    conn.send(true, httpMessage(`POST /app/request?seq=${seq} HTTP/1.1`, sealPayload(keys, seq, Buffer.from('{"system":{"get_sysinfo":{}}}')), { Cookie: cookie }));
    const forged = sealPayload(keys, seq, Buffer.from('{"system":{"get_sysinfo":{"err_code":0}}}'));
    forged[0] ^= 0xff;
    conn.send(false, httpMessage('HTTP/1.1 200 OK', forged));
    const broken = sealPayload(keys, seq + 1, Buffer.from('{"system":{"get_sysinfo":{}}}'));
    broken[broken.length - 1] ^= 0xff;
    conn.send(true, httpMessage(`POST /app/request?seq=${seq + 1} HTTP/1.1`, broken, { Cookie: cookie }));
    conn.close();
    const lost = pcap.tcp({ ip: '127.0.0.1', port: 40501 }, device);
    lost.send(true, httpMessage('POST /app/request?seq=5 HTTP/1.1', Buffer.alloc(64, 7), { Cookie: 'TP_SESSIONID=NOTINTHECAPTURE' }));
    lost.send(true, httpMessage('POST /app/handshake1 HTTP/1.1', localSeed));
    lost.send(false, httpMessage('HTTP/1.1 200 OK', Buffer.alloc(20)));
    lost.close();

    const rows = withField(await dissect(pcap.write(suite.file('tampered.pcap')), KLAP_FIELDS, {
      prefs: { 'tplink_klap.username': OWNER.username, 'tplink_klap.password': OWNER.password },
    }), 'tplink_klap.message');
    assert.deepStrictEqual(values(rows, 'tplink_klap.message'), ['1', '2', '3', '4', '5', '6', '5', '5', '1', '2']);
    const [, hello, , , request, reply, undecryptable, orphan, , short] = rows;
    assert.deepStrictEqual(hello['tplink_klap.account'], [OWNER.username], 'port 80 by default');
    assert.deepStrictEqual(request['tplink_klap.signature.status'], ['1']);
    assert.deepStrictEqual(reply['tplink_klap.signature.status'], ['0']);
    assert.ok(reply['_ws.expert.message'].includes('Signature does not match the ciphertext'));
    assert.deepStrictEqual(reply['tplink_klap.plaintext'], ['{"system":{"get_sysinfo":{"err_code":0}}}'], 'still decrypted');
    assert.ok(undecryptable['_ws.expert.message'].includes('Does not decrypt with the session\'s key: bad padding'),
      undecryptable['_ws.expert.message'].join());
    assert.ok(orphan['_ws.expert.message'].includes('The handshake of this session is not in the capture'));
    assert.ok(short['_ws.expert.message'].includes('Body has the wrong length for this message'));
  });
});
