import { strict as assert } from 'assert';
import { execFile } from 'child_process';
import { Socket } from 'dgram';
import { startTddpResponder, TddpResponder, TddpResponderOptions } from '../../lib/simulator/tddp-responder';
import { runnable } from '../support/repo';
import { boundSocket, closeQuietly, LOOPBACK } from './support';

const CLI = runnable('lib/cli/tddp-client');
const USAGE_LINE = /^Usage: tddp-client -t <host> /m;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  lines: string[];
}

/** Runs the CLI asynchronously: the responder answers from this same process. */
function runCli(args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 10000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      const code = error ? Number(error.code) : 0;
      resolve({ code, stdout, stderr, lines: stdout.split('\n').filter((line) => line !== '') });
    });
  });
}

describe('tddp-client CLI', () => {
  let responder: TddpResponder | undefined;
  let squatter: Socket | undefined;

  afterEach(async () => {
    await responder?.close();
    if (squatter) await closeQuietly(squatter);
    responder = undefined;
    squatter = undefined;
  });

  /** A responder that answers the port a request came from: the CLI's reply port 0 is any free one, so no port is guessed. */
  async function start(options: TddpResponderOptions = {}): Promise<TddpResponder> {
    responder = await startTddpResponder({ replyPort: 0, ...options });
    return responder;
  }

  /** The flags every run against the responder needs: loopback only, ports the system chose. */
  function target(...extra: string[]): string[] {
    return ['-t', LOOPBACK, '--port', String(responder?.port), '--reply-port', '0', '--bind', LOOPBACK, '-T', '2', ...extra];
  }

  it('prints the request, the reply and the decrypted data like the original', async () => {
    await start();
    const run = await runCli(target('-c', '0e'));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.lines, [
      'Request Data: Version 02 Type 03 Status 00 Length 00000000 ID 0001 Subtype 0e',
      'Reply Data:   Version 02 Type 03 Status 00 Length 00000010 ID 0001 Subtype 0e',
      'Decrypted:    wan_ph_link 1 0',
    ]);
    assert.equal(run.stderr, '');
  });

  it('takes the subtype as one or two hex digits, any case, with or without 0x', async () => {
    await start();
    for (const command of ['0E', '0x0e', 'e']) {
      const run = await runCli(target('-c', command));
      assert.equal(run.code, 0, `${command}: ${run.stderr}`);
      assert.match(run.lines[0], / Subtype 0e$/);
    }
  });

  it('-u and -p give the DES key', async () => {
    await start({ username: 'root', password: 's3cret' });
    const good = await runCli(target('-u', 'root', '-p', 's3cret', '-c', '0a'));
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.lines[2], 'Decrypted:    ABCD0110');
    const long = await runCli(target('--username', 'root', '--password', 's3cret', '-c', '0a'));
    assert.equal(long.code, 0, long.stderr);
  });

  it('exits 4 with a clear message on wrong credentials', async () => {
    await start();
    const run = await runCli(target('-p', 'wrong', '-c', '0e'));
    assert.equal(run.code, 4);
    assert.equal(run.lines.length, 2, 'request and reply headers, no garbage');
    assert.equal(run.stderr,
      `tddp-client: 127.0.0.1:${responder?.port}: data did not decrypt cleanly with these credentials (wrong username/password?)\n`);
  });

  it('--type and --data send a typed request with encrypted data', async () => {
    const device = await start();
    const seen: string[] = [];
    device.on('request', ({ header, data }) => seen.push(`${header.type} ${data.toString()}`));
    const set = await runCli(target('--type', '1', '-c', '00', '--data', Buffer.from('lan_ip 10.0.0.1').toString('hex')));
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.lines[0], 'Request Data: Version 02 Type 01 Status 00 Length 00000010 ID 0001 Subtype 00');
    const get = await runCli(target('--type', '0x02', '-c', '0'));
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.lines[2], 'Decrypted:    lan_ip 10.0.0.1');
    assert.deepEqual(seen, ['1 lan_ip 10.0.0.1', '2 ']);
  });

  it('prints binary data escaped', async () => {
    (await start()).setReply(3, 0x15, Buffer.from([1, 0, 0x5c, 0x41]));
    const run = await runCli(target('-c', '15'));
    assert.equal(run.lines[2], 'Decrypted:    \\x01\\x00\\x5cA');
  });

  it('-v prints the key, raw packets and the digest check', async () => {
    await start();
    const run = await runCli(target('-v', '-c', '0e'));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.lines, [
      'TDDP Key:     f6fdffe48c908deb (admin:*****)',
      'Raw Request:  020301000000000000010e0070c4363b05aecac95dc931aa11fc1348',
      'Request Data: Version 02 Type 03 Status 00 Length 00000000 ID 0001 Subtype 0e',
      'Raw Reply:    020302000000001000010e00165c017f771505889a9ff2f4e89a7012afb3ffd6684aa4a05ed35893b1553af1',
      'Reply Data:   Version 02 Type 03 Status 00 Length 00000010 ID 0001 Subtype 0e',
      'Digest:       ok',
      'Decrypted:    wan_ph_link 1 0',
    ]);
  });

  it('exits 1 when the device replies with a non-zero status', async () => {
    await start();
    const run = await runCli(target('-c', '17'));
    assert.equal(run.code, 1);
    assert.equal(run.lines[1], 'Reply Data:   Version 02 Type 03 Status 03 Length 00000000 ID 0000 Subtype 17');
    assert.equal(run.stderr, `tddp-client: 127.0.0.1:${responder?.port}: device replied with status 03 to type 03 subtype 17 (unsupported?)\n`);
  });

  it('exits 3 on timeout (-T seconds), naming host and port', async () => {
    (await start()).setReply(3, 0x0e, { fault: 'drop' });
    const started = Date.now();
    const run = await runCli([...target('-c', '0e'), '-T', '0.3']);
    assert.equal(run.code, 3);
    assert.ok(Date.now() - started >= 300);
    assert.equal(run.lines.length, 1, 'the request line only');
    assert.match(run.stderr, new RegExp(`^tddp-client: 127\\.0\\.0\\.1:${responder?.port}: no reply .* within 300 ms\\n$`));
  });

  it('exits 3 when the reply port is taken', async () => {
    await start();
    squatter = await boundSocket(LOOPBACK);
    const run = await runCli([...target('-c', '0e'), '--reply-port', String(squatter.address().port)]);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /^tddp-client: 127\.0\.0\.1:\d+: cannot listen for replies on UDP 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    assert.equal(run.stderr.split('\n').length, 2, 'one line');
  });

  for (const [fault, message] of [
    ['bad-digest', /digest mismatch/],
    ['truncate', /cut short/],
    ['oversize', /too long/],
  ] as const) {
    it(`exits 4 on a reply with fault ${fault}`, async () => {
      (await start()).setReply(3, 0x0e, { data: 'wan_ph_link 1 0', fault });
      const run = await runCli(target('-c', '0e'));
      assert.equal(run.code, 4);
      assert.match(run.stderr, new RegExp(`^tddp-client: 127\\.0\\.0\\.1:${responder?.port}: reply `));
      assert.match(run.stderr, message);
    });
  }

  it('--help prints the usage and exits 0', async () => {
    const run = await runCli(['--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, USAGE_LINE);
    assert.match(run.stdout, /Exit status: 0 ok, 1 device returned a non-zero status/);
    assert.equal((await runCli(['-h'])).stdout, run.stdout);
  });

  const usageErrors: Array<[string, string[], RegExp]> = [
    ['no -t', ['-c', '0e'], /missing -t <host>/],
    ['no -c', ['-t', LOOPBACK], /missing -c <subtype hex>/],
    ['a subtype that is not hex', ['-t', LOOPBACK, '-c', 'zz'], /-c takes one or two hex digits/],
    ['a subtype of three digits', ['-t', LOOPBACK, '-c', '100'], /-c takes one or two hex digits/],
    ['odd --data', ['-t', LOOPBACK, '-c', '0e', '--data', 'abc'], /--data takes an even number of hex digits/],
    ['--type out of range', ['-t', LOOPBACK, '-c', '0e', '--type', '256'], /--type takes an integer from 0 to 255/],
    ['--port out of range', ['-t', LOOPBACK, '-c', '0e', '--port', '70000'], /--port takes an integer from 1 to 65535/],
    ['--reply-port not a number', ['-t', LOOPBACK, '-c', '0e', '--reply-port', 'x'], /--reply-port takes an integer/],
    ['-T not positive', ['-t', LOOPBACK, '-c', '0e', '-T', '0'], /-T takes a positive number of seconds/],
    ['an unknown flag', ['-t', LOOPBACK, '-c', '0e', '--nope'], /Unknown option '--nope'/],
    ['a positional argument', ['-t', LOOPBACK, '-c', '0e', 'extra'], /positional argument/],
  ];
  for (const [what, args, message] of usageErrors) {
    it(`exits 2 with the usage line on ${what}`, async () => {
      const run = await runCli(args);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^tddp-client: /);
      assert.match(run.stderr, message);
      assert.match(run.stderr, USAGE_LINE);
    });
  }
});
