/**
 * connect()'s transports, and the automatic one finding by itself which
 * family and transport a device speaks: classic on its port, KLAP carrying
 * classic JSON, KLAP carrying SMART, AES; and the failures it must not
 * turn into something else (wrong credentials, a device away, a transport
 * the device does not speak when the caller named it).
 */
import { strict as assert } from 'assert';
import { AuthenticationError, ConnectionError, TimeoutError } from '../../lib/errors';
import { KlapUnsupportedError } from '../../lib/klap/handshake';
import { SmartTransportMismatchError } from '../../lib/smart/errors';
import { connect, type ConnectOptions, type Device } from '../../lib/device';
import { startDevice, startKlapDevice, type RunningDevice, type RunningKlapDevice } from '../../lib/simulator';
import { startSmartDevice, type RunningSmartDevice } from '../../lib/simulator/smart/server';
import { CLOSED_PORT } from '../support/ports';

const ACCOUNT = { username: 'owner@example.com', password: 'Right one 1' };

describe('device layer: choosing the family and transport', function () {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async function () {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function open(options: ConnectOptions): Promise<Device> {
    const device = await connect({ timeout: 2000, ...options });
    cleanups.push(() => device.close());
    return device;
  }
  async function classic(options: Parameters<typeof startDevice>[0]): Promise<RunningDevice> {
    const sim = await startDevice(options);
    cleanups.push(() => sim.close());
    return sim;
  }
  async function smart(model: string, account = ACCOUNT): Promise<RunningSmartDevice> {
    const sim = await startSmartDevice({ model, seed: `choice-${model}`, ...account });
    cleanups.push(() => sim.close());
    return sim;
  }

  it('auto: a classic device answering on its port stays classic over TCP, read once', async function () {
    const sim = await classic({ model: 'HS110', seed: 'choice-classic' });
    let reads = 0;
    const original = sim.device.handle.bind(sim.device);
    sim.device.handle = (request: object) => {
      if ('system' in request) reads += 1;
      return original(request);
    };
    const device = await open({ host: sim.host, port: sim.port, transport: 'auto' });
    assert.equal(device.family, 'classic');
    assert.equal(device.transportName, 'tcp');
    assert.equal(device.kind, 'plug');
    assert.equal(reads, 1, 'the probe\'s reading is the device\'s first state');
  });

  it('auto: 9999 refused, then KLAP on the HTTP port; a classic KLAP device (new Kasa firmware) stays classic over KLAP', async function () {
    const sim: RunningKlapDevice = await startKlapDevice({ model: 'KP115', seed: 'choice-klap', klap: { version: 2, ...ACCOUNT } });
    cleanups.push(() => sim.close());
    const handled: object[] = [];
    const original = sim.running.device.handle.bind(sim.running.device);
    sim.running.device.handle = (request: object) => {
      handled.push(request);
      return original(request);
    };
    const device = await open({ host: sim.host, port: CLOSED_PORT, klapPort: sim.klapPort, transport: 'auto', ...ACCOUNT });
    assert.deepEqual(handled, [{ system: { get_sysinfo: {} } }], 'one request: the classic read, kept as the first state');
    assert.equal(device.family, 'classic');
    assert.equal(device.transportName, 'klap');
    assert.equal(device.port, sim.klapPort);
    assert.ok(device.energy);
    assert.equal(sim.server.stats.handshakes, 1, 'the probe\'s KLAP session is the device\'s');
  });

  it('auto on the HTTP port itself: the classic try is answered with HTTP, so KLAP (SMART) or AES follows on that port', async function () {
    for (const [model, transport] of [['P110', 'klap'], ['P100', 'aes']] as const) {
      const sim = await smart(model);
      const device = await open({ host: sim.host, port: sim.port, transport: 'auto', ...ACCOUNT });
      assert.equal(device.family, 'smart');
      assert.equal(device.transportName, transport);
      assert.equal(device.port, sim.port);
    }
  });

  it('klap: the family is found from the first reply over the session it opened; with the family known it is taken as given', async function () {
    const sim = await smart('P110');
    const device = await open({ host: sim.host, port: sim.port, transport: 'klap', ...ACCOUNT });
    assert.equal(device.family, 'smart');
    assert.equal(sim.stats.handshakes, 1);
    const known = await open({ host: sim.host, port: sim.port, transport: 'klap', family: 'smart', ...ACCOUNT });
    assert.equal(known.kind, 'plug');
  });

  it('aes with the login version discovery gave', async function () {
    const sim = await smart('P100');
    const device = await open({ host: sim.host, port: sim.port, transport: 'aes', loginVersion: 1, ...ACCOUNT });
    assert.equal(device.transportName, 'aes');
  });

  it('a transport named by the caller that the device does not speak is said so, not silently swapped', async function () {
    const aesOnly = await smart('P100');
    await assert.rejects(connect({ host: aesOnly.host, port: aesOnly.port, transport: 'klap', ...ACCOUNT }), KlapUnsupportedError);
    const klapOnly = await smart('P110');
    await assert.rejects(connect({ host: klapOnly.host, port: klapOnly.port, transport: 'aes', ...ACCOUNT }), (e: unknown) => e instanceof SmartTransportMismatchError && e.suggested === 'klap');
  });

  it('wrong credentials are an AuthenticationError over KLAP and AES alike, naming no secret', async function () {
    for (const model of ['P110', 'P100']) {
      const sim = await smart(model);
      const error = await connect({ host: sim.host, port: sim.port, transport: 'auto', username: ACCOUNT.username, password: 'Wrong one 2', timeout: 2000 }).catch((e: unknown) => e);
      assert.ok(error instanceof AuthenticationError, `${model}: ${String(error)}`);
      assert.doesNotMatch(error.message, /Wrong one|Right one|owner@example/);
    }
  });

  it('a device that answers nothing is a TimeoutError from the classic try, not an HTTP attempt', async function () {
    const sim = await classic({ model: 'HS100', seed: 'choice-silent', fault: { kind: 'no-reply' } });
    const started = Date.now();
    await assert.rejects(connect({ host: sim.host, port: sim.port, transport: 'auto', timeout: 300 }), TimeoutError);
    assert.ok(Date.now() - started < 1500);
  });

  it('nothing listening on either port is a ConnectionError', async function () {
    await assert.rejects(connect({ host: '127.0.0.1', port: CLOSED_PORT, klapPort: CLOSED_PORT, transport: 'auto', timeout: 1000 }), ConnectionError);
  });
});
