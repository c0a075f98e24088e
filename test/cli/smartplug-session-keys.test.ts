/**
 * tplink-smartplug --print-session-keys, in-process against simulated SMART
 * devices: off by default (no key anywhere in what the tool prints or
 * writes, learned through a key log of the test's own around the run),
 * each AES session's key and IV in the form of Wireshark's tplink_aes.keys
 * preference when asked, nothing for KLAP, and documented in --help.
 * test/wireshark/aes-session-keys.test.ts decrypts a capture with it.
 */
import { strict as assert } from 'assert';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { parseCommandLine } from '../../lib/cli/smartplug-options';
import { startSmartDevice, type RunningSmartDevice } from '../../lib/simulator/smart/server';
import { withAesSessionKeyLog } from '../../lib/smart/aes/session-key-log';
import type { AesSessionKeys } from '../../lib/smart/aes/transport';
import { smartplugHere, type InProcessResult } from './support/in-process';

const ACCOUNT = ['--username', 'me@example.com', '--password', 'secret'];
const KEY_LINE = /^tplink-smartplug: AES session 127\.0\.0\.1:(\d+) TP_SESSIONID=(\w+): tplink_aes\.keys:([0-9a-f]{32}):([0-9a-f]{32})$/;

describe('tplink-smartplug --print-session-keys', function () {
  let dir: string;
  const devices: RunningSmartDevice[] = [];
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kasa-aeskey-'));
  });
  afterEach(async () => {
    await Promise.all(devices.splice(0).map((d) => d.close()));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const device = async (model: 'P100' | 'P110'): Promise<RunningSmartDevice> => {
    const started = await startSmartDevice({ model, seed: 'cli-aeskey', username: 'me@example.com', password: 'secret' });
    devices.push(started);
    return started;
  };
  const dump = (target: RunningSmartDevice, file: string, extra: string[] = []): Promise<InProcessResult> => smartplugHere([
    '-t', target.host, '-p', String(target.port), target.transport === 'aes' ? '--aes' : '--klap', ...ACCOUNT, '--dump', path.join(dir, file), '-q', ...extra,
  ]);

  it('is off by default: an AES dump prints no key, and the session key is nowhere in stdout, stderr or the file', async () => {
    const parsed = parseCommandLine(['-t', 'h']);
    assert.ok(!parsed.help && parsed.options.printSessionKeys === false);
    const p100 = await device('P100');
    const sessions: AesSessionKeys[] = [];
    const result = await withAesSessionKeyLog((keys) => sessions.push(keys), () => dump(p100, 'off.json'));
    assert.equal(result.code, 0, result.stderr);
    // The P100 takes login v1: the session tried with v2 first is refused.
    assert.equal(sessions.length, 2, 'the run opened two AES sessions (seen through the test\'s own key log)');
    assert.equal(result.stderr, '');
    const written = [result.stdout, result.stderr, readFileSync(path.join(dir, 'off.json'), 'utf8')].join('\n').toLowerCase();
    for (const secret of sessions.flatMap((s) => [s.key, s.iv])) {
      for (const form of [secret.toString('hex'), secret.toString('base64').toLowerCase()]) assert.ok(!written.includes(form), form);
    }
    assert.doesNotMatch(written, /tplink_aes\.keys/);
  });

  it('prints each AES session\'s key and IV to stderr as tplink_aes.keys:KEY:IV, after a warning, stdout untouched', async () => {
    const p100 = await device('P100');
    const result = await dump(p100, 'on.json', ['--print-session-keys']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${path.join(dir, 'on.json')}\n`);
    const [warning, ...lines] = result.stderr.trimEnd().split('\n');
    assert.match(warning, /^tplink-smartplug: warning: --print-session-keys: each key below decrypts its whole AES session, the login included: keep it private$/);
    // Login v2 refused (the P100 takes v1), then the session of the dump.
    assert.equal(lines.length, 2, result.stderr);
    const sessions = lines.map((line) => KEY_LINE.exec(line));
    for (const [i, match] of sessions.entries()) {
      assert.ok(match, lines[i]);
      assert.equal(Number(match[1]), p100.port);
      assert.notEqual(match[3], match[4]);
    }
    assert.notEqual(sessions[0]?.[2], sessions[1]?.[2], 'two sessions, two cookies');
    assert.notEqual(sessions[0]?.[3], sessions[1]?.[3], 'two sessions, two keys');
  });

  it('prints the keys of whichever command opens the session: -c info with --aes, and with the transport found by asking', async () => {
    const p100 = await device('P100');
    for (const transport of [['--aes'], []]) {
      const result = await smartplugHere(['-t', p100.host, '-p', String(p100.port), ...transport, ...ACCOUNT, '-c', 'info', '-q', '--print-session-keys']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /"nickname":/);
      const keyLines = result.stderr.split('\n').filter((line) => KEY_LINE.test(line));
      assert.ok(keyLines.length >= 1, `${transport.join(' ') || 'automatic'}: ${result.stderr}`);
    }
  });

  it('prints nothing for KLAP, which Wireshark decrypts from the account', async () => {
    const p110 = await device('P110');
    const result = await dump(p110, 'klap.json', ['--print-session-keys']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
  });

  it('--help documents it: the preference it prints, the warning, and KLAP', async () => {
    const help = (await smartplugHere(['--help'])).stdout;
    assert.match(help, /--print-session-keys\]/, 'in the usage line');
    const text = help.slice(help.indexOf('      --print-session-keys')).replace(/\s+/g, ' ').trim();
    assert.match(text, /^--print-session-keys debug: print each AES session's key and IV to stderr as tplink_aes\.keys:KEY:IV/);
    assert.match(text, /Anyone holding them can read that session, the login .* included: keep them private\./);
    assert.match(text, /KLAP prints nothing/);
  });
});
