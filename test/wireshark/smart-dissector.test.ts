/**
 * wireshark/tplink-smart.lua's SMART fields inside KLAP and inside AES
 * securePassthrough, and the AES handshake, on live captures on lo of the
 * project's KLAP and AES transports talking to the simulator's endpoints
 * with the scripted SMART replies of smart-test-peer.ts: a multipleRequest,
 * a control_child, power and energy in their three forms, a base64
 * nickname and an error reply, the same script over both transports; AES
 * decrypted with the key and IV the client's debug hook gave.
 */
import assert from 'assert';
import {
  captureSmartOverAes, captureSmartOverKlap, PEER_CHILD_ID, PEER_DEVICE_ID, PEER_NICKNAME, type SmartCapture,
} from './smart-test-peer';
import { dissect, ensureTshark, killChildren, makeTempDir, values, verbose, withField, type Row } from './tshark';

const SMART_FIELDS = [
  'tplink_smart.type', 'tplink_smart.method', 'tplink_smart.error_code', 'tplink_smart.request', 'tplink_smart.response',
  'tplink_smart.device_id', 'tplink_smart.device_on', 'tplink_smart.nickname', 'tplink_smart.power', 'tplink_smart.voltage',
  'tplink_smart.current', 'tplink_smart.today_energy', 'tplink_smart.month_energy', 'tplink_smart.energy', '_ws.col.Info',
];
const AES_FIELDS = [
  'tplink_aes.message', 'tplink_aes.method', 'tplink_aes.public_key', 'tplink_aes.encrypted_key', 'tplink_aes.session_id',
  'tplink_aes.timeout', 'tplink_aes.token', 'tplink_aes.ciphertext', 'tplink_aes.key_index', 'tplink_aes.plaintext',
];

/** Rows of SMART messages, in order, skipping AES's login_device exchange. */
async function smartRows(capture: SmartCapture, extra: string[] = []): Promise<Row[]> {
  const rows = withField(await dissect(capture.file, [...SMART_FIELDS, ...extra], { prefs: capture.prefs }), 'tplink_smart.type');
  return rows.filter((row) => !row['tplink_smart.method'].includes('login_device'));
}

/** The assertions both transports share: the script of smart-test-peer.ts, dissected. */
function assertScript(rows: Row[]): void {
  assert.deepStrictEqual(values(rows, 'tplink_smart.type'), ['0', '1', '0', '1', '0', '1', '0', '1']);
  const [batch, batchReply, child, childReply, power, powerReply, rename, refused] = rows;

  assert.deepStrictEqual(batch['tplink_smart.method'], ['multipleRequest', 'get_device_info', 'get_energy_usage', 'get_emeter_data']);
  assert.deepStrictEqual(batch['tplink_smart.request'], ['1', '2', '3']);
  assert.deepStrictEqual(batchReply['tplink_smart.response'], ['1', '2', '3']);
  assert.deepStrictEqual(batchReply['tplink_smart.method'], ['multipleRequest', 'get_device_info', 'get_energy_usage', 'get_emeter_data']);
  assert.deepStrictEqual(batchReply['tplink_smart.device_id'], [PEER_DEVICE_ID]);
  assert.deepStrictEqual(batchReply['tplink_smart.nickname'], [PEER_NICKNAME], 'decoded from base64');
  assert.deepStrictEqual(batchReply['tplink_smart.device_on'], ['1']);
  assert.deepStrictEqual(batchReply['tplink_smart.power'].map(Number), [12.345, 12.345], 'mW of get_energy_usage and get_emeter_data, as W');
  assert.deepStrictEqual(batchReply['tplink_smart.voltage'].map(Number), [230.1]);
  assert.deepStrictEqual(batchReply['tplink_smart.current'].map(Number), [0.054]);
  assert.deepStrictEqual(batchReply['tplink_smart.today_energy'], ['120']);
  assert.deepStrictEqual(batchReply['tplink_smart.month_energy'], ['3400']);
  assert.deepStrictEqual(batchReply['tplink_smart.energy'], ['5678']);
  assert.deepStrictEqual(batchReply['tplink_smart.error_code'], ['0', '0', '0', '0']);

  assert.deepStrictEqual(child['tplink_smart.method'], ['control_child', 'set_device_info']);
  assert.deepStrictEqual(child['tplink_smart.device_id'], [PEER_CHILD_ID]);
  assert.deepStrictEqual(child['tplink_smart.device_on'], ['0']);
  assert.match(child['_ws.col.Info'][0], new RegExp(`SMART control_child ${PEER_CHILD_ID}: set_device_info$`));
  assert.deepStrictEqual(childReply['tplink_smart.method'], ['control_child', 'set_device_info'], 'named from the request');
  assert.deepStrictEqual(childReply['tplink_smart.error_code'], ['0', '0']);

  assert.deepStrictEqual(power['tplink_smart.method'], ['get_current_power']);
  assert.deepStrictEqual(powerReply['tplink_smart.power'], ['12'], 'get_current_power is in W');

  assert.deepStrictEqual(rename['tplink_smart.nickname'], ['Renamed']);
  assert.deepStrictEqual(refused['tplink_smart.error_code'], ['-1008']);
  assert.ok(refused['_ws.expert.message'].includes('Device returned error_code -1008 (PARAMS_ERROR)'), refused['_ws.expert.message'].join());
  assert.match(refused['_ws.col.Info'][0], /SMART set_device_info error_code -1008$/);
}

