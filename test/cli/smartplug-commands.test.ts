/**
 * Every predefined command of tplink-smartplug against simulated devices:
 * the exact JSON tplink_smartplug.py sends, the reply as the device gave it,
 * and the effect on the device.
 */
import { strict as assert } from 'assert';
import { smartplugHere } from './support/in-process';
import { runCli } from './support/run-cli';
import { SimulatedDevice, simulated, startScriptedDevice, type ScriptedDevice } from './support/scripted-device';

/** The original's `commands` table (plus the LED and reset commands), written out literally. */
const ORIGINAL_JSON: Record<string, string> = {
  info: '{"system":{"get_sysinfo":{}}}',
  on: '{"system":{"set_relay_state":{"state":1}}}',
  off: '{"system":{"set_relay_state":{"state":0}}}',
  ledoff: '{"system":{"set_led_off":{"off":1}}}',
  ledon: '{"system":{"set_led_off":{"off":0}}}',
  cloudinfo: '{"cnCloud":{"get_info":{}}}',
  wlanscan: '{"netif":{"get_scaninfo":{"refresh":0}}}',
  time: '{"time":{"get_time":{}}}',
  schedule: '{"schedule":{"get_rules":{}}}',
  countdown: '{"count_down":{"get_rules":{}}}',
  antitheft: '{"anti_theft":{"get_rules":{}}}',
  reboot: '{"system":{"reboot":{"delay":1}}}',
  reset: '{"system":{"reset":{"delay":1}}}',
  energy: '{"emeter":{"get_realtime":{}}}',
  // The library's builder sends {} where the command list shows null; devices accept both.
  energy_reset: '{"emeter":{"erase_emeter_stat":{}}}',
  runtime_reset: '{"schedule":{"erase_runtime_stat":null}}',
};

describe('tplink-smartplug predefined commands', function () {
  let device: SimulatedDevice;
  let peer: ScriptedDevice;
  // What the simulator answered, recorded so the printed reply can be compared with it.
  let answers: string[];

  beforeEach(async function () {
    device = new SimulatedDevice({ model: 'HS110', seed: 'cli-commands', on: false });
    answers = [];
    const answer = simulated(device);
    peer = await startScriptedDevice((request, via) => {
      const out = answer(request, via);
      if ('reply' in out) answers.push(JSON.stringify(out.reply));
      return out;
    });
  });

  afterEach(async function () {
    await peer.close();
  });

  /** What depends on the kind of device reads the device first (the original sent the plug's request blindly). */
  const READ_FIRST = new Set(['on', 'off', 'energy']);

  for (const [name, json] of Object.entries(ORIGINAL_JSON)) {
    const sent = READ_FIRST.has(name) ? [ORIGINAL_JSON.info, json] : [json];
    it(`-c ${name} sends ${sent.join(' then ')} and prints the command's reply like the original`, async function () {
      const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '-c', name, '--yes']);
      assert.equal(result.stderr, '');
      assert.equal(result.code, 0);
      assert.deepEqual(peer.requests.map((r) => [r.via, r.text]), sent.map((text) => ['tcp', text]));
      assert.equal(answers.length, sent.length);
      assert.equal(result.stdout, `Sent:      ${json}\nReceived:  ${answers[answers.length - 1]}\n`);
    });
  }

  it('sends info when neither -c nor -j is given', async function () {
    const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port)]);
    assert.equal(result.code, 0);
    assert.deepEqual(peer.requests.map((r) => r.text), [ORIGINAL_JSON.info]);
    const reply = JSON.parse(result.stdout.split('\n')[1].replace(/^Received: {2}/, '')) as { system: { get_sysinfo: { model: string } } };
    assert.equal(reply.system.get_sysinfo.model, 'HS110(EU)');
  });

  it('on, off, ledoff and ledon change the device', async function () {
    // In-process (main(), as the binary calls it): four child processes took this test near its timeout on a loaded machine.
    const run = async (command: string): Promise<void> => {
      const result = await smartplugHere(['-t', '127.0.0.1', '-p', String(peer.port), '-q', '-c', command]);
      assert.equal(result.code, 0, result.stderr);
    };
    const sysinfo = (): Record<string, unknown> =>
      (device.handle({ system: { get_sysinfo: {} } }) as { system: { get_sysinfo: Record<string, unknown> } }).system.get_sysinfo;
    await run('on');
    assert.equal(sysinfo().relay_state, 1);
    await run('off');
    assert.equal(sysinfo().relay_state, 0);
    await run('ledoff');
    assert.equal(sysinfo().led_off, 1);
    await run('ledon');
    assert.equal(sysinfo().led_off, 0);
  });
});
