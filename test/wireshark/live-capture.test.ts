/**
 * Traffic between the project's SmartHomeClient and the simulator on
 * 127.0.0.1, captured live on lo by tshark and dissected with the Lua script.
 * The capture filter names only the simulator's ports.
 */
import assert from 'assert';
import { SmartHomeClient } from '../../lib/classic/client';
import { startDevice, type RunningDevice } from '../../lib/simulator/device-server';
import { captureOnLoopback } from './live';
import { dissect, tsharkPerSuite, values, withField } from './tshark';
import { setRelay } from '../support/relay';

describe('Wireshark Smart Home dissector on a live capture (client <-> simulator on lo)', function () {
  this.timeout(60_000);
  const suite = tsharkPerSuite('kasa-live-');
  let device: RunningDevice | undefined;
  const clients: SmartHomeClient[] = [];

  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await device?.close();
  });

  it('shows the sysinfo, relay and energy exchanges over TCP and a UDP query with their fields', async () => {
    const plug = await startDevice({ model: 'HS110', host: '127.0.0.1', port: 0, alias: 'Live, "captured" plug' });
    device = plug;
    const ports = plug.port === plug.udpPort ? `${plug.port}` : `${plug.port},${plug.udpPort}`;
    const file = suite.file('live.pcapng');
    const { info, energy } = await captureOnLoopback({ file, filter: `tcp port ${plug.port} or udp port ${plug.udpPort}` }, async () => {
      const tcp = new SmartHomeClient({ host: '127.0.0.1', port: plug.port, transport: 'tcp', timeout: 3000 });
      clients.push(tcp);
      const sysinfo = await tcp.getSysInfo();
      await setRelay(tcp, true);
      const reading = ((await tcp.send({ emeter: { get_realtime: {} } })).emeter as { get_realtime: { power: number } }).get_realtime;
      await tcp.send({ 'no.such.module': { get_nothing: null } }).catch(() => undefined);
      await tcp.close();
      const udp = new SmartHomeClient({ host: '127.0.0.1', port: plug.udpPort, transport: 'udp', timeout: 3000 });
      clients.push(udp);
      await udp.getSysInfo();
      await udp.close();
      return { info: sysinfo, energy: reading };
    });

    const rows = withField(await dissect(file, [
      'udp.srcport', 'kasa_smarthome.length', 'kasa_smarthome.type', 'kasa_smarthome.module', 'kasa_smarthome.method',
      'kasa_smarthome.alias', 'kasa_smarthome.deviceId', 'kasa_smarthome.relay_state', 'kasa_smarthome.err_code',
      'kasa_smarthome.power', 'kasa_smarthome.voltage', 'kasa_smarthome.current', 'kasa_smarthome.total',
    ], { prefs: { 'kasa_smarthome.ports': ports } }), 'kasa_smarthome.type');

    const methods = values(rows, 'kasa_smarthome.method');
    for (const method of ['get_sysinfo', 'set_relay_state', 'get_realtime']) {
      assert.ok(methods.filter((m) => m === method).length >= 2, `${method} request and reply in ${methods}`);
    }
    // A module the device lacks is refused at module level: no method in the reply.
    assert.strictEqual(values(rows, 'kasa_smarthome.module').filter((m) => m === 'no.such.module').length, 2);
    assert.ok(values(rows, 'kasa_smarthome.alias').includes('Live, "captured" plug'));
    assert.ok(values(rows, 'kasa_smarthome.deviceId').includes(String(info.deviceId)));
    assert.ok(values(rows, 'kasa_smarthome.relay_state').includes('1'), 'set_relay_state {state: 1}');
    const power = values(rows, 'kasa_smarthome.power').map(Number);
    assert.ok(power.some((p) => Math.abs(p - energy.power) < 1e-6), `power ${energy.power} in ${power}`);
    assert.strictEqual(values(rows, 'kasa_smarthome.voltage').length, 1);
    assert.ok(values(rows, 'kasa_smarthome.err_code').some((c) => Number(c) < 0), 'the unknown module is refused');
    assert.ok(values(rows, '_ws.expert.message').some((m) => /Device returned err_code/.test(m)));

    const overUdp = rows.filter((row) => row['udp.srcport'].length > 0);
    assert.strictEqual(overUdp.length, 2, 'one UDP request, one reply');
    assert.deepStrictEqual(values(overUdp, 'kasa_smarthome.length'), []);
    assert.deepStrictEqual(values(overUdp, 'kasa_smarthome.type'), ['0', '1']);
    const overTcp = rows.filter((row) => row['udp.srcport'].length === 0);
    assert.ok(overTcp.every((row) => row['kasa_smarthome.length'].length > 0), 'every TCP message has its length');
  });
});
