/** The existing KLAP transport carrying SMART JSON, as Tapo and new Kasa devices speak it. */
import { strict as assert } from 'assert';
import { defaultCredentials } from '../../lib/klap/auth';
import { KlapTransport } from '../../lib/klap/transport';
import { startKlapServer, type KlapServer } from '../../lib/simulator/klap-server';

const USER = { username: 'owner@example.com', password: 'Correct horse 42' };

function smartHandler(json: string): string {
  const request = JSON.parse(json) as { method: string; params?: { device_on?: boolean } };
  return JSON.stringify({ error_code: 0, result: { method: request.method, device_on: request.params?.device_on ?? false } });
}

describe('KLAP carrying SMART JSON', () => {
  let server: KlapServer | undefined;
  let transport: KlapTransport | undefined;
  afterEach(async () => {
    await transport?.close();
    await server?.close();
    transport = server = undefined;
  });

  it('sends a SMART envelope over a version 2 session and returns the SMART reply', async () => {
    server = await startKlapServer({ version: 2, ...USER, handler: smartHandler });
    transport = new KlapTransport({ host: '127.0.0.1', port: server.port, ...USER });
    const request = { method: 'set_device_info', params: { device_on: true }, request_time_milis: 1, terminal_uuid: 'x' };
    const reply = JSON.parse((await transport.send(Buffer.from(JSON.stringify(request)), 2000)).toString('utf8')) as unknown;
    assert.deepEqual(reply, { error_code: 0, result: { method: 'set_device_info', device_on: true } });
    assert.equal(transport.version, 2);
  });

  it('accepts a device that answers to the default Tapo account', async () => {
    server = await startKlapServer({ version: 2, ...defaultCredentials('tapo'), handler: smartHandler });
    transport = new KlapTransport({ host: '127.0.0.1', port: server.port, ...USER });
    await transport.send(Buffer.from('{"method":"get_device_info"}'), 2000);
    assert.equal(server.stats.handshakes, 1);
  });
});
