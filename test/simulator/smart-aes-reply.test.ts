/**
 * The simulated AES device's securePassthrough replies. It writes the
 * outer JSON itself and reuses the last ciphertext when the reply text is
 * the last one again (one key and one IV per session); each reply must
 * still carry exactly the text the device answered, in the outer shape
 * JSON.stringify gives, whatever sequence of texts, repeated or changed,
 * the device answers with. A device given handleParsed answers with it,
 * on the object parseBoundedJson makes of the request.
 */
import { strict as assert } from 'assert';
import * as net from 'net';
import { parseBoundedJson, type JsonObject } from '../../lib/json';
import { AesTransport } from '../../lib/smart/aes/transport';
import { startAesServer, type AesServer } from '../../lib/simulator/smart/aes-server';
import { SmartSimulatedDevice } from '../../lib/simulator/smart/device';

const USER = { username: 'owner@example.com', password: 'pw' };
const request = (n: number): Buffer => Buffer.from(`{"method":"get_device_info","request_time_milis":${n},"terminal_uuid":"x"}`);

/** Every reply the device's socket writes, as the latin1 text of its body. */
function replyBodies(socket: net.Socket, into: string[]): void {
  let pending = '';
  socket.on('data', (chunk: Buffer) => {
    pending += chunk.toString('latin1');
    for (;;) {
      const end = pending.indexOf('\r\n\r\n');
      const length = Number(/\r\nContent-Length: (\d+)/.exec(pending.slice(0, end))?.[1]);
      if (end < 0 || pending.length < end + 4 + length) return;
      into.push(pending.slice(end + 4, end + 4 + length));
      pending = pending.slice(end + 4 + length);
    }
  });
}

describe('simulated SMART device: AES securePassthrough replies', () => {
  let server: AesServer | undefined;
  let transport: AesTransport | undefined;
  afterEach(async () => {
    await transport?.close();
    await server?.close();
    transport = server = undefined;
  });

  it('carries each reply text exactly, repeated or changed, in the outer shape JSON.stringify writes', async () => {
    const script = ['{"error_code":0,"result":{"a":1}}', '{"error_code":0,"result":{"a":1}}', '{"error_code":0,"result":{"a":2}}',
      '{"error_code":0,"result":{"a":1}}', '{"error_code":0,"result":{"nickname":"Küche ☕"}}', '{"error_code":0,"result":{"nickname":"Küche ☕"}}', '{"error_code":-1008}'];
    let next = 0;
    const asked: JsonObject[] = [];
    server = await startAesServer({
      loginVersion: 2, ...USER,
      handler: () => assert.fail('handleParsed is given: the text handler is not called'),
      handleParsed: (parsed) => {
        asked.push(parsed);
        return script[next++] as string;
      },
    });
    const bodies: string[] = [];
    transport = new AesTransport({
      host: '127.0.0.1', port: server.port, ...USER, loginVersion: 2,
      // Without `onread` the client reads the socket's 'data' chunks, and so does replyBodies.
      createConnection: ({ onread: _onread, ...options }) => {
        const socket = net.createConnection(options);
        replyBodies(socket, bodies);
        return socket;
      },
    });
    for (let i = 0; i < script.length; i++) assert.equal((await transport.send(request(i), 2000)).toString('utf8'), script[i]);
    assert.deepEqual(asked, script.map((_, i) => parseBoundedJson(request(i).toString('utf8'))));
    const passthrough = bodies.slice(-script.length);
    for (const body of passthrough) {
      const outer = JSON.parse(body) as { error_code: number; result: { response: string } };
      assert.equal(body, JSON.stringify({ error_code: 0, result: { response: outer.result.response } }));
    }
    assert.equal(passthrough[0], passthrough[1], 'the same text: the same ciphertext');
    assert.notEqual(passthrough[1], passthrough[2]);
    assert.equal(passthrough[0], passthrough[3]);
  });

  it('the device answers a parsed request as it answers its text', () => {
    const device = new SmartSimulatedDevice({ model: 'P300', seed: 's', clock: () => 1_700_000_000_000 });
    const texts = [
      '{"method":"get_device_info"}', '{"method":"get_child_device_list","params":{"start_index":1}}',
      '{"method":"multipleRequest","params":{"requests":[{"method":"get_device_time"},{"method":"nope"}]}}',
      '{"method":"set_device_info","params":{"nickname":"S8O8Y2hl"}}', '{"method":"get_device_info"}', '{"method":7}',
    ];
    const twin = new SmartSimulatedDevice({ model: 'P300', seed: 's', clock: () => 1_700_000_000_000 });
    for (const text of texts) assert.equal(device.handleRequest(parseBoundedJson(text) as JsonObject), twin.handleJson(text), text);
  });
});
