/**
 * discover(), the scanner and probeTdpDevices finding SMART devices (Tapo,
 * newer Kasa) on UDP 20002 and 20004 beside classic ones on 9999, in one
 * sweep, against simulated devices on 127.0.19.x (unicast only: see
 * smart-fleet.ts). What their type and model say, with the transport and
 * login version to use; one device per device whatever it answered.
 */
import { strict as assert } from 'assert';
import { discover, DiscoveryScanner, probeTdpDevices, summarizeDevice, type DiscoveredDevice } from '../../lib/discovery/index';
import { parseTdpReply } from '../../lib/discovery/replies';
import { baseModel, smartKindByModel as smartKindOf } from '../../lib/device/state/smart';
import { encodeDiscovery20002Reply } from '../../lib/discovery/tdp';
import { startFleet, type RunningFleet } from '../../lib/simulator';
import { plug, startPeer, waitFor, type FakePeer } from './fake-devices';
import { smartModels, startSmartLoopbackFleet, type SmartLoopbackFleet } from './smart-fleet';

const SUBNET = '127.0.19';
const ADDRESS = `${SUBNET}.255`;

function byModel(found: readonly DiscoveredDevice[], model: string): DiscoveredDevice {
  const device = found.find((d) => baseModel(d.state.model) === model);
  assert.ok(device, `${model} not found among ${found.map((d) => d.state.model).join(', ')}`);
  return device;
}

describe('discovery of SMART devices on UDP 20002 and 20004', function () {
  let smart: SmartLoopbackFleet;
  let classic: RunningFleet;

  before(async () => {
    smart = await startSmartLoopbackFleet({ address: ADDRESS, devices: smartModels(SUBNET) });
    classic = await startFleet({ devices: [{ model: 'HS110', host: `${SUBNET}.10`, port: 0, alias: 'Classic' }], broadcastListener: { host: ADDRESS } });
  });
  after(async () => {
    await smart?.close();
    await classic?.close();
  });
  const classicPort = (): number => classic.broadcast?.port as number;

  it('lists classic and SMART devices from one sweep, each once though SMART ones answer both ports', async () => {
    const before = new Map(smart.probes);
    const found = await discover({ broadcast: ADDRESS, port: classicPort(), includeKlap: true, kinds: ['plug', 'bulb'], timeout: 400, probes: 2 });
    assert.deepEqual(found.map((d) => d.host).sort(), [1, 10, 2, 3, 4, 5].map((n) => `${SUBNET}.${n}`).sort());
    assert.equal(new Set(found.map((d) => d.deviceId)).size, found.length);
    for (const port of smart.ports) assert.equal((smart.probes.get(port) ?? 0) - (before.get(port) ?? 0), 2, `probes on ${port}`);
    const hs110 = found.find((d) => d.host === `${SUBNET}.10`);
    assert.deepEqual([hs110?.family, hs110?.protocol, hs110?.needsCredentials, hs110?.state.alias], ['classic', 'xor', false, 'Classic']);
  });

  it('says what each SMART device is and how to reach it: transport, HTTP port, login version, an account', async () => {
    const found = await discover({ broadcast: ADDRESS, port: classicPort(), includeKlap: true, kinds: ['plug', 'bulb'], timeout: 300, probes: 1 });
    const expected: Array<[string, string, string, string, number]> = [
      // model, kind, discovery filter, transport, login version
      ['P110', 'plug', 'plug', 'klap', 2],
      ['P300', 'strip', 'plug', 'klap', 2],
      ['L530', 'bulb', 'bulb', 'klap', 2],
      ['P100', 'plug', 'plug', 'aes', 1],
      ['KP125M', 'plug', 'plug', 'aes', 2],
    ];
    for (const [model, kind, filter, transport, loginVersion] of expected) {
      const device = byModel(found, model);
      const running = smart.devices.find((d) => d.host === device.host);
      assert.ok(running);
      assert.deepEqual(
        [device.family, device.state.family, device.state.kind, device.kind, device.protocol, device.port, device.loginVersion, device.needsCredentials],
        ['smart', 'smart', kind, filter, transport, running.port, loginVersion, true],
        model,
      );
      assert.equal(device.state.mac, running.device.mac);
      assert.equal(device.state.model, `${running.device.spec.model}(${running.device.spec.region})`);
      assert.equal(device.klap?.encryptType, transport.toUpperCase());
      assert.deepEqual(device.state.outlets, [], 'outlets are known once the device is read');
      assert.deepEqual([device.state.alias, device.state.on, device.sysinfo.alias, 'alias' in device.sysinfo], [undefined, undefined, undefined, false],
        'the reply names no alias and no relay state: unknown, not "" and off');
    }
    assert.equal(byModel(found, 'P100').klap?.loginVersion, undefined, 'the reply had no lv: version 1 is what to use');
  });

  it('summarizes a SMART device for the editor and the node: family, transport, port, login version, credentials', async () => {
    const found = await discover({ broadcast: ADDRESS, port: classicPort(), includeKlap: true, kinds: ['plug', 'bulb'], timeout: 300, probes: 1 });
    const p300 = byModel(found, 'P300');
    const summary = summarizeDevice(p300);
    assert.deepEqual(
      { ...summary, deviceId: undefined },
      {
        host: `${SUBNET}.2`, port: smart.devices[1].port, alias: null, model: 'P300(EU)', deviceId: undefined, mac: smart.devices[1].device.mac,
        family: 'smart', transport: 'klap', loginVersion: 2, needsCredentials: true, kind: 'strip', state: null, outlets: [],
      },
    );
    const hs110 = summarizeDevice(found.find((d) => d.host === `${SUBNET}.10`) as DiscoveredDevice);
    assert.deepEqual([hs110.family, hs110.transport, hs110.needsCredentials, hs110.loginVersion], ['classic', 'tcp', false, undefined]);
    assert.deepEqual([hs110.alias, hs110.state], ['Classic', true], 'a get_sysinfo reply says both');
  });

  it('leaves bulbs and light strips out unless asked for, and SMART probes out unless includeKlap', async () => {
    const plugs = await discover({ broadcast: ADDRESS, port: classicPort(), includeKlap: true, timeout: 300, probes: 1 });
    assert.deepEqual(plugs.map((d) => baseModel(d.state.model)).sort(), ['HS110', 'KP125M', 'P100', 'P110', 'P300']);
    const before = smart.probes.get(smart.ports[0]) ?? 0;
    const classicOnly = await discover({ broadcast: ADDRESS, port: classicPort(), kinds: ['plug', 'bulb'], timeout: 300, probes: 1 });
    assert.deepEqual(classicOnly.map((d) => d.family), ['classic']);
    assert.equal(smart.probes.get(smart.ports[0]) ?? 0, before, 'no 20002 probe');
  });

  it('a scanner reports each SMART device new once and keeps it online across sweeps', async function () {
    const scanner = new DiscoveryScanner({ broadcast: ADDRESS, port: classicPort(), includeKlap: true, kinds: ['plug', 'bulb'], interval: 150, timeout: 150, probes: 1 });
    const news: DiscoveredDevice[] = [];
    scanner.on('device-new', (device: DiscoveredDevice) => news.push(device));
    try {
      const sweeps = waitFor<{ sweep: number }>(scanner, 'sweep');
      await scanner.start();
      await sweeps;
      await waitFor(scanner, 'sweep');
      assert.equal(news.length, 6, news.map((d) => d.state.model).join(', '));
      const p110 = byModel(news, 'P110');
      assert.equal(scanner.isOnline(p110.deviceId), true);
      assert.equal(scanner.devices.length, 6);
    } finally {
      await scanner.stop();
    }
  });

  it('probeTdpDevices sends the SMART probe alone, to the address given, each device once with its reply', async () => {
    const replies: Array<{ device: DiscoveredDevice; reply: Record<string, unknown> }> = [];
    const found = await probeTdpDevices({ destination: ADDRESS, timeout: 300, onDevice: (device, reply) => replies.push({ device, reply }) });
    assert.equal(found.length, 5);
    assert.equal(replies.length, 5);
    const l530 = replies.find((r) => r.device.state.kind === 'bulb');
    assert.equal((l530?.reply.result as { device_model?: string }).device_model, 'L530(EU)');
    assert.equal(l530?.reply.error_code, 0);
  });
});