describe('Wireshark SMART and AES dissectors on live captures of the SMART test peer on lo', function () {
  this.timeout(120_000);
  let tmp: ReturnType<typeof makeTempDir>;
  let overKlap: SmartCapture;
  let overAes: SmartCapture & { keyHex: string; ivHex: string };

  before(async function () {
    this.timeout(900_000);
    ensureTshark();
    tmp = makeTempDir('kasa-smart-');
    overKlap = await captureSmartOverKlap(tmp.dir);
    overAes = await captureSmartOverAes(tmp.dir);
  });
  after(() => {
    killChildren();
    tmp?.remove();
  });

  it('reads the SMART fields inside KLAP', async () => {
    const rows = await smartRows(overKlap, ['tplink_klap.message']);
    assert.ok(rows.every((row) => row['tplink_klap.message'].length === 1), 'every SMART message came out of KLAP');
    assertScript(rows);
  });

  it('reads the same SMART fields inside AES securePassthrough, decrypted with the session key and IV', async () => {
    assertScript(await smartRows(overAes));
  });

  it('shows the AES handshake (client key, encrypted session key, cookie) and the login token', async () => {
    const rows = withField(await dissect(overAes.file, AES_FIELDS, { prefs: overAes.prefs }), 'tplink_aes.message');
    assert.deepStrictEqual(values(rows, 'tplink_aes.message').slice(0, 4), ['1', '2', '3', '4']);
    assert.strictEqual(rows.length, 12, 'handshake, login and four requests, each with its reply');
    const [hello, helloReply, login, loginReply] = rows;
    assert.deepStrictEqual(hello['tplink_aes.method'], ['handshake']);
    // tshark -T fields writes a field's newlines as \n.
    assert.match(hello['tplink_aes.public_key'][0], /^-----BEGIN PUBLIC KEY-----\\n[\w+/=\\]+-----END PUBLIC KEY-----\\n$/);
    assert.strictEqual(helloReply['tplink_aes.encrypted_key'][0].replace(/:/g, '').length, 256, '128 bytes: RSA-1024');
    assert.match(helloReply['tplink_aes.session_id'][0], /^[0-9A-F]{32}$/);
    assert.deepStrictEqual(helloReply['tplink_aes.timeout'], ['86400']);
    assert.deepStrictEqual(login['tplink_aes.method'], ['securePassthrough']);
    assert.match(login['tplink_aes.plaintext'][0], /^\{"method":"login_device"/);
    const [token] = loginReply['tplink_aes.token'];
    assert.ok(token, 'the token in the decrypted login reply');
    const later = rows.slice(4).filter((row) => row['tplink_aes.message'][0] === '3');
    assert.deepStrictEqual(later.map((row) => row['tplink_aes.token']), later.map(() => [token]), 'later requests carry it in the URL');
    assert.deepStrictEqual([...new Set(values(rows, 'tplink_aes.key_index'))], ['1']);
  });

  it('leaves AES encrypted without the key, and says a wrong key does not decrypt', async () => {
    const without = withField(await dissect(overAes.file, [...AES_FIELDS, 'tplink_smart.method'],
      { prefs: { 'tplink_aes.ports': overAes.prefs['tplink_aes.ports'] } }), 'tplink_aes.message');
    assert.deepStrictEqual(values(without, 'tplink_aes.plaintext'), []);
    assert.deepStrictEqual(values(without, 'tplink_smart.method'), []);
    assert.strictEqual(values(without, 'tplink_aes.ciphertext').length, 10);
    assert.ok(values(without, '_ws.expert.message').includes('Encrypted: set tplink_aes.keys to the session\'s AES key and IV to decrypt'));

    const wrongKey = `${'00'.repeat(16)}:${overAes.ivHex}`;
    const wrong = withField(await dissect(overAes.file, AES_FIELDS,
      { prefs: { ...overAes.prefs, 'tplink_aes.keys': `${wrongKey}, ${overAes.keyHex}${overAes.ivHex}` } }), 'tplink_aes.message');
    assert.deepStrictEqual([...new Set(values(wrong, 'tplink_aes.key_index'))], ['2'], 'the second key, written as 64 hex digits, decrypts');
    const onlyWrong = withField(await dissect(overAes.file, AES_FIELDS,
      { prefs: { ...overAes.prefs, 'tplink_aes.keys': wrongKey } }), 'tplink_aes.message');
    assert.ok(values(onlyWrong, '_ws.expert.message').includes('None of the configured keys decrypts this'));
  });

  it('shows a multipleRequest reply as a tree of responses', async () => {
    const text = await verbose(overKlap.file, 'tplink_klap', 'tplink_smart.response', overKlap.prefs);
    assert.match(text, /Response: 1: get_device_info\n\s+Error code: SUCCESS \(0\)\n\s+Method: get_device_info/);
    assert.match(text, /Nickname: Kitchen "P110" é \(base64 /);
    assert.match(text, /Power \(W\): 12\.345 \(current_power 12345 mW\)/);
  });
});
