import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { MODEL_NAMES } from '../../lib/simulator/models';
import { runnable } from '../support/repo';
import { startSimulatorCli, stopSimulatorCli } from '../support/simulator-cli';
import { tcpRequest } from './wire';
import { SmartHomeClient } from '../../lib/classic/client';

function address(line: string): { host: string; port: number } {
  const match = /(\d+\.\d+\.\d+\.\d+):(\d+)/.exec(line);
  assert.ok(match, line);
  return { host: match[1], port: Number(match[2]) };
}

const CLI = runnable('lib/cli/tplink-simulator');

describe('tplink-simulator CLI', function () {
  this.timeout(20_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tplink-sim-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a line per device, serves them, exits 0 on SIGTERM', async () => {
    const { child, lines } = await startSimulatorCli(['--model', 'HS300', '--port', '0', '--alias', 'Strip'], 1);
    assert.match(lines[0], /^HS300\(US\) hw 1\.0 127\.0\.0\.1:\d+ "Strip" [0-9A-F]{40}$/);
    const { host, port } = address(lines[0]);
    const reply = await tcpRequest(host, port, { system: { get_sysinfo: {} } });
    assert.equal((reply.system as Record<string, Record<string, unknown>>).get_sysinfo.alias, 'Strip');
    assert.equal(await stopSimulatorCli(child, 'SIGTERM'), 0);
  });

  it('--count runs a fleet on consecutive loopback addresses, one port; SIGINT stops it', async () => {
    const { child, lines } = await startSimulatorCli(['--count', '3', '--layout', 'hosts', '--host', '127.0.1.10', '--port', '0', '--fault', 'slow:10'], 3);
    const addresses = lines.map(address);
    assert.deepEqual(addresses.map((a) => a.host), ['127.0.1.10', '127.0.1.11', '127.0.1.12']);
    assert.equal(new Set(addresses.map((a) => a.port)).size, 1);
    await tcpRequest(addresses[2].host, addresses[2].port, { system: { get_sysinfo: {} } });
    assert.equal(await stopSimulatorCli(child, 'SIGINT'), 0);
  });

  it('reads a fleet file', async () => {
    const file = path.join(dir, 'fleet.json');
    writeFileSync(file, JSON.stringify([{ model: 'LB130', port: 0, alias: 'Bulb' }, { model: 'KP115', port: 0, count: 2 }]));
    const { child, lines } = await startSimulatorCli(['--fleet', file], 3);
    assert.match(lines[0], /^LB130\(US\) .* "Bulb"/);
    assert.match(lines[1], /^KP115\(US\) /);
    assert.match(lines[2], /^KP115\(US\) /);
    assert.equal(await stopSimulatorCli(child, 'SIGTERM'), 0);
  });

  it('starts a TDDP responder with --tddp', async () => {
    const { child, lines } = await startSimulatorCli(['--port', '0', '--tddp', '--tddp-port', '0'], 2);
    assert.match(lines[1], /^TDDP responder 127\.0\.0\.1:\d+$/);
    assert.equal(await stopSimulatorCli(child, 'SIGTERM'), 0);
  });

  it('--help lists every model, grouped by kind', async () => {
    const help = spawn(process.execPath, [CLI, '--help'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    help.stdout?.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    assert.equal(await new Promise((r) => help.on('exit', r)), 0);
    for (const name of MODEL_NAMES) assert.match(out, new RegExp(`[ ,]${name}(,|\n)`), name);
    assert.match(out, /light strips: +KL400L5, KL430\n/);
  });

  it('--hostile runs one hostile device: a client refuses what it sends, and an unknown mode is a usage error', async () => {
    const { child, lines } = await startSimulatorCli(['--hostile', 'children-not-array', '--port', '0'], 1);
    assert.match(lines[0], /^hostile children-not-array 127\.0\.0\.1:\d+ "Hostile children-not-array" [0-9A-F]{40}$/);
    const { host, port } = address(lines[0]);
    const client = new SmartHomeClient({ host, port, timeout: 2000 });
    await assert.rejects(client.getSysInfo(), /system\.get_sysinfo\.children should be an array, got "x"/);
    await client.close();
    assert.equal(await stopSimulatorCli(child, 'SIGTERM'), 0);
    const usage = spawn(process.execPath, [CLI, '--hostile', 'friendly'], { stdio: 'ignore' });
    assert.equal(await new Promise((r) => usage.on('exit', r)), 2);
  });

  it('--model KL430 serves a light strip', async () => {
    const { child, lines } = await startSimulatorCli(['--model', 'KL430', '--port', '0'], 1);
    assert.match(lines[0], /^KL430\(US\) hw 2\.0 127\.0\.0\.1:\d+ /);
    const { host, port } = address(lines[0]);
    const reply = await tcpRequest(host, port, { 'smartlife.iot.lightStrip': { set_light_state: { on_off: 0 } }, system: { get_sysinfo: {} } });
    assert.equal((reply['smartlife.iot.lightStrip'] as Record<string, Record<string, unknown>>).set_light_state.on_off, 0);
    assert.equal((reply.system as Record<string, Record<string, unknown>>).get_sysinfo.length, 16);
    assert.equal(await stopSimulatorCli(child, 'SIGTERM'), 0);
  });

  it('exits 2 on usage errors and 1 when the port is taken', async () => {
    const usage = spawn(process.execPath, [CLI, '--model', 'HS999'], { stdio: 'ignore' });
    assert.equal(await new Promise((r) => usage.on('exit', r)), 2);
    const { child, lines } = await startSimulatorCli(['--port', '0'], 1);
    const { port } = address(lines[0]);
    const clash = spawn(process.execPath, [CLI, '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    clash.stderr?.on('data', (c: Buffer) => { err += c.toString(); });
    assert.equal(await new Promise((r) => clash.on('exit', r)), 1);
    assert.match(err, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.equal(await stopSimulatorCli(child, 'SIGTERM'), 0);
  });
});
