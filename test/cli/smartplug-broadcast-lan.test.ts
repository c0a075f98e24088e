/**
 * tplink-smartplug -b for real: broadcasts inside the LAN test bed's network
 * namespaces (test/lan), never on the machine's own network.
 */
import { strict as assert } from 'assert';
import { createLan, type Lan } from '../lan/lan';
import { cliPath } from './support/run-cli';

describe('tplink-smartplug -b on a virtual LAN (network namespaces)', function () {
  this.timeout(60_000);
  let lan: Lan | undefined;
  const smartplug = (args: string[]) => lan!.exec([process.execPath, cliPath('tplink-smartplug'), ...args], 20_000);

  before(async function () {
    lan = await createLan({ devices: 8, subnet: '203.0.113' });
  });
  after(async function () {
    await lan?.destroy();
  });

  it('prints one line per device for the default broadcast to 255.255.255.255, like the original', async function () {
    const result = await smartplug(['-b', '-T', '1']);
    assert.equal(result.code, 0, result.stderr);
    const [sent, ...lines] = result.stdout.trimEnd().split('\n');
    assert.equal(sent, 'Sent:      {"system":{"get_sysinfo":{}}}');
    const byHost = new Map(lines.map((line) => {
      const match = /^Received from ([\d.]+):9999: {2}(\{.*\})$/.exec(line);
      assert.ok(match, line);
      return [match[1], JSON.parse(match[2]) as { system: { get_sysinfo: { deviceId: string } } }];
    }));
    assert.equal(lines.length, lan!.devices.length, 'exactly one line per device');
    for (const device of lan!.devices) {
      assert.equal(byHost.get(device.host)?.system.get_sysinfo.deviceId, device.deviceId, device.host);
    }
  });

  it('-q with --broadcast-address sends the command to every device and prints only the JSON', async function () {
    const broadcast = lan!.networks[0].broadcast;
    const result = await smartplug(['--broadcast', '--broadcast-address', broadcast, '-c', 'ledoff', '-q', '-T', '1']);
    assert.equal(result.code, 0, result.stderr);
    const replies = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
    assert.deepEqual(replies, lan!.devices.map(() => ({ system: { set_led_off: { err_code: 0 } } })));
    const check = await smartplug(['-t', lan!.devices[3].host, '-q']);
    assert.equal(check.code, 0, check.stderr);
    assert.equal((JSON.parse(check.stdout) as { system: { get_sysinfo: { led_off: number } } }).system.get_sysinfo.led_off, 1);
  });

  it('-s sends from the client address; a stopped device is simply missing', async function () {
    const victim = lan!.devices[5];
    await lan!.stopDevice(victim.host);
    try {
      const result = await smartplug(['-b', '-s', lan!.networks[0].clientAddress, '-q', '-T', '1']);
      assert.equal(result.code, 0, result.stderr);
      const ids = result.stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as { system: { get_sysinfo: { deviceId: string } } }).system.get_sysinfo.deviceId);
      assert.deepEqual(ids.sort(), lan!.devices.filter((d) => d !== victim).map((d) => d.deviceId).sort());
    } finally {
      await lan!.startDevice(victim.host);
    }
  });

  it('exits 3 when no device answers the broadcast', async function () {
    const result = await smartplug(['-b', '--broadcast-address', '203.0.113.255', '-p', '9998', '-T', '0.5']);
    assert.equal(result.code, 3);
    assert.equal(result.stderr, 'tplink-smartplug: 203.0.113.255:9998: no reply to the broadcast within 0.5 s\n');
  });
});
