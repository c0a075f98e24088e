/** Every simulated SMART model through SmartClient over its own transport, plus the simulator's faults and the CLI. */
import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import { runnable } from '../support/repo';
import { AuthenticationError, ConnectionError, ProtocolError } from '../../lib/errors';
import { SmartClient, SmartDeviceError, SmartParamsError, SmartUnknownMethodError } from '../../lib/smart';
import { startSmartDevice, type RunningSmartDevice, type StartSmartDeviceOptions } from '../../lib/simulator/smart/server';
import { smartModelNames } from '../../lib/simulator/smart/models';

const USER = { username: 'owner@example.com', password: 'Correct horse 42' };

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => assert.fail('should reject'), (error: unknown) => error);
}

describe('simulated SMART devices', () => {
  let running: RunningSmartDevice | undefined;
  let client: SmartClient | undefined;
  const start = async (options: StartSmartDeviceOptions): Promise<SmartClient> => {
    running = await startSmartDevice({ ...USER, seed: 'test', ...options });
    client = new SmartClient({ host: running.host, port: running.port, transport: running.transport, ...USER, timeout: 2000 });
    return client;
  };
  afterEach(async () => {
    await client?.close();
    await running?.close();
    client = running = undefined;
  });

  it('has the six models of the issue, and every other kind it names (switches, dimmers, bulbs, light strips, plugs, the EP40M)', () => {
    assert.deepEqual(smartModelNames().sort(), [
      'EP25', 'EP40M', 'HS200v5', 'HS220v3', 'KP125M', 'KS205', 'KS225', 'KS240', 'L510', 'L530', 'L900', 'L920', 'P100', 'P105', 'P110', 'P115', 'P135', 'P300', 'P304M',
    ]);
  });

  it('P100 over AES (login v1): device info, switching, components, no energy', async () => {
    const p100 = await start({ model: 'P100', nickname: 'Küche' });
    assert.equal(running?.transport, 'aes');
    const info = await p100.getDeviceInfo();
    assert.deepEqual([info.model, info.type, info.nickname, info.ssid, info.on], ['P100', 'SMART.TAPOPLUG', 'Küche', 'SimulatedWiFi', true]);
    await p100.setDeviceOn(false);
    assert.equal((await p100.getDeviceInfo()).on, false);
    const components = await p100.getComponents();
    assert.equal(components.get('device'), 1);
    assert.equal(components.has('energy_monitoring'), false);
    assert.ok(await rejection(p100.getEnergy()) instanceof SmartUnknownMethodError);
  });

  it('P110 over KLAP meters power, voltage and current, and nothing when off', async () => {
    const p110 = await start({ model: 'P110' });
    assert.equal(running?.transport, 'klap');
    const on = await p110.getEnergy();
    assert.ok(on.power > 50 && on.power < 150, String(on.power));
    assert.ok(on.voltage !== undefined && Math.abs(on.voltage - 230) < 5);
    assert.ok(on.current !== undefined && on.current > 0);
    assert.equal(typeof on.today_wh, 'number');
    await p110.setDeviceOn(false);
    assert.equal((await p110.getEnergy()).power, 0);
  });

  it('P300: three outlets listed over pages and switched through control_child, one batch inside', async () => {
    const p300 = await start({ model: 'P300', childPageSize: 2 });
    const parent = await p300.getDeviceInfo();
    assert.equal(parent.on, undefined, 'a strip has no relay of its own');
    const outlets = await p300.getChildren();
    assert.deepEqual(outlets.map((o) => [o.position, o.nickname, o.parentId]), [[1, 'Outlet 1', parent.deviceId], [2, 'Outlet 2', parent.deviceId], [3, 'Outlet 3', parent.deviceId]]);
    await p300.setDeviceOn(false, { childId: outlets[1].deviceId });
    const [first, second] = await p300.callMany([{ method: 'get_device_info' }, { method: 'component_nego' }], { childId: outlets[1].deviceId });
    assert.ok(first.ok && (first.result as { device_on: boolean }).device_on === false);
    assert.ok(second.ok);
    assert.equal((await p300.getChildComponents()).size, 3);
    assert.equal(running?.device.children.filter((c) => c.on).length, 2);
    assert.ok(await rejection(p300.setDeviceOn(true, { childId: 'NOT-AN-OUTLET' })) instanceof SmartParamsError);
  });

  it('P304M: four outlets, each metering its own power', async () => {
    const strip = await start({ model: 'P304M' });
    const outlets = await strip.getChildren();
    assert.equal(outlets.length, 4);
    await strip.setDeviceOn(false, { childId: outlets[0].deviceId });
    const readings = [];
    for (const outlet of outlets) readings.push(await strip.getEnergy({ childId: outlet.deviceId }));
    assert.equal(readings[0].power, 0);
    for (const reading of readings.slice(1)) assert.ok(reading.power >= 1, String(reading.power));
    assert.equal(readings[1].voltage, undefined, 'P304M outlets report no voltage');
    assert.ok(await rejection(strip.getEnergy()) instanceof SmartUnknownMethodError, 'the strip itself does not meter');
  });

  it('L530: brightness, colour temperature, hue and saturation, with ranges checked', async () => {
    const bulb = await start({ model: 'L530' });
    await bulb.setDeviceInfo({ brightness: 40, color_temp: 4000 });
    let info = await bulb.getDeviceInfo();
    assert.deepEqual([info.brightness, info.colorTemp, info.colorTempRange], [40, 4000, [2500, 6500]]);
    await bulb.setDeviceInfo({ hue: 120, saturation: 80 });
    info = await bulb.getDeviceInfo();
    assert.deepEqual([info.hue, info.saturation, info.colorTemp], [120, 80, 0]);
    assert.ok(await rejection(bulb.setDeviceInfo({ brightness: 101 })) instanceof SmartParamsError);
    assert.ok(await rejection(bulb.setDeviceInfo({ color_temp: 9000 })) instanceof SmartParamsError);
  });

  it('KP125M over AES with login v2 meters without voltage', async () => {
    const plug = await start({ model: 'KP125M' });
    assert.deepEqual([running?.transport, running?.loginVersion], ['aes', 2]);
    const reading = await plug.getEnergy();
    assert.ok(reading.power > 0);
    assert.equal(reading.voltage, undefined);
  });

  for (const model of ['P100', 'P110']) {
    it(`${model} refuses a wrong password with an AuthenticationError`, async () => {
      running = await startSmartDevice({ model, ...USER });
      client = new SmartClient({ host: running.host, port: running.port, transport: running.transport, username: USER.username, password: 'wrong', timeout: 3000 });
      const error = await rejection(client.getDeviceInfo());
      assert.ok(error instanceof AuthenticationError, String(error));
      assert.doesNotMatch(error.message, /wrong|Correct horse|owner@example/);
    });
  }

  it('a device that refuses batches gets single requests', async () => {
    const plug = await start({ model: 'P110', batches: false });
    const outcomes = await plug.callMany([{ method: 'get_device_info' }, { method: 'get_device_usage' }]);
    assert.deepEqual(outcomes.map((o) => o.ok), [true, true]);
    assert.equal(plug.sendsSingleRequests, true);
  });

  it('an expired session is renewed without the caller noticing', async () => {
    for (const model of ['P100', 'P110']) {
      const plug = await start({ model });
      await plug.getDeviceInfo();
      running?.expireSessions();
      assert.equal((await plug.getDeviceInfo()).model, model);
      await client?.close();
      await running?.close();
    }
  });

  it('applies the simulator faults: err-code, garbage, offline', async () => {
    const plug = await start({ model: 'P110' });
    await running?.setFault({ kind: 'err-code', errCode: -1301 });
    const failed = await rejection(plug.getDeviceInfo());
    assert.ok(failed instanceof SmartDeviceError && failed.errCode === -1301);
    await running?.setFault({ kind: 'garbage' });
    assert.ok(await rejection(plug.getDeviceInfo()) instanceof ProtocolError);
    await running?.setFault({ kind: 'offline' });
    assert.ok(await rejection(plug.getDeviceInfo()) instanceof ConnectionError);
    await running?.clearFault();
    assert.equal((await plug.getDeviceInfo()).model, 'P110');
  });

  it('tplink-simulator --model P110 --username U --password P serves a KLAP plug', async function () {
    this.timeout(15_000);
    const cli = runnable('lib/cli/tplink-simulator');
    const child = spawn(process.execPath, [cli, '--model', 'P110', '--username', USER.username, '--password', USER.password, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      assert.match(line, /^P110\(EU\) hw 1\.0 127\.0\.0\.1:\d+ KLAP v2, bound to owner@example\.com "Simulated P110" [0-9A-F]{40}$/);
      assert.doesNotMatch(line, /Correct horse/);
      const port = Number(/:(\d+) /.exec(line)?.[1]);
      client = new SmartClient({ host: '127.0.0.1', port, ...USER });
      assert.equal((await client.getDeviceInfo()).model, 'P110');
    } finally {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
