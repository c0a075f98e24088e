/**
 * tplink-smartplug -b output and exit codes with the "broadcast" aimed at
 * 127.0.0.1 (a unicast address: nothing is broadcast from this namespace)
 * and several loopback addresses answering. The real broadcast runs in the
 * LAN test bed (smartplug-broadcast-lan.test.ts).
 */
import { strict as assert } from 'assert';
import { runCli } from './support/run-cli';
import { startLoopbackFleet, type FleetAnswer, type LoopbackFleet } from './support/loopback-fleet';

const info = (alias: string) => (): FleetAnswer => ({ reply: { system: { get_sysinfo: { alias, err_code: 0 } } } });
const replyOf = (alias: string): string => `{"system":{"get_sysinfo":{"alias":"${alias}","err_code":0}}}`;

describe('tplink-smartplug -b (loopback stand-in)', function () {
  let fleet: LoopbackFleet | undefined;
  afterEach(async function () {
    await fleet?.close();
    fleet = undefined;
  });
  const run = (args: string[]) => runCli('tplink-smartplug', ['-b', '--broadcast-address', '127.0.0.1', '-p', String(fleet?.port), ...args]);

  it('prints the Sent line and one Received line per device, then exits 0 after the default 0.5 s', async function () {
    fleet = await startLoopbackFleet([info('a'), info('b'), info('c')]);
    const result = await run([]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    const [sent, ...received] = result.stdout.trimEnd().split('\n');
    assert.equal(sent, 'Sent:      {"system":{"get_sysinfo":{}}}');
    const port = fleet.port;
    assert.deepEqual(received.sort(), [
      `Received from 127.0.0.1:${port}:  ${replyOf('a')}`,
      `Received from 127.0.0.2:${port}:  ${replyOf('b')}`,
      `Received from 127.0.0.3:${port}:  ${replyOf('c')}`,
    ]);
    assert.ok(result.elapsed >= 500, `took ${result.elapsed} ms`);
  });

  it('-q prints one reply JSON per line; --broadcast and -j send the given request', async function () {
    fleet = await startLoopbackFleet([info('a'), info('b')]);
    const json = '{"system":{"get_sysinfo":null}}';
    const result = await runCli('tplink-smartplug', ['--broadcast', '--broadcast-address', '127.0.0.1', '-p', String(fleet.port), '-q', '-j', json, '-T', '0.3']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trimEnd().split('\n').sort(), [replyOf('a'), replyOf('b')]);
    assert.deepEqual(fleet.requests.map((r) => r.text), [json]);
  });

  it('exits 3 naming the address when nobody answers within -T', async function () {
    fleet = await startLoopbackFleet([() => ({ silent: true })]);
    const result = await run(['-T', '0.2', '-q']);
    assert.equal(result.code, 3);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, `tplink-smartplug: 127.0.0.1:${fleet.port}: no reply to the broadcast within 0.2 s\n`);
  });

  it('exits 4 when a reply is malformed, still printing the good ones', async function () {
    fleet = await startLoopbackFleet([info('a'), () => ({ text: 'junk' })]);
    const result = await run(['-T', '0.3', '-q']);
    assert.equal(result.code, 4);
    assert.equal(result.stdout, `${replyOf('a')}\n`);
    assert.equal(result.stderr, `tplink-smartplug: 127.0.0.2:${fleet.port}: reply is not JSON: "junk"\n`);
  });

  it('exits 1 when a device answers with an err_code', async function () {
    fleet = await startLoopbackFleet([info('a'), () => ({ reply: { system: { err_code: -1, err_msg: 'module not support' } } })]);
    const result = await run(['-T', '0.3', '-q']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout.split('\n').length, 3);
    assert.equal(result.stderr, `tplink-smartplug: 127.0.0.2:${fleet.port}: system failed with err_code -1 (module not support)\n`);
  });

  it('-s sends the broadcast from the given address', async function () {
    fleet = await startLoopbackFleet([info('a')]);
    const result = await run(['-T', '0.2', '-q', '-s', '127.0.0.7']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(fleet.requests.map((r) => r.from), ['127.0.0.7']);
  });

  it('refuses to reboot every device without a terminal or --yes', async function () {
    fleet = await startLoopbackFleet([info('a')]);
    const result = await run(['-c', 'reboot']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`refusing to reboot every device answering 127\\.0\\.0\\.1:${fleet.port} without confirmation`));
    assert.deepEqual(fleet.requests, []);
  });
});
