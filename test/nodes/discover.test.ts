import { strict as assert } from 'assert';
import { fleetLayout, startFleet, type RunningFleet } from '../../lib/simulator';
import type { NodeMessage } from '../../nodes/types';
import configNode from '../../nodes/tplink-config/tplink-config';
import discoverNode from '../../nodes/tplink-discover/tplink-discover';
import { helper, node, sentMatching, statusBecomes, TAB } from './support/node-red';

// Broadcasts stay inside 127.0.0.0/8: the fleet listens on 127.255.255.255.
const BROADCAST = '127.255.255.255';

function discoverFlow(port: number, extra: Record<string, unknown> = {}): object[] {
  return [
    TAB,
    { id: 'disc', type: 'tplink-discover', z: 'f1', broadcast: BROADCAST, port, iface: '', timeout: 0.4, interval: '', wires: [['out']], ...extra },
    { id: 'out', type: 'helper', z: 'f1' },
  ];
}

/** Collects messages at `id` until `count` arrived. */
function collect(id: string, count: number, match: (m: NodeMessage) => boolean = () => true, timeout = 5000): Promise<NodeMessage[]> {
  const got: NodeMessage[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${count} messages within ${timeout} ms`)), timeout);
    node(id).on('input', (msg) => {
      if (!match(msg)) return;
      got.push(msg);
      if (got.length === count) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

describe('tplink-discover against a simulated fleet on 127.0.3.x', function () {
  let fleet: RunningFleet;
  let port: number;

  before(async () => {
    await helper.startServer();
    fleet = await startFleet({
      devices: [
        ...fleetLayout({ model: 'HS110', count: 2, host: '127.0.3.1', port: 0, layout: 'hosts', alias: 'Plug' }),
        { model: 'HS300', host: '127.0.3.3', port: 0, alias: 'Strip' },
      ],
      samePort: true,
      broadcastListener: { host: BROADCAST },
    });
    port = fleet.devices[0].port;
  });
  after(async () => {
    await fleet.close();
    await helper.stopServer();
  });
  afterEach(() => helper.unload());

  it('sweeps on input and sends one message per device', async () => {
    await helper.load([discoverNode], discoverFlow(port));
    const messages = collect('out', 3);
    node('disc').receive({ payload: 'go' });
    const found = await messages;
    const hosts = found.map((m) => (m.payload as { host: string }).host).sort();
    assert.deepEqual(hosts, ['127.0.3.1', '127.0.3.2', '127.0.3.3']);
    for (const m of found) {
      assert.equal(m.topic, 'found');
      assert.equal(m.count, 3);
      const p = m.payload as Record<string, unknown>;
      for (const key of ['host', 'port', 'alias', 'model', 'deviceId', 'mac', 'state', 'outlets']) assert.ok(key in p, key);
      assert.equal(p.port, port);
    }
    const strip = found.find((m) => (m.payload as { model: string }).model.startsWith('HS300'))?.payload as { outlets: unknown[] };
    assert.equal(strip.outlets.length, 6);
    await statusBecomes('disc', (s) => s.fill === 'green' && s.text === 'tplink-discover.status.found');
  });

  it('reports new, offline, online and changed devices in continuous mode', async function () {
    this.timeout(20_000);
    await helper.load([discoverNode], discoverFlow(port, { interval: 0.3, timeout: 0.2 }));
    const news = await sentMatching('disc', 3, (m) => m.topic === 'new');
    assert.deepEqual(news.map((m) => (m.payload as { host: string }).host).sort(), ['127.0.3.1', '127.0.3.2', '127.0.3.3']);
    const target = fleet.devices[1];
    const host = (m: NodeMessage): string => (m.payload as { host: string }).host;
    await target.offline();
    assert.equal(host((await sentMatching('disc', 1, (m) => m.topic === 'offline', 8000))[0]), target.host);
    await target.online();
    assert.equal(host((await sentMatching('disc', 1, (m) => m.topic === 'online', 8000))[0]), target.host);
    target.device.alias = 'Renamed';
    const [change] = await sentMatching('disc', 1, (m) => m.topic === 'changed', 8000);
    assert.equal((change.payload as { alias: string }).alias, 'Renamed');
    assert.ok(Array.isArray(change.changes));
    await statusBecomes('disc', (s) => s.text === 'tplink-discover.status.online');
  });

  it('serves a sweep to the editor through the admin endpoint', async () => {
    await helper.load([configNode], [TAB]);
    const res = await helper.request().get('/tplink-kasa/discover').query({ broadcast: BROADCAST, port: String(port), timeout: '400' });
    assert.equal(res.status, 200);
    const devices = res.body as Array<{ host: string; alias: string }>;
    assert.deepEqual(devices.map((d) => d.host).sort(), ['127.0.3.1', '127.0.3.2', '127.0.3.3']);
  });
});
