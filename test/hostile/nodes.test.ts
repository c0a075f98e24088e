/**
 * Hostile devices against deployed nodes and the editor's endpoints: for
 * every mode the runtime stays up (the root hooks fail a test on any
 * uncaught exception or unhandled rejection), the error reaches a Catch
 * node with a red status, and the node recovers once the device behaves.
 * The plug's output has two wires, so Node-RED clones every message it
 * sends, as it did when a deeply nested reply overflowed the stack.
 */
import { strict as assert } from 'assert';
import * as net from 'net';
import * as sinon from 'sinon';
import { decrypt } from '../../lib/classic/cipher';
import { HOSTILE_MODES, startHostileDevice, type HostileMode, type RunningHostileDevice } from '../../lib/simulator';
import configNode from '../../nodes/tplink-config/tplink-config';
import discoverNode from '../../nodes/tplink-discover/tplink-discover';
import plugNode from '../../nodes/tplink-plug/tplink-plug';
import type { NodeMessage } from '../../nodes/types';
import { helper, nextMessage, node, statusBecomes, TAB } from '../nodes/support/node-red';
import { letTimePass, waitFor } from '../support/wait';

const NODES = [configNode, plugNode, discoverNode];

/** The status reason each failing mode shows; large-valid and none succeed. */
const REASON: Partial<Record<HostileMode, string>> = {
  'huge-length': 'protocol', 'announced-trickle': 'timeout', 'never-reads': 'timeout', 'rst-mid-frame': 'protocol',
  garbage: 'protocol', 'non-json': 'protocol', 'json-array': 'protocol', 'json-null': 'protocol', 'infinite-number': 'protocol',
  'strings-for-numbers': 'protocol', 'children-not-array': 'protocol', 'deep-nesting': 'protocol', 'other-reply': 'protocol',
  silent: 'timeout',
};

const UDP_MODES: HostileMode[] = ['garbage', 'non-json', 'json-array', 'json-null', 'infinite-number', 'strings-for-numbers',
  'children-not-array', 'deep-nesting', 'other-reply', 'silent'];

/**
 * The timeout is short so that the silent modes end quickly; large-valid gets
 * longer, since reading 900 KiB under a loaded, coverage-instrumented suite
 * took over 0.4 s once, and that case is about the reply being used.
 */
function flow(device: RunningHostileDevice, transport: 'tcp' | 'udp', interval = '', timeout = 0.4): object[] {
  return [
    TAB,
    { id: 'cfg', type: 'tplink-config', z: 'f1', host: device.host, port: device.port, transport, timeout },
    { id: 'plug', type: 'tplink-plug', z: 'f1', device: 'cfg', outlet: '', interval, allowAdmin: false, wires: [['out', 'copy']] },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'copy', type: 'helper', z: 'f1' },
    { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1' },
  ];
}

/** Sends `msg` to the plug; resolves with what came out first: a message or a Catch report. */
function outcome(msg: NodeMessage, timeout = 4000): Promise<{ sent?: NodeMessage; error?: string }> {
  const sent = nextMessage('out', () => true, timeout).then((m) => ({ sent: m }));
  const caught = nextMessage('caught', () => true, timeout).then((m) => ({ error: String((m.error as { message?: string }).message) }));
  node('plug').receive(msg);
  sent.catch(() => undefined);
  caught.catch(() => undefined);
  return Promise.race([sent, caught]);
}

