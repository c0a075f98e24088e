/**
 * get_device_info is kept between requests (methods.ts) and made again
 * only when what it reports moved: a device that answered many times must
 * answer byte for byte as a new device in the same state, after every
 * kind of change (time, relay, nickname, light, SSID, address, outlets).
 */
import { strict as assert } from 'assert';
import { SmartSimulatedDevice } from '../../lib/simulator/smart/device';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

type Step = (device: SmartSimulatedDevice, clock: { now: number }) => void;

function ask(device: SmartSimulatedDevice, request: object): string {
  return device.handleJson(JSON.stringify(request));
}

function set(params: object): Step {
  return (device) => {
    assert.equal(ask(device, { method: 'set_device_info', params }), '{"error_code":0}');
  };
}

function child(index: number, request: object): object {
  return { method: 'control_child', params: { device_id: `{child${index}}`, requestData: request } };
}

/** The requests a client polls with; `{childN}` stands for the strip's Nth outlet id. */
function polls(device: SmartSimulatedDevice): string[] {
  const withIds = (request: object): object => JSON.parse(JSON.stringify(request).replace(/\{child(\d)\}/g, (_, i: string) => device.children[Number(i)]?.id ?? '')) as object;
  const requests: object[] = [{ method: 'get_device_info' }, { method: 'multipleRequest', params: { requests: [{ method: 'get_device_info' }] } }];
  if (device.children.length > 0) requests.push({ method: 'get_child_device_list' }, child(0, { method: 'get_device_info' }), child(1, { method: 'get_device_info' }));
  return requests.map((request) => ask(device, withIds(request)));
}

function scenario(model: string, steps: Step[]): void {
  const make = (): { device: SmartSimulatedDevice; clock: { now: number } } => {
    const clock = { now: Date.UTC(2026, 5, 1, 12, 0, 0) };
    return { device: new SmartSimulatedDevice({ model, seed: 'memo', clock: () => clock.now }), clock };
  };
  const polled = make();
  const answers = new Set<string>();
  for (let i = 0; i <= steps.length; i++) {
    if (i > 0) (steps[i - 1] as Step)(polled.device, polled.clock);
    const repeated = polls(polled.device);
    assert.deepEqual(polls(polled.device), repeated, 'asked twice in a row, the same');
    const fresh = make();
    for (const step of steps.slice(0, i)) step(fresh.device, fresh.clock);
    assert.deepEqual(repeated, polls(fresh.device), `${model} after step ${i}: as a device that never answered before`);
    answers.add(repeated.join('\n'));
  }
  assert.equal(answers.size, steps.length + 1, 'every step changed the answer');
}

describe('simulated SMART device: get_device_info kept between requests', () => {
  it('a plug: time, relay and nickname', () => {
    scenario('P110', [
      (_, clock) => { clock.now += 1500; },
      set({ device_on: false }),
      (device) => { device.ssid = 'Other WiFi'; },
      set({ device_on: true }),
      set({ nickname: b64('Kettle ☕') }),
      (device) => { device.ip = '10.0.0.7'; },
    ]);
  });

  it('a colour bulb: brightness, temperature, hue and saturation', () => {
    scenario('L530', [set({ brightness: 40 }), set({ color_temp: 3000 }), set({ hue: 120 }), set({ saturation: 50 }), set({ color_temp: 2700 })]);
  });

  const childSet = (index: number, params: object): Step => (device) => {
    const id = device.children[index]?.id ?? '';
    assert.match(ask(device, { method: 'control_child', params: { device_id: id, requestData: { method: 'set_device_info', params } } }), /^\{"error_code":0,/);
  };

  it('a strip: each outlet through control_child and in the child list', () => {
    scenario('P300', [childSet(0, { device_on: false }), childSet(1, { nickname: b64('Lamp') }), (_, clock) => { clock.now += 2000; }]);
  });

  it('a switch whose child dims (KS240): that child\'s brightness', () => {
    scenario('KS240', [childSet(1, { brightness: 30 }), childSet(1, { brightness: 31 }), childSet(0, { device_on: false })]);
  });

  it('sends exactly what JSON.stringify of the parsed answer gives (no field lost or added)', () => {
    const device = new SmartSimulatedDevice({ model: 'P110', seed: 'memo' });
    for (let i = 0; i < 3; i++) {
      const text = ask(device, { method: 'get_device_info' });
      assert.equal(text, JSON.stringify(JSON.parse(text)));
      assert.equal((JSON.parse(text) as { result: { nickname: string } }).result.nickname, b64('Simulated P110'));
    }
  });
});
