/**
 * Credentials never appear in logs, error messages, statuses, sent
 * messages, exported flows, command-line output or util.inspect of the
 * objects holding them, with wrong and with right passwords, on errors and
 * on success.
 */
import { strict as assert } from 'assert';
import { inspect } from 'util';
import { SmartHomeClient } from '../../lib/classic/client';
import { KlapTransport, AutoTransport } from '../../lib/classic/transports';
import { deriveKey, TddpClient } from '../../lib/tddp';
import { authHash } from '../../lib/klap/auth';
import { startKlapDevice, type RunningKlapDevice } from '../../lib/simulator/klap-device';
import { startTddpResponder, type TddpResponder } from '../../lib/simulator/tddp-responder';
import configNode from '../../nodes/tplink-config/tplink-config';
import plugNode from '../../nodes/tplink-plug/tplink-plug';
import tddpNode from '../../nodes/tplink-tddp/tplink-tddp';
import type { NodeMessage } from '../../nodes/types';
import { helper, nextMessage, node, statusBecomes, TAB } from '../nodes/support/node-red';
import { runCli } from '../cli/support/run-cli';
import { startRecordingProxy, waitUntil, type RecordingProxy } from './support';
import { connect, openDevice, SmartFamily, type Device } from '../../lib/device';
import { deriveSessionKeys } from '../../lib/klap/session';
import type { RunningSmartDevice } from '../../lib/simulator/smart/server';
import { createDecipheriv, createHash } from 'crypto';
import { SmartClient } from '../../lib/smart';
import type { AesSessionKeys } from '../../lib/smart';
import { startSmartDevice } from '../../lib/simulator/smart/server';

const KLAP_USER = 'owner@example.com';
const KLAP_PASSWORD = 'S3cret-Pa55word-xyz';
const KLAP_WRONG = 'Wr0ng-Pa55word-klap';
const TDDP_USER = 'admin';
const TDDP_PASSWORD = 'S3cret-Tddp-Pa55-xyz';
const TDDP_WRONG = 'Wr0ng-Tddp-Pa55-abc';
const SECRETS = [KLAP_PASSWORD, KLAP_WRONG, TDDP_PASSWORD, TDDP_WRONG];

/** The ways a password could be spelled out: as is, base64, hex, URL-encoded. */
function spellings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [secret, bytes.toString('base64').replace(/=+$/, ''), bytes.toString('hex'), encodeURIComponent(secret)];
}

function text(value: unknown): string {
  return typeof value === 'string'
    ? value
    : inspect(value, { depth: 12, showHidden: true, getters: false, maxArrayLength: 1000, maxStringLength: Infinity, breakLength: Infinity });
}

/** Everything captured so far, labelled by where it came from. */
class Haystack {
  readonly items: Array<{ where: string; text: string }> = [];

  add(where: string, value: unknown): void {
    this.items.push({ where, text: text(value) });
  }

  /** What Node-RED logged (the helper's spy on RED.log.log) and every node method the helper spies on. */
  addRuntime(label: string): void {
    const log = (helper as unknown as { log(): { getCalls(): Array<{ args: unknown[] }> } | undefined }).log();
    for (const call of log?.getCalls() ?? []) this.add(`${label}: RED.log`, call.args);
    const proto = helper._NodePrototype as unknown as Record<string, { getCalls?(): Array<{ args: unknown[] }> }>;
    for (const method of ['log', 'status', 'warn', 'error', 'debug', 'trace', 'send']) {
      for (const call of proto[method]?.getCalls?.() ?? []) this.add(`${label}: node.${method}`, call.args);
    }
  }

  /** `derived`: keys as good as a password (a TDDP DES key, a KLAP auth hash), checked as hex and as inspect shows bytes. */
  assertClean(derived: Buffer[] = []): void {
    const forms = derived.map((key) => ({ secret: `key ${key.toString('hex')}`, spellings: [key.toString('hex'), inspect(key).slice(8, -1)] }));
    for (const { secret, spellings: all } of [...SECRETS.map((secret) => ({ secret, spellings: spellings(secret) })), ...forms]) {
      for (const spelling of all) {
        const hit = this.items.find((item) => item.text.includes(spelling));
        if (hit) {
          const at = hit.text.indexOf(spelling);
          assert.fail(`"${secret}" (as "${spelling}") appears in ${hit.where}: ...${hit.text.slice(Math.max(0, at - 200), at + 100)}...`);
        }
      }
    }
  }

