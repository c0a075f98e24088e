/**
 * The command lines around dumps, run as a user would: tplink-smartplug
 * --dump against simulated classic and SMART devices (the file scrubbed,
 * usage mistakes refused before anything is sent), tplink-simulator
 * --fixture serving a dump, and a fleet file mixing models and dumps.
 */
import { strict as assert } from 'assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { parseDump } from '../../lib/dump';
import { startDevice } from '../../lib/simulator/device-server';
import { startSmartDevice } from '../../lib/simulator/smart/server';
import { SmartClient } from '../../lib/smart/client';
import { smartplugHere } from '../cli/support/in-process';
import { repoRoot } from '../support/repo';
import { CLOSED_PORT } from '../support/ports';
import { startSimulatorCli, stopSimulatorCli } from '../support/simulator-cli';
import { tcpRequest } from '../simulator/wire';

const FIXTURES = path.join(repoRoot(), 'test', 'fixtures', 'devices');

function portOf(line: string): number {
  const match = /127\.0\.0\.1:(\d+)/.exec(line);
  assert.ok(match, line);
  return Number(match[1]);
}

describe('tplink-smartplug --dump and tplink-simulator --fixture', function () {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kasa-dump-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--dump writes a scrubbed dump of a classic strip and says what it replaced', async function () {
    const device = await startDevice({ model: 'HS300', seed: 'cli-dump', alias: 'Living Room Strip' });
    const file = path.join(dir, 'hs300.json');
    try {
      const result = await smartplugHere(['-t', device.host, '-p', String(device.port), '--dump', file]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^Wrote .*hs300\.json: HS300\(US\) hw 1\.0 .* a strip \(classic over tcp\), \d+ answers/);
      assert.match(result.stdout, /Replaced by fakes: .*alias \(7\).*deviceId \(1\)/);
    } finally {
      await device.close();
    }
    const text = readFileSync(file, 'utf8');
    const dump = parseDump(text);
    assert.equal(dump.kind, 'strip');
    assert.ok(!text.includes('Living Room Strip') && !text.includes(device.deviceId) && !text.includes(device.device.identity.mac));
  });

  it('--dump --klap reads a SMART device over KLAP, and --aes one over AES, with the account given', async function () {
    await Promise.all(['P110', 'P100'].map(async (model) => {
      const device = await startSmartDevice({ model, seed: 'cli-dump', username: 'me@example.com', password: 'secret' });
      const file = path.join(dir, `${model}.json`);
      try {
        const result = await smartplugHere([
          '-t', device.host, '-p', String(device.port), device.transport === 'aes' ? '--aes' : '--klap', '--username', 'me@example.com', '--password', 'secret', '--dump', file, '-q',
        ]);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, `${file}\n`);
      } finally {
        await device.close();
      }
      const dump = parseDump(readFileSync(file, 'utf8'));
      assert.deepEqual([dump.family, dump.transport, dump.model], ['smart', device.transport, model]);
    }));
  });

  it('refuses --dump with a command, --wifi-scan without --dump, and exits 3 when nothing answers', async function () {
    const withCommand = await smartplugHere(['-t', '127.0.0.1', '--dump', path.join(dir, 'x.json'), '-c', 'on']);
    assert.equal(withCommand.code, 2);
    assert.match(withCommand.stderr, /--dump asks the whole device its own questions: it cannot be used with -c/);
    const scanAlone = await smartplugHere(['-t', '127.0.0.1', '--wifi-scan']);
    assert.equal(scanAlone.code, 2);
    assert.match(scanAlone.stderr, /--wifi-scan goes with --dump/);
    const port = CLOSED_PORT;
    const nobody = await smartplugHere(['-t', '127.0.0.1', '-p', String(port), '--dump', path.join(dir, 'none.json'), '-T', '1']);
    assert.equal(nobody.code, 3, nobody.stderr);
    assert.throws(() => readFileSync(path.join(dir, 'none.json')));
  });

  it('--fixture serves a classic dump on TCP, changing as the device would', async function () {
    const { child, lines } = await startSimulatorCli(['--fixture', path.join(FIXTURES, 'sim-HS110.json'), '--port', '0'], 1);
    try {
      assert.match(lines[0], /^HS110\(EU\) hw 1\.0 \(classic dump of 2026-01-15T09:30:00\.000Z\) 127\.0\.0\.1:\d+ TCP\/UDP$/);
      const port = portOf(lines[0]);
      await tcpRequest('127.0.0.1', port, { system: { set_relay_state: { state: 0 } } });
      const reply = await tcpRequest('127.0.0.1', port, { system: { get_sysinfo: {} } });
      const sysinfo = (reply.system as { get_sysinfo: { relay_state: number; alias: string } }).get_sysinfo;
      assert.deepEqual([sysinfo.relay_state, sysinfo.alias], [0, 'Alias 1']);
    } finally {
      assert.equal(await stopSimulatorCli(child), 0);
    }
  });

  it('--fleet serves model entries and dump entries side by side', async function () {
    const file = path.join(dir, 'fleet.json');
    writeFileSync(file, JSON.stringify([
      { model: 'HS100', port: 0 },
      { fixture: path.relative(dir, path.join(FIXTURES, 'sim-KL130.json')), port: 0 },
      { fixture: path.join(FIXTURES, 'sim-P110.json'), port: 0, username: 'fleet@example.com', password: 'pw' },
    ]));
    const { child, lines } = await startSimulatorCli(['--fleet', file], 3);
    try {
      assert.match(lines[0], /^HS100\(US\) /);
      assert.match(lines[1], /^KL130\(US\) .* TCP\/UDP$/);
      assert.match(lines[2], /^P110 .* KLAP v2, bound to fleet@example.com$/);
      const bulb = await tcpRequest('127.0.0.1', portOf(lines[1]), { system: { get_sysinfo: {} } });
      assert.equal((bulb.system as { get_sysinfo: { model: string } }).get_sysinfo.model, 'KL130(US)');
      const plug = new SmartClient({ host: '127.0.0.1', port: portOf(lines[2]), username: 'fleet@example.com', password: 'pw' });
      try {
        assert.equal((await plug.getDeviceInfo()).model, 'P110');
      } finally {
        await plug.close();
      }
    } finally {
      assert.equal(await stopSimulatorCli(child), 0);
    }
  });
});