describe('SMART discovery replies read at the boundary', () => {
  const from = { address: '192.0.2.7', port: 20002 };
  const reply = (result: Record<string, unknown>): Buffer => encodeDiscovery20002Reply(result, 1);
  const device = (type: string, model: string, scheme: Record<string, unknown> = { encrypt_type: 'KLAP', http_port: 80, lv: 2 }): DiscoveredDevice | undefined =>
    parseTdpReply(reply({ device_id: 'ID', device_type: type, device_model: model, mac: 'AA-BB-CC-00-11-22', mgt_encrypt_schm: scheme }), from);

  it('names the kind from type and model as the device layer will (strips, light strips, dimmers)', () => {
    const cases: Array<[string, string, string | undefined]> = [
      ['SMART.TAPOPLUG', 'P110(EU)', 'plug'], ['SMART.TAPOPLUG', 'P100', 'plug'], ['SMART.TAPOPLUG', 'P304M(UK)', 'strip'],
      ['SMART.TAPOPLUG', 'P300(EU)', 'strip'], ['SMART.KASAPLUG', 'EP40M(US)', 'strip'], ['SMART.KASAPLUG', 'KP125M(US)', 'plug'],
      ['SMART.KASAPLUG', 'EP25(US)', 'plug'], ['SMART.KASASWITCH', 'KS225(US)', 'dimmer'], ['SMART.KASASWITCH', 'HS220(US)', 'dimmer'],
      ['SMART.KASASWITCH', 'KS205(US)', 'switch'], ['SMART.KASASWITCH', 'KS240(US)', 'switch'], ['SMART.KASASWITCH', 'HS200(US)', 'switch'],
      ['SMART.TAPOSWITCH', 'S500D(US)', 'dimmer'], ['SMART.TAPOBULB', 'L530E(EU)', 'bulb'], ['SMART.TAPOBULB', 'L510B(EU)', 'bulb'],
      ['SMART.TAPOBULB', 'L900-5(EU)', 'lightstrip'], ['SMART.TAPOBULB', 'L920-5(US)', 'lightstrip'], ['SMART.TAPOBULB', 'L930-5(EU)', 'lightstrip'],
      ['SMART.TAPOHUB', 'H100(EU)', undefined], ['SMART.IPCAMERA', 'C100', undefined], ['SMART.TAPOCHIME', 'D100C(US)', undefined],
    ];
    for (const [type, model, kind] of cases) {
      assert.equal(smartKindOf(type, model), kind, `${type} ${model}`);
      assert.equal(device(type, model)?.state.kind, kind, `${type} ${model} through the reply`);
    }
  });

  it('KLAP when encrypt_type says so, AES otherwise; login version 1 without lv; port 80 without http_port', () => {
    const aes = device('SMART.TAPOPLUG', 'P100', { encrypt_type: 'AES' });
    assert.deepEqual([aes?.protocol, aes?.port, aes?.loginVersion, aes?.family], ['aes', 80, 1, 'smart']);
    const none = device('SMART.TAPOPLUG', 'P100', {});
    assert.equal(none?.protocol, 'aes');
    const klap = device('SMART.TAPOPLUG', 'P110(EU)', { encrypt_type: 'KLAP', http_port: 8080, lv: 2 });
    assert.deepEqual([klap?.protocol, klap?.port, klap?.loginVersion], ['klap', 8080, 2]);
    const classic = device('IOT.SMARTPLUGSWITCH', 'HS100(UK)', { encrypt_type: 'KLAP', http_port: 80 });
    assert.deepEqual([classic?.protocol, classic?.family, classic?.loginVersion, classic?.kind], ['klap', 'classic', 1, 'plug']);
  });

  it('states no alias, on/off or light the reply does not give, for SMART and classic devices alike', () => {
    for (const found of [device('SMART.TAPOBULB', 'L530(EU)'), device('IOT.SMARTBULB', 'KL130(US)'), device('IOT.SMARTPLUGSWITCH', 'HS100(UK)')]) {
      assert.ok(found);
      const what = `${found.state.model}: ${JSON.stringify(found.state)}`;
      for (const key of ['alias', 'on', 'light', 'brightness'] as const) assert.equal(key in found.state, false, `${what} has ${key}`);
      assert.equal('alias' in found.sysinfo, false, what);
      assert.deepEqual([summarizeDevice(found).alias, summarizeDevice(found).state], [null, null], what);
    }
  });

  it('drops what is not a reply of a device it can drive, without throwing', () => {
    const packets = [
      Buffer.alloc(0), Buffer.from([2]), reply({}), reply({ device_id: '', device_type: 'SMART.TAPOPLUG', device_model: 'P110' }),
      reply({ device_id: 'X', device_type: 'SMART.TAPOPLUG', device_model: 5 }), reply({ device_id: 'X', device_type: 'IOT.IPCAMERA', device_model: 'NC200' }),
      Buffer.concat([reply({}).subarray(0, 16), Buffer.from('{"result":'.repeat(200))]),
    ];
    for (const packet of packets) assert.equal(parseTdpReply(packet, from), undefined, packet.toString('hex').slice(0, 40));
  });
});

