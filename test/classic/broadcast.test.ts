/**
 * broadcastRequest's send-and-collect logic, on loopback only: the
 * destination is 127.0.0.1 (unicast) and several loopback addresses answer.
 * Real broadcasts are tested inside the LAN test bed's namespaces.
 */
import { strict as assert } from 'assert';
import { broadcastRequest, type BroadcastReply } from '../../lib/classic/broadcast';
import { ConnectionError, ProtocolError } from '../../lib/errors';
import { startLoopbackFleet, type FleetAnswer, type LoopbackFleet } from '../cli/support/loopback-fleet';

const sysinfo = (alias: string) => (): FleetAnswer => ({ reply: { system: { get_sysinfo: { alias, err_code: 0 } } } });

describe('broadcastRequest', function () {
  let fleet: LoopbackFleet | undefined;
  afterEach(async function () {
    await fleet?.close();
    fleet = undefined;
  });

  it('collects every reply until the timeout, in arrival order, reporting each as it comes', async function () {
    fleet = await startLoopbackFleet([sysinfo('a'), sysinfo('b'), sysinfo('c')]);
    const seen: BroadcastReply[] = [];
    const started = Date.now();
    const replies = await broadcastRequest({ system: { get_sysinfo: {} } }, {
      broadcast: '127.0.0.1', port: fleet.port, timeout: 300, onReply: (r) => seen.push(r),
    });
    assert.ok(Date.now() - started >= 280, 'waits for the whole timeout');
    assert.deepEqual(fleet.requests.map((r) => r.text), ['{"system":{"get_sysinfo":{}}}']);
    assert.deepEqual(replies.map((r) => [r.host, r.port]).sort(), [['127.0.0.1', fleet.port], ['127.0.0.2', fleet.port], ['127.0.0.3', fleet.port]]);
    assert.deepEqual(replies.map((r) => (r.response?.system as { get_sysinfo: { alias: string } }).get_sysinfo.alias).sort(), ['a', 'b', 'c']);
    assert.deepEqual(seen, replies);
  });

  it('reports a malformed reply as a ProtocolError without losing the others', async function () {
    fleet = await startLoopbackFleet([sysinfo('a'), () => ({ text: 'garbage' }), () => ({ text: '"a string"' })]);
    const replies = await broadcastRequest('{"system":{"get_sysinfo":{}}}', { broadcast: '127.0.0.1', port: fleet.port, timeout: 300 });
    const byHost = new Map(replies.map((r) => [r.host, r]));
    assert.ok(byHost.get('127.0.0.1')?.response);
    for (const host of ['127.0.0.2', '127.0.0.3']) {
      const error = byHost.get(host)?.error;
      assert.ok(error instanceof ProtocolError);
      assert.equal(error.host, host);
    }
    assert.equal(byHost.get('127.0.0.2')?.text, 'garbage');
  });

  it('resolves to no replies when nobody answers', async function () {
    fleet = await startLoopbackFleet([() => ({ silent: true })]);
    assert.deepEqual(await broadcastRequest({}, { broadcast: '127.0.0.1', port: fleet.port, timeout: 150 }), []);
  });

  it('stops early at maxReplies or when aborted', async function () {
    fleet = await startLoopbackFleet([sysinfo('a'), sysinfo('b'), sysinfo('c')]);
    let started = Date.now();
    const two = await broadcastRequest({}, { broadcast: '127.0.0.1', port: fleet.port, timeout: 5000, maxReplies: 2 });
    assert.equal(two.length, 2);
    assert.ok(Date.now() - started < 4000);
    const controller = new AbortController();
    started = Date.now();
    const some = await broadcastRequest({}, {
      broadcast: '127.0.0.1', port: fleet.port, timeout: 5000, signal: controller.signal, onReply: () => controller.abort(),
    });
    assert.ok(some.length >= 1);
    assert.ok(Date.now() - started < 4000);
  });

  it('a throwing onReply callback neither crashes the process nor loses replies', async function () {
    fleet = await startLoopbackFleet([sysinfo('a'), sysinfo('b')]);
    const replies = await broadcastRequest({}, {
      broadcast: '127.0.0.1', port: fleet.port, timeout: 200, onReply: () => { throw new Error('caller bug'); },
    });
    assert.equal(replies.length, 2);
  });

  it('sends from the source address', async function () {
    fleet = await startLoopbackFleet([sysinfo('a')]);
    const replies = await broadcastRequest({}, { broadcast: '127.0.0.1', port: fleet.port, timeout: 200, sourceAddress: '127.0.0.5' });
    assert.equal(replies.length, 1);
    assert.deepEqual(fleet.requests.map((r) => r.from), ['127.0.0.5']);
  });

  it('rejects with a ConnectionError when the source address is not local', async function () {
    await assert.rejects(
      broadcastRequest({}, { broadcast: '127.0.0.1', port: 9, timeout: 100, sourceAddress: '192.0.2.1' }),
      (error: unknown) => error instanceof ConnectionError && /cannot bind UDP socket to 192\.0\.2\.1/.test(error.message),
    );
  });
});
