/**
 * Every simulator fault against a deployed tplink-plug node: the runtime
 * stays up, the error reaches done(err) (a Catch node) and the status, no
 * command is applied twice, and the node works again once the device does.
 */
import { strict as assert } from 'assert';
import { startDevice, type FaultSpec, type RunningDevice } from '../../lib/simulator';
import configNode from '../../nodes/tplink-config/tplink-config';
import plugNode from '../../nodes/tplink-plug/tplink-plug';
import { exchange, helper, nextMessage, node, plugFlow, statusBecomes } from '../nodes/support/node-red';
import { connectionsClosedTo, recordRequests, settleWithin, tcpSocketCount, waitUntil, type RequestLog } from './support';

const NODES = [configNode, plugNode];

interface FaultCase {
  fault: FaultSpec;
  transport?: 'tcp' | 'udp';
  /** The status reason shown (tplink-plug.status.<reason>); undefined when the command succeeds. */
  reason?: string;
}

const CASES: FaultCase[] = [
  { fault: { kind: 'split', chunkSize: 7, intervalMs: 1 } },
  { fault: { kind: 'slow', delayMs: 900 }, reason: 'timeout' },
  { fault: { kind: 'slow', delayMs: 900 }, transport: 'udp', reason: 'timeout' },
  { fault: { kind: 'no-reply' }, reason: 'timeout' },
  { fault: { kind: 'close-mid-frame' }, reason: 'protocol' },
  { fault: { kind: 'garbage' }, reason: 'protocol' },
  { fault: { kind: 'garbage' }, transport: 'udp', reason: 'protocol' },
  { fault: { kind: 'oversize-length' }, reason: 'protocol' },
  { fault: { kind: 'udp-drop' }, transport: 'udp', reason: 'timeout' },
  { fault: { kind: 'udp-drop' } },
  { fault: { kind: 'offline' }, reason: 'unreachable' },
  { fault: { kind: 'err-code', errCode: -2 }, reason: 'device-error' },
];

describe('reliability: tplink-plug node against every simulator fault', function () {
  this.timeout(20_000);
  let device: RunningDevice;
  let log: RequestLog;

  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    device = await startDevice({ model: 'HS110', alias: 'Node fault plug', on: false });
    log = recordRequests(device);
  });
  afterEach(async () => {
    await helper.unload();
    await device.close();
  });

  function flow(transport: 'tcp' | 'udp'): object[] {
    return plugFlow(transport === 'udp' ? device.udpPort : device.port, {}, { transport, timeout: 0.3 });
  }

  for (const c of CASES) {
    const transport = c.transport ?? 'tcp';
    const title = `${c.fault.kind} over ${transport.toUpperCase()}: ${c.reason ? `done(err) and a red "${c.reason}" status` : 'the command succeeds'}, then it recovers`;
    it(title, async () => {
      const idle = tcpSocketCount();
      await helper.load(NODES, flow(transport));
      await statusBecomes('plug', (s) => s.fill === 'grey', 3000);
      await device.setFault(c.fault);
      // Offline: the config node has seen its kept-open connection end before the command comes.
      if (c.fault.kind === 'offline') await connectionsClosedTo(idle);
      const before = log.count('system', 'set_relay_state');
      const output = nextMessage('out', () => true, 6000).then((m) => ({ kind: 'sent' as const, m }));
      const caught = nextMessage('caught', () => true, 6000).then((m) => ({ kind: 'caught' as const, m }));
      node('plug').receive({ payload: true });
      const first = await Promise.race([output, caught]);
      if (c.reason) {
        assert.equal(first.kind, 'caught', 'the error did not reach done(err)');
        const message = String((first.m.error as { message?: string }).message);
        assert.ok(message.includes('127.0.0.1:'), `the error does not name the device: ${message}`);
        await statusBecomes('plug', (s) => s.fill === 'red' && s.text === `tplink-plug.status.${c.reason}`, 3000);
      } else {
        assert.equal(first.kind, 'sent');
        assert.equal(first.m.payload, true);
      }
      assert.ok(log.count('system', 'set_relay_state') - before <= 1, 'the command reached the device more than once');
      output.catch(() => undefined);
      caught.catch(() => undefined);

      await device.clearFault();
      const after = await exchange('plug', { payload: false }, 'out', 6000);
      assert.equal(after.payload, false);
      await statusBecomes('plug', (s) => s.fill === 'grey' && s.text === 'tplink-plug.status.off', 3000);
    });
  }

  it('commands queued while the device is offline each end in a message or an error, none twice', async () => {
    const idle = tcpSocketCount();
    await helper.load(NODES, flow('tcp'));
    await statusBecomes('plug', (s) => s.fill === 'grey', 3000);
    await device.setFault({ kind: 'offline', durationMs: 150 });
    await connectionsClosedTo(idle);
    const before = log.count('system', 'set_relay_state');
    const outcomes: string[] = [];
    node('out').on('input', () => outcomes.push('sent'));
    node('caught').on('input', () => outcomes.push('caught'));
    for (const payload of [true, false, true, false, true]) node('plug').receive({ payload });
    await waitUntil(() => outcomes.length >= 5, 8000, () => `only ${outcomes.length} of 5 commands finished: ${outcomes.join(',')}`);
    assert.equal(outcomes.length, 5, `more than 5 outcomes: ${outcomes.join(',')}`);
    const applied = log.count('system', 'set_relay_state') - before;
    assert.equal(applied, outcomes.filter((o) => o === 'sent').length, 'a command was applied without being reported, or twice');
    await settleWithin(exchange('plug', { command: 'info' }, 'out', 6000), 7000);
  });

  it('the runtime survives a redeploy in the middle of a slow command', async () => {
    await helper.load(NODES, flow('tcp'));
    await statusBecomes('plug', (s) => s.fill === 'grey', 3000);
    await device.setFault({ kind: 'slow', delayMs: 200 });
    const before = log.count('system', 'set_relay_state');
    node('plug').receive({ payload: true });
    await waitUntil(() => log.count('system', 'set_relay_state') > before, 3000, 'the slow command at the device');
    await helper.unload();
    await device.clearFault();
    await helper.load(NODES, flow('tcp'));
    assert.equal((await exchange('plug', { command: 'info' }, 'out', 6000)).topic, 'Node fault plug');
  });
});
