import { strict as assert } from 'assert';
import type { NetworkInterfaceInfo } from 'os';
import { directedBroadcast, planProbe, type InterfaceTable } from '../../lib/discovery/network';
import { ConnectionError } from '../../lib/errors';

function v4(address: string, netmask: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask, family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: null };
}

/** A host with a LAN, a second LAN, a Docker bridge, a point-to-point VPN and IPv6. */
const TABLE: InterfaceTable = {
  lo: [v4('127.0.0.1', '255.0.0.0', true)],
  eth0: [v4('192.0.2.10', '255.255.255.0'), { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '00:00:00:00:00:00', internal: false, cidr: null, scopeid: 2 }],
  eth1: [v4('198.51.100.7', '255.255.255.0')],
  docker0: [v4('172.17.0.1', '255.255.0.0')],
  wg0: [v4('10.9.0.2', '255.255.255.255')],
};

describe('discovery network plan', function () {
  it('computes directed broadcast addresses, none for /31 and /32', () => {
    assert.equal(directedBroadcast('192.0.2.10', '255.255.255.0'), '192.0.2.255');
    assert.equal(directedBroadcast('172.17.0.1', '255.255.0.0'), '172.17.255.255');
    assert.equal(directedBroadcast('203.0.113.5', '255.255.255.252'), '203.0.113.7');
    assert.equal(directedBroadcast('203.0.113.5', '255.255.255.254'), undefined);
    assert.equal(directedBroadcast('10.9.0.2', '255.255.255.255'), undefined);
    assert.equal(directedBroadcast('fe80::1', '255.255.255.0'), undefined);
  });

  it('by default probes the limited broadcast and every interface\'s directed broadcast', () => {
    assert.deepEqual(planProbe({ port: 9999 }, TABLE), {
      bindAddress: undefined, broadcast: true,
      destinations: ['255.255.255.255', '192.0.2.255', '198.51.100.255', '172.17.255.255'],
    });
  });

  it('an interface name binds to its address and probes its network only', () => {
    assert.deepEqual(planProbe({ port: 9999, interface: 'eth1' }, TABLE), {
      bindAddress: '198.51.100.7', broadcast: true, destinations: ['255.255.255.255', '198.51.100.255'],
    });
  });

  it('a source address binds to it and probes its network only', () => {
    assert.deepEqual(planProbe({ port: 9999, sourceAddress: '192.0.2.10' }, TABLE), {
      bindAddress: '192.0.2.10', broadcast: true, destinations: ['255.255.255.255', '192.0.2.255'],
    });
  });

  it('an explicit broadcast address is used as given', () => {
    assert.deepEqual(planProbe({ port: 9999, broadcast: '192.0.2.255' }, TABLE), {
      bindAddress: undefined, broadcast: true, destinations: ['192.0.2.255'],
    });
    assert.deepEqual(planProbe({ port: 9999, broadcast: '192.0.2.255', interface: 'eth0' }, TABLE).bindAddress, '192.0.2.10');
  });

  it('a target is probed by unicast only', () => {
    assert.deepEqual(planProbe({ port: 9999, target: '192.0.2.50', interface: 'eth0' }, TABLE), {
      bindAddress: '192.0.2.10', broadcast: false, destinations: ['192.0.2.50'],
    });
  });

  it('rejects an unknown interface, a mismatched source address and a non-IPv4 source', () => {
    assert.throws(() => planProbe({ port: 9999, interface: 'eth9' }, TABLE), (e: unknown) =>
      e instanceof ConnectionError && /no network interface 'eth9'.*known: lo, eth0, eth1, docker0, wg0/.test(e.message));
    assert.throws(() => planProbe({ port: 9999, interface: 'eth0', sourceAddress: '198.51.100.7' }, TABLE), /not the address of interface 'eth0'/);
    assert.throws(() => planProbe({ port: 9999, sourceAddress: 'fe80::1' }, TABLE), /not an IPv4 address/);
  });
});