  includes(pattern: RegExp): boolean {
    return this.items.some((item) => pattern.test(item.text));
  }
}

describe('reliability: credentials never appear in logs, errors, flows or output', function () {
  this.timeout(20_000);
  let klap: RunningKlapDevice;
  let responder: TddpResponder;
  const seen = new Haystack();

  function flow(): object[] {
    return [
      TAB,
      { id: 'cfg', type: 'tplink-config', z: 'f1', host: '127.0.0.1', port: klap.klapPort, transport: 'klap', timeout: 2 },
      { id: 'plug', type: 'tplink-plug', z: 'f1', device: 'cfg', outlet: '', interval: '', allowAdmin: false, wires: [['out']] },
      {
        id: 'tddp', type: 'tplink-tddp', z: 'f1', host: '127.0.0.1', port: responder.port, replyPort: 0, timeout: 0.5,
        packetType: '0x03', subtype: '0x0a', wires: [['out']],
      },
      { id: 'out', type: 'helper', z: 'f1' },
      { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
      // No Catch node on this tab: its errors go to the runtime log.
      { id: 'f2', type: 'tab', label: 'uncaught' },
      {
        id: 'tddp2', type: 'tplink-tddp', z: 'f2', host: '127.0.0.1', port: responder.port, replyPort: 0, timeout: 0.5,
        packetType: '0x03', subtype: '0x0a', wires: [[]],
      },
    ];
  }

  function credentials(klapPassword: string, tddpPassword: string): Record<string, object> {
    const tddp = { username: TDDP_USER, password: tddpPassword };
    return { cfg: { username: KLAP_USER, password: klapPassword }, tddp, tddp2: tddp };
  }

  /** Sends `msg` to `to`; resolves with whichever comes first, the output or the Catch node's message. */
  async function outcome(label: string, to: string, msg: NodeMessage): Promise<{ kind: 'sent' | 'caught'; msg: NodeMessage }> {
    const sent = nextMessage('out', () => true, 5000).then((m) => ({ kind: 'sent' as const, msg: m }));
    const caught = nextMessage('caught', () => true, 5000).then((m) => ({ kind: 'caught' as const, msg: m }));
    node(to).receive(msg);
    const first = await Promise.race([sent, caught]);
    sent.catch(() => undefined);
    caught.catch(() => undefined);
    seen.add(`${label}: ${first.kind} message`, first.msg);
    const error = first.msg.error as { message?: string; stack?: string } | undefined;
    if (error) seen.add(`${label}: caught error`, `${error.message ?? ''}\n${error.stack ?? ''}`);
    return first;
  }

  /**
   * The flow as the admin API's GET /flows returns it (runtime.flows.getFlows(); the
   * test helper has no /flows route, test/nodes/runtime.test.ts calls the real one).
   */
  function exportedFlows(label: string): void {
    seen.add(`${label}: exported flows`, JSON.stringify(helper._redNodes.getFlows()));
  }

  /** The flow with the credentials inline, as the editor deploys it. */
  function deployedByEditor(klapPassword: string, tddpPassword: string): object[] {
    const creds = credentials(klapPassword, tddpPassword) as Record<string, object>;
    return flow().map((n) => {
      const id = (n as { id: string }).id;
      return creds[id] ? { ...n, credentials: creds[id] } : n;
    });
  }

  before(async () => {
    await helper.startServer();
    klap = await startKlapDevice({ model: 'KP115', alias: 'Secret plug', on: false, klap: { version: 2, username: KLAP_USER, password: KLAP_PASSWORD } });
    responder = await startTddpResponder({ host: '127.0.0.1', port: 0, username: TDDP_USER, password: TDDP_PASSWORD, replyPort: 0 });
  });
  after(async () => {
    await helper.stopServer();
    await klap?.close();
    await responder?.close();
  });
  afterEach(() => helper.unload());

  it('wrong passwords: the errors reach Catch nodes, the statuses and the log without the password', async () => {
    await helper.load([configNode, plugNode, tddpNode], flow(), credentials(KLAP_WRONG, TDDP_WRONG));
    const plug = await outcome('wrong klap', 'plug', { payload: 'on' });
    assert.equal(plug.kind, 'caught');
    assert.match(String((plug.msg.error as { message: string }).message), /credentials/);
    const tddp = await outcome('wrong tddp', 'tddp', { payload: 'hello' });
    assert.equal(tddp.kind, 'caught');
    assert.match(String((tddp.msg.error as { message: string }).message), /wrong username\/password/);
    node('tddp2').receive({ payload: 'uncaught' });
    await statusBecomes('tddp2', (st) => st.fill === 'red', 3000);
    // The editor's outlet lookup through the deployed config node.
    const admin = await helper.request().get('/tplink-kasa/outlets').query({ config: 'cfg' });
    assert.equal(admin.status, 502);
    seen.add('wrong: GET /tplink-kasa/outlets', admin.body);
    exportedFlows('wrong');
    seen.add('wrong: util.inspect of the config node\'s connection', (helper.getNode('cfg') as unknown as { connection: unknown }).connection);
    seen.addRuntime('wrong');
    assert.ok(seen.items.some((i) => i.where === 'wrong: RED.log' && /credentials/.test(i.text)), 'the log spy did not see the KLAP error');
    assert.ok(seen.items.some((i) => i.where === 'wrong: RED.log' && /wrong username\/password/.test(i.text)), 'the log spy did not see the uncaught TDDP error');
    seen.assertClean();
  });

  it('right passwords: success, then device errors, all without the password', async () => {
    await helper.load([configNode, plugNode, tddpNode], flow(), credentials(KLAP_PASSWORD, TDDP_PASSWORD));
    assert.equal((await outcome('right klap', 'plug', { payload: 'on' })).kind, 'sent');
    assert.equal(klap.running.device.main.isOn, true);
    const tddp = await outcome('right tddp', 'tddp', { payload: 'hello' });
    assert.equal(tddp.kind, 'sent');
    assert.equal(tddp.msg.text, 'ABCD0110');
    const admin = await helper.request().get('/tplink-kasa/outlets').query({ config: 'cfg' });
    assert.equal(admin.status, 200);

    // Errors with the right credentials: the device goes away, the responder stops answering.
    await klap.running.setFault({ kind: 'offline' });
    await klap.settled();
    assert.equal((await outcome('offline klap', 'plug', { payload: 'off' })).kind, 'caught');
    responder.setReply(3, 0x0a, { data: 'ABCD0110', fault: 'drop' });
    assert.equal((await outcome('silent tddp', 'tddp', { payload: 'hello' })).kind, 'caught');
    responder.setReply(3, 0x0a, { data: 'ABCD0110', fault: 'bad-digest' });
    assert.equal((await outcome('bad digest tddp', 'tddp', { payload: 'hello' })).kind, 'caught');
    responder.setReply(3, 0x0a, 'ABCD0110');
    await klap.running.clearFault();
    await klap.settled();

    // Deployed again from the editor, credentials inline: they are taken, and the export still has none.
    await helper.setFlows(deployedByEditor(KLAP_PASSWORD, TDDP_PASSWORD), 'full');
    await waitUntil(() => helper.getNode('tddp') !== null, 2000, 'the redeployed flow');
    assert.equal((await outcome('redeployed tddp', 'tddp', { payload: 'hello' })).kind, 'sent');
    assert.equal((await outcome('redeployed klap', 'plug', { payload: 'off' })).kind, 'sent');
    exportedFlows('right');
    seen.add('right: util.inspect of the config node\'s connection and device', (helper.getNode('cfg') as unknown as { connection: unknown }).connection);
    seen.addRuntime('right');
    assert.ok(seen.includes(/ABCD0110/), 'the TDDP reply was not captured');
    seen.assertClean();
  });

  it('the check itself finds a planted password in any spelling', () => {
    for (const spelling of spellings(TDDP_WRONG)) {
      const planted = new Haystack();
      planted.add('planted', { deep: { inside: [`x${spelling}y`] } });
      assert.throws(() => planted.assertClean(), /appears in planted/);
    }
    // A deployed node does hold its credentials: what the runtime keeps is never what it shows.
    const inMemory = new Haystack();
    inMemory.add('a credentials object', credentials(KLAP_PASSWORD, TDDP_PASSWORD));
    assert.throws(() => inMemory.assertClean());
  });

  it('the command-line tools print no password, wrong or right', async () => {
    const klapArgs = (password: string): string[] => [
      '-t', '127.0.0.1', '-p', String(klap.klapPort), '--klap', '--username', KLAP_USER, '--password', password, '-T', '3',
    ];
    const wrongKlap = await runCli('tplink-smartplug', klapArgs(KLAP_WRONG));
    assert.equal(wrongKlap.code, 5, wrongKlap.stderr);
    const rightKlap = await runCli('tplink-smartplug', klapArgs(KLAP_PASSWORD));
    assert.equal(rightKlap.code, 0, rightKlap.stderr);
    const envKlap = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(klap.klapPort), '--klap', '-T', '3'], {
      env: { KASA_USERNAME: KLAP_USER, KASA_PASSWORD: KLAP_WRONG },
    });
    assert.equal(envKlap.code, 5, envKlap.stderr);

    const tddpArgs = (password: string): string[] => [
      '-t', '127.0.0.1', '--port', String(responder.port), '--reply-port', '0', '-u', TDDP_USER, '-p', password, '-c', '0a', '-T', '1', '-v',
    ];
    const wrongTddp = await runCli('tddp-client', tddpArgs(TDDP_WRONG));
    assert.equal(wrongTddp.code, 4, wrongTddp.stderr);
    const rightTddp = await runCli('tddp-client', tddpArgs(TDDP_PASSWORD));
    assert.equal(rightTddp.code, 0, rightTddp.stderr);
    for (const [name, run] of Object.entries({ wrongKlap, rightKlap, envKlap, wrongTddp, rightTddp })) {
      seen.add(`${name} stdout`, run.stdout);
      seen.add(`${name} stderr`, run.stderr);
    }
    assert.match(wrongKlap.stderr, /credentials/);
    assert.match(wrongTddp.stderr, /wrong username\/password/);
    seen.assertClean();
  });

  it('util.inspect of a client or transport holding credentials does not show the password', async () => {
    // Apart from the rest: tddp-client -v prints the DES key on purpose, as the original tool does.
    const inspected = new Haystack();
    const objects = {
      klapClient: new SmartHomeClient({ host: '127.0.0.1', port: klap.klapPort, transport: 'klap', username: KLAP_USER, password: KLAP_PASSWORD }),
      autoClient: new SmartHomeClient({ host: '127.0.0.1', port: 1, transport: 'auto', username: KLAP_USER, password: KLAP_WRONG }),
      klapTransport: new KlapTransport({ host: '127.0.0.1', port: klap.klapPort, username: KLAP_USER, password: KLAP_PASSWORD }),
      autoTransport: new AutoTransport({ host: '127.0.0.1', port: 1, username: KLAP_USER, password: KLAP_PASSWORD }),
      tddpDefault: new TddpClient({ host: '127.0.0.1' }),
      tddpClient: new TddpClient({ host: '127.0.0.1', port: responder.port, replyPort: 0, username: TDDP_USER, password: TDDP_PASSWORD, timeout: 500 }),
    };
    try {
      // Used once, so that sessions, keys and sockets are in place too.
      await objects.klapClient.getSysInfo();
      await objects.tddpClient.request({ subtype: 0x0a });
      for (const [name, object] of Object.entries(objects)) {
        inspected.add(`inspect(${name})`, object);
        inspected.add(`String(${name})`, String(object));
        let json: string;
        try {
          json = JSON.stringify(object);
        } catch (error) {
          json = String(error);
        }
        inspected.add(`JSON.stringify(${name})`, json);
      }
    } finally {
      await Promise.all([objects.klapClient.close(), objects.autoClient.close(), objects.klapTransport.close(), objects.autoTransport.close(), objects.tddpClient.close()]);
    }
    const derived = [TDDP_PASSWORD, TDDP_WRONG, 'admin'].map((password) => deriveKey(TDDP_USER, password));
    for (const password of [KLAP_PASSWORD, KLAP_WRONG]) for (const version of [1, 2] as const) derived.push(authHash(version, { username: KLAP_USER, password }));
    inspected.assertClean(derived);
  });

  it('SMART clients over AES and KLAP show no password, AES key, IV or login token, right or wrong', async () => {
    const seen = new Haystack();
    const keys: AesSessionKeys[] = [];
    const p100 = await startSmartDevice({ model: 'P100', username: KLAP_USER, password: KLAP_PASSWORD });
    const p110 = await startSmartDevice({ model: 'P110', username: KLAP_USER, password: KLAP_PASSWORD });
    const clients = {
      aes: new SmartClient({ host: '127.0.0.1', port: p100.port, transport: 'aes', username: KLAP_USER, password: KLAP_PASSWORD, onAesSessionKeys: (k) => keys.push(k) }),
      klap: new SmartClient({ host: '127.0.0.1', port: p110.port, transport: 'klap', username: KLAP_USER, password: KLAP_PASSWORD }),
      aesWrong: new SmartClient({ host: '127.0.0.1', port: p100.port, transport: 'aes', username: KLAP_USER, password: KLAP_WRONG }),
      klapWrong: new SmartClient({ host: '127.0.0.1', port: p110.port, transport: 'klap', username: KLAP_USER, password: KLAP_WRONG }),
    };
    try {
      for (const [name, client] of Object.entries(clients)) {
        await client.getDeviceInfo().then(
          (info) => seen.add(`${name} info`, info),
          (error: unknown) => { seen.add(`${name} error`, error); seen.add(`${name} message`, (error as Error).message); },
        );
        await client.call('no_such_method').catch((error: unknown) => seen.add(`${name} device error`, error));
        seen.add(`inspect(${name})`, client);
        seen.add(`JSON.stringify(${name})`, JSON.stringify(client));
      }
    } finally {
      await Promise.all(Object.values(clients).map((c) => c.close()));
      await p100.close();
      await p110.close();
    }
    assert.ok(seen.includes(/AuthenticationError/), 'the wrong passwords were refused');
    assert.ok(!seen.includes(/token=/), 'no login token');
    assert.equal(keys.length, 2, 'the session refused login v2 and the one logged in with v1');
    const sha1 = (text: string): Buffer => Buffer.from(createHash('sha1').update(text).digest('hex'));
    // Login v2 sends base64 of the password's SHA-1 in hex: as good as the password to this device.
    const derived = [...keys.flatMap((k) => [k.key, k.iv]), sha1(KLAP_PASSWORD), sha1(KLAP_WRONG)];
    for (const password of [KLAP_PASSWORD, KLAP_WRONG]) derived.push(authHash(2, { username: KLAP_USER, password }));
    seen.assertClean(derived);
    for (const password of [KLAP_PASSWORD, KLAP_WRONG]) assert.ok(!seen.includes(new RegExp(sha1(password).toString('base64').slice(0, 20))));
  });
});

