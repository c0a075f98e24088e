/**
 * Cross-test with a client no one here wrote: tp-link-tapo-connect (npm,
 * ISC) logs in to our simulated P100 over AES and P110 over KLAP, reads,
 * switches and meters them, and lists the P300's outlets; a wrong password
 * is refused. It runs in a child process (see support/tapo-connect-peer.ts
 * for why it needs --security-revert there).
 */
import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import { startSmartDevice, type RunningSmartDevice } from '../../lib/simulator/smart/server';
import { runnable } from '../support/repo';

const USER = { username: 'owner@example.com', password: 'Correct horse 42' };
const PEER = runnable('test/smart/support/tapo-connect-peer');

interface PeerResult {
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** Runs the peer to completion (bounded) and returns its one JSON line. */
function peer(args: string[]): Promise<PeerResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_PROXY: '*', no_proxy: '*' };
  for (const name of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy']) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--security-revert=CVE-2023-46809', PEER, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as PeerResult);
      } catch {
        reject(new Error(`peer exited ${code} without a result: ${out} ${err}`));
      }
    });
  });
}

describe('tp-link-tapo-connect against the simulated SMART devices', function () {
  this.timeout(30_000);
  let running: RunningSmartDevice | undefined;
  const start = async (model: string): Promise<string> => {
    running = await startSmartDevice({ model, ...USER, seed: 'cross' });
    return `127.0.0.1:${running.port}`;
  };
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('reads and switches a P100 over AES (after finding no KLAP)', async () => {
    const address = await start('P100');
    const seen = await peer(['switch', USER.username, USER.password, address]);
    assert.deepEqual(seen, { ok: true, result: { before: true, off: false, on: true, nickname: 'Simulated P100', model: 'P100' } });
    assert.equal(running?.device.main.on, true);
    assert.ok((running?.stats.requests ?? 0) >= 5);
  });

  it('reads, switches and meters a P110 over KLAP', async () => {
    const address = await start('P110');
    const switched = await peer(['switch', USER.username, USER.password, address]);
    assert.deepEqual(switched.result, { before: true, off: false, on: true, nickname: 'Simulated P110', model: 'P110' });
    const energy = await peer(['energy', USER.username, USER.password, address]);
    assert.ok(energy.ok, energy.error);
    const usage = energy.result as { current_power: number; today_energy: number; month_energy: number };
    assert.ok(usage.current_power > 1000, `current_power ${usage.current_power} mW`);
    assert.equal(typeof usage.today_energy, 'number');
    assert.equal(running?.stats.handshakes, 2, 'one KLAP session per login');
  });

  it('lists the P300\'s outlets and switches one', async () => {
    const address = await start('P300');
    const second = running?.device.children[1]?.id as string;
    const seen = await peer(['outlets', USER.username, USER.password, address, second]);
    assert.ok(seen.ok, seen.error);
    assert.deepEqual(seen.result, [
      { id: running?.device.children[0]?.id, nickname: 'Outlet 1', on: true },
      { id: second, nickname: 'Outlet 2', on: false },
      { id: running?.device.children[2]?.id, nickname: 'Outlet 3', on: true },
    ]);
  });

  for (const model of ['P100', 'P110']) {
    it(`is refused with a wrong password by the ${model}`, async () => {
      const address = await start(model);
      const seen = await peer(['login', USER.username, 'wrong password', address]);
      assert.equal(seen.ok, false);
      // P100: the AES login answers -1501. P110: the KLAP hashes do not match, and its AES fallback gets 1003.
      assert.match(seen.error ?? '', model === 'P100' ? /Invalid credentials/ : /KLAP protocol/);
      assert.equal(running?.stats.requests, 0);
    });
  }
});
