/**
 * withAesSessionKeyLog(): the scope through which a tool prints AES session
 * keys for Wireshark. The keys it receives are the transport's own (the
 * same its onSessionKeys hook gets, which test/smart/aes-transport.test.ts
 * decrypts a capture with), only transports made inside it report there,
 * and two scopes running side by side never see each other's sessions.
 */
import { strict as assert } from 'assert';
import { withAesSessionKeyLog } from '../../lib/smart/aes/session-key-log';
import { AesTransport, type AesSessionKeys } from '../../lib/smart/aes/transport';
import { startAesServer, type AesServer } from '../../lib/simulator/smart/aes-server';

const USER = { username: 'owner@example.com', password: 'Correct horse 42' };
const REQUEST = Buffer.from('{"method":"get_device_info","request_time_milis":1,"terminal_uuid":"x"}');

const hex = (keys: AesSessionKeys): string => `${keys.key.toString('hex')}:${keys.iv.toString('hex')}`;

describe('withAesSessionKeyLog: AES session keys for a debugging tool', () => {
  let server: AesServer;
  const transports: AesTransport[] = [];
  before(async () => {
    server = await startAesServer({ loginVersion: 1, ...USER, handler: () => JSON.stringify({ error_code: 0, result: {} }) });
  });
  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.close()));
  });
  after(() => server.close());

  const open = (onSessionKeys?: (keys: AesSessionKeys) => void): AesTransport => {
    const transport = new AesTransport({ host: '127.0.0.1', port: server.port, ...USER, loginVersion: 1, onSessionKeys });
    transports.push(transport);
    return transport;
  };

  it('hands a transport made inside the scope the same key and IV as its own hook, once per session', async () => {
    const logged: AesSessionKeys[] = [];
    const hooked: AesSessionKeys[] = [];
    await withAesSessionKeyLog((keys) => logged.push(keys), async () => {
      const transport = open((keys) => hooked.push(keys));
      await transport.send(REQUEST, 2000);
      await transport.send(REQUEST, 2000);
    });
    assert.equal(hooked.length, 1);
    assert.deepEqual(logged.map(hex), hooked.map(hex));
    assert.deepEqual([logged[0].host, logged[0].port, logged[0].sessionId], ['127.0.0.1', server.port, hooked[0].sessionId]);
  });

  it('reports the session of a refused login too: a capture is most often taken to see why a login fails', async () => {
    const logged: AesSessionKeys[] = [];
    const refused = withAesSessionKeyLog((keys) => logged.push(keys), () => {
      const transport = new AesTransport({ host: '127.0.0.1', port: server.port, username: USER.username, password: 'wrong', loginVersion: 1 });
      transports.push(transport);
      return transport.send(REQUEST, 5000);
    });
    await assert.rejects(refused, /AES login/);
    assert.ok(logged.length >= 1);
    assert.equal(new Set(logged.map(hex)).size, logged.length, 'one fresh session per account tried');
  });

  it('reports nothing for a transport made outside any scope, even when it is used inside one', async () => {
    const logged: AesSessionKeys[] = [];
    const outside = open();
    await withAesSessionKeyLog((keys) => logged.push(keys), () => outside.send(REQUEST, 2000));
    await open().send(REQUEST, 2000);
    assert.deepEqual(logged, []);
  });

  it('keeps two scopes running side by side apart, and survives a throwing sink', async () => {
    const first: AesSessionKeys[] = [];
    const second: AesSessionKeys[] = [];
    const hooked: AesSessionKeys[] = [];
    const run = (sink: (keys: AesSessionKeys) => void, hook: (keys: AesSessionKeys) => void) =>
      withAesSessionKeyLog(sink, () => open(hook).send(REQUEST, 2000));
    await Promise.all([
      run((keys) => first.push(keys), (keys) => hooked.push(keys)),
      run((keys) => second.push(keys), (keys) => hooked.push(keys)),
      run(() => { throw new Error('sink'); }, () => undefined),
    ]);
    assert.equal(first.length, 1);
    assert.equal(second.length, 1);
    assert.notEqual(hex(first[0]), hex(second[0]));
    assert.deepEqual(new Set([hex(first[0]), hex(second[0])]), new Set(hooked.map(hex)));
  });
});