/** The AES login tokens and session cookies a proxy saw, and the KLAP session keys its seeds give with `auth`. */
function wireSecrets(proxy: RecordingProxy, auth: Buffer): { tokens: string[]; derived: Buffer[]; verified: number } {
  const tokens: string[] = [];
  const derived: Buffer[] = [];
  let verified = 0;
  for (const connection of proxy.connections) {
    const sent = Buffer.concat(connection.sent);
    const received = Buffer.concat(connection.received);
    for (const match of sent.toString('latin1').matchAll(/[?&]token=([^\s&]+)/g)) tokens.push(decodeURIComponent(match[1]));
    for (const match of received.toString('latin1').matchAll(/TP_SESSIONID=([^;\s]+)/g)) tokens.push(match[1]);
    const handshake = sent.indexOf('POST /app/handshake1');
    if (handshake < 0) continue;
    // The handshake's reply is the reply to the n-th request on this connection.
    const before = sent.subarray(0, handshake).toString('latin1').split('POST ').length - 1;
    let reply = -1;
    for (let i = 0; i <= before; i++) reply = received.indexOf('HTTP/1.1 ', reply + 1);
    const localAt = sent.indexOf('\r\n\r\n', handshake) + 4;
    const replyBody = received.indexOf('\r\n\r\n', reply) + 4;
    // A chunked reply's body starts with its first chunk's size line.
    const chunked = /transfer-encoding: *chunked/i.test(received.subarray(reply, replyBody).toString('latin1'));
    const remoteAt = chunked ? received.indexOf('\r\n', replyBody) + 2 : replyBody;
    const keys = deriveSessionKeys(sent.subarray(localAt, localAt + 16), received.subarray(remoteAt, remoteAt + 16), auth);
    derived.push(keys.key, keys.ivPrefix, keys.signingKey);
    if (decryptsFirstRequest(sent, handshake, keys)) verified += 1;
  }
  return { tokens, derived, verified };
}

