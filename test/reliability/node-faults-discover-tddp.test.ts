/**
 * Simulator faults against the other nodes: tplink-discover (one-shot and
 * continuous), tplink-tddp against a faulty TDDP responder, and the
 * tplink-config admin endpoints the editor calls. The runtime stays up,
 * errors reach done(err) (a Catch node) or an HTTP error with a readable
 * message, nothing is lost or sent twice, and everything recovers.
 *
 * Only 127.0.0.0/8: the fleet lives on 127.0.12.x and broadcasts go to
 * the loopback broadcast 127.255.255.255.
 */
import { strict as assert } from 'assert';
import { fleetLayout, startDevice, startFleet, type FaultSpec, type RunningDevice, type RunningFleet } from '../../lib/simulator';
import { startTddpResponder, type TddpResponder } from '../../lib/simulator/tddp-responder';
import type { NodeMessage } from '../../nodes/types';
import configNode from '../../nodes/tplink-config/tplink-config';
import discoverNode from '../../nodes/tplink-discover/tplink-discover';
import tddpNode from '../../nodes/tplink-tddp/tplink-tddp';
import { exchange, helper, nextMessage, node, sentBy, sentMatching, statusBecomes, TAB } from '../nodes/support/node-red';
import { provesNothingHappensFor } from '../support/wait';
import { waitUntil } from './support';

