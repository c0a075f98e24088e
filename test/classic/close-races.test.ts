/**
 * close() racing a request: nothing may reach the device after close(),
 * no socket may outlive it, and the request rejects with ClientClosedError.
 */
import { strict as assert } from 'assert';
import * as dgram from 'dgram';
import * as net from 'net';
import { SmartHomeClient, ConnectionError, ClientClosedError, ProtocolError } from '../../lib';
import { TcpTransport } from '../../lib/classic/transports/tcp';
import { UdpTransport } from '../../lib/classic/transports/udp';
import { markRetriable, type Transport } from '../../lib/transport';
import { provesNothingHappensFor, waitFor } from '../support/wait';

const REQUEST = Buffer.from('{"system":{"get_sysinfo":{}}}');

class ScriptedTransport implements Transport {
  readonly host = '127.0.0.1';
  readonly port = 9999;
  readonly kind = 'tcp' as const;
  sends = 0;
  constructor(private readonly answer: (n: number) => Promise<Buffer>) {}
  send(): Promise<Buffer> {
    return this.answer(this.sends++);
  }
  async close(): Promise<void> {}
}

describe('close() racing a request', () => {
  it('SmartHomeClient: close() during a retry backoff sends nothing more', async () => {
    const transport = new ScriptedTransport(() => Promise.reject(markRetriable(new ConnectionError('refused', { host: '127.0.0.1', port: 9999 }))));
    const client = new SmartHomeClient({ host: '127.0.0.1', transportInstance: transport, retries: 3, retryDelay: 50 });
    const pending = client.getSysInfo().catch((e: unknown) => e);
    await waitFor('the first attempt', () => transport.sends === 1);
    await client.close();
    const error = await pending;
    assert.ok(error instanceof ClientClosedError, String(error));
    await provesNothingHappensFor(100, 'an attempt after close() (the next was due 50 ms after the first)');
    assert.equal(transport.sends, 1, 'no attempt after close()');
  });

  it('SmartHomeClient: a reply without the expected object names host:port', async () => {
    const transport = new ScriptedTransport(() => Promise.resolve(Buffer.from('{"system":{}}')));
    const client = new SmartHomeClient({ host: '127.0.0.1', transportInstance: transport });
    await assert.rejects(client.getSysInfo(), (e: unknown) => e instanceof ProtocolError && /^127\.0\.0\.1:9999: reply to another request: no system\.get_sysinfo object in system \{\}$/.test(e.message));
  });

  it('TcpTransport: close() while connecting rejects at once and never writes the request', async () => {
    let received = 0;
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (chunk) => (received += chunk.length));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const transport = new TcpTransport({ host: '127.0.0.1', port });
      const pending = transport.send(REQUEST, 2000).catch((e: unknown) => e);
      await transport.close();
      const error = await pending;
      assert.ok(error instanceof ClientClosedError, String(error));
      await provesNothingHappensFor(50, 'the request written after close() reaching the server on loopback');
      assert.equal(received, 0, 'the request was written after close()');
      assert.ok(sockets.every((s) => s.destroyed || s.readableEnded), 'the connection was left open');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('UdpTransport: close() while the socket binds rejects at once and sends nothing', async () => {
    const server = dgram.createSocket('udp4');
    let received = 0;
    server.on('message', () => (received += 1));
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    try {
      const transport = new UdpTransport({ host: '127.0.0.1', port: server.address().port });
      const pending = transport.send(REQUEST, 2000).catch((e: unknown) => e);
      await transport.close();
      const started = Date.now();
      const error = await pending;
      assert.ok(error instanceof ClientClosedError, String(error));
      assert.ok(Date.now() - started < 1000, 'waited for the timeout');
      await provesNothingHappensFor(50, 'the datagram sent after close() reaching the server on loopback');
      assert.equal(received, 0, 'the datagram was sent after close()');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
