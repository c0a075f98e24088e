/**
 * tplink-smartplug on SMART devices (issue 17, item 6): with an account and
 * no transport named it finds KLAP or AES by itself; -c on/off/info/energy,
 * -o for a strip's outlets (through control_child), -j with a SMART
 * request; classic-only commands refused with what works; a wrong password
 * exits 5 without showing it. One run is a real child process, the rest
 * run in-process (the same main()) for speed.
 */
import { strict as assert } from 'assert';
import { startDevice } from '../../lib/simulator';
import { startSmartDevice, type RunningSmartDevice } from '../../lib/simulator/smart/server';
import { runCli } from './support/run-cli';
import { smartplugHere, type InProcessResult } from './support/in-process';

const ACCOUNT = { username: 'owner@example.com', password: 'Plug pass 3' };

describe('tplink-smartplug on SMART devices (Tapo, newer Kasa firmware)', function () {
  const running: RunningSmartDevice[] = [];
  afterEach(async function () {
    for (const sim of running.splice(0)) await sim.close();
  });

  async function start(model: string, options: { on?: boolean; nickname?: string } = {}): Promise<RunningSmartDevice> {
    const sim = await startSmartDevice({ model, seed: `cli-smart-${model}`, ...ACCOUNT, ...options });
    running.push(sim);
    return sim;
  }

  const here = (sim: RunningSmartDevice, ...args: string[]): Promise<InProcessResult> =>
    smartplugHere(['-t', sim.host, '-p', String(sim.port), '--username', ACCOUNT.username, '--password', ACCOUNT.password, '-T', '3', ...args]);

  it('switches a P110 (KLAP) found automatically, in a process of its own, and prints the SMART exchange', async function () {
    const sim = await start('P110', { on: true });
    const off = await runCli('tplink-smartplug', ['-t', sim.host, '-p', String(sim.port), '--username', ACCOUNT.username, '--password', ACCOUNT.password, '-c', 'off']);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(sim.device.main.on, false);
    assert.match(off.stdout, /^Sent: {6}\{"method":"set_device_info","params":\{"device_on":false\}.*\nReceived: {2}\{"error_code":0/);
    assert.doesNotMatch(off.stdout + off.stderr, /Plug pass 3/);
  });

  for (const [model, transport] of [['P110', 'KLAP'], ['P100', 'AES']] as const) {
    it(`${model} over ${transport}: -c on, info (get_device_info), energy where it meters`, async function () {
      const sim = await start(model, { on: false, nickname: 'Kaffee' });
      const on = await here(sim, '-c', 'on', '-q');
      assert.equal(on.code, 0, on.stderr);
      assert.equal(sim.device.main.on, true);
      const info = await here(sim, '-c', 'info', '-q');
      assert.equal(info.code, 0, info.stderr);
      const reply = JSON.parse(info.stdout) as { error_code: number; result: { model: string; nickname: string; device_on: boolean } };
      assert.deepEqual([reply.error_code, reply.result.model, reply.result.device_on], [0, model, true]);
      assert.equal(Buffer.from(reply.result.nickname, 'base64').toString(), 'Kaffee', 'printed as the device sent it');
      const energy = await here(sim, '-c', 'energy', '-q');
      if (model === 'P110') {
        assert.equal(energy.code, 0, energy.stderr);
        assert.match(energy.stdout, /"current_power"|"power_mw"|"energy_wh"/);
      } else {
        assert.equal(energy.code, 2, 'a P100 has no meter: refused before sending');
        assert.match(energy.stderr, /no energy meter/);
      }
    });
  }

  it('-o switches one outlet of a P300 through control_child; -j reads one outlet', async function () {
    const sim = await start('P300', { on: true });
    const off = await here(sim, '-o', '1', '-c', 'off');
    assert.equal(off.code, 0, off.stderr);
    assert.deepEqual(sim.device.children.map((c) => c.on), [true, false, true]);
    const read = await here(sim, '-o', '1', '-j', '{"method":"get_device_info"}', '-q');
    assert.equal(read.code, 0, read.stderr);
    const reply = JSON.parse(read.stdout) as { result: { device_id: string; device_on: boolean } };
    assert.deepEqual([reply.result.device_id, reply.result.device_on], [sim.device.children[1]?.id, false]);
    const missing = await here(sim, '-o', '7', '-c', 'on');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no outlet '7'/);
  });

  it('KS240: --brightness with -o 0 (the fan) is refused before sending, naming the dimmer; -o 1 and the whole switch dim the dimmer; -o 0 with a fade switches no light', async function () {
    const sim = await start('KS240', { on: true });
    const [fan, dimmer] = sim.device.children;
    const fanDimmed = await here(sim, '-v', '-o', '0', '--brightness', '40');
    assert.equal(fanDimmed.code, 2, fanDimmed.stderr);
    assert.match(fanDimmed.stderr, /outlet 0 .* has no brightness: outlet 1 .* is the one that dims/);
    assert.doesNotMatch(fanDimmed.stderr, /set_device_info/, 'nothing set');
    assert.equal(sim.device.light?.brightness, 100);
    assert.match((await here(sim, '-v', '-o', '1', '--brightness', '30')).stderr, /set_device_info/);
    assert.deepEqual([fan.on, dimmer.on, sim.device.light?.brightness], [true, true, 30]);
    assert.equal((await here(sim, '--brightness', '20')).code, 0);
    assert.equal(sim.device.light?.brightness, 20);
    const fanFaded = await here(sim, '-o', '0', '-c', 'off', '--transition', '500');
    assert.equal(fanFaded.code, 2, 'the fan takes no transition');
    assert.deepEqual([fan.on, dimmer.on], [true, true]);
    assert.equal((await here(sim, '-o', '1', '-c', 'off', '--transition', '500')).code, 0);
    assert.deepEqual([fan.on, dimmer.on], [true, false]);
  });

  it('-j sends a SMART request as written and exits 1 on a non-zero error_code', async function () {
    const sim = await start('P110', { on: true });
    const set = await here(sim, '-j', '{"method":"set_device_info","params":{"device_on":false}}');
    assert.equal(set.code, 0, set.stderr);
    assert.equal(sim.device.main.on, false);
    const unknown = await here(sim, '-j', '{"method":"no_such_method"}', '-q');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stdout, /"error_code":-1002/);
    assert.match(unknown.stderr, /no_such_method failed with error_code -1002/);
  });

  it('refuses classic requests on a SMART device, saying what it takes (exit 2, nothing sent)', async function () {
    const sim = await start('P110', { on: true });
    for (const args of [['-c', 'reboot', '--yes'], ['-j', '{"system":{"get_sysinfo":{}}}']]) {
      const result = await here(sim, ...args);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, /SMART devices \(Tapo, newer Kasa firmware\) take -c on, off, info or energy/);
    }
    assert.equal(sim.device.main.on, true);
  });

  it('--aes and --klap name the transport; a wrong password exits 5 without showing either password', async function () {
    const p100 = await start('P100', { on: false });
    const named = await smartplugHere(['-t', p100.host, '-p', String(p100.port), '--aes', '--username', ACCOUNT.username, '--password', ACCOUNT.password, '-c', 'on', '-q']);
    assert.equal(named.code, 0, named.stderr);
    assert.equal(p100.device.main.on, true);
    const p110 = await start('P110');
    const wrong = await smartplugHere(['-t', p110.host, '-p', String(p110.port), '--klap', '--username', ACCOUNT.username, '--password', 'Not it 4', '-c', 'info', '-T', '3']);
    assert.equal(wrong.code, 5, wrong.stderr);
    assert.doesNotMatch(wrong.stdout + wrong.stderr, /Not it 4|Plug pass 3/);
  });

  it('KASA_USERNAME and KASA_PASSWORD serve --klap and --aes', async function () {
    const sim = await start('P110', { on: false });
    const result = await smartplugHere(['-t', sim.host, '-p', String(sim.port), '--klap', '-c', 'on', '-q'], { KASA_USERNAME: ACCOUNT.username, KASA_PASSWORD: ACCOUNT.password });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(sim.device.main.on, true);
  });

  it('a request as written to one outlet prints its exchange once, on a classic HS300 too', async function () {
    const hs300 = await startDevice({ model: 'HS300', seed: 'cli-smart-hs300' });
    try {
      const result = await smartplugHere(['-t', hs300.host, '-p', String(hs300.port), '-o', '1', '-c', 'info']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.match(/^Sent:/gm)?.length, 1, result.stdout);
    } finally {
      await hs300.close();
    }
  });
});