const BROADCAST = '127.255.255.255';
const CATCHER = [
  { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
  { id: 'caught', type: 'helper', z: 'f1' },
];

/** Everything node `id` passed to this.error() since the flow was loaded. */
function errorsLoggedBy(id: string): unknown[] {
  const target = helper.getNode(id);
  const spy = (helper._NodePrototype as unknown as { error: { getCalls(): Array<{ thisValue: unknown; args: unknown[] }> } }).error;
  return spy.getCalls().filter((c) => c.thisValue === target).map((c) => c.args[0]);
}

/** Messages a helper node receives from now on. */
function record(id: string): NodeMessage[] {
  const got: NodeMessage[] = [];
  node(id).on('input', (msg) => got.push(msg));
  return got;
}

const hostOf = (m: NodeMessage): string => (m.payload as { host: string }).host;

describe('reliability: tplink-discover against faulty devices (127.0.12.x)', function () {
  this.timeout(20_000);
  let fleet: RunningFleet;
  let port: number;

  // Device i is at 127.0.12.(i+1); the comment says which fault the sweep test gives it.
  const SWEEP_FAULTS: Array<FaultSpec | undefined> = [
    undefined, // .1 healthy
    { kind: 'garbage' }, // .2
    { kind: 'no-reply' }, // .3
    { kind: 'udp-drop' }, // .4
    { kind: 'offline' }, // .5
    { kind: 'err-code', errCode: -1 }, // .6
    { kind: 'slow', delayMs: 80 }, // .7 answers late, still inside the window
    { kind: 'slow', delayMs: 3000 }, // .8 answers after the window closed
  ];

  function discoverFlow(extra: Record<string, unknown> = {}): object[] {
    return [
      TAB,
      { id: 'disc', type: 'tplink-discover', z: 'f1', broadcast: BROADCAST, port, iface: '', timeout: 0.6, interval: '', wires: [['out']], ...extra },
      { id: 'out', type: 'helper', z: 'f1' },
      ...CATCHER,
    ];
  }

  before(async () => {
    await helper.startServer();
    fleet = await startFleet({
      devices: fleetLayout({ model: 'HS110', count: SWEEP_FAULTS.length, host: '127.0.12.1', port: 0, layout: 'hosts', alias: 'Faulty' }),
      samePort: true,
      broadcastListener: { host: BROADCAST },
    });
    port = fleet.devices[0].port;
  });
  after(async () => {
    await fleet?.close();
    await helper.stopServer();
  });
  afterEach(async () => {
    await helper.unload();
    for (const device of fleet.devices) await device.clearFault();
  });

  it('a sweep with most devices faulty reports the healthy ones, ignores garbage and errors nothing', async () => {
    await helper.load([discoverNode], discoverFlow());
    for (const [i, fault] of SWEEP_FAULTS.entries()) if (fault) await fleet.devices[i].setFault(fault);
    const caught = record('caught');
    const out = record('out');
    node('disc').receive({ payload: 'sweep' });
    const status = await statusBecomes('disc', (s) => s.fill === 'green' || s.fill === 'red', 4000);
    assert.equal(status.fill, 'green', JSON.stringify(status));
    await waitUntil(() => out.length >= 2, 2000, 'the two answering devices');
    await provesNothingHappensFor(50, 'no faulty device reported after the sweep ended');
    assert.deepEqual(out.map(hostOf).sort(), ['127.0.12.1', '127.0.12.7']);
    for (const m of out) assert.equal(m.count, 2);
    assert.deepEqual(caught, [], 'a faulty device made the sweep fail');
    assert.deepEqual(errorsLoggedBy('disc'), []);

    // The devices recover: the next sweep finds all of them.
    for (const device of fleet.devices) await device.clearFault();
    const all = record('out');
    node('disc').receive({ payload: 'again' });
    await waitUntil(() => all.length >= SWEEP_FAULTS.length, 4000, 'every device after the faults cleared');
    assert.equal(new Set(all.map(hostOf)).size, SWEEP_FAULTS.length);
  });

  it('sweeps asked for at once each report every answering device exactly once', async () => {
    await helper.load([discoverNode], discoverFlow());
    await fleet.devices[1].setFault({ kind: 'garbage' });
    await fleet.devices[2].setFault({ kind: 'offline' });
    const expected = SWEEP_FAULTS.length - 2;
    const out = record('out');
    const ids = ['a', 'b', 'c'];
    for (const tag of ids) node('disc').receive({ payload: tag, tag });
    await waitUntil(() => out.length >= expected * ids.length, 5000, 'three sweeps');
    await provesNothingHappensFor(200, 'no device reported twice by a late reply');
    assert.equal(out.length, expected * ids.length);
    for (const tag of ids) {
      const hosts = out.filter((m) => m.tag === tag).map(hostOf);
      assert.equal(hosts.length, expected, `sweep ${tag}: ${hosts.join(',')}`);
      assert.equal(new Set(hosts).size, expected, `sweep ${tag} reported a device twice`);
      assert.ok(!hosts.includes('127.0.12.2') && !hosts.includes('127.0.12.3'));
    }
    await statusBecomes('disc', (s) => s.fill === 'green');
  });

  it('continuous mode reports faulty devices offline and online again, never the garbage one', async () => {
    await fleet.devices[1].setFault({ kind: 'garbage' });
    await helper.load([discoverNode], discoverFlow({ interval: 0.3, timeout: 0.2 }));
    const news = await sentMatching('disc', SWEEP_FAULTS.length - 1, (m) => m.topic === 'new', 6000);
    assert.ok(!news.map(hostOf).includes('127.0.12.2'));
    const offlineDevice = fleet.devices[3];
    const silentDevice = fleet.devices[4];
    await offlineDevice.setFault({ kind: 'offline' });
    await silentDevice.setFault({ kind: 'no-reply' });
    const offline = await sentMatching('disc', 2, (m) => m.topic === 'offline', 8000);
    assert.deepEqual(offline.map(hostOf).sort(), [offlineDevice.host, silentDevice.host]);
    await offlineDevice.clearFault();
    await silentDevice.clearFault();
    const online = await sentMatching('disc', 2, (m) => m.topic === 'online', 8000);
    assert.deepEqual(online.map(hostOf).sort(), [offlineDevice.host, silentDevice.host]);
    await statusBecomes('disc', (s) => s.fill === 'green' && s.text === 'tplink-discover.status.online', 3000);
    const topics = sentBy('disc').filter((m) => hostOf(m) === offlineDevice.host).map((m) => m.topic);
    assert.deepEqual(topics, ['new', 'offline', 'online'], 'each change reported once');
    assert.ok(!sentBy('disc').some((m) => hostOf(m) === '127.0.12.2'), 'the garbage device was reported');
    assert.deepEqual(errorsLoggedBy('disc'), []);
  });
});

describe('reliability: tplink-tddp against a faulty TDDP responder', function () {
  this.timeout(20_000);
  const credentials = { tddp: { username: 'owner', password: 'pa55' } };
  let responder: TddpResponder;
  let received: number[];

  function tddpFlow(extra: Record<string, unknown> = {}): object[] {
    return [
      TAB,
      {
        id: 'tddp', type: 'tplink-tddp', z: 'f1', host: '127.0.0.1', port: responder.port, replyPort: 0, timeout: 0.3,
        packetType: '0x03', subtype: '0x0a', wires: [['out']], ...extra,
      },
      { id: 'out', type: 'helper', z: 'f1' },
      ...CATCHER,
    ];
  }

  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    responder = await startTddpResponder({ host: '127.0.0.1', port: 0, username: 'owner', password: 'pa55', replyPort: 0 });
    received = [];
    responder.on('request', (r) => received.push(r.header.subtype));
  });
  afterEach(async () => {
    await helper.unload();
    await responder.close();
  });

  const CASES: Array<{ name: string; reply: Parameters<TddpResponder['setReply']>[2]; message: RegExp }> = [
    { name: 'drop', reply: { data: 'ABCD0110', fault: 'drop' }, message: /no reply to type 03 subtype 0a/ },
    { name: 'a reply later than the timeout', reply: { data: 'ABCD0110', delayMs: 600 }, message: /no reply to type 03 subtype 0a/ },
    { name: 'truncate', reply: { data: 'ABCD0110', fault: 'truncate' }, message: /cut short/ },
    { name: 'oversize', reply: { data: 'ABCD0110', fault: 'oversize' }, message: /too long/ },
    { name: 'bad-digest', reply: { data: 'ABCD0110', fault: 'bad-digest' }, message: /digest mismatch/ },
    { name: 'status 3', reply: 3, message: /status 03 .*unsupported/ },
    { name: 'status 1', reply: { data: 'ABCD0110', status: 1 }, message: /status 01/ },
  ];

  for (const c of CASES) {
    it(`${c.name}: done(err) with a clear message and a red status, then it recovers`, async () => {
      await helper.load([tddpNode], tddpFlow(), credentials);
      responder.setReply(3, 0x0a, c.reply);
      const firstSent = Date.now();
      const caught = nextMessage('caught', () => true, 3000);
      node('tddp').receive({ payload: '' });
      const error = (await caught).error as { message: string; source?: { id: string } };
      assert.match(error.message, c.message);
      assert.ok(error.message.includes(`127.0.0.1:${responder.port}: `), error.message);
      assert.equal(error.source?.id, 'tddp');
      await statusBecomes('tddp', (s) => s.fill === 'red' && s.text === 'tplink-tddp.status.error', 2000);
      assert.equal(sentBy('tddp').length, 0);

      // The responder answers again (a late reply of the delay case may still arrive: it must be ignored).
      responder.setReply(3, 0x0a, 'ABCD0110');
      const ok = await exchange('tddp', { payload: '' }, 'out', 3000);
      assert.equal(ok.text, 'ABCD0110');
      await statusBecomes('tddp', (s) => s.fill === 'green', 2000);
      if (c.reply !== null && typeof c.reply === 'object' && 'delayMs' in c.reply) {
        const lateReplyDue = firstSent + (c.reply.delayMs ?? 0) + 50;
        await provesNothingHappensFor(lateReplyDue - Date.now(), 'the first request\'s late reply becoming a second message');
      }
      assert.equal(sentBy('tddp').length, 1, 'the late reply became a second message');
      assert.deepEqual(received, [0x0a, 0x0a], 'each message sent exactly one request');
    });
  }

  it('requests in quick succession each end in one message or one error, none lost, none twice', async () => {
    responder.setReply(3, 0x40, 'first');
    responder.setReply(3, 0x41, { data: 'x', fault: 'drop' });
    responder.setReply(3, 0x42, { data: 'y', fault: 'bad-digest' });
    responder.setReply(3, 0x43, 'fourth');
    responder.setReply(3, 0x44, { data: 'z', fault: 'truncate' });
    responder.setReply(3, 0x45, 2);
    const plan: Array<{ subtype: number; expect: 'sent' | 'caught'; text?: string }> = [
      { subtype: 0x40, expect: 'sent', text: 'first' },
      { subtype: 0x41, expect: 'caught' },
      { subtype: 0x42, expect: 'caught' },
      { subtype: 0x43, expect: 'sent', text: 'fourth' },
      { subtype: 0x44, expect: 'caught' },
      { subtype: 0x45, expect: 'caught' },
      { subtype: 0x40, expect: 'sent', text: 'first' },
      { subtype: 0x43, expect: 'sent', text: 'fourth' },
    ];
    await helper.load([tddpNode], tddpFlow(), credentials);
    const out = record('out');
    const caught = record('caught');
    plan.forEach((p, tag) => node('tddp').receive({ payload: `req ${tag}`, subtype: p.subtype, tag }));
    await waitUntil(() => out.length + caught.length >= plan.length, 8000, `${plan.length} outcomes`);
    await provesNothingHappensFor(100, 'no request ending a second time');
    assert.equal(out.length + caught.length, plan.length);
    plan.forEach((p, tag) => {
      const sent = out.filter((m) => m.tag === tag);
      const failed = caught.filter((m) => m.tag === tag);
      assert.equal(sent.length + failed.length, 1, `request ${tag} ended ${sent.length + failed.length} times`);
      if (p.expect === 'sent') assert.equal(sent[0]?.text, p.text, `request ${tag}`);
      else assert.equal(failed.length, 1, `request ${tag} should have failed`);
    });
    assert.deepEqual([...received].sort(), plan.map((p) => p.subtype).sort(), 'the responder did not receive each request exactly once');
  });

  it('a redeploy with a request in flight: the new flow works and the old request\'s late reply is ignored', async () => {
    await helper.load([tddpNode], tddpFlow({ timeout: 2 }), credentials);
    responder.setReply(3, 0x0a, { data: 'ABCD0110', delayMs: 300 });
    node('tddp').receive({ payload: '' });
    await waitUntil(() => received.length === 1, 2000, 'the request reached the responder');
    const lateReplyDue = Date.now() + 300;
    await helper.unload();
    responder.setReply(3, 0x0a, 'ABCD0110');
    await helper.load([tddpNode], tddpFlow(), credentials);
    assert.equal((await exchange('tddp', { payload: '' }, 'out', 3000)).text, 'ABCD0110');
    // The first request's reply goes out 300 ms after it arrived, to the new flow's reply socket.
    await provesNothingHappensFor(lateReplyDue + 50 - Date.now(), 'the old request\'s late reply becoming a message of the new flow');
    assert.equal(sentBy('tddp').length, 1);
  });
});

