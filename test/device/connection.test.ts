/**
 * DeviceConnection: a shared device that is away at start and comes back,
 * one connect attempt shared by concurrent callers, and close() ending
 * everything, even an attempt under way.
 */
import { strict as assert } from 'assert';
import { ClientClosedError } from '../../lib/errors';
import { DeviceConnection } from '../../lib/device';
import { startDevice, type RunningDevice } from '../../lib/simulator';

describe('DeviceConnection', function () {
  let sim: RunningDevice;
  let connection: DeviceConnection;

  beforeEach(async function () {
    sim = await startDevice({ model: 'LB110', seed: 'connection' });
    connection = new DeviceConnection({ host: sim.host, port: sim.port, timeout: 500, retries: 0 });
  });
  afterEach(async function () {
    await connection.close();
    await sim.close();
  });

  it('connects on first use and shares the attempt between concurrent callers', async function () {
    assert.equal(connection.device, undefined);
    assert.equal(connection.online, undefined);
    const online: number[] = [];
    connection.on('online', () => online.push(1));
    const [a, b] = await Promise.all([connection.get(), connection.get()]);
    assert.equal(a, b);
    assert.equal(a.kind, 'bulb');
    assert.equal(await connection.get(), a);
    assert.equal(online.length, 1);
    assert.equal(connection.online, true);
  });

  it('survives the device being away at start, and gets it once it is back', async function () {
    await sim.offline();
    const offline = new Promise<Error>((resolve) => connection.once('offline', resolve));
    await assert.rejects(connection.get(), { name: /TimeoutError|ConnectionError/ });
    assert.ok((await offline) instanceof Error);
    assert.equal(connection.online, false);
    assert.equal(connection.device, undefined);
    await sim.online();
    const device = await connection.get();
    assert.equal(device.kind, 'bulb');
    assert.equal(connection.online, true);
  });

  it('passes on the device going away and coming back', async function () {
    const device = await connection.get();
    const offline = new Promise<Error>((resolve) => connection.once('offline', resolve));
    await sim.offline();
    await assert.rejects(device.refresh());
    assert.ok(await offline);
    await sim.online();
    const online = new Promise<void>((resolve) => connection.once('online', resolve));
    await device.refresh();
    await online;
  });

  it('close() ends an attempt under way and refuses later use', async function () {
    const pending = connection.get();
    await connection.close();
    await assert.rejects(pending, ClientClosedError);
    await assert.rejects(connection.get(), ClientClosedError);
  });
});
