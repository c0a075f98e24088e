/**
 * tplink-smartplug against the project's device simulator on 127.0.0.1:
 * real models (HS110 energy, HS300 outlets), the simulator's faults mapped
 * to exit codes, and KLAP devices with credentials.
 */
import { strict as assert } from 'assert';
import { startDevice, type RunningDevice, type FaultSpec } from '../../lib/simulator';
import { startKlapDevice, type RunningKlapDevice } from '../../lib/simulator/klap-device';
import { runCli } from './support/run-cli';
import { PREDEFINED_COMMAND_NAMES } from '../../lib/cli/smartplug-commands';

type Sysinfo = { relay_state?: number; children?: Array<{ state: number }> };
const sysinfoOf = (running: RunningDevice): Sysinfo =>
  (running.handle({ system: { get_sysinfo: {} } }) as { system: { get_sysinfo: Sysinfo } }).system.get_sysinfo;

describe('tplink-smartplug against the simulator', function () {
  let running: RunningDevice | undefined;
  afterEach(async function () {
    await running?.close();
    running = undefined;
  });

  it('every predefined command succeeds on an HS110', async function () {
    // One tool process per command, as a user runs it: a few dozen of them, a few at a time.
    this.timeout(60_000);
    const queue = [...PREDEFINED_COMMAND_NAMES];
    const failures: string[] = [];
    const worker = async (): Promise<void> => {
      for (let command = queue.shift(); command !== undefined; command = queue.shift()) {
        // A device of its own: reboot and reset take a device off the network a second later.
        const device = await startDevice({ model: 'HS110', seed: 'cli-sim' });
        try {
          const result = await runCli('tplink-smartplug', ['-t', device.host, '-p', String(device.port), '-c', command, '--yes', '-q']);
          const reply = result.code === 0 ? JSON.parse(result.stdout) as Record<string, Record<string, { err_code?: number }>> : undefined;
          const errCode = reply ? Object.values(Object.values(reply)[0])[0].err_code : undefined;
          if (result.code !== 0 || errCode !== 0) failures.push(`${command}: exit ${result.code}, ${result.stdout}${result.stderr}`);
        } finally {
          await device.close();
        }
      }
    };
    await Promise.all([1, 2, 3, 4].map(worker));
    assert.deepEqual(failures, []);
  });

  it('switches one HS300 outlet with -o, over TCP and UDP', async function () {
    running = await startDevice({ model: 'HS300', seed: 'cli-sim-strip', on: false });
    const tcp = await runCli('tplink-smartplug', ['-t', running.host, '-p', String(running.port), '-o', '01', '-c', 'on']);
    assert.equal(tcp.code, 0, tcp.stderr);
    const udp = await runCli('tplink-smartplug', ['-t', running.host, '-p', String(running.udpPort), '-u', '-o', `${running.deviceId}03`, '-c', 'on']);
    assert.equal(udp.code, 0, udp.stderr);
    assert.deepEqual(sysinfoOf(running).children?.map((c) => c.state), [0, 1, 0, 1, 0, 0]);
  });

  const faults: Array<[FaultSpec, string[], number, RegExp]> = [
    [{ kind: 'split', chunkSize: 1, intervalMs: 1 }, [], 0, /^$/],
    [{ kind: 'err-code', errCode: -3, errMsg: 'invalid argument' }, [], 1, /system\.get_sysinfo failed with err_code -3 \(invalid argument\)/],
    [{ kind: 'no-reply' }, ['-T', '0.5'], 3, /no reply within 500 ms/],
    [{ kind: 'slow', delayMs: 3000 }, ['-T', '0.5'], 3, /no reply within 500 ms/],
    [{ kind: 'offline' }, [], 3, /ECONNREFUSED/],
    [{ kind: 'udp-drop' }, ['-u'], 3, /no UDP reply within 500 ms/],
    [{ kind: 'garbage', framed: true }, [], 4, /reply is not JSON/],
    [{ kind: 'oversize-length' }, ['-T', '2'], 4, /bad reply frame|reply frame/],
    [{ kind: 'close-mid-frame' }, [], 4, /connection closed in the middle of a reply frame/],
  ];
  for (const [fault, args, code, message] of faults) {
    it(`exit ${code} when the device has fault ${fault.kind}`, async function () {
      running = await startDevice({ model: 'HS110', seed: 'cli-fault', fault });
      const result = await runCli('tplink-smartplug', ['-t', running.host, '-p', String(running.port), ...args]);
      assert.equal(result.code, code, result.stderr);
      assert.match(result.stderr, message);
      if (code > 1) assert.match(result.stderr, new RegExp(`^tplink-smartplug: 127\\.0\\.0\\.1:${running.port}: [^\n]+\n$`));
    });
  }
});

describe('tplink-smartplug --klap', function () {
  let klap: RunningKlapDevice | undefined;
  afterEach(async function () {
    await klap?.close();
    klap = undefined;
  });
  const startKlap = async (): Promise<RunningKlapDevice> =>
    (klap = await startKlapDevice({ model: 'KP115', seed: 'cli-klap', on: false, klap: { version: 2, username: 'user@example.com', password: 'secret' } }));

  it('sends over KLAP with --username and --password, printing like TCP', async function () {
    const device = await startKlap();
    const result = await runCli('tplink-smartplug', [
      '-t', device.host, '-p', String(device.klapPort), '--klap', '--username', 'user@example.com', '--password', 'secret', '-c', 'on',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'Sent:      {"system":{"set_relay_state":{"state":1}}}\nReceived:  {"system":{"set_relay_state":{"err_code":0}}}\n');
    assert.equal(sysinfoOf(device.running).relay_state, 1);
  });

  it('takes the credentials from KASA_USERNAME and KASA_PASSWORD', async function () {
    const device = await startKlap();
    const result = await runCli('tplink-smartplug', ['-t', device.host, '-p', String(device.klapPort), '--klap', '-q'], {
      env: { KASA_USERNAME: 'user@example.com', KASA_PASSWORD: 'secret' },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok((JSON.parse(result.stdout) as { system: { get_sysinfo: object } }).system.get_sysinfo);
  });

  it('exits 5 naming host and port when the credentials are wrong', async function () {
    const device = await startKlap();
    const result = await runCli('tplink-smartplug', ['-t', device.host, '-p', String(device.klapPort), '--klap', '--username', 'user@example.com', '--password', 'wrong']);
    assert.equal(result.code, 5, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, new RegExp(`^tplink-smartplug: 127\\.0\\.0\\.1:${device.klapPort}: [^\n]+\n$`));
  });
});
