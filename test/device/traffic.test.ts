/**
 * The traffic hook: every request and its reply (or error), paired by id,
 * from the device layer and both request clients; no password, account,
 * token or key in any event, over TCP, KLAP and AES; a hook that throws
 * changes nothing.
 */
import { strict as assert } from 'assert';
import { SmartHomeClient } from '../../lib/classic/client';
import { connect } from '../../lib/device';
import { startDevice } from '../../lib/simulator';
import { startKlapDevice } from '../../lib/simulator/klap-device';
import { startSmartDevice } from '../../lib/simulator/smart/server';
import { SmartClient } from '../../lib/smart';
import { redactSecrets, redactedText, type TrafficEvent } from '../../lib/traffic';

const USER = { username: 'owner@example.com', password: 'Correct horse 42' };

/** Every event's text and fields, as one string to search for secrets. */
const everything = (events: TrafficEvent[]): string => JSON.stringify(events);

describe('traffic hook', function () {
  it('redacts secrets at any depth and describes text that is not JSON', function () {
    const value = { cnCloud: { bind: { username: 'a@b.c', password: 'p' } }, list: [{ key: 'k', key_type: 3 }], x: { token: '' } };
    assert.deepEqual(redactSecrets(value), {
      cnCloud: { bind: { username: '***', password: '***' } }, list: [{ key: '***', key_type: 3 }], x: { token: '' },
    });
    assert.equal(redactedText('{"netif":{"set_stainfo":{"ssid":"home","password":"hunter2"}}}'), '{"netif":{"set_stainfo":{"ssid":"home","password":"***"}}}');
    assert.equal(redactedText('not json'), '(8 bytes, not JSON)');
  });

  it('reports each request and its reply in order, paired by id, with host, port, transport and time', async function () {
    const sim = await startDevice({ model: 'HS300', seed: 'traffic' });
    const events: TrafficEvent[] = [];
    const device = await connect({ host: sim.host, port: sim.port, onTraffic: (e) => events.push(e) });
    try {
      await device.setPower(false, { outlet: 1 });
      assert.deepEqual(events.map((e) => [e.direction, e.id]), [['request', 1], ['reply', 1], ['request', 2], ['reply', 2]]);
      for (const event of events) {
        assert.equal(event.host, sim.host);
        assert.equal(event.port, sim.port);
        assert.equal(event.transport, 'tcp');
      }
      assert.equal(events[2].text, `{"context":{"child_ids":["${sim.deviceId}01"]},"system":{"set_relay_state":{"state":0}}}`);
      assert.equal(events[3].text, '{"system":{"set_relay_state":{"err_code":0}}}');
      assert.ok((events[3].elapsed ?? -1) >= 0);
      await device.cloud?.bind(USER.username, USER.password);
      await device.wifi?.join('home', 'hunter2 wifi');
      const all = everything(events);
      for (const secret of [USER.username, USER.password, 'hunter2 wifi']) assert.ok(!all.includes(secret), secret);
      assert.match(all, /"bind\\":\{\\"username\\":\\"\*\*\*\\",\\"password\\":\\"\*\*\*\\"/);
      // A failure is reported against its request.
      await sim.offline();
      events.length = 0;
      await assert.rejects(device.refresh());
      assert.equal(events[0].direction, 'request');
      assert.ok(events.some((e) => e.direction === 'error' && e.id === events[0].id && e.text.length > 0));
    } finally {
      await device.close();
      await sim.close();
    }
  });

  it('a hook that throws does not fail the request it reports; the hook can be removed', async function () {
    const sim = await startDevice({ model: 'HS100', seed: 'traffic-throws' });
    let calls = 0;
    const device = await connect({
      host: sim.host, port: sim.port, onTraffic: () => {
        calls++;
        throw new Error('broken logger');
      },
    });
    try {
      assert.equal((await device.setPower(false)).on, false);
      assert.equal(calls, 4);
      device.setTrafficHook(undefined);
      await device.refresh();
      assert.equal(calls, 4);
    } finally {
      await device.close();
      await sim.close();
    }
  });

  it('over KLAP: the JSON requests and replies only, never the account or the session', async function () {
    const sim = await startKlapDevice({ model: 'KP115', seed: 'traffic-klap', klap: { version: 2, ...USER } });
    const events: TrafficEvent[] = [];
    const device = await connect({ host: '127.0.0.1', port: sim.klapPort, transport: 'klap', ...USER, onTraffic: (e) => events.push(e) });
    try {
      await device.setPower(false);
      await device.energy?.read();
      assert.deepEqual(events.map((e) => e.direction), ['request', 'reply', 'request', 'reply', 'request', 'reply']);
      assert.ok(events.every((e) => e.transport === 'klap' && e.port === sim.klapPort));
      for (const event of events) assert.doesNotThrow(() => JSON.parse(event.text) as unknown, event.text);
      const all = everything(events);
      assert.ok(!all.includes(USER.password) && !all.includes(USER.username));
      assert.ok(!/handshake|seed|signature|TP_SESSIONID/i.test(all), all);
    } finally {
      await device.close();
      await sim.close();
    }
  });

  it('SmartClient over AES: methods and results only, never the login, the token or the keys', async function () {
    const sim = await startSmartDevice({ model: 'P100', seed: 'traffic-aes', ...USER });
    const events: TrafficEvent[] = [];
    const client = new SmartClient({ host: sim.host, port: sim.port, transport: sim.transport, ...USER, timeout: 3000, onTraffic: (e) => events.push(e) });
    try {
      assert.equal(sim.transport, 'aes');
      await client.setDeviceOn(false);
      await client.getDeviceInfo();
      assert.deepEqual(events.map((e) => e.direction), ['request', 'reply', 'request', 'reply']);
      assert.match(events[0].text, /^\{"method":"set_device_info","params":\{"device_on":false\}\}$/);
      assert.match(events[3].text, /^\{"error_code":0,"result":\{.*"device_id"/);
      const all = everything(events);
      assert.ok(!all.includes(USER.password) && !all.includes(USER.username));
      assert.ok(!/login_device|handshake|"token"|"key"\s*:\s*"[^*]/i.test(all), all);
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it('SmartHomeClient on its own reports too', async function () {
    const sim = await startDevice({ model: 'HS100', seed: 'traffic-client' });
    const events: TrafficEvent[] = [];
    const client = new SmartHomeClient({ host: sim.host, port: sim.port, onTraffic: (e) => events.push(e) });
    try {
      await client.sendUnchecked('{"system":{"get_sysinfo":{}}}');
      assert.deepEqual(events.map((e) => e.direction), ['request', 'reply']);
      assert.equal(events[0].text, '{"system":{"get_sysinfo":{}}}');
    } finally {
      await client.close();
      await sim.close();
    }
  });
});
