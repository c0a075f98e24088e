/**
 * Every hostile-device mode against the request client, over TCP and UDP:
 * each request settles with the error its mode deserves by its deadline
 * (nothing hangs, nothing is taken as right), and the same client works as
 * soon as the device behaves again.
 */
import { strict as assert } from 'assert';
import { SmartHomeClient } from '../../lib/classic/client';
import { connect } from '../../lib/device';
import { SmartHomeError, type SmartHomeErrorCode } from '../../lib/errors';
import { startHostileDevice, type HostileMode, type RunningHostileDevice } from '../../lib/simulator';
import { discover } from '../../lib/discovery';
import { settleWithin } from '../reliability/support';

interface ModeCase {
  mode: HostileMode;
  code: SmartHomeErrorCode;
  /** What the error message must say. */
  says: RegExp;
}

const TIMEOUT = 400;

const TCP_CASES: ModeCase[] = [
  { mode: 'huge-length', code: 'EPROTOCOL', says: /frame length 4294967295 exceeds the limit/ },
  { mode: 'announced-trickle', code: 'ETIMEDOUT', says: /no reply within/ },
  { mode: 'never-reads', code: 'ETIMEDOUT', says: /no reply within/ },
  { mode: 'rst-mid-frame', code: 'EPROTOCOL', says: /connection closed in the middle of a reply frame|connection reset/ },
  { mode: 'garbage', code: 'EPROTOCOL', says: /frame length 1213486160 exceeds/ },
  { mode: 'non-json', code: 'EPROTOCOL', says: /reply is not JSON: "<html>/ },
  { mode: 'json-array', code: 'EPROTOCOL', says: /reply is not a JSON object: "\[\]"/ },
  { mode: 'json-null', code: 'EPROTOCOL', says: /reply is not a JSON object: "null"/ },
  { mode: 'infinite-number', code: 'EPROTOCOL', says: /system\.get_sysinfo\.relay_state should be 0 or 1, got Infinity/ },
  { mode: 'strings-for-numbers', code: 'EPROTOCOL', says: /system\.get_sysinfo\.relay_state should be 0 or 1, got "on"/ },
  { mode: 'children-not-array', code: 'EPROTOCOL', says: /system\.get_sysinfo\.children should be an array, got "x"/ },
  { mode: 'deep-nesting', code: 'EPROTOCOL', says: /reply nests deeper than 32 levels/ },
  { mode: 'other-reply', code: 'EPROTOCOL', says: /reply to another request: no system object in \{"emeter"\}/ },
  { mode: 'silent', code: 'ETIMEDOUT', says: /no reply within/ },
];

/** Over UDP the stream modes cannot happen; the rest must read the same. */
const UDP_CASES: ModeCase[] = [
  { mode: 'garbage' as const, code: 'EPROTOCOL' as const, says: /reply is not JSON/ },
  ...TCP_CASES.filter((c) => ['non-json', 'json-array', 'json-null', 'infinite-number', 'strings-for-numbers', 'children-not-array', 'deep-nesting', 'other-reply', 'silent'].includes(c.mode)),
].map((c): ModeCase => (c.mode === 'silent' ? { ...c, says: /no UDP reply within/ } : c));

describe('hostile devices against the request client', function () {
  this.timeout(10_000);
  let device: RunningHostileDevice;
  let client: SmartHomeClient;
  beforeEach(async () => {
    device = await startHostileDevice({ mode: 'none' });
  });
  afterEach(async () => {
    await client?.close();
    await device.close();
  });

  for (const [transport, cases] of [['tcp', TCP_CASES], ['udp', UDP_CASES]] as const) {
    for (const c of cases) {
      it(`${c.mode} over ${transport.toUpperCase()}: ${c.code} saying what was wrong, by the deadline; then it works again`, async () => {
        client = new SmartHomeClient({ host: device.host, port: device.port, transport, timeout: TIMEOUT, retries: 0 });
        device.setMode(c.mode);
        const started = Date.now();
        const outcome = await settleWithin(client.getSysInfo(), TIMEOUT + 1500);
        assert.equal(outcome.ok, false, `${c.mode} was taken as a good reply`);
        const error = (outcome as { error: unknown }).error;
        assert.ok(error instanceof SmartHomeError, String(error));
        assert.equal(error.code, c.code, error.message);
        assert.match(error.message, c.says);
        assert.match(error.message, new RegExp(`^127\\.0\\.0\\.1:${device.port}: `));
        assert.ok(Date.now() - started < TIMEOUT + 1000, `settled after ${Date.now() - started} ms`);
        device.setMode('none');
        const sysinfo = await client.getSysInfo();
        assert.equal(sysinfo.alias, 'Hostile none');
      });
    }
  }

  it('a 900 KiB valid reply over TCP is read whole, and a 60,000-byte one over UDP', async () => {
    device.setMode('large-valid');
    client = new SmartHomeClient({ host: device.host, port: device.port, timeout: 3000 });
    const sysinfo = await client.getSysInfo();
    assert.ok(String(sysinfo.x).length > 900 * 1024 - 2000, `only ${String(sysinfo.x).length} characters`);
    await client.close();
    client = new SmartHomeClient({ host: device.host, port: device.port, transport: 'udp', timeout: 3000 });
    assert.ok(String((await client.getSysInfo()).x).length > 55_000);
  });

  it('discovery takes a 60,000-byte sysinfo datagram whole and drops a deeply nested one', async () => {
    device.setMode('large-valid');
    const found = await discover({ target: device.host, port: device.port, timeout: 1000 });
    assert.equal(found.length, 1);
    assert.ok(String(found[0].sysinfo.x).length > 55_000);
    device.setMode('deep-nesting');
    assert.deepEqual(await discover({ target: device.host, port: device.port, timeout: 300 }), []);
  });

  it('strings for numbers in an energy reading: power "NaN" is refused, not read as 0 W', async () => {
    const plug = await connect({ host: device.host, port: device.port, timeout: TIMEOUT });
    try {
      device.setMode('strings-for-numbers');
      await assert.rejects(plug.energy?.read() ?? Promise.resolve(), (e: unknown) =>
        e instanceof SmartHomeError && e.code === 'EPROTOCOL' && /emeter\.get_realtime\.power(_mw)? should be a finite number, got "NaN"/.test(e.message));
    } finally {
      await plug.close();
    }
  });

  it('a sysinfo answering set_relay_state is not taken as done, and the relay is left alone', async () => {
    const plug = await connect({ host: device.host, port: device.port, timeout: TIMEOUT });
    try {
      device.setMode('other-reply');
      await assert.rejects(plug.setPower(true), (e: unknown) =>
        e instanceof SmartHomeError && e.code === 'EPROTOCOL' && /no system\.set_relay_state object in system \{"get_sysinfo"\}/.test(e.message));
      assert.equal(device.device.main.isOn, false);
      assert.equal(plug.state.on, false, 'the state does not change either');
    } finally {
      await plug.close();
    }
  });

  it('a request sent with what was left of its timeout says how long it waited, not a shorter timeout', async () => {
    device.setMode('silent');
    client = new SmartHomeClient({ host: device.host, port: device.port, timeout: TIMEOUT, retries: 0 });
    const first = client.sendUnchecked({ system: { get_sysinfo: {} } }, { timeout: 150 }).catch((e: unknown) => e);
    await assert.rejects(client.getSysInfo(), (e: unknown) => e instanceof SmartHomeError && e.code === 'ETIMEDOUT'
      && new RegExp(`^127\\.0\\.0\\.1:${device.port}: no reply within ${TIMEOUT} ms \\(1\\d\\d ms of it spent waiting for earlier requests\\)$`).test(e.message));
    assert.match(String(await first), /no reply within 150 ms$/);
  });

  it('a device that never answers holds no request past its deadline, however many are asked', async () => {
    device.setMode('never-reads');
    client = new SmartHomeClient({ host: device.host, port: device.port, timeout: TIMEOUT, retries: 0, maxWaiting: 5 });
    const started = Date.now();
    const settled = Array.from({ length: 8 }, () => settleWithin(client.getSysInfo(), TIMEOUT + 1000));
    const outcomes = await Promise.all(settled);
    const codes = outcomes.map((o) => (o.ok ? 'ok' : (o.error as SmartHomeError).code));
    // The first is sent and times out, five wait and time out unsent, two more are refused at once: the queue is full.
    assert.deepEqual(codes, ['ETIMEDOUT', 'ETIMEDOUT', 'ETIMEDOUT', 'ETIMEDOUT', 'ETIMEDOUT', 'ETIMEDOUT', 'EBUSY', 'EBUSY']);
    assert.ok(Date.now() - started < TIMEOUT + 500, `last settled after ${Date.now() - started} ms`);
    assert.equal(client.pendingRequests, 0);
    // Unreachable now: a request while another is out fails at once with the last error.
    const probe = client.getSysInfo().catch((e: unknown) => e);
    const fast = Date.now();
    await assert.rejects(client.getSysInfo(), (e: unknown) => e instanceof SmartHomeError && e.code === 'ETIMEDOUT');
    assert.ok(Date.now() - fast < 50);
    await probe;
  });
});
