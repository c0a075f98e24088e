/**
 * Discovery on a virtual LAN (network namespaces, see README.md). Needs
 * root: without namespaces the suite fails with NamespaceUnavailableError.
 */
import { strict as assert } from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import { createLan, type Lan } from './lan';
import { NamespaceUnavailableError, removeStaleNamespaces } from './netns';
import type { Message } from './channel';

interface Found {
  host: string;
  deviceId: string;
  children: number;
}

async function sweep(lan: Lan, tool: 'ours' | 'tplink-smarthome-api', options: Record<string, unknown>): Promise<{ devices: Found[]; result: Message }> {
  const run = await lan.runInClient('discover-client', [tool, JSON.stringify(options)], 20_000);
  const result = run.messages[0];
  assert.ok(result && Array.isArray(result.devices), `${tool} printed no result (exit ${String(run.code)}): ${JSON.stringify(result)} ${run.stderr}`);
  return { devices: result.devices as Found[], result };
}

function sorted(values: string[]): string[] {
  return [...values].sort();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function ourNamespaces(): string[] {
  return execFileSync('ip', ['netns', 'list']).toString().split('\n')
    .map((line) => line.split(' ')[0] ?? '').filter((name) => name.startsWith(`kasa-${process.pid}-`));
}

describe('discovery on a virtual LAN (network namespaces)', function () {
  this.timeout(30_000);

  it('removes namespaces left by a crashed run (a kasa-<pid>- name whose process is gone)', async () => {
    let dead = 4_000_000;
    while (dead > 3_000_000 && isAlive(dead)) dead -= 1;
    const stale = `kasa-${dead}-1-client`;
    try {
      execFileSync('ip', ['netns', 'add', stale], { stdio: 'pipe' });
    } catch (error) {
      throw new NamespaceUnavailableError(String((error as { stderr?: unknown }).stderr ?? error).trim());
    }
    try {
      assert.ok((await removeStaleNamespaces()).includes(stale));
      assert.ok(!execFileSync('ip', ['netns', 'list']).toString().includes(stale));
    } finally {
      spawnSync('ip', ['netns', 'del', stale], { stdio: 'ignore' }); // already gone when the test passed
    }
  });

  describe('one LAN of 50 devices', function () {
    let lan: Lan | undefined;
    before(async () => {
      lan = await createLan({ devices: 50, subnet: '192.0.2' });
    });
    after(async () => {
      await lan?.destroy();
      assert.deepEqual(ourNamespaces(), [], 'every namespace the test made is gone');
    });

    it('finds all 50 in one sweep, no duplicates, none missing, strips with their outlets', async () => {
      const { devices } = await sweep(lan!, 'ours', { timeout: 1500 });
      assert.equal(devices.length, 50);
      assert.equal(new Set(devices.map((d) => d.deviceId)).size, 50);
      assert.deepEqual(sorted(devices.map((d) => d.host)), sorted(lan!.deviceAddresses));
      const byHost = new Map(devices.map((d) => [d.host, d]));
      for (const device of lan!.devices) {
        assert.equal(byHost.get(device.host)?.deviceId, device.deviceId, device.host);
        if (device.model.startsWith('HS300')) assert.equal(byHost.get(device.host)?.children, 6);
      }
    });

    it('finds the same 50 with the directed broadcast 192.0.2.255', async () => {
      const { devices } = await sweep(lan!, 'ours', { broadcast: '192.0.2.255', timeout: 1500 });
      assert.deepEqual(sorted(devices.map((d) => d.deviceId)), sorted(lan!.devices.map((d) => d.deviceId)));
    });

    it('finds the same devices as tplink-smarthome-api\'s discovery in the same LAN', async () => {
      const [ours, theirs] = await Promise.all([
        sweep(lan!, 'ours', { timeout: 1500 }),
        sweep(lan!, 'tplink-smarthome-api', { timeout: 1500 }),
      ]);
      const pairs = (found: Found[]): string[] => sorted(found.map((d) => `${d.host} ${d.deviceId}`));
      assert.equal(theirs.devices.length, 50, `tplink-smarthome-api found ${theirs.devices.length}`);
      assert.deepEqual(pairs(ours.devices), pairs(theirs.devices));
    });

    it('reports a device that goes down as offline, then online when it returns, and nothing else', async () => {
      const scanner = lan!.startInClient('scanner-client', [JSON.stringify({ interval: 250, timeout: 250, offlineAfter: 2 })]);
      try {
        await scanner.next((m) => m.event === 'sweep' && m.seen === 50, 10_000);
        const victim = lan!.devices[7]!;
        const mark = scanner.messages.length;
        await lan!.stopDevice(victim.host);
        const offline = await scanner.next((m) => m.event === 'device-offline', 5000, mark);
        assert.equal(offline.deviceId, victim.deviceId);
        const back = scanner.messages.length;
        await lan!.startDevice(victim.host);
        const online = await scanner.next((m) => m.event === 'device-online', 5000, back);
        assert.equal(online.deviceId, victim.deviceId);
        await lan!.setAlias(victim.host, 'Renamed');
        const changed = await scanner.next((m) => m.event === 'device-changed', 5000, back);
        assert.deepEqual(changed.changes, [{ field: 'alias', previous: victim.alias, current: 'Renamed' }]);
        const events = scanner.messages.filter((m) => typeof m.event === 'string' && m.event.startsWith('device-') && m.event !== 'device-new');
        assert.deepEqual(events.map((m) => `${String(m.event)} ${String(m.deviceId)}`), [
          `device-offline ${victim.deviceId}`, `device-online ${victim.deviceId}`, `device-changed ${victim.deviceId}`,
        ]);
        assert.equal(scanner.messages.filter((m) => m.event === 'device-new').length, 50);
        assert.equal(scanner.messages.filter((m) => m.event === 'error').length, 0);
      } finally {
        await scanner.close();
      }
      assert.ok(scanner.messages.some((m) => m.event === 'stopped'), 'the scanner stopped cleanly');
    });
  });

  describe('a host with two interfaces on two LANs', function () {
    let lan: Lan | undefined;
    let lanA: string[] = [];
    let lanB: string[] = [];
    before(async () => {
      lan = await createLan({ networks: [{ subnet: '192.0.2', devices: 20 }, { subnet: '198.51.100', devices: 15 }] });
      lanA = sorted(lan.networks[0]!.devices.map((d) => d.deviceId));
      lanB = sorted(lan.networks[1]!.devices.map((d) => d.deviceId));
    });
    after(async () => {
      await lan?.destroy();
      assert.deepEqual(ourNamespaces(), []);
    });

    const ids = (found: Found[]): string[] => sorted(found.map((d) => d.deviceId));

    it('finds both LANs when no network is chosen', async () => {
      const { devices } = await sweep(lan!, 'ours', { timeout: 1500 });
      assert.deepEqual(ids(devices), sorted([...lanA, ...lanB]));
    });

    it('finds only the chosen LAN with sourceAddress', async () => {
      assert.deepEqual(ids((await sweep(lan!, 'ours', { sourceAddress: '192.0.2.1', timeout: 1500 })).devices), lanA);
      assert.deepEqual(ids((await sweep(lan!, 'ours', { sourceAddress: '198.51.100.1', timeout: 1500 })).devices), lanB);
    });

    it('finds only the chosen LAN with interface', async () => {
      assert.deepEqual(ids((await sweep(lan!, 'ours', { interface: 'lan1', timeout: 1500 })).devices), lanB);
      assert.deepEqual(ids((await sweep(lan!, 'ours', { interface: 'lan0', timeout: 1500 })).devices), lanA);
    });

    it('(for comparison) tplink-smarthome-api\'s limited broadcast reaches only the default route\'s LAN', async () => {
      const { devices } = await sweep(lan!, 'tplink-smarthome-api', { timeout: 1500 });
      assert.deepEqual(ids(devices), lanA);
    });
  });
});
