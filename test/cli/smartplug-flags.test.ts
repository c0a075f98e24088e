/**
 * tplink-smartplug flags, output forms and exit codes against simulated
 * devices on 127.0.0.1.
 */
import { strict as assert } from 'assert';
import { smartplugHere } from './support/in-process';
import { runCli } from './support/run-cli';
import { SimulatedDevice, simulated, startScriptedDevice, type Responder, type ScriptedDevice } from './support/scripted-device';
import { CLOSED_PORT } from '../support/ports';
import { runnable } from '../support/repo';

const SYSINFO = '{"system":{"get_sysinfo":{}}}';

describe('tplink-smartplug flags', function () {
  const peers: ScriptedDevice[] = [];
  const start = async (respond: Responder): Promise<ScriptedDevice> => {
    const peer = await startScriptedDevice(respond);
    peers.push(peer);
    return peer;
  };
  const plug = (): Promise<ScriptedDevice> => start(simulated(new SimulatedDevice({ model: 'HS110', seed: 'cli-flags' })));

  afterEach(async function () {
    await Promise.all(peers.splice(0).map((p) => p.close()));
  });

  describe('requests and output', function () {
    it('-j sends the JSON exactly as written', async function () {
      const peer = await plug();
      const json = '{"system":{"get_sysinfo":null},"time":{"get_time":null}}';
      const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '-j', json]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(peer.requests.map((r) => r.text), [json]);
      assert.match(result.stdout, /^Sent: {6}\{"system":\{"get_sysinfo":null\},"time":\{"get_time":null\}\}\nReceived: {2}\{"system":\{"get_sysinfo":\{.*\}\},"time":\{"get_time":\{.*\}\}\}\n$/);
    });

    it('-q prints only the reply JSON, one line jq can read', async function () {
      const peer = await plug();
      const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '-q', '-c', 'energy']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.split('\n').length, 2);
      const reply = JSON.parse(result.stdout) as { emeter: { get_realtime: { err_code: number; voltage: number } } };
      assert.equal(reply.emeter.get_realtime.err_code, 0);
      assert.equal(typeof reply.emeter.get_realtime.voltage, 'number');
    });

    it('long forms --target --port --command --quiet work like the short ones', async function () {
      const peer = await plug();
      const result = await runCli('tplink-smartplug', ['--target', '127.0.0.1', '--port', String(peer.port), '--command', 'time', '--quiet']);
      assert.equal(result.code, 0, result.stderr);
      assert.ok((JSON.parse(result.stdout) as { time: { get_time: object } }).time.get_time);
      const json = await runCli('tplink-smartplug', [`--target=127.0.0.1`, `--port=${peer.port}`, `--json=${SYSINFO}`]);
      assert.equal(json.code, 0, json.stderr);
      assert.deepEqual(peer.requests.map((r) => r.text), ['{"time":{"get_time":{}}}', SYSINFO]);
    });

    it('-u / --udp sends one datagram without the length prefix', async function () {
      const peer = await plug();
      for (const flag of ['-u', '--udp']) {
        const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), flag, '-c', 'on']);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /^Sent: {6}\{"system":\{"set_relay_state":\{"state":1\}\}\}\nReceived: {2}\{"system":\{"set_relay_state":\{"err_code":0\}\}\}\n$/);
      }
      // Each run reads the device first (on depends on its kind), then switches it.
      assert.deepEqual(peer.requests.map((r) => r.via), ['udp', 'udp', 'udp', 'udp']);
    });

    it('-s / --source sends from the given address, over TCP and UDP', async function () {
      const peer = await plug();
      for (const args of [['-s', '127.0.0.2'], ['--source', '127.0.0.3', '-u']]) {
        const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '-q', ...args]);
        assert.equal(result.code, 0, result.stderr);
      }
      assert.deepEqual(peer.requests.map((r) => [r.via, r.from]), [['tcp', '127.0.0.2'], ['udp', '127.0.0.3']]);
    });

    it('-p reaches a device on another port; without it port 9999 is used', async function () {
      const peer = await plug();
      const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '-q']);
      assert.equal(result.code, 0, result.stderr);
      // 127.0.0.1:9999 is not this test's device: whatever answers there or not, the error names port 9999.
      const fallback = await runCli('tplink-smartplug', ['-t', '127.0.0.9', '-T', '0.5']);
      if (fallback.code !== 0) assert.match(fallback.stderr, /127\.0\.0\.9:9999/);
    });

    it('--help prints the usage, every flag and the exit codes, and exits 0', async function () {
      const result = await runCli('tplink-smartplug', ['--help']);
      assert.equal(result.code, 0);
      assert.equal(result.stderr, '');
      assert.match(result.stdout, /^usage: tplink-smartplug \(-t <host> \| -b\)/);
      for (const flag of ['--target', '--broadcast', '--command', '--json', '--udp', '--source', '--timeout', '--port', '--outlet', '--quiet', '--yes', '--klap', '--username', '--password']) {
        assert.ok(result.stdout.includes(flag), flag);
      }
      assert.match(result.stdout, /Exit codes: 0 success, 1 .*err_code, 2 usage/);
    });
  });

  describe('-o / --outlet on a power strip', function () {
    let strip: SimulatedDevice;
    let peer: ScriptedDevice;
    beforeEach(async function () {
      strip = new SimulatedDevice({ model: 'HS300', seed: 'cli-outlet', on: false });
      peer = await start(simulated(strip));
    });
    const childState = (index: number): unknown =>
      (strip.handle({ system: { get_sysinfo: {} } }) as { system: { get_sysinfo: { children: Array<{ state: number }> } } }).system.get_sysinfo.children[index].state;
    const deviceId = (): string =>
      (strip.handle({ system: { get_sysinfo: {} } }) as { system: { get_sysinfo: { deviceId: string } } }).system.get_sysinfo.deviceId;

    it('a full child id goes into context.child_ids as given', async function () {
      const childId = `${deviceId()}02`;
      const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '-o', childId, '-c', 'on']);
      assert.equal(result.code, 0, result.stderr);
      const sent = `{"context":{"child_ids":["${childId}"]},"system":{"set_relay_state":{"state":1}}}`;
      // The strip is read first: the id must be one of its outlets.
      assert.deepEqual(peer.requests.map((r) => r.text), [SYSINFO, sent]);
      assert.ok(result.stdout.startsWith(`Sent:      ${sent}\nReceived:  `));
      assert.equal(childState(2), 1);
      assert.equal(childState(1), 0);
    });

    it('a short id or an alias is looked up in the strip first', async function () {
      const short = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '--outlet', '04', '-c', 'on', '-q']);
      assert.equal(short.code, 0, short.stderr);
      assert.equal(childState(4), 1);
      const alias = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '-o', 'Outlet 6', '-c', 'on', '-q']);
      assert.equal(alias.code, 0, alias.stderr);
      assert.equal(childState(5), 1);
      assert.deepEqual(peer.requests.map((r) => r.text), [
        SYSINFO, `{"context":{"child_ids":["${deviceId()}04"]},"system":{"set_relay_state":{"state":1}}}`,
        SYSINFO, `{"context":{"child_ids":["${deviceId()}05"]},"system":{"set_relay_state":{"state":1}}}`,
      ]);
    });

    it('an outlet the strip does not have is a usage error listing the outlets', async function () {
      const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '-o', '07', '-c', 'on']);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, new RegExp(`^tplink-smartplug: error: 127\\.0\\.0\\.1:${peer.port}: the strip has no outlet '07'; its outlets are 00 'Outlet 1', .*\nusage: `));
    });

    it('-o on a plug without outlets is a usage error', async function () {
      const single = await plug();
      const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(single.port), '-o', '00']);
      assert.equal(result.code, 2);
      assert.match(result.stderr, new RegExp(`^tplink-smartplug: error: 127\\.0\\.0\\.1:${single.port}: the device has no outlets to choose with -o \\(it is not a power strip\\)\n`));
    });
  });
});

