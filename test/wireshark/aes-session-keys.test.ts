/**
 * The loop a user follows to read an AES session in Wireshark: run
 * tplink-smartplug with --print-session-keys while capturing, copy the
 * tplink_aes.keys:KEY:IV lines it printed to stderr into tshark's -o (the
 * values joined by commas, as the preference takes several), and read the
 * decrypted SMART JSON. Without the flag the tool prints no key and the
 * same dissector shows ciphertext only. Live captures on lo of the tool (a
 * child process) dumping a simulated P100 (smart-captures.ts).
 */
import assert from 'assert';
import { captureSmartplugOverAes, type SmartplugCapture } from './smart-captures';
import { dissect, tsharkPerSuite, values, withField, type Row } from './tshark';

const FIELDS = [
  'tplink_aes.message', 'tplink_aes.ciphertext', 'tplink_aes.plaintext', 'tplink_aes.key_index',
  'tplink_smart.type', 'tplink_smart.method', 'tplink_smart.error_code', 'tplink_smart.device_id', 'tplink_smart.device_on', 'tplink_smart.nickname',
];

/** The KEY:IV of every tplink_aes.keys:KEY:IV line the tool printed (what `grep -o 'tplink_aes\.keys:.*' | cut -d: -f2-` gives a user). */
function printedKeys(stderr: string): string[] {
  return [...stderr.matchAll(/ tplink_aes\.keys:([0-9a-f]{32}:[0-9a-f]{32})$/gm)].map((match) => match[1]);
}

/** tshark -o tplink_aes.ports:PORT [-o tplink_aes.keys:KEYS] -r FILE -T fields ... */
function aesRows(capture: SmartplugCapture, keys?: string): Promise<Row[]> {
  const prefs: Record<string, string> = { 'tplink_aes.ports': String(capture.port) };
  if (keys !== undefined) prefs['tplink_aes.keys'] = keys;
  return dissect(capture.file, FIELDS, { prefs }).then((rows) => withField(rows, 'tplink_aes.message'));
}

/** The requests' methods, in order. */
function requestMethods(rows: Row[]): string[] {
  return withField(rows, 'tplink_smart.type').filter((row) => row['tplink_smart.type'][0] === '0').map((row) => row['tplink_smart.method'][0]);
}

describe('tplink-smartplug --print-session-keys: the key it prints decrypts a capture of its AES session in tshark', function () {
  this.timeout(120_000);
  const suite = tsharkPerSuite('kasa-aeskey-');
  let printed: SmartplugCapture;
  let silent: SmartplugCapture;

  before(async function () {
    this.timeout(300_000);
    printed = await captureSmartplugOverAes(suite.dir, 'printed', ['--print-session-keys']);
    silent = await captureSmartplugOverAes(suite.dir, 'silent', []);
  });

  it('prints a key per session, and tshark -o with them decrypts every securePassthrough message into SMART JSON', async () => {
    assert.strictEqual(printed.run.code, 0, printed.run.stderr);
    const keys = printedKeys(printed.run.stderr);
    // The P100 takes login v1: the tool's first session, tried with v2, is refused.
    assert.strictEqual(keys.length, 2, printed.run.stderr);
    assert.ok(keys.every((key) => !printed.run.stdout.includes(key.slice(0, 32))), 'stdout stays clean');

    const rows = await aesRows(printed, keys.join(','));
    const encrypted = rows.filter((row) => row['tplink_aes.ciphertext'].length > 0);
    assert.ok(encrypted.length >= 8, `${encrypted.length} securePassthrough messages`);
    assert.strictEqual(values(encrypted, 'tplink_aes.plaintext').length, encrypted.length, 'every one decrypted');
    assert.deepStrictEqual([...new Set(values(rows, 'tplink_aes.key_index'))], ['1', '2'], 'each key its own session');

    const methods = requestMethods(rows);
    assert.deepStrictEqual(methods.slice(0, 3), ['login_device', 'login_device', 'component_nego'], methods.join(', '));
    const smart = withField(rows, 'tplink_smart.type');
    assert.notStrictEqual(smart[1]['tplink_smart.error_code'][0], '0', 'the refused login v2, decrypted');
    const infoAt = smart.findIndex((row) => row['tplink_smart.type'][0] === '0' && row['tplink_smart.method'][0] === 'get_device_info');
    assert.ok(infoAt >= 0, methods.join(', '));
    const info = smart[infoAt + 1];
    assert.strictEqual(info['tplink_smart.type'][0], '1');
    assert.deepStrictEqual(info['tplink_smart.method'], ['get_device_info'], 'the reply, named from its request');
    assert.deepStrictEqual(info['tplink_smart.device_id'], [printed.seen.deviceId]);
    assert.deepStrictEqual(info['tplink_smart.nickname'], [printed.seen.nickname], 'decoded from base64');
    assert.deepStrictEqual(info['tplink_smart.device_on'], ['1']);
  });

  it('without the flag prints no key, and the dissector shows ciphertext and no SMART field', async () => {
    assert.strictEqual(silent.run.code, 0, silent.run.stderr);
    assert.deepStrictEqual(printedKeys(silent.run.stderr), []);
    assert.strictEqual(silent.run.stderr, '');
    const rows = await aesRows(silent);
    assert.ok(values(rows, 'tplink_aes.ciphertext').length >= 6, 'the messages are there, encrypted');
    assert.deepStrictEqual(values(rows, 'tplink_aes.plaintext'), []);
    assert.deepStrictEqual(values(rows, 'tplink_smart.method'), []);
    assert.deepStrictEqual(values(rows, 'tplink_smart.nickname'), []);
  });

  it('decrypts only the sessions whose key it is given', async () => {
    const [refusedSession, dumpSession] = printedKeys(printed.run.stderr);
    assert.deepStrictEqual(requestMethods(await aesRows(printed, refusedSession)), ['login_device'], 'the refused login alone');
    const elsewhere = await aesRows(silent, dumpSession);
    assert.deepStrictEqual(values(elsewhere, 'tplink_aes.plaintext'), [], 'another run\'s sessions stay encrypted');
    assert.ok(values(elsewhere, '_ws.expert.message').includes('None of the configured keys decrypts this'));
  });
});
