/**
 * Where a brightness goes (light.ts dimmingOutlet, Device.dimmingTarget and
 * setBrightness): the one rule that keeps a brightness meant for a KS240's
 * fan from dimming its light, and refuses one for an outlet of a strip,
 * while a whole KS240 dims its dimmer child and a dimmer or light itself.
 * The rule alone on states, then through the device layer against the
 * simulators, counting what was sent.
 */
import { strict as assert } from 'assert';
import { connect, DeviceInputError, type Device, type DeviceState } from '../../lib/device';
import { dimmingOutlet } from '../../lib/device/light';
import { startDevice } from '../../lib/simulator';
import { startSmartDevice } from '../../lib/simulator/smart/server';
import type { TrafficEvent } from '../../lib/traffic';

const ACCOUNT = { username: 'dimming@example.com', password: 'Dimming secret 7' };
const ADDRESS = { host: '127.0.0.1', port: 9999 };

function state(fields: Partial<DeviceState>): DeviceState {
  return { family: 'smart', kind: 'switch', model: 'M', alias: 'A', deviceId: 'D', mac: '', on: true, outlets: [], features: ['power'], ...fields };
}

const FAN = { index: 0, id: 'D00', alias: 'Fan', on: true };
const DIMMER = { index: 1, id: 'D01', alias: 'Light', on: false };
const KS240 = state({ model: 'KS240(US)', outlets: [FAN, DIMMER], lightOutlet: 1, lightCapabilities: { dimmable: true, color: false }, features: ['power', 'light'] });
const SOCKETS = [0, 1, 2].map((index) => ({ index, id: `S0${index}`, alias: `Socket ${index}`, on: true }));
const HS300 = state({ family: 'classic', kind: 'strip', model: 'HS300(US)', outlets: SOCKETS });

function refusal(run: () => unknown): DeviceInputError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof DeviceInputError, String(error));
    return error;
  }
  throw new Error('not refused');
}

