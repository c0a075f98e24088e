/**
 * tplink-smartplug on every kind against the simulator: -c on/off/info/energy
 * on bulbs, light strips, dimmers and switches; --brightness, --temperature,
 * --hsv and --transition on dimmers and lights, read back with -c info
 * (round trips), values a device cannot take refused before sending
 * (exit 2); -v prints every exchange to stderr. The tool runs in the test's
 * process (its main(), as the binary calls it): a child process per run
 * made these tests slower than their timeout on a loaded machine; the
 * binary itself is run in smartplug-commands.test.ts.
 */
import { strict as assert } from 'assert';
import { startDevice, type RunningDevice } from '../../lib/simulator';
import { smartplugHere, type InProcessResult } from './support/in-process';

describe('tplink-smartplug on every kind', function () {
  let running: RunningDevice | undefined;
  afterEach(async function () {
    await running?.close();
    running = undefined;
  });

  async function start(model: string, on = false): Promise<RunningDevice> {
    running = await startDevice({ model, seed: `cli-kinds-${model}`, on });
    return running;
  }

  const run = (device: RunningDevice, ...args: string[]): Promise<InProcessResult> =>
    smartplugHere(['-t', device.host, '-p', String(device.port), ...args]);

  /** on_off, color_temp and brightness of a light (and the other fields named): what a round trip compares. */
  const pick = (light: Record<string, number>, ...more: string[]): Record<string, number> =>
    Object.fromEntries(['on_off', 'color_temp', 'brightness', ...more].map((key) => [key, light[key]]));

  /** The light as -c info prints it: on while on, under dft_on_state while off. */
  async function lightShown(device: RunningDevice): Promise<Record<string, number>> {
    const info = await run(device, '-c', 'info', '-q');
    assert.equal(info.code, 0, info.stderr);
    const sysinfo = (JSON.parse(info.stdout) as { system: { get_sysinfo: { light_state: Record<string, number> & { dft_on_state?: Record<string, number> } } } })
      .system.get_sysinfo;
    const light = sysinfo.light_state;
    return light.on_off === 1 ? light : { on_off: 0, ...light.dft_on_state };
  }

  const lightOn = (device: RunningDevice): boolean => (device.device.light ? device.device.light.on_off === 1 : device.device.main.isOn);

  for (const model of ['LB130', 'KL110', 'KL430', 'KL400L5', 'HS220', 'KS230', 'HS210']) {
    it(`${model}: -c on, -c off, -c info`, async function () {
      const device = await start(model);
      const on = await run(device, '-c', 'on');
      assert.equal(on.code, 0, on.stderr);
      assert.equal(lightOn(device), true);
      const off = await run(device, '-c', 'off', '-q');
      assert.equal(off.code, 0, off.stderr);
      assert.equal(lightOn(device), false);
      const info = await run(device, '-c', 'info', '-q');
      assert.equal(info.code, 0, info.stderr);
      assert.match(info.stdout, new RegExp(`"model":"${model}`));
    });
  }

  it('-c on prints the request the kind takes: a light strip\'s set_light_state', async function () {
    const device = await start('KL430');
    const result = await run(device, '-c', 'on');
    assert.match(result.stdout, /^Sent: {6}\{"smartlife\.iot\.lightStrip":\{"set_light_state":\{"on_off":1,"ignore_default":0\}\}\}\nReceived: {2}\{"smartlife\.iot\.lightStrip":\{"set_light_state":\{"on_off":1,/);
  });

  it('-c energy on a bulb reads smartlife.iot.common.emeter; on a whole HS300 every outlet', async function () {
    const bulb = await start('KL130', true);
    const result = await run(bulb, '-c', 'energy', '-q');
    assert.equal(result.code, 0, result.stderr);
    const reply = JSON.parse(result.stdout) as { 'smartlife.iot.common.emeter': { get_realtime: { power_mw: number } } };
    assert.ok(reply['smartlife.iot.common.emeter'].get_realtime.power_mw > 0);
    await bulb.close();
    const strip = await start('HS300', true);
    const whole = await run(strip, '-c', 'energy', '-q');
    assert.equal(whole.code, 0, whole.stderr);
    assert.equal(whole.stdout.trim().split('\n').length, 6);
  });

  it('--brightness on a dimmer sets the level and switches it on; with --transition it fades', async function () {
    const device = await start('HS220');
    const result = await run(device, '--brightness', '40');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(device.device.brightness, 40);
    assert.equal(device.device.main.isOn, true);
    const fade = await run(device, '--brightness', '70', '--transition', '1500', '-q');
    assert.equal(fade.code, 0, fade.stderr);
    assert.equal(device.device.brightness, 70);
    const info = await run(device, '-c', 'info', '-q');
    assert.equal((JSON.parse(info.stdout) as { system: { get_sysinfo: { brightness: number } } }).system.get_sysinfo.brightness, 70);
    const off = await run(device, '-c', 'off', '--brightness', '10');
    assert.equal(off.code, 2);
    assert.match(off.stderr, /--brightness switches a dimmer on: it cannot go with -c off/);
    assert.equal(device.device.main.isOn, true);
    assert.match(await run(device, '--temperature', '3000').then((r) => `${r.code} ${r.stderr}`), /^2 tplink-smartplug: error: .*HS220\(US\) \(a dimmer\) takes no colour or colour temperature/);
  });

  it('--temperature, --hsv and --transition on colour lights; out of the model\'s range is refused before sending', async function () {
    const bulb = await start('LB130');
    const white = await run(bulb, '--temperature', '3000', '--brightness', '20');
    assert.equal(white.code, 0, white.stderr);
    assert.equal(bulb.device.light?.color_temp, 3000);
    assert.equal(bulb.device.light?.brightness, 20);
    assert.equal(bulb.device.light?.on_off, 1);
    assert.deepEqual(pick(await lightShown(bulb)), { on_off: 1, color_temp: 3000, brightness: 20 });
    const colour = await run(bulb, '--hsv', '240,100,50', '--transition', '800');
    assert.equal(colour.code, 0, colour.stderr);
    assert.deepEqual([bulb.device.light?.hue, bulb.device.light?.saturation, bulb.device.light?.brightness], [240, 100, 50]);
    assert.match(colour.stdout, /"transition_period":800/);
    assert.deepEqual(pick(await lightShown(bulb), 'hue', 'saturation'), { on_off: 1, color_temp: 0, brightness: 50, hue: 240, saturation: 100 });
    const off = await run(bulb, '-c', 'off', '--transition', '500');
    assert.equal(off.code, 0, off.stderr);
    assert.equal(bulb.device.light?.on_off, 0);
    assert.deepEqual(pick(await lightShown(bulb), 'hue'), { on_off: 0, color_temp: 0, brightness: 50, hue: 240 }, 'off, it keeps the colour');
    await bulb.close();
    const kl125 = await start('KL125');
    const tooCold = await run(kl125, '--temperature', '9000');
    assert.equal(tooCold.code, 2);
    assert.match(tooCold.stderr, /colour temperature must be a whole number from 2500 to 6500, got 9000/);
    assert.equal(tooCold.stdout, '');
  });

  it('--hsv, --temperature and --brightness on a light strip through smartlife.iot.lightStrip, read back with -c info', async function () {
    const strip = await start('KL430', true);
    const colour = await run(strip, '--hsv', '120,90,30', '-q');
    assert.equal(colour.code, 0, colour.stderr);
    assert.match(colour.stdout, /^\{"smartlife\.iot\.lightStrip":\{"set_light_state":\{/);
    assert.deepEqual(pick(await lightShown(strip), 'hue', 'saturation'), { on_off: 1, color_temp: 0, brightness: 30, hue: 120, saturation: 90 });
    assert.equal((await run(strip, '--temperature', '6000', '--brightness', '80')).code, 0);
    assert.deepEqual(pick(await lightShown(strip)), { on_off: 1, color_temp: 6000, brightness: 80 });
    assert.equal((await run(strip, '--temperature', '9500')).code, 2, 'the KL430 whites end at 9000 K');
    assert.deepEqual(pick(await lightShown(strip)), { on_off: 1, color_temp: 6000, brightness: 80 });
  });

  it('--hsv on a white bulb and --brightness on a plug are refused with exit 2', async function () {
    const white = await start('LB100');
    assert.equal((await run(white, '--hsv', '10,10,10')).code, 2);
    await white.close();
    const plug = await start('HS100');
    const result = await run(plug, '--brightness', '50');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /HS100\(US\) \(a plug\) takes no brightness/);
  });

  it('-v prints every request and reply to stderr, the read first; stdout keeps the command\'s exchange', async function () {
    const device = await start('KL110');
    const result = await run(device, '-c', 'on', '-v');
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0], new RegExp(`^-> 127\\.0\\.0\\.1:${device.port} tcp #1 \\{"system":\\{"get_sysinfo":\\{\\}\\}\\}$`));
    assert.match(lines[1], /^<- .* #1 \{"system":\{"get_sysinfo":\{.*\}\}\} \(\d+\.\d ms\)$/);
    assert.match(lines[2], /^-> .* #2 \{"smartlife\.iot\.smartbulb\.lightingservice":/);
    assert.match(lines[3], /^<- .* #2 /);
    assert.match(result.stdout, /^Sent: {6}\{"smartlife\.iot\.smartbulb\.lightingservice":\{"transition_light_state":\{"on_off":1,"ignore_default":0\}\}\}\nReceived: {2}/);
  });

  it('light flags go alone or with -c on / -c off, to one device', async function () {
    for (const args of [['--brightness', '50', '-c', 'energy'], ['--brightness', '101'], ['--hsv', '1,2'], ['--hsv', '1,2,3', '--temperature', '3000'], ['--transition', '-1']]) {
      const result = await smartplugHere(['-t', '127.0.0.1', ...args]);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, /^tplink-smartplug: error: .*\nusage: /);
    }
  });
});