describe('hostile devices against deployed nodes', function () {
  this.timeout(15_000);
  let device: RunningHostileDevice;
  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    device = await startHostileDevice({ mode: 'none', alias: 'Hostile' });
  });
  afterEach(async () => {
    await helper.unload();
    await device.close();
  });

  for (const [transport, modes] of [['tcp', HOSTILE_MODES.filter((m) => m !== 'none')], ['udp', UDP_MODES]] as const) {
    for (const mode of modes) {
      const reason = REASON[mode];
      it(`${mode} over ${transport.toUpperCase()}: ${reason ? `Catch and a red "${reason}" status` : 'the reply is used'}, then it recovers`, async () => {
        await helper.load(NODES, flow(device, transport, '', mode === 'large-valid' ? 3 : 0.4));
        await statusBecomes('plug', (s) => s.fill === 'grey', 3000);
        device.setMode(mode);
        const result = await outcome({ payload: 'toggle' });
        if (reason) {
          assert.ok(result.error, `no Catch report: ${JSON.stringify(result.sent?.payload)}`);
          assert.ok(result.error.includes(`127.0.0.1:${device.port}`), result.error);
          await statusBecomes('plug', (s) => s.fill === 'red' && s.text === `tplink-plug.status.${reason}`, 3000);
          // A toggle reads the state first: a reply that is not right stops it before any switch.
          assert.equal(device.device.main.isOn, false, 'the toggle went on after a reply that was not right');
        } else {
          assert.equal(result.sent?.payload, true);
        }
        device.setMode('none');
        const after = await outcome({ command: 'info' });
        assert.equal(typeof after.sent?.payload, 'boolean', `not recovered: ${after.error}`);
        await statusBecomes('plug', (s) => s.fill !== 'red', 3000);
      });
    }
  }

  it('a polling node shows the hostile reply in red and recovers within one poll', async () => {
    await helper.load(NODES, flow(device, 'tcp', '0.3'));
    await statusBecomes('plug', (s) => s.fill === 'grey', 3000);
    device.setMode('children-not-array');
    await statusBecomes('plug', (s) => s.fill === 'red' && s.text === 'tplink-plug.status.protocol', 3000);
    device.setMode('none');
    await statusBecomes('plug', (s) => s.fill === 'grey', 1500);
  });

  it('a throw from send() (Node-RED cloning a message, say) reaches done(err), not the process', async () => {
    await helper.load(NODES, flow(device, 'tcp'));
    await statusBecomes('plug', (s) => s.fill === 'grey', 3000);
    const plug = helper.getNode('plug') as unknown as { send: (msg: unknown) => void };
    plug.send = () => {
      throw new RangeError('Maximum call stack size exceeded');
    };
    const result = await outcome({ command: 'info' });
    assert.match(String(result.error), /Maximum call stack size exceeded/);
  });

  // What the client controls is when a command leaves: one written after its deadline could be
  // applied after it. When the device then applies it also depends on the event loop it shares with
  // this test, which a loaded machine delays by tens of ms; so the writes are what is checked.
  it('commands asked while the device is silent are never sent after their deadline', async () => {
    await helper.load(NODES, flow(device, 'tcp'));
    await statusBecomes('plug', (s) => s.fill === 'grey', 3000);
    const written: Array<{ asked: number; at: number }> = [];
    const write = sinon.stub(net.Socket.prototype, 'write').callsFake(function (this: net.Socket, ...args: Parameters<net.Socket['write']>) {
      const [chunk] = args;
      if (Buffer.isBuffer(chunk) && chunk.length > 4) {
        const alias = /"set_dev_alias":\{"alias":"(\d+)"/.exec(decrypt(chunk.subarray(4)).toString('latin1'))?.[1];
        if (alias !== undefined) written.push({ asked: Number(alias), at: Date.now() });
      }
      return write.wrappedMethod.apply(this, args);
    });
    const caught: number[] = [];
    node('caught').on('input', () => caught.push(Date.now()));
    device.setMode('silent');
    const asked: number[] = [];
    try {
      for (let i = 0; i < 15; i++) {
        asked.push(Date.now());
        node('plug').receive({ command: 'alias', payload: String(asked[i]) });
        await letTimePass(100, 'commands arriving every 100 ms at a silent device');
      }
      device.setMode('none');
      await waitFor('every command at Catch', () => caught.length >= 15, 3000).catch(() => undefined);
    } finally {
      write.restore();
    }
    assert.equal(caught.length, 15, 'every command ends at Catch');
    assert.ok(caught[14] - asked[14] < 400 + 300, `the last report came ${caught[14] - asked[14]} ms after its message`);
    assert.ok(written.length > 0, 'the first command was written');
    // 400 ms is the flow's timeout; 2 ms for Date.now() against the client's finer clock.
    const late = written.filter((w) => w.at - w.asked > 402).map((w) => w.at - w.asked);
    assert.deepEqual(late, [], 'commands were written after their deadline (ms after their message)');
    const after = await outcome({ command: 'info' });
    assert.equal(typeof after.sent?.payload, 'boolean');
  });
});