describe('tplink-smartplug exit codes', function () {
  const peers: ScriptedDevice[] = [];
  const start = async (respond: Responder): Promise<ScriptedDevice> => {
    const peer = await startScriptedDevice(respond);
    peers.push(peer);
    return peer;
  };
  afterEach(async function () {
    await Promise.all(peers.splice(0).map((p) => p.close()));
  });

  it('1 when the device answers with an err_code; the reply is still printed', async function () {
    const peer = await start(simulated(new SimulatedDevice({ model: 'HS100', seed: 'cli-exit' })));
    const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '-j', '{"emeter":{"get_realtime":{}}}']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, 'Sent:      {"emeter":{"get_realtime":{}}}\nReceived:  {"emeter":{"err_code":-1,"err_msg":"module not support"}}\n');
    assert.equal(result.stderr, `tplink-smartplug: 127.0.0.1:${peer.port}: emeter failed with err_code -1 (module not support)\n`);
  });

  it('2 for -c energy on a plug without a meter: refused before sending', async function () {
    const peer = await start(simulated(new SimulatedDevice({ model: 'HS100', seed: 'cli-exit' })));
    const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '-c', 'energy']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, new RegExp(`^tplink-smartplug: error: 127\\.0\\.0\\.1:${peer.port}: HS100\\(US\\) has no energy meter\n`));
    assert.deepEqual(peer.requests.map((r) => r.text), [SYSINFO]);
  });

  it('1 for a method-level err_code too', async function () {
    const plug = simulated(new SimulatedDevice({ model: 'HS100', seed: 'cli-exit' }));
    const peer = await start((request, via) => (JSON.stringify(request).includes('set_relay_state')
      ? { reply: { system: { set_relay_state: { err_code: -3, err_msg: 'invalid argument' } } } }
      : plug(request, via)));
    const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '-c', 'on', '-q']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '{"system":{"set_relay_state":{"err_code":-3,"err_msg":"invalid argument"}}}\n');
    assert.match(result.stderr, /system\.set_relay_state failed with err_code -3 \(invalid argument\)/);
  });

  const usageCases: Array<[string, string[], RegExp]> = [
    ['no target', [], /one of -t\/--target or -b\/--broadcast is required/],
    ['-t and -b', ['-t', '127.0.0.1', '-b'], /cannot be used together/],
    ['-c and -j', ['-t', '127.0.0.1', '-c', 'on', '-j', SYSINFO], /-c\/--command and -j\/--json cannot be used together/],
    ['unknown command', ['-t', '127.0.0.1', '-c', 'explode'], /unknown command 'explode'; choose one of: info, on, off/],
    ['invalid JSON', ['-t', '127.0.0.1', '-j', '{system'], /-j\/--json is not valid JSON/],
    ['JSON that is not an object', ['-t', '127.0.0.1', '-j', '[1]'], /must be a JSON object/],
    ['bad port', ['-t', '127.0.0.1', '-p', '70000'], /invalid port '70000'/],
    ['bad timeout', ['-t', '127.0.0.1', '-T', 'soon'], /invalid timeout 'soon'/],
    ['zero timeout', ['-t', '127.0.0.1', '-T', '0'], /invalid timeout '0'/],
    ['source not an address', ['-t', '127.0.0.1', '-s', 'eth0'], /-s\/--source must be an IP address/],
    ['unknown flag', ['-t', '127.0.0.1', '--frobnicate'], /Unknown option '--frobnicate'/],
    ['stray argument', ['-t', '127.0.0.1', 'on'], /Unexpected argument 'on'/],
    ['flag without its value', ['-t'], /Option '-t, --target <value>' argument missing/],
    ['-o with -b', ['-b', '-o', '00'], /cannot be used with -b/],
    ['--klap with -u', ['-t', '127.0.0.1', '--klap', '-u'], /--klap runs over HTTP/],
    ['--password with -u', ['-t', '127.0.0.1', '--password', 'x', '-u'], /--username and --password log in over HTTP/],
    ['--klap with --aes', ['-t', '127.0.0.1', '--klap', '--aes'], /--klap and --aes name two transports/],
    ['an account with --dump and no transport', ['-t', '127.0.0.1', '--username', 'u', '--dump', 'x.json'], /with --dump need --klap or --aes/],
  ];
  // Parsing alone: run in-process (main(), as the binary calls it), which a loaded machine does in milliseconds
  // rather than seconds; the binary's own exit status is checked once below.
  for (const [what, args, message] of usageCases) {
    it(`2 with the usage line: ${what}`, async function () {
      const result = await smartplugHere(args);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, message);
      assert.match(result.stderr, /^tplink-smartplug: error: .*\nusage: tplink-smartplug \(-t <host> \| -b\) .*\n$/);
    });
  }

  it('2 with the usage line from the binary itself', async function () {
    const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-c', 'explode']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^tplink-smartplug: error: unknown command 'explode'.*\nusage: tplink-smartplug \(-t <host> \| -b\) .*\n$/);
  });

  it('3 when nothing listens: one line naming host and port', async function () {
    const port = CLOSED_PORT;
    const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(port)]);
    assert.equal(result.code, 3);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, `tplink-smartplug: 127.0.0.1:${port}: cannot connect: connection refused (ECONNREFUSED)\n`);
  });

  it('3 after -T / --timeout seconds when the device stays silent, over TCP and UDP', async function () {
    const peer = await start(() => ({ silent: true }));
    for (const args of [['-T', '0.4'], ['--timeout', '0.4', '-u']]) {
      const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), ...args]);
      assert.equal(result.code, 3);
      assert.match(result.stderr, new RegExp(`^tplink-smartplug: 127\\.0\\.0\\.1:${peer.port}: no (UDP )?reply within 400 ms\n$`));
      // The message names the timer that fired; how long the run took is left out (a loaded machine
      // once needed 5.1 s to start the tool, and timings stay out of pass/fail).
    }
  });

  it('UDP waits 0.5 s by default', async function () {
    const peer = await start(() => ({ silent: true }));
    const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '-u']);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /no UDP reply within 500 ms/);
  });

  it('3 when the host name does not resolve', async function () {
    // The preload answers ENOTFOUND itself: no DNS query leaves the machine.
    const preload = [process.env.NODE_OPTIONS, `--require ${runnable('test/cli/support/no-dns')}`].filter(Boolean).join(' ');
    const result = await runCli('tplink-smartplug', ['-t', 'no-such-plug.invalid', '-T', '2'], { env: { NODE_OPTIONS: preload } });
    assert.equal(result.code, 3);
    assert.match(result.stderr, /^tplink-smartplug: no-such-plug\.invalid:9999: cannot connect: .*(ENOTFOUND|EAI_AGAIN)/);
  });

  const malformed: Array<[string, Responder]> = [
    ['a reply that is not JSON', () => ({ text: 'garbage{' })],
    ['a JSON reply that is not an object', () => ({ text: '[1,2]' })],
    ['a frame announcing 2 GiB', () => ({ bytes: Buffer.from([0x80, 0, 0, 0, 1, 2, 3]) })],
  ];
  for (const [what, respond] of malformed) {
    it(`4 for ${what}`, async function () {
      const peer = await start(respond);
      const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '-T', '2']);
      assert.equal(result.code, 4);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, new RegExp(`^tplink-smartplug: 127\\.0\\.0\\.1:${peer.port}: (reply is not|bad reply frame)[^\n]*\n$`));
    });
  }

  it('4 for a malformed UDP reply', async function () {
    const peer = await start(() => ({ text: 'not json' }));
    const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '-u']);
    assert.equal(result.code, 4);
    assert.match(result.stderr, /reply is not JSON: "not json"/);
  });
});