describe('reliability: tplink-config admin endpoints against faulty devices', function () {
  this.timeout(20_000);
  let device: RunningDevice;

  before(async () => {
    await helper.startServer();
    device = await startDevice({ host: '127.0.0.1', model: 'HS300', alias: 'Admin strip' });
  });
  after(async () => {
    await device?.close();
    await helper.stopServer();
  });
  beforeEach(() => helper.load([configNode], [TAB]));
  afterEach(async () => {
    await helper.unload();
    await device.clearFault();
  });

  async function timed(path: string, query: Record<string, string>): Promise<{ status: number; body: unknown; ms: number }> {
    const started = Date.now();
    const res = await helper.request().get(path).query(query);
    return { status: res.status, body: res.body, ms: Date.now() - started };
  }

  async function outletsWork(): Promise<void> {
    const ok = await timed('/tplink-kasa/outlets', { host: '127.0.0.1', port: String(device.port) });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const body = ok.body as { alias: string; outlets: unknown[] };
    assert.equal(body.alias, 'Admin strip');
    assert.equal(body.outlets.length, 6);
  }

  const OUTLET_FAULTS: Array<{ fault: FaultSpec; message: RegExp }> = [
    { fault: { kind: 'garbage' }, message: /reply is not JSON/ },
    { fault: { kind: 'oversize-length' }, message: /frame length \d+ exceeds the limit/ },
    { fault: { kind: 'offline' }, message: /connection refused/ },
    { fault: { kind: 'err-code', errCode: -2 }, message: /err_code -2 \(module not support\)/ },
    { fault: { kind: 'no-reply' }, message: /no reply|timed? ?out/i },
  ];

  for (const c of OUTLET_FAULTS) {
    it(`GET /tplink-kasa/outlets against ${c.fault.kind}: 502 with a readable message within its 3 s limit, then 200`, async () => {
      await outletsWork();
      await device.setFault(c.fault);
      const res = await timed('/tplink-kasa/outlets', { host: '127.0.0.1', port: String(device.port) });
      assert.equal(res.status, 502, JSON.stringify(res.body));
      const { error } = res.body as { error: unknown };
      assert.equal(typeof error, 'string');
      assert.match(error as string, c.message);
      assert.ok((error as string).includes(`127.0.0.1:${device.port}`), `the message does not name the device: ${String(error)}`);
      assert.ok(res.ms < 6000, `took ${res.ms} ms`);
      await device.clearFault();
      await outletsWork();
    });
  }

  it('GET /tplink-kasa/discover?target= answers an empty list for a faulty device, the device once healthy', async () => {
    const query = { target: '127.0.0.1', port: String(device.port), timeout: '300' };
    for (const fault of [{ kind: 'garbage' }, { kind: 'no-reply' }, { kind: 'offline' }, { kind: 'oversize-length' }] as FaultSpec[]) {
      await device.setFault(fault);
      const res = await timed('/tplink-kasa/discover', query);
      assert.equal(res.status, 200, `${fault.kind}: ${JSON.stringify(res.body)}`);
      // oversize-length is a TCP fault; over UDP the device answers normally.
      const expected = fault.kind === 'oversize-length' ? 1 : 0;
      assert.equal((res.body as unknown[]).length, expected, `${fault.kind}: ${JSON.stringify(res.body)}`);
      assert.ok(res.ms < 3000, `${fault.kind} took ${res.ms} ms`);
      await device.clearFault();
    }
    const ok = await timed('/tplink-kasa/discover', query);
    assert.deepEqual((ok.body as Array<{ host: string }>).map((d) => d.host), ['127.0.0.1']);
  });

  it('GET /tplink-kasa/discover with an unusable interface answers 500 with the reason', async () => {
    const res = await timed('/tplink-kasa/discover', { target: '127.0.0.1', interface: 'no-such-if0', timeout: '300' });
    assert.equal(res.status, 500);
    assert.match((res.body as { error: string }).error, /no network interface 'no-such-if0'/);
    await outletsWork();
  });
});