describe('device layer: where a brightness goes', function () {
  describe('the rule', function () {
    it('a whole KS240 dims its dimmer outlet; that outlet dims itself', () => {
      assert.equal(dimmingOutlet(KS240, undefined, ADDRESS), DIMMER);
      assert.equal(dimmingOutlet(KS240, DIMMER, ADDRESS), DIMMER);
    });

    it('a KS240\'s fan is refused, naming the outlet that dims', () => {
      const error = refusal(() => dimmingOutlet(KS240, FAN, ADDRESS));
      assert.equal(error.reason, 'outlet-not-dimmable');
      assert.deepEqual(error.details, { outlet: '0', alias: 'Fan', dimmer: '1', dimmerAlias: 'Light', model: 'KS240(US)' });
      assert.equal(error.message, '127.0.0.1:9999: outlet 0 ("Fan") of KS240(US) has no brightness: outlet 1 ("Light") is the one that dims');
    });

    it('an outlet of a strip where nothing dims is refused; so is the whole strip', () => {
      const outlet = refusal(() => dimmingOutlet(HS300, SOCKETS[2], ADDRESS));
      assert.deepEqual([outlet.reason, outlet.details.what, outlet.message], ['unsupported', 'outlet that dims', '127.0.0.1:9999: HS300(US) has no outlet that dims']);
      assert.deepEqual(refusal(() => dimmingOutlet(HS300, undefined, ADDRESS)).details, { what: 'brightness', model: 'HS300(US)' });
    });

    it('a dimmer and a dimmable light are themselves; a plug and a light that cannot dim are refused', () => {
      assert.equal(dimmingOutlet(state({ kind: 'dimmer', features: ['power', 'dimmer'] }), undefined, ADDRESS), undefined);
      assert.equal(dimmingOutlet(state({ kind: 'bulb', lightCapabilities: { dimmable: true, color: true } }), undefined, ADDRESS), undefined);
      assert.equal(refusal(() => dimmingOutlet(state({ kind: 'plug' }), undefined, ADDRESS)).reason, 'unsupported');
      assert.equal(refusal(() => dimmingOutlet(state({ kind: 'bulb', lightCapabilities: { dimmable: false, color: false } }), undefined, ADDRESS)).reason, 'unsupported');
    });
  });

  describe('through the device', function () {
    const closing: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const close of closing.splice(0).reverse()) await close();
    });

    /** The device and the requests sent after connecting. */
    async function open(sim: { host: string; port: number; close(): Promise<void> }, account = {}): Promise<{ device: Device; sent: () => number }> {
      closing.push(() => sim.close());
      const traffic: TrafficEvent[] = [];
      const device = await connect({ host: sim.host, port: sim.port, timeout: 3000, ...account, onTraffic: (e) => traffic.push(e) });
      closing.push(() => device.close());
      const before = traffic.length;
      return { device, sent: () => traffic.slice(before).filter((e) => e.direction === 'request').length };
    }

    it('KS240: the fan refuses before anything is sent; outlet 1 and the whole switch dim the dimmer only', async () => {
      const sim = await startSmartDevice({ model: 'KS240', seed: 'dimming-KS240', on: true, ...ACCOUNT });
      const { device, sent } = await open(sim, { transport: 'auto', ...ACCOUNT });
      const [fan, dimmer] = sim.device.children;
      await assert.rejects(device.setBrightness(40, { outlet: 0 }), (e: unknown) => e instanceof DeviceInputError && e.reason === 'outlet-not-dimmable');
      assert.throws(() => device.dimmingTarget({ outlet: 0 }), DeviceInputError);
      assert.deepEqual([sent(), sim.device.light?.brightness], [0, 100]);
      assert.deepEqual(device.dimmingTarget({ outlet: '1' }), { outlet: 1 });
      assert.deepEqual(device.dimmingTarget(), { outlet: 1 });
      await device.setBrightness(40, { outlet: 1, transition: 500 });
      assert.deepEqual([fan.on, dimmer.on, sim.device.light?.brightness], [true, true, 40]);
      assert.ok(sent() > 0, 'the count sees what is sent');
      await device.setBrightness(0);
      assert.deepEqual([fan.on, dimmer.on, device.state.outlets[1].on, device.state.on], [true, false, false, true]);
      await device.setBrightness(65);
      assert.deepEqual([fan.on, dimmer.on, sim.device.light?.brightness, device.state.brightness], [true, true, 65, 65]);
    });

    it('HS300: an outlet refuses before anything is sent', async () => {
      const { device, sent } = await open(await startDevice({ model: 'HS300', seed: 'dimming-HS300', on: true }));
      await assert.rejects(device.setBrightness(40, { outlet: 2 }), (e: unknown) => e instanceof DeviceInputError && e.details.what === 'outlet that dims');
      await assert.rejects(device.setBrightness(40), (e: unknown) => e instanceof DeviceInputError && e.details.what === 'brightness');
      assert.equal(sent(), 0);
      await device.setPower(false, { outlet: 2 });
      assert.ok(sent() > 0, 'the count sees what is sent');
    });

    it('a classic HS220 (no outlets) dims itself, with its fade', async () => {
      const sim = await startDevice({ model: 'HS220', seed: 'dimming-HS220', on: false });
      const { device } = await open(sim);
      assert.deepEqual(device.dimmingTarget(), {});
      await device.setBrightness(30, { transition: 200 });
      assert.deepEqual([sim.device.main.isOn, sim.device.brightness, device.state.brightness], [true, 30, 30]);
      await assert.rejects(device.setBrightness(30, { outlet: 0 }), (e: unknown) => e instanceof DeviceInputError && e.reason === 'unknown-outlet');
    });

    it('a bulb dims its light', async () => {
      const sim = await startDevice({ model: 'KL130', seed: 'dimming-KL130', on: false });
      const { device } = await open(sim);
      await device.setBrightness(20);
      assert.deepEqual([sim.device.light?.on_off, device.state.light?.brightness], [1, 20]);
    });
  });
});
