import { strict as assert } from 'assert';
import { discover } from '../../lib/discovery/index';
import { ConnectionError } from '../../lib/errors';
import { encodeDiscovery20002Reply } from '../../lib/discovery/tdp';
import { bulb, plug, startPeer, strip, sysinfoReply, type FakePeer } from './fake-devices';

describe('discover() against loopback peers', function () {
  const peers: FakePeer[] = [];
  const peer = async (...args: Parameters<typeof startPeer>): Promise<FakePeer> => {
    const p = await startPeer(...args);
    peers.push(p);
    return p;
  };
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
  });

  it('finds a unicast target with host, port and sysinfo, and resolves as soon as it answers', async () => {
    const p = await peer(() => [plug('8006A1')]);
    const started = Date.now();
    const found = await discover({ target: '127.0.0.1', port: p.port, timeout: 2000 });
    assert.ok(Date.now() - started < 1500, 'a target resolves on its reply, not at the timeout');
    assert.equal(found.length, 1);
    assert.deepEqual({ ...found[0], sysinfo: undefined, state: undefined }, {
      host: '127.0.0.1', port: p.port, protocol: 'xor', family: 'classic', needsCredentials: false, deviceId: '8006A1', kind: 'plug', sysinfo: undefined,
      state: undefined, children: [],
    });
    assert.equal(found[0].sysinfo.alias, 'Plug 06A1');
    // Read by the device layer: what the device is.
    assert.equal(found[0].state.kind, 'plug');
    assert.equal(found[0].state.alias, 'Plug 06A1');
  });

  it('asks for get_sysinfo only, and nothing else', async () => {
    const p = await peer(() => [plug('A1')]);
    await discover({ target: '127.0.0.1', port: p.port, timeout: 500 });
    assert.ok(p.probes.length >= 1);
    for (const probe of p.probes) assert.deepEqual(JSON.parse(probe.text), { system: { get_sysinfo: {} } });
  });

  it('repeats the probe within one sweep, so a lost first probe does not lose the device', async () => {
    const p = await peer((_probe, index) => (index < 2 ? undefined : [plug('LATE')]));
    const found = await discover({ broadcast: '127.0.0.1', port: p.port, timeout: 600, probes: 3 });
    assert.equal(p.probes.length, 3);
    assert.deepEqual(found.map((d) => d.deviceId), ['LATE']);
  });

  it('removes duplicates by deviceId, whichever address or probe they came from', async () => {
    const a = await peer(() => [plug('SAME'), plug('SAME')]);
    const found = await discover({ broadcast: '127.0.0.1', port: a.port, timeout: 400, probes: 3 });
    assert.equal(a.probes.length, 3);
    assert.equal(found.length, 1);
  });

  it('lists a strip\'s outlets with full ids', async () => {
    const p = await peer(() => [strip('8006STRIP')]);
    const [device] = await discover({ target: '127.0.0.1', port: p.port, timeout: 1000 });
    assert.deepEqual(device.children, [
      { id: '8006STRIP00', alias: 'Lamp', state: 1 },
      { id: '8006STRIP01', alias: 'Fan', state: 0 },
    ]);
  });

  it('ignores junk, error replies and devices of other kinds without failing', async () => {
    const junk = [
      Buffer.from([0xde, 0xad, 0xbe, 0xef]), Buffer.alloc(0), 'not json', '[1,2]', '{"system":{}}',
      '{"system":{"get_sysinfo":"x"}}', sysinfoReply({ err_code: -1, deviceId: 'ERR' }),
      sysinfoReply({ type: 'IOT.SMARTPLUGSWITCH' }), sysinfoReply({ deviceId: 'CAM', type: 'IOT.IPCAMERA' }),
      bulb('BULB'), { system: { get_sysinfo: { deviceId: 'NOTYPE' } } }, plug('GOOD'),
    ];
    const p = await peer(() => junk);
    const found = await discover({ broadcast: '127.0.0.1', port: p.port, timeout: 300, probes: 1 });
    assert.deepEqual(found.map((d) => d.deviceId), ['GOOD']);
    const withBulbs = await discover({ broadcast: '127.0.0.1', port: p.port, timeout: 300, probes: 1, kinds: ['plug', 'bulb'] });
    assert.deepEqual(withBulbs.map((d) => d.deviceId).sort(), ['BULB', 'GOOD']);
  });

  it('resolves to an empty list when nothing answers', async () => {
    const p = await peer(() => undefined);
    assert.deepEqual(await discover({ target: '127.0.0.1', port: p.port, timeout: 200 }), []);
  });

  it('rejects with a ConnectionError for a source address that is not local (nothing is sent)', async () => {
    await assert.rejects(discover({ sourceAddress: '192.0.2.77', target: '127.0.0.1', port: 9, timeout: 200 }), (error: unknown) => {
      assert.ok(error instanceof ConnectionError);
      assert.match(error.message, /cannot bind the discovery socket to 192\.0\.2\.77/);
      return true;
    });
  });

  it('rejects with a ConnectionError naming the known interfaces for an unknown interface', async () => {
    await assert.rejects(discover({ interface: 'nosuch0', target: '127.0.0.1', port: 9, timeout: 200 }), (error: unknown) => {
      assert.ok(error instanceof ConnectionError);
      assert.match(error.message, /no network interface 'nosuch0'.*known: .*lo/);
      return true;
    });
  });

  it('rejects when no probe can be sent', async () => {
    await assert.rejects(discover({ target: '127.0.0.1', port: 0, timeout: 200 }), ConnectionError);
  });

  it('sends from the interface chosen by name (lo)', async () => {
    const p = await peer(() => [plug('LO')]);
    const found = await discover({ interface: 'lo', target: '127.0.0.1', port: p.port, timeout: 1000 });
    assert.equal(found.length, 1);
    assert.equal(p.probes[0].from.address, '127.0.0.1');
  });

  describe('includeKlap', function () {
    const klapResult = (deviceId: string): Record<string, unknown> => ({
      device_id: deviceId, device_type: 'IOT.SMARTPLUGSWITCH', device_model: 'KP125M(US)', ip: '127.0.0.1', mac: '50-C7-BF-00-00-09',
      mgt_encrypt_schm: { is_support_https: false, encrypt_type: 'KLAP', http_port: 80, lv: 2 },
    });

    it('also probes UDP 20002 and reports KLAP-only devices', async () => {
      const xor = await peer(() => undefined);
      const klap = await peer(() => [encodeDiscovery20002Reply(klapResult('KLAPONLY'), 7)]);
      const found = await discover({ broadcast: '127.0.0.1', port: xor.port, klapPort: klap.port, includeKlap: true, timeout: 300, probes: 1 });
      assert.equal(klap.probes.length, 1);
      assert.equal(found.length, 1);
      assert.equal(found[0].deviceId, 'KLAPONLY');
      assert.equal(found[0].port, 80);
      assert.equal(found[0].protocol, 'klap');
      assert.deepEqual(found[0].klap, { port: klap.port, deviceType: 'IOT.SMARTPLUGSWITCH', encryptType: 'KLAP', httpPort: 80, loginVersion: 2 });
    });

    it('merges a device that answers both probes into one, keeping its sysinfo', async () => {
      const xor = await peer(() => [plug('BOTH')]);
      const klap = await peer(() => [encodeDiscovery20002Reply(klapResult('BOTH'), 7)]);
      const found = await discover({ broadcast: '127.0.0.1', port: xor.port, klapPort: klap.port, includeKlap: true, timeout: 300, probes: 2 });
      assert.equal(found.length, 1);
      assert.equal(found[0].sysinfo.alias, 'Plug BOTH');
      assert.equal(found[0].port, xor.port);
      assert.equal(found[0].klap?.encryptType, 'KLAP');
    });

    it('does not probe 20002 unless asked', async () => {
      const xor = await peer(() => [plug('X')]);
      const klap = await peer(() => undefined);
      await discover({ broadcast: '127.0.0.1', port: xor.port, klapPort: klap.port, timeout: 200, probes: 1 });
      assert.equal(klap.probes.length, 0);
    });
  });
});