describe('one device answering both kinds of probe', () => {
  const peers: FakePeer[] = [];
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
  });
  const klapResult = (deviceId: string, mac: string): Record<string, unknown> => ({
    device_id: deviceId, device_type: 'IOT.SMARTPLUGSWITCH', device_model: 'HS100(UK)', mac, mgt_encrypt_schm: { encrypt_type: 'KLAP', http_port: 80, lv: 2 },
  });

  it('is one device when the 20002 id differs from its deviceId but address and MAC match; two when the MAC differs', async () => {
    const xor = await startPeer(() => [plug('SYSINFOID', { mac: '50:C7:BF:00:00:09' })]);
    const same = await startPeer(() => [encodeDiscovery20002Reply(klapResult('HASHID', '50-c7-bf-00-00-09'), 1)]);
    peers.push(xor, same);
    const found = await discover({ broadcast: '127.0.0.1', port: xor.port, klapPort: same.port, includeKlap: true, timeout: 300, probes: 2 });
    assert.equal(found.length, 1);
    assert.deepEqual([found[0].deviceId, found[0].protocol, found[0].sysinfo.alias, found[0].klap?.encryptType], ['SYSINFOID', 'xor', 'Plug FOID', 'KLAP']);

    const other = await startPeer(() => [encodeDiscovery20002Reply(klapResult('HASHID', '50-C7-BF-00-00-0A'), 1)]);
    peers.push(other);
    const two = await discover({ broadcast: '127.0.0.1', port: xor.port, klapPort: other.port, includeKlap: true, timeout: 300, probes: 2 });
    assert.deepEqual(two.map((d) => d.deviceId).sort(), ['HASHID', 'SYSINFOID']);
  });
});
