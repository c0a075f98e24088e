import { strict as assert } from 'assert';
import { startDevice, type RunningDevice } from '../../lib/simulator';
import configNode from '../../nodes/tplink-config/tplink-config';
import plugNode from '../../nodes/tplink-plug/tplink-plug';
import type { TplinkConfigNode } from '../../nodes/tplink-config/device-config';
import { caughtError, exchange, helper, nextMessage, node, plugFlow, statusBecomes, statuses } from './support/node-red';
import { CLOSED_PORT } from '../support/ports';

const NODES = [configNode, plugNode];

describe('tplink-plug against a simulated HS110', function () {
  let device: RunningDevice;

  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    device = await startDevice({ model: 'HS110', alias: 'Lamp', on: false });
  });
  afterEach(async () => {
    await helper.unload();
    await device.close();
  });

  const isOn = (): boolean => device.device.main.isOn;

  it('switches with every payload form and answers with the new state and the alias', async () => {
    await helper.load(NODES, plugFlow(device.port));
    const forms: Array<[unknown, boolean]> = [
      [true, true], [false, false], ['on', true], ['off', false], [1, true], [0, false], ['ON', true], ['toggle', false], ['toggle', true],
    ];
    for (const [payload, expected] of forms) {
      const msg = await exchange('plug', { payload });
      assert.equal(msg.payload, expected, `payload ${JSON.stringify(payload)}`);
      assert.equal(isOn(), expected);
      assert.equal(msg.topic, 'Lamp');
      assert.equal(msg.command, 'power');
      assert.equal((msg.sysinfo as { alias: string }).alias, 'Lamp');
    }
  });

  it('names commands by msg.command or by msg.topic', async () => {
    await helper.load(NODES, plugFlow(device.port));
    assert.equal((await exchange('plug', { command: 'on' })).payload, true);
    assert.equal((await exchange('plug', { topic: 'off', payload: 1700000000000 })).payload, false);
    const info = await exchange('plug', { topic: 'info', payload: 1700000000000 });
    assert.equal(info.payload, false);
    assert.equal((info.sysinfo as { model: string }).model, 'HS110(EU)');
  });

  it('shows the state on the node: yellow while connecting, grey ring off, green dot on with watts', async () => {
    await helper.load(NODES, plugFlow(device.port));
    await statusBecomes('plug', (s) => s.fill === 'grey' && s.shape === 'ring' && s.text === 'tplink-plug.status.off');
    assert.deepEqual(statuses('plug')[0], { fill: 'yellow', shape: 'ring', text: 'tplink-plug.status.connecting' });
    await exchange('plug', { payload: true });
    await statusBecomes('plug', (s) => s.fill === 'green' && s.shape === 'dot');
    await exchange('plug', { command: 'energy' });
    const status = await statusBecomes('plug', (s) => s.fill === 'green' && / W$/.test(s.text ?? ''));
    assert.match(status.text ?? '', /^tplink-plug\.status\.on · \d+(\.\d)? W$/);
  });

  it('sends energy as watts in msg.payload with the alias as msg.topic, the full reading in msg.energy', async () => {
    await helper.load(NODES, plugFlow(device.port));
    await exchange('plug', { payload: true });
    const msg = await exchange('plug', { command: 'energy' });
    const energy = msg.energy as { power: number; power_mw: number; voltage: number; total_wh: number };
    assert.equal(typeof msg.payload, 'number');
    assert.ok((msg.payload as number) > 0);
    assert.equal(msg.payload, energy.power);
    assert.equal(energy.power_mw, Math.round(energy.power * 1000 * 1e6) / 1e6);
    assert.ok(energy.voltage > 200);
    assert.equal(msg.topic, 'Lamp');
  });

  it('runs the other commands', async () => {
    await helper.load(NODES, plugFlow(device.port));
    const days = await exchange('plug', { command: 'day_stats' });
    assert.ok(Array.isArray(days.payload));
    const months = await exchange('plug', { command: 'month_stats', payload: { year: 2024 } });
    assert.ok(Array.isArray(months.payload));
    await exchange('plug', { command: 'led_off' });
    assert.equal(device.device.ledOff, true);
    await exchange('plug', { command: 'led_on' });
    assert.equal(device.device.ledOff, false);
    const renamed = await exchange('plug', { command: 'alias', payload: 'Desk lamp' });
    assert.equal(device.device.alias, 'Desk lamp');
    assert.equal(renamed.topic, 'Desk lamp');
    const time = await exchange('plug', { command: 'time' });
    assert.equal(typeof (time.payload as { year: number }).year, 'number');
    const countdown = await exchange('plug', { command: 'countdown', payload: { delay: 60, act: 'on' } });
    const rules = (countdown.payload as { rule_list: Array<{ delay: number; act: number }> }).rule_list;
    assert.equal(rules.length, 1);
    assert.equal(rules[0].delay, 60);
    assert.equal(rules[0].act, 1);
    const schedule = await exchange('plug', { command: 'schedule' });
    assert.ok(Array.isArray((schedule.payload as { rule_list: unknown[] }).rule_list));
  });

  it('sends an object of protocol modules as a raw command and outputs the reply', async () => {
    await helper.load(NODES, plugFlow(device.port));
    const msg = await exchange('plug', { payload: { system: { set_relay_state: { state: 1 } }, time: { get_time: {} } } });
    const reply = msg.payload as { system: { set_relay_state: { err_code: number } }; time: { get_time: { year: number } } };
    assert.equal(reply.system.set_relay_state.err_code, 0);
    assert.equal(typeof reply.time.get_time.year, 'number');
    assert.equal(isOn(), true);
    assert.equal(msg.command, 'raw');
  });

  it('reports bad input and unknown commands to a Catch node, without touching the device', async () => {
    await helper.load(NODES, plugFlow(device.port));
    assert.match(await caughtError('plug', { payload: 'maybe' }), /tplink-plug\.errors\.bad-input/);
    assert.match(await caughtError('plug', { payload: { foo: 1 } }), /bad-input/);
    assert.match(await caughtError('plug', { command: 'explode' }), /tplink-plug\.errors\.unknown-command/);
    assert.match(await caughtError('plug', { command: 'alias', payload: 42 }), /bad-argument/);
    assert.equal(isOn(), false);
  });

  it('turns its status red for a message it refuses, instead of leaving the last state up, and shows the state again after', async () => {
    await helper.load(NODES, plugFlow(device.port));
    await exchange('plug', { payload: true });
    await statusBecomes('plug', (s) => s.fill === 'green');
    const refused = { fill: 'red', shape: 'ring', text: 'tplink-plug.status.refused' };
    for (const msg of [{ payload: 'maybe' }, { command: 'explode' }, { command: 'alias', payload: 42 }, { command: 'reboot' }]) {
      const count = statuses('plug').length;
      // Text, not an Error object: the debug sidebar shows it as one line, a Catch node gets it as msg.error.message.
      assert.match(await caughtError('plug', msg), /^tplink-plug\.errors\./, JSON.stringify(msg));
      assert.deepEqual(statuses('plug').slice(count).pop(), refused, JSON.stringify(msg));
    }
    await exchange('plug', { payload: true });
    await statusBecomes('plug', (s) => s.fill === 'green');
    assert.equal(isOn(), true);
  });

  it('refuses administrative commands unless the node allows them', async () => {
    await helper.load(NODES, plugFlow(device.port));
    for (const msg of [
      { command: 'reboot' }, { command: 'reset' }, { command: 'cloud_bind', payload: { username: 'a', password: 'b' } },
      { command: 'wifi', payload: { ssid: 'x', password: 'y' } }, { payload: { system: { reboot: { delay: 1 } } } },
      { payload: { netif: { set_stainfo: { ssid: 'x', password: 'y', key_type: 3 } } } },
    ]) {
      assert.match(await caughtError('plug', msg), /tplink-plug\.errors\.admin-refused/, JSON.stringify(msg));
    }
    assert.equal(device.isOnline, true);
    await helper.unload();
    await helper.load(NODES, plugFlow(device.port, { allowAdmin: true }));
    const msg = await exchange('plug', { command: 'cloud_unbind' });
    assert.equal(msg.command, 'cloud_unbind');
  });

  it('emits state changes and energy on every poll', async () => {
    await helper.load(NODES, plugFlow(device.port, { interval: 0.15 }));
    const first = await nextMessage('out', (m) => m.command === 'state');
    assert.equal(first.payload, false);
    assert.equal(first.topic, 'Lamp');
    // Switched by hand (or by the app): polling notices.
    device.device.main.setRelay(true, Date.now(), 0);
    const changed = await nextMessage('out', (m) => m.command === 'state');
    assert.equal(changed.payload, true);
    const a = await nextMessage('out', (m) => m.command === 'energy');
    const b = await nextMessage('out', (m) => m.command === 'energy');
    assert.equal(typeof a.payload, 'number');
    assert.equal(b.topic, 'Lamp');
    assert.equal(typeof (b.energy as { total: number }).total, 'number');
  });

  it('retries a device that is offline at deploy and recovers by itself when it comes back', async () => {
    await device.offline();
    await helper.load(NODES, plugFlow(device.port, { interval: 0.2 }));
    await statusBecomes('plug', (s) => s.fill === 'red' && s.shape === 'ring');
    await device.online();
    const state = await nextMessage('out', (m) => m.command === 'state');
    assert.equal(state.payload, false);
    await statusBecomes('plug', (s) => s.fill === 'grey');
  });

  it('recovers without polling too', async () => {
    await device.offline();
    await helper.load(NODES, plugFlow(device.port));
    await statusBecomes('plug', (s) => s.text === 'tplink-plug.status.unreachable');
    await device.online();
    await statusBecomes('plug', (s) => s.fill === 'grey', 5000);
  });

  it('does not pass on msg.reply, msg.sysinfo or msg.energy from the input as if this device had answered', async () => {
    await helper.load(NODES, plugFlow(device.port));
    const upstream = { reply: { from: 'another plug' }, sysinfo: { alias: 'Another plug' }, energy: { power: 99 } };
    const time = await exchange('plug', { command: 'time', ...upstream });
    assert.equal(time.reply, undefined);
    assert.equal(time.sysinfo, undefined);
    assert.equal(time.energy, undefined);
    const raw = await exchange('plug', { payload: { time: { get_time: {} } }, ...upstream });
    assert.equal(raw.sysinfo, undefined);
    assert.equal(raw.energy, undefined);
  });

  it('takes the state another plug node sends (msg.command "state" or "power") as a switch value', async () => {
    await helper.load(NODES, plugFlow(device.port));
    assert.equal((await exchange('plug', { command: 'state', payload: true, topic: 'Other lamp' })).payload, true);
    assert.equal(isOn(), true);
    assert.equal((await exchange('plug', { command: 'power', payload: false })).payload, false);
    assert.equal(isOn(), false);
  });

  it('shares one connection among the plug nodes of one device', async () => {
    const flow = plugFlow(device.port);
    flow.push({ id: 'plug2', type: 'tplink-plug', z: 'f1', device: 'cfg', outlet: '', interval: '', wires: [['out2']] });
    flow.push({ id: 'out2', type: 'helper', z: 'f1' });
    await helper.load(NODES, flow);
    await exchange('plug', { payload: true });
    await exchange('plug2', { payload: false }, 'out2');
    const cfg = helper.getNode('cfg') as unknown as TplinkConfigNode;
    assert.ok(cfg.connection?.device, 'one device, connected once, for both nodes');
    assert.equal(cfg.connection.device.kind, 'plug');
    assert.equal(isOn(), false);
  });
});

describe('tplink-plug with an unreachable device', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('sends the error to a Catch node and shows a red ring', async () => {
    const port = CLOSED_PORT;
    await helper.load(NODES, plugFlow(port));
    const message = await caughtError('plug', { payload: true });
    assert.match(message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    await statusBecomes('plug', (s) => s.fill === 'red' && s.shape === 'ring' && s.text === 'tplink-plug.status.unreachable');
    assert.ok(node('plug'));
  });

  it('reports a device that never answers as a timeout', async () => {
    const device = await startDevice({ model: 'HS100', fault: { kind: 'no-reply' } });
    try {
      await helper.load(NODES, plugFlow(device.port, {}, { timeout: 0.3 }));
      assert.match(await caughtError('plug', { payload: true }, 'caught', 6000), /127\.0\.0\.1/);
      await statusBecomes('plug', (s) => s.fill === 'red' && s.text === 'tplink-plug.status.timeout');
    } finally {
      await helper.unload();
      await device.close();
    }
  });
});
