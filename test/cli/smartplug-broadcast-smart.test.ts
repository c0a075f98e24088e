/**
 * tplink-smartplug -b lists SMART devices (Tapo, newer Kasa) beside the
 * classic replies: with the info command the UDP 20002/20004 probe goes to
 * the same address in the same window, and each device that answers is
 * printed once, with the transport and login version to use. The
 * "broadcast" goes to 127.0.21.255, where this file's listeners take the
 * probes (unicast on loopback, test/discovery/smart-fleet.ts); the tool
 * runs in-process.
 */
import { strict as assert } from 'assert';
import { startFleet, type RunningFleet } from '../../lib/simulator';
import { smartModels, startSmartLoopbackFleet, type SmartLoopbackFleet } from '../discovery/smart-fleet';
import { smartplugHere } from './support/in-process';

const SUBNET = '127.0.21';
const ADDRESS = `${SUBNET}.255`;

describe('tplink-smartplug -b listing SMART devices (loopback stand-in)', function () {
  let smart: SmartLoopbackFleet;
  let classic: RunningFleet;
  let classicPort: number;

  before(async () => {
    smart = await startSmartLoopbackFleet({ address: ADDRESS, devices: smartModels(SUBNET) });
    classic = await startFleet({ devices: [{ model: 'HS110', host: `${SUBNET}.10`, port: 0, alias: 'Classic' }], broadcastListener: { host: ADDRESS } });
    classicPort = classic.broadcast?.port as number;
  });
  after(async () => {
    await smart?.close();
    await classic?.close();
  });
  const run = (args: string[]) => smartplugHere(['-b', '--broadcast-address', ADDRESS, '-p', String(classicPort), '-T', '0.4', ...args]);

  it('prints the classic reply and each SMART device once, with what it is, transport, HTTP port and login version', async () => {
    const result = await run([]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'Sent:      {"system":{"get_sysinfo":{}}}');
    assert.equal(lines.filter((l) => l.startsWith(`Received from ${SUBNET}.10:${classicPort}:  {"system":{"get_sysinfo":`)).length, 1);
    const described = lines.filter((l) => l.startsWith('    ')).map((l) => l.trim()).sort();
    assert.deepEqual(described, [
      `KP125M(US) plug (SMART): transport aes on HTTP port ${smart.devices[4].port}, login version 2, takes the TP-Link account it is bound to`,
      `L530(EU) bulb (SMART): transport klap on HTTP port ${smart.devices[2].port}, login version 2, takes the TP-Link account it is bound to`,
      `P100(US) plug (SMART): transport aes on HTTP port ${smart.devices[3].port}, login version 1, takes the TP-Link account it is bound to`,
      `P110(EU) plug (SMART): transport klap on HTTP port ${smart.devices[0].port}, login version 2, takes the TP-Link account it is bound to`,
      `P300(EU) strip (SMART): transport klap on HTTP port ${smart.devices[1].port}, login version 2, takes the TP-Link account it is bound to`,
    ]);
    // Each description follows the reply it was read from, as the device sent it.
    for (const device of smart.devices) {
      const at = lines.findIndex((l) => l.startsWith(`Received from ${device.host}:${device.discoveryPort}:  {`));
      assert.ok(at > 0, `${device.host} listed`);
      const reply = JSON.parse(lines[at].slice(lines[at].indexOf('{'))) as { error_code: number; result: { device_model: string; mgt_encrypt_schm: object } };
      assert.equal(reply.error_code, 0);
      assert.match(lines[at + 1], new RegExp(`^ {4}${reply.result.device_model.replace(/[()]/g, '\\$&')} `));
    }
    assert.equal(lines.length, 1 + 1 + 2 * 5, 'the Sent line, one classic reply, two lines per SMART device: none twice');
  });

  it('-q prints one reply JSON per line, classic and SMART', async () => {
    const result = await run(['-q']);
    assert.equal(result.code, 0, result.stderr);
    const replies = result.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { system?: object; result?: { device_type: string } });
    assert.equal(replies.filter((r) => r.system !== undefined).length, 1);
    assert.deepEqual(replies.flatMap((r) => (r.result ? [r.result.device_type] : [])).sort(), [
      'SMART.KASAPLUG', 'SMART.TAPOBULB', 'SMART.TAPOPLUG', 'SMART.TAPOPLUG', 'SMART.TAPOPLUG',
    ]);
  });

  it('exits 0 when only SMART devices answer, and sends no 20002 probe for a command other than info', async () => {
    const before = smart.probes.get(smart.ports[0]) ?? 0;
    const onlySmart = await smartplugHere(['-b', '--broadcast-address', ADDRESS, '-p', '9', '-T', '0.3', '-q']);
    assert.equal(onlySmart.code, 0, onlySmart.stderr);
    assert.equal(onlySmart.stdout.trimEnd().split('\n').length, 5);
    assert.equal((smart.probes.get(smart.ports[0]) ?? 0) - before, 1, 'one probe on 20002');

    const after = smart.probes.get(smart.ports[0]) ?? 0;
    const ledoff = await run(['-c', 'ledoff', '-q']);
    assert.equal(ledoff.code, 0, ledoff.stderr);
    assert.equal(ledoff.stdout.trimEnd().split('\n').length, 1, 'the classic reply only');
    assert.equal(smart.probes.get(smart.ports[0]) ?? 0, after, 'no probe on 20002');
  });
});