/** The keys are right when they decrypt the session's first request (signature, then AES-CBC under the prefix and seq) to JSON. */
function decryptsFirstRequest(sent: Buffer, from: number, keys: { key: Buffer; ivPrefix: Buffer }): boolean {
  const at = sent.indexOf('POST /app/request?seq=', from);
  if (at < 0) return false;
  const head = sent.subarray(at, sent.indexOf('\r\n\r\n', at)).toString('latin1');
  const seq = Number(/seq=(-?\d+)/.exec(head)?.[1]);
  const length = Number(/content-length: *(\d+)/i.exec(head)?.[1]);
  const bodyAt = at + head.length + 4;
  const iv = Buffer.alloc(16);
  keys.ivPrefix.copy(iv);
  iv.writeInt32BE(seq, 12);
  try {
    const decipher = createDecipheriv('aes-128-cbc', keys.key, iv);
    const plain = Buffer.concat([decipher.update(sent.subarray(bodyAt + 32, bodyAt + length)), decipher.final()]);
    return plain.toString('utf8').startsWith('{');
  } catch {
    return false;
  }
}

describe('reliability: SMART devices through the device layer, the nodes and the CLI show no password, session key or token', function () {
  // Two tool processes and three devices' sessions; a loaded machine takes its time.
  this.timeout(60_000);
  const seen = new Haystack();
  const account = { username: KLAP_USER, password: KLAP_PASSWORD };
  let p100: RunningSmartDevice;
  let p110: RunningSmartDevice;
  let aesProxy: RecordingProxy;
  let klapProxy: RecordingProxy;
  const devices: Device[] = [];

  before(async () => {
    await helper.startServer();
    p100 = await startSmartDevice({ model: 'P100', seed: 'secrets-p100', ...account });
    p110 = await startSmartDevice({ model: 'P110', seed: 'secrets-p110', ...account });
    aesProxy = await startRecordingProxy(p100);
    klapProxy = await startRecordingProxy(p110);
  });
  after(async () => {
    for (const device of devices.splice(0)) await device.close();
    await helper.unload();
    await helper.stopServer();
    for (const closable of [aesProxy, klapProxy, p100, p110]) await closable?.close();
  });

  /** Switches, meters, asks the raw channel and fails a request; everything it returns or throws goes into the haystack. */
  async function exercise(label: string, device: Device): Promise<void> {
    const note = (what: string) => (value: unknown): void => seen.add(`${label} ${what}`, value);
    await device.setPower(false).then(note('off'));
    await device.toggle().then(note('toggle'));
    await (device.energy?.read() ?? Promise.resolve('no meter')).then(note('energy'));
    await device.request('{"method":"get_device_info"}').then(note('raw'));
    await device.request({ method: 'no_such_method' }).then(note('raw refused'));
    await device.setPower(true, { transition: 100 }).catch(note('refused'));
    seen.add(`inspect(${label})`, device);
    seen.add(`String(${label})`, String(device));
  }

  it('connect() (automatic and by hand), tplink-plug with traffic logging, and tplink-smartplug -v, right and wrong passwords', async () => {
    const keys: AesSessionKeys[] = [];
    const byHand = await openDevice(new SmartFamily(new SmartClient({
      host: '127.0.0.1', port: p100.port, transport: 'aes', ...account, onAesSessionKeys: (k) => keys.push(k),
    })));
    devices.push(byHand);
    await exercise('device by hand (AES)', byHand);
    for (const [label, proxy] of [['AES', aesProxy], ['KLAP', klapProxy]] as const) {
      const device = await connect({ host: '127.0.0.1', port: proxy.port, transport: 'auto', ...account, timeout: 3000, onTraffic: (e) => seen.add(`${label} traffic`, e) });
      devices.push(device);
      await exercise(`connect (${label})`, device);
      const wrong = await connect({ host: '127.0.0.1', port: proxy.port, transport: 'auto', username: KLAP_USER, password: KLAP_WRONG, timeout: 3000 }).catch((e: unknown) => e);
      assert.ok(wrong instanceof Error && /credentials/.test(wrong.message), String(wrong));
      seen.add(`connect (${label}) wrong password`, wrong);
    }

    const config = (id: string, port: number) => ({ id, type: 'tplink-config', z: 'f1', host: '127.0.0.1', port, transport: 'auto', timeout: 3, logTraffic: true });
    const plug = (id: string, device: string) => ({ id, type: 'tplink-plug', z: 'f1', device, outlet: '', interval: '', allowAdmin: false, wires: [['out']] });
    await helper.load([configNode, plugNode], [
      TAB, config('aes', aesProxy.port), config('klap', klapProxy.port), config('wrong', p110.port),
      plug('plugAes', 'aes'), plug('plugKlap', 'klap'), plug('plugWrong', 'wrong'), { id: 'out', type: 'helper', z: 'f1' },
      { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] }, { id: 'caught', type: 'helper', z: 'f1' },
    ], { aes: account, klap: account, wrong: { username: KLAP_USER, password: KLAP_WRONG } });
    for (const [to, msg] of [['plugAes', { payload: 'on' }], ['plugAes', { command: 'energy' }], ['plugKlap', { payload: 'off' }], ['plugKlap', { command: 'energy' }], ['plugKlap', { command: 'info' }]] as const) {
      const sent = nextMessage('out', () => true, 5000);
      const caught = nextMessage('caught', () => true, 5000);
      node(to).receive({ ...msg });
      seen.add(`${to} ${JSON.stringify(msg)}`, await Promise.race([sent, caught]));
      sent.catch(() => undefined);
      caught.catch(() => undefined);
    }
    const caught = nextMessage('caught', () => true, 5000);
    node('plugWrong').receive({ payload: 'on' });
    seen.add('plugWrong caught', await caught);
    await statusBecomes('plugWrong', (st) => st.fill === 'red', 3000);
    seen.add('exported flows', JSON.stringify(helper._redNodes.getFlows()));
    for (const id of ['aes', 'klap', 'wrong']) seen.add(`inspect(config ${id}.connection)`, (helper.getNode(id) as unknown as { connection: unknown }).connection);
    seen.addRuntime('SMART nodes');
    assert.ok(seen.items.some((i) => i.where === 'SMART nodes: node.debug' && /get_device_info/.test(i.text)), 'the traffic log was not captured');

    for (const password of [KLAP_PASSWORD, KLAP_WRONG]) {
      const run = await runCli('tplink-smartplug', ['-t', '127.0.0.1', '-p', String(klapProxy.port), '--username', KLAP_USER, '--password', password, '-c', 'energy', '-v', '-T', '3']);
      assert.equal(run.code, password === KLAP_PASSWORD ? 0 : 5, run.stderr);
      seen.add('tplink-smartplug stdout', run.stdout);
      seen.add('tplink-smartplug stderr', run.stderr);
    }

    const auth = authHash(2, account);
    const wire = [wireSecrets(aesProxy, auth), wireSecrets(klapProxy, auth)];
    const tokens = wire.flatMap((w) => w.tokens);
    assert.ok(tokens.length >= 4, `login tokens and session cookies seen on the wire: ${tokens.length}`);
    // The P100 takes login v1: the session tried with v2 first is reported too.
    assert.ok(keys.length === 2 && wire[1].verified >= 2, `AES keys reported (${keys.length}), KLAP session keys derived and checked (${wire[1].verified})`);
    const sha1 = (text: string): Buffer => Buffer.from(createHash('sha1').update(text).digest('hex'));
    seen.assertClean([...keys.flatMap((k) => [k.key, k.iv]), ...wire.flatMap((w) => w.derived), auth, authHash(2, { username: KLAP_USER, password: KLAP_WRONG }), sha1(KLAP_PASSWORD)]);
    for (const token of tokens) {
      const hit = seen.items.find((item) => item.text.includes(token));
      assert.equal(hit, undefined, `session token ${token} appears in ${hit?.where}`);
    }
  });
});

