/**
 * reboot and reset are confirmed on a terminal, refused without one, and
 * sent straight away with --yes. The terminal is a pseudo-terminal from
 * util-linux `script`; those tests are skipped where it is missing.
 */
import { strict as assert } from 'assert';
import { spawn, spawnSync } from 'child_process';
import { cliPath, runCli } from './support/run-cli';
import { SimulatedDevice, simulated, startScriptedDevice, type ScriptedDevice } from './support/scripted-device';

const HAVE_SCRIPT = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe('tplink-smartplug confirmation of reboot and reset', function () {
  let peer: ScriptedDevice;
  beforeEach(async function () {
    peer = await startScriptedDevice(simulated(new SimulatedDevice({ model: 'HS110', seed: 'cli-confirm' })));
  });
  afterEach(async function () {
    await peer.close();
  });

  for (const command of ['reboot', 'reset']) {
    it(`refuses ${command} without a terminal and without --yes (exit 2), sending nothing`, async function () {
      const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '-c', command]);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.equal(
        result.stderr,
        `tplink-smartplug: error: refusing to ${command} 127.0.0.1:${peer.port} without confirmation: no terminal to ask on; pass --yes\n`,
      );
      assert.deepEqual(peer.requests, []);
    });
  }

  it('-y / --yes sends without asking', async function () {
    for (const flag of ['-y', '--yes']) {
      const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '-c', 'reboot', flag, '-q']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, '{"system":{"reboot":{"err_code":0}}}\n');
    }
    assert.equal(peer.requests.length, 2);
  });

  it('does not ask for other commands, even with no terminal', async function () {
    const result = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(peer.port), '-c', 'off', '-q']);
    assert.equal(result.code, 0, result.stderr);
  });

  describe('on a terminal', function () {
    before(function () {
      if (!HAVE_SCRIPT) this.skip();
    });

    it('asks and sends reboot when the answer is y', async function () {
      const run = await onTerminal(['-t', '127.0.0.1', '-p', String(peer.port), '-c', 'reboot'], 'y\r');
      assert.equal(run.code, 0, run.output);
      assert.match(run.output, new RegExp(`reboot 127\\.0\\.0\\.1:${peer.port}\\? \\[y/N\\]`));
      assert.match(run.output, /Received: {2}\{"system":\{"reboot":\{"err_code":0\}\}\}/);
      assert.deepEqual(peer.requests.map((r) => r.text), ['{"system":{"reboot":{"delay":1}}}']);
    });

    for (const [what, answer] of [['n', 'n\r'], ['an empty answer', '\r'], ['Ctrl-D', '\x04']]) {
      it(`cancels reset on ${what} (exit 2), sending nothing`, async function () {
        const run = await onTerminal(['-t', '127.0.0.1', '-p', String(peer.port), '-c', 'reset'], answer);
        assert.equal(run.code, 2, run.output);
        assert.match(run.output, /tplink-smartplug: reset cancelled/);
        assert.deepEqual(peer.requests, []);
      });
    }
  });
});

/** Runs the tool on a pseudo-terminal and types `answer` once the question shows. */
function onTerminal(args: readonly string[], answer: string): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, cliPath('tplink-smartplug'), ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let typed = false;
  const onOutput = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (!typed && output.includes('[y/N]')) {
      typed = true;
      child.stdin.write(answer);
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
