/**
 * wireshark/tplink-smart.lua's SMART fields inside KLAP and AES
 * securePassthrough, and the AES handshake, on live captures on lo
 * (smart-captures.ts): the project's SmartClient against a simulated P304M
 * strip over KLAP and a KP125M plug over AES (decrypted with the key and IV
 * the client's debug hook gave), and tp-link-tapo-connect against a
 * simulated P110. What the dissector shows is held to what the client read.
 */
import assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../support/repo';
import { captureSmartOverAes, captureSmartOverKlap, captureTapoConnect, type SmartCapture } from './smart-captures';
import { dissect, tsharkPerSuite, values, verbose, withField, type Row } from './tshark';

const SMART_FIELDS = [
  'tplink_smart.type', 'tplink_smart.method', 'tplink_smart.error_code', 'tplink_smart.request', 'tplink_smart.response',
  'tplink_smart.device_id', 'tplink_smart.device_on', 'tplink_smart.nickname', 'tplink_smart.power', 'tplink_smart.voltage',
  'tplink_smart.current', 'tplink_smart.today_energy', 'tplink_smart.energy', 'tplink_klap.plaintext', 'tplink_aes.plaintext', '_ws.col.Info',
];
const AES_FIELDS = [
  'tplink_aes.message', 'tplink_aes.method', 'tplink_aes.public_key', 'tplink_aes.encrypted_key', 'tplink_aes.session_id',
  'tplink_aes.timeout', 'tplink_aes.token', 'tplink_aes.ciphertext', 'tplink_aes.key_index', 'tplink_aes.plaintext',
];

/**
 * tp-link-tapo-connect (its axios 0.21) labels its binary KLAP bodies
 * application/x-www-form-urlencoded; Wireshark's form dissector throws on
 * some random bytes (about one body in 1,500: a "Malformed Packet" the
 * guards in dissect() fail on). Read as plain data, as they are.
 */
const FORM_AS_DATA = ['-d', 'media_type==application/x-www-form-urlencoded,data'];

/** SMART messages in order, AES's login_device exchange left out. */
async function smartRows(capture: SmartCapture, prefs: Record<string, string> = capture.prefs, extra: string[] = []): Promise<Row[]> {
  const rows = withField(await dissect(capture.file, SMART_FIELDS, { prefs, extra }), 'tplink_smart.type');
  return rows.filter((row) => !row['tplink_smart.method'].includes('login_device'));
}

/** The request whose first method is `method`, and its reply. */
function exchange(rows: Row[], method: string, nth = 0): [Row, Row] {
  const at = rows.map((row, i) => ({ row, i })).filter(({ row }) => row['tplink_smart.type'][0] === '0' && row['tplink_smart.method'][0] === method)[nth];
  assert.ok(at, `request ${method} #${nth} in ${rows.map((r) => r['tplink_smart.method'][0]).join(', ')}`);
  return [at.row, rows[at.i + 1]];
}

const close = (expected: number) => (value: string): boolean => Math.abs(Number(value) - expected) < 1e-6;

function assertUnknownMethod(rows: Row[]): void {
  const [, refused] = exchange(rows, 'get_no_such_thing');
  assert.deepStrictEqual(refused['tplink_smart.error_code'], ['-1002']);
  assert.ok(refused['_ws.expert.message'].includes('Device returned error_code -1002 (UNKNOWN_METHOD_ERROR)'), refused['_ws.expert.message'].join());
  assert.match(refused['_ws.col.Info'][0], /SMART get_no_such_thing error_code -1002$/);
}