describe('hostile devices against discovery and the editor endpoints', function () {
  this.timeout(15_000);
  let device: RunningHostileDevice;
  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    device = await startHostileDevice({ mode: 'none', alias: 'Hostile' });
    await helper.load(NODES, [TAB, { id: 'find', type: 'tplink-discover', z: 'f1', broadcast: '127.0.0.1', port: device.port, timeout: 0.3, wires: [['found']] },
      { id: 'found', type: 'helper', z: 'f1' }, { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' }]);
  });
  afterEach(async () => {
    await helper.unload();
    await device.close();
  });

  for (const mode of UDP_MODES) {
    it(`${mode}: the search endpoint and a tplink-discover sweep find nothing, and find the device once it behaves`, async () => {
      device.setMode(mode);
      const query = { target: '127.0.0.1', port: String(device.port), timeout: '300' };
      const bad = await helper.request().get('/tplink-kasa/discover').query(query);
      assert.equal(bad.status, 200, JSON.stringify(bad.body));
      assert.deepEqual(bad.body, []);
      const status = statusBecomes('find', (s) => s.fill === 'green', 3000);
      node('find').receive({});
      assert.equal((await status).text, 'tplink-discover.status.found');
      device.setMode('none');
      const good = await helper.request().get('/tplink-kasa/discover').query(query);
      assert.deepEqual((good.body as Array<{ alias: string }>).map((d) => d.alias), ['Hostile']);
      const found = nextMessage('found', () => true, 3000);
      node('find').receive({});
      assert.equal(((await found).payload as { alias: string }).alias, 'Hostile');
    });
  }

  for (const mode of HOSTILE_MODES.filter((m) => REASON[m] !== undefined)) {
    it(`${mode}: the outlets endpoint answers 502 naming the device, then 200`, async () => {
      device.setMode(mode);
      const res = await helper.request().get('/tplink-kasa/outlets').query({ host: '127.0.0.1', port: String(device.port) });
      assert.equal(res.status, 502, JSON.stringify(res.body));
      assert.match((res.body as { error: string }).error, new RegExp(`^127\\.0\\.0\\.1:${device.port}: `));
      device.setMode('none');
      const ok = await helper.request().get('/tplink-kasa/outlets').query({ host: '127.0.0.1', port: String(device.port) });
      assert.equal(ok.status, 200);
    });
  }

  it('answers 400, sending nothing, for a bad host, port, transport, address, interface or timeout', async () => {
    const bad: Array<[string, Record<string, string>, RegExp]> = [
      ['/tplink-kasa/outlets', { host: 'a b' }, /host "a b" is not an IP address or host name/],
      ['/tplink-kasa/outlets', { host: '127.0.0.1', port: '70000' }, /port "70000" is not an integer from 1 to 65535/],
      ['/tplink-kasa/outlets', { host: '127.0.0.1', port: '99; rm' }, /port .* is not an integer/],
      ['/tplink-kasa/outlets', { host: '127.0.0.1', transport: 'ssh' }, /transport "ssh" is not one of auto, tcp, udp, klap, aes/],
      ['/tplink-kasa/discover', { broadcast: 'example.com' }, /broadcast "example.com" is not an IPv4 address/],
      ['/tplink-kasa/discover', { target: '127.0.0.1', interface: '../../etc' }, /interface .* is not a network interface name/],
      ['/tplink-kasa/discover', { target: '127.0.0.1', timeout: '600000' }, /timeout "600000" is not an integer from 1 to 10000/],
    ];
    for (const [path, query, says] of bad) {
      const res = await helper.request().get(path).query(query);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(query)}: ${res.status}`);
      assert.match((res.body as { error: string }).error, says);
    }
    assert.equal(device.requestsSeen, 0, 'a request went out for bad input');
  });
});
