/**
 * tplink-discover and the editor's search (GET /tplink-kasa/discover) list
 * SMART devices (Tapo P110, P300, L530, P100, Kasa KP125M, simulated) beside
 * a classic plug, with the family, transport, HTTP port and login version
 * to use and that they take an account. The "broadcast" goes to
 * 127.0.20.255, where this file's listeners take the probes (unicast on
 * loopback, test/discovery/smart-fleet.ts).
 */
import { strict as assert } from 'assert';
import type { DeviceSummary } from '../../lib/discovery/index';
import { startFleet, type RunningFleet } from '../../lib/simulator';
import type { NodeMessage } from '../../nodes/types';
import configNode from '../../nodes/tplink-config/tplink-config';
import discoverNode from '../../nodes/tplink-discover/tplink-discover';
import { smartModels, startSmartLoopbackFleet, type SmartLoopbackFleet } from '../discovery/smart-fleet';
import { helper, node, sentMatching, statusBecomes, TAB } from './support/node-red';

const SUBNET = '127.0.20';
const ADDRESS = `${SUBNET}.255`;

type Found = Pick<DeviceSummary, 'host' | 'port' | 'model' | 'kind' | 'family' | 'transport' | 'loginVersion' | 'needsCredentials'>;

/** What the five SMART simulators and the HS110 must be listed as. */
function expected(smart: SmartLoopbackFleet, classicPort: number): Found[] {
  const at = (n: number): { host: string; port: number } => ({ host: `${SUBNET}.${n}`, port: smart.devices[n - 1].port });
  const rows: Found[] = [
    { ...at(1), model: 'P110(EU)', kind: 'plug', family: 'smart', transport: 'klap', loginVersion: 2, needsCredentials: true },
    { ...at(2), model: 'P300(EU)', kind: 'strip', family: 'smart', transport: 'klap', loginVersion: 2, needsCredentials: true },
    { ...at(3), model: 'L530(EU)', kind: 'bulb', family: 'smart', transport: 'klap', loginVersion: 2, needsCredentials: true },
    { ...at(4), model: 'P100(US)', kind: 'plug', family: 'smart', transport: 'aes', loginVersion: 1, needsCredentials: true },
    { ...at(5), model: 'KP125M(US)', kind: 'plug', family: 'smart', transport: 'aes', loginVersion: 2, needsCredentials: true },
    { host: `${SUBNET}.10`, port: classicPort, model: 'HS110(EU)', kind: 'plug', family: 'classic', transport: 'tcp', loginVersion: undefined, needsCredentials: false },
  ];
  return rows.sort((a, b) => a.host.localeCompare(b.host));
}

function found(summaries: readonly DeviceSummary[]): Found[] {
  return summaries
    .map(({ host, port, model, kind, family, transport, loginVersion, needsCredentials }) => ({ host, port, model, kind, family, transport, loginVersion, needsCredentials }))
    .sort((a, b) => a.host.localeCompare(b.host));
}

describe('tplink-discover and the editor search listing SMART devices', function () {
  let smart: SmartLoopbackFleet;
  let classic: RunningFleet;
  let classicPort: number;

  before(async () => {
    await helper.startServer();
    smart = await startSmartLoopbackFleet({ address: ADDRESS, devices: smartModels(SUBNET) });
    classic = await startFleet({ devices: [{ model: 'HS110', host: `${SUBNET}.10`, port: 0, alias: 'Classic' }], broadcastListener: { host: ADDRESS } });
    classicPort = classic.broadcast?.port as number;
  });
  after(async () => {
    await smart?.close();
    await classic?.close();
    await helper.stopServer();
  });
  afterEach(() => helper.unload());

  it('a sweep sends one message per device, SMART ones with transport, port, login version and needsCredentials', async () => {
    await helper.load([discoverNode], [
      TAB,
      { id: 'disc', type: 'tplink-discover', z: 'f1', broadcast: ADDRESS, port: classicPort, iface: '', timeout: 0.4, interval: '', wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f1' },
    ]);
    const messages: NodeMessage[] = [];
    const all = new Promise<void>((resolve) => {
      node('out').on('input', (msg) => {
        messages.push(msg);
        if (messages.length === 6) resolve();
      });
    });
    node('disc').receive({ payload: 'go' });
    await all;
    assert.deepEqual(found(messages.map((m) => m.payload as DeviceSummary)), expected(smart, classicPort));
    const p300 = messages.find((m) => (m.payload as DeviceSummary).model === 'P300(EU)');
    assert.deepEqual([p300?.topic, p300?.count, (p300?.sysinfo as { type?: string }).type], ['found', 6, 'SMART.TAPOPLUG']);
    const summary = p300?.payload as DeviceSummary;
    assert.deepEqual([summary.alias, summary.state, 'alias' in (p300?.sysinfo as object)], [null, null, false], 'unknown until read, not "" and off');
    await statusBecomes('disc', (s) => s.fill === 'green' && s.text === 'tplink-discover.status.found');
  });

  it('continuous discovery reports each SMART device new once, though it answers 20002 and 20004 every sweep', async function () {
    this.timeout(10_000);
    await helper.load([discoverNode], [
      TAB,
      { id: 'disc', type: 'tplink-discover', z: 'f1', broadcast: ADDRESS, port: classicPort, iface: '', timeout: 0.2, interval: 0.25, wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f1' },
    ]);
    const news = await sentMatching('disc', 6, (m) => m.topic === 'new');
    assert.deepEqual(found(news.map((m) => m.payload as DeviceSummary)), expected(smart, classicPort));
    await statusBecomes('disc', (s) => s.text === 'tplink-discover.status.online', 5000);
  });

  it('the editor search lists them with what the config node needs to be filled in', async () => {
    await helper.load([configNode], [TAB]);
    const res = await helper.request().get('/tplink-kasa/discover').query({ broadcast: ADDRESS, port: String(classicPort), timeout: '400' });
    assert.equal(res.status, 200);
    assert.deepEqual(found(res.body as DeviceSummary[]), expected(smart, classicPort));
    const l530 = (res.body as DeviceSummary[]).find((d) => d.kind === 'bulb');
    assert.deepEqual([l530?.alias, l530?.state, l530?.mac], [null, null, smart.devices[2].device.mac]);
  });
});