describe('Wireshark SMART and AES dissectors on live captures of SMART clients and simulated devices on lo', function () {
  this.timeout(120_000);
  const suite = tsharkPerSuite('kasa-smart-');
  let overKlap: SmartCapture;
  let overAes: SmartCapture & { keyHex: string; ivHex: string };
  let tapoConnect: SmartCapture;

  before(async function () {
    this.timeout(900_000);
    // Side by side: each device has its own port and each capture's filter names only that port.
    [overKlap, overAes, tapoConnect] = await Promise.all([captureSmartOverKlap(suite.dir), captureSmartOverAes(suite.dir), captureTapoConnect(suite.dir)]);
  });
  // A live capture that fails once in many suite runs (seen once, under coverage: no SMART message in the
  // P304M's KLAP capture) is kept, so that the next failure can be read instead of guessed at.
  afterEach(function () {
    if (this.currentTest?.state !== 'failed') return;
    const kept = path.join(repoRoot(), 'test', 'artifacts', 'wireshark', `smart-${Date.now()}`);
    fs.mkdirSync(kept, { recursive: true });
    for (const name of fs.readdirSync(suite.dir)) fs.copyFileSync(suite.file(name), path.join(kept, name));
    console.error(`smart-dissector: the captures of this failure are in ${kept}`);
  });

  it('SmartClient and a P304M over KLAP: info, a multipleRequest, control_child (also around a batch), an error', async () => {
    const rows = await smartRows(overKlap);
    assert.strictEqual(values(rows, 'tplink_klap.plaintext').length, rows.length, 'every SMART message came out of KLAP');
    const [, info] = exchange(rows, 'get_device_info');
    assert.deepStrictEqual(info['tplink_smart.device_id'], [overKlap.seen.deviceId]);
    assert.deepStrictEqual(info['tplink_smart.nickname'], [overKlap.seen.nickname], 'decoded from base64');

    const [batch, batchReply] = exchange(rows, 'multipleRequest');
    assert.deepStrictEqual(batch['tplink_smart.method'], ['multipleRequest', 'get_device_info', 'get_device_time']);
    assert.deepStrictEqual(batch['tplink_smart.request'], ['1', '2']);
    assert.deepStrictEqual(batchReply['tplink_smart.response'], ['1', '2']);
    assert.deepStrictEqual(batchReply['tplink_smart.method'], ['multipleRequest', 'get_device_info', 'get_device_time']);

    const [childBatch, childEnergy] = exchange(rows, 'control_child');
    assert.deepStrictEqual(childBatch['tplink_smart.method'].slice(0, 2), ['control_child', 'multipleRequest']);
    assert.deepStrictEqual(childBatch['tplink_smart.device_id'], [overKlap.seen.childId]);
    assert.ok(childEnergy['tplink_smart.power'].some(close(overKlap.seen.power as number)),
      `the client's ${overKlap.seen.power} W in ${childEnergy['tplink_smart.power']}`);

    const [switchOff, switched] = exchange(rows, 'control_child', 1);
    assert.deepStrictEqual(switchOff['tplink_smart.method'], ['control_child', 'set_device_info']);
    assert.deepStrictEqual(switchOff['tplink_smart.device_id'], [overKlap.seen.childId]);
    assert.deepStrictEqual(switchOff['tplink_smart.device_on'], ['0']);
    assert.match(switchOff['_ws.col.Info'][0], new RegExp(`SMART control_child ${overKlap.seen.childId}: set_device_info$`));
    assert.deepStrictEqual(switched['tplink_smart.method'], ['control_child', 'set_device_info'], 'named from the request');
    assertUnknownMethod(rows);
  });

  it('SmartClient and a KP125M over AES, decrypted with the key and IV of the client\'s debug hook', async () => {
    const rows = await smartRows(overAes);
    assert.strictEqual(values(rows, 'tplink_aes.plaintext').length, rows.length, 'every SMART message came out of AES');
    const [, info] = exchange(rows, 'get_device_info');
    assert.deepStrictEqual(info['tplink_smart.device_id'], [overAes.seen.deviceId]);
    assert.deepStrictEqual(info['tplink_smart.nickname'], [overAes.seen.nickname]);
    assert.deepStrictEqual(info['tplink_smart.device_on'], ['1']);
    const [energy, reading] = exchange(rows, 'multipleRequest');
    assert.deepStrictEqual(energy['tplink_smart.method'], ['multipleRequest', 'get_energy_usage', 'get_current_power', 'get_emeter_data']);
    assert.ok(reading['tplink_smart.power'].some(close(overAes.seen.power as number)), `${overAes.seen.power} W in ${reading['tplink_smart.power']}`);
    assert.strictEqual(reading['tplink_smart.today_energy'].length, 1);
    const [switchOff] = exchange(rows, 'set_device_info');
    assert.deepStrictEqual(switchOff['tplink_smart.device_on'], ['0']);
    assertUnknownMethod(rows);
  });

  it('shows the AES handshake (client key, encrypted session key, cookie) and the login token', async () => {
    const rows = withField(await dissect(overAes.file, AES_FIELDS, { prefs: overAes.prefs }), 'tplink_aes.message');
    assert.deepStrictEqual(values(rows, 'tplink_aes.message').slice(0, 4), ['1', '2', '3', '4']);
    const [hello, helloReply, login, loginReply] = rows;
    assert.deepStrictEqual(hello['tplink_aes.method'], ['handshake']);
    // tshark -T fields writes a field's newlines as \n.
    assert.match(hello['tplink_aes.public_key'][0], /^-----BEGIN PUBLIC KEY-----\\n[\w+/=\\]+-----END PUBLIC KEY-----\\n$/);
    assert.strictEqual(helloReply['tplink_aes.encrypted_key'][0].replace(/:/g, '').length, 256, '128 bytes: RSA-1024');
    assert.match(helloReply['tplink_aes.session_id'][0], /^\w+$/);
    assert.strictEqual(helloReply['tplink_aes.timeout'].length, 1);
    assert.deepStrictEqual(login['tplink_aes.method'], ['securePassthrough']);
    assert.match(login['tplink_aes.plaintext'][0], /"method":"login_device"/);
    const [token] = loginReply['tplink_aes.token'];
    assert.ok(token, 'the token in the decrypted login reply');
    const later = rows.slice(4).filter((row) => row['tplink_aes.message'][0] === '3');
    assert.deepStrictEqual(later.map((row) => row['tplink_aes.token']), later.map(() => [token]), 'later requests carry it in the URL');
    assert.deepStrictEqual([...new Set(values(rows, 'tplink_aes.key_index'))], ['1']);
  });

  it('leaves AES encrypted without the key, and says a wrong key does not decrypt', async () => {
    const port = { 'tplink_aes.ports': overAes.prefs['tplink_aes.ports'] };
    const wrongKey = `${'00'.repeat(16)}:${overAes.ivHex}`;
    // Three tshark runs on the same file with different preferences, side by side.
    const [without, second, onlyWrong] = (await Promise.all([
      dissect(overAes.file, [...AES_FIELDS, 'tplink_smart.method'], { prefs: port }),
      dissect(overAes.file, AES_FIELDS, { prefs: { ...port, 'tplink_aes.keys': `${wrongKey}, ${overAes.keyHex}${overAes.ivHex}` } }),
      dissect(overAes.file, AES_FIELDS, { prefs: { ...port, 'tplink_aes.keys': wrongKey } }),
    ])).map((rows) => withField(rows, 'tplink_aes.message'));
    assert.deepStrictEqual(values(without, 'tplink_aes.plaintext'), []);
    assert.deepStrictEqual(values(without, 'tplink_smart.method'), []);
    assert.strictEqual(values(without, 'tplink_aes.ciphertext').length, without.length - 2, 'all but the handshake');
    assert.ok(values(without, '_ws.expert.message').includes('Encrypted: set tplink_aes.keys to the session\'s AES key and IV to decrypt'));

    assert.deepStrictEqual([...new Set(values(second, 'tplink_aes.key_index'))], ['2'], 'the second key, written as 64 hex digits, decrypts');
    assert.ok(values(onlyWrong, '_ws.expert.message').includes('None of the configured keys decrypts this'));
  });

  it('decrypts tp-link-tapo-connect talking to a simulated P110 over KLAP', async () => {
    const rows = await smartRows(tapoConnect, tapoConnect.prefs, FORM_AS_DATA);
    const klap = withField(await dissect(tapoConnect.file, ['tplink_klap.message', 'tplink_klap.credentials'], { prefs: tapoConnect.prefs, extra: FORM_AS_DATA }),
      'tplink_klap.message');
    assert.deepStrictEqual([...new Set(values(klap, 'tplink_klap.credentials'))], ['1'], 'both of its sessions match the account');
    assert.strictEqual(rows.length, klap.filter((row) => ['5', '6'].includes(row['tplink_klap.message'][0])).length, 'every request and reply decrypted');
    assert.ok(rows.length >= 12, `${rows.length} SMART messages`);
    const [, info] = exchange(rows, 'get_device_info');
    assert.deepStrictEqual(info['tplink_smart.nickname'], [tapoConnect.seen.nickname]);
    assert.deepStrictEqual(info['tplink_smart.device_id'], [tapoConnect.seen.deviceId]);
    assert.deepStrictEqual(rows.filter((row) => row['tplink_smart.type'][0] === '0' && row['tplink_smart.method'][0] === 'set_device_info')
      .map((row) => row['tplink_smart.device_on']), [['0'], ['1']], 'turned off, then on');
    const [, usage] = exchange(rows, 'get_energy_usage');
    assert.strictEqual(usage['tplink_smart.today_energy'].length, 1);
    assert.strictEqual(usage['tplink_smart.power'].length, 1);
  });

  it('shows a multipleRequest reply as a tree of responses', async () => {
    const text = await verbose(overAes.file, 'tplink_aes', 'tplink_smart.response', overAes.prefs);
    assert.match(text, /Response: 1: get_energy_usage\n\s+(Error code: SUCCESS \(0\)\n\s+)?Method: get_energy_usage/);
    assert.match(text, /Power \(W\): [\d.]+ \(current_power \d+ mW\)/);
  });
});
