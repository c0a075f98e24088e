/**
 * The simulated SMART device's HTTP server on a real socket: keep-alive,
 * pipelined requests answered in order, Connection: close, idle
 * connections closed, the device's fault modes on the wire, and hostile
 * clients refused without stalling anyone else.
 */
import { strict as assert } from 'assert';
import * as http from 'http';
import * as net from 'net';
import type { FaultSpec } from '../../lib/simulator/faults';
import { startHttpEndpoint, type EndpointReply, type HttpEndpoint, type HttpRequest } from '../../lib/simulator/smart/http-endpoint';
import { provesNothingHappensFor, waitFor } from '../support/wait';

/** A raw client: writes bytes, collects every byte and notes when the server closed. */
class RawClient {
  readonly socket: net.Socket;
  received = Buffer.alloc(0);
  chunks = 0;
  ended = false;

  constructor(port: number) {
    this.socket = net.connect({ host: '127.0.0.1', port });
    this.socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.chunks += 1;
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.ended = true;
    });
  }

  get text(): string {
    return this.received.toString('latin1');
  }

  /** Resolves once `count` whole replies (head and Content-Length body) are in; returns them. */
  async replies(count: number, within = 2000): Promise<Array<{ status: number; head: string; body: string }>> {
    return waitFor(`${count} replies`, () => {
      const out = parseReplies(this.received);
      return out.length >= count ? out : undefined;
    }, within);
  }
}

function parseReplies(bytes: Buffer): Array<{ status: number; head: string; body: string }> {
  const out: Array<{ status: number; head: string; body: string }> = [];
  let at = 0;
  for (;;) {
    const end = bytes.indexOf('\r\n\r\n', at);
    if (end < 0) return out;
    const head = bytes.toString('latin1', at, end);
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
    if (bytes.length < end + 4 + length) return out;
    out.push({ status: Number(head.slice(9, 12)), head, body: bytes.toString('latin1', end + 4, end + 4 + length) });
    at = end + 4 + length;
  }
}

function post(path: string, body: string, extra = ''): string {
  return `POST ${path} HTTP/1.1\r\nHost: device\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

describe('simulated SMART device: HTTP endpoint', () => {
  let endpoint: HttpEndpoint | undefined;
  let clients: RawClient[] = [];
  let fault: FaultSpec | undefined;
  let connections = 0;
  const seen: HttpRequest[] = [];

  /** Echoes the body and path; /slow answers after 50 ms through a promise; /throw fails. */
  async function start(idleTimeoutMs?: number): Promise<HttpEndpoint> {
    endpoint = await startHttpEndpoint({
      idleTimeoutMs,
      route(request): EndpointReply | Promise<EndpointReply> {
        seen.push(request);
        if (request.path === '/throw') throw new Error('route failed');
        if (request.path === '/reject') return Promise.reject(new Error('route failed'));
        const reply: EndpointReply = { status: 200, json: { path: request.path, body: request.body.toString('utf8') }, headers: { 'Set-Cookie': 'TP_SESSIONID=AB;TIMEOUT=1440' } };
        return request.path === '/slow' ? new Promise((resolve) => setTimeout(() => resolve(reply), 50)) : reply;
      },
      fault: () => fault,
      onConnection: () => {
        connections += 1;
      },
    });
    return endpoint;
  }

  function client(): RawClient {
    const c = new RawClient((endpoint as HttpEndpoint).port);
    clients.push(c);
    return c;
  }

  afterEach(async () => {
    for (const c of clients) c.socket.destroy();
    clients = [];
    fault = undefined;
    connections = 0;
    seen.length = 0;
    await endpoint?.close();
    endpoint = undefined;
  });

  it('answers with the headers devices send, head and body in one write, and keeps the connection', async () => {
    await start();
    const c = client();
    c.socket.write(post('/app', '{"a":1}'));
    const [reply] = await c.replies(1);
    assert.equal(reply?.status, 200);
    assert.match(reply?.head ?? '', /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(reply?.head ?? '', /\r\nSet-Cookie: TP_SESSIONID=AB;TIMEOUT=1440\r\n/);
    assert.match(reply?.head ?? '', /\r\nContent-Type: application\/json\r\n/);
    assert.match(reply?.head ?? '', /\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5$/);
    assert.equal(reply?.body, '{"path":"/app","body":"{\\"a\\":1}"}');
    assert.equal(c.chunks, 1, 'one write, one segment on loopback');
    c.socket.write(post('/app', 'again'));
    await c.replies(2);
    assert.equal(connections, 1);
    assert.equal(c.ended, false);
  });

  it('answers pipelined requests in order, also when an earlier answer takes longer', async () => {
    await start();
    const c = client();
    c.socket.write(post('/slow', '1') + post('/app', '2') + post('/slow', '3') + post('/app', '4'));
    const replies = await c.replies(4);
    assert.deepEqual(replies.map((r) => JSON.parse(r.body) as unknown), [
      { path: '/slow', body: '1' }, { path: '/app', body: '2' }, { path: '/slow', body: '3' }, { path: '/app', body: '4' },
    ]);
  });

  it('honours Connection: close, and answers 405 to anything but POST on a kept connection', async () => {
    await start();
    const c = client();
    c.socket.write('GET /app HTTP/1.1\r\nHost: device\r\n\r\n');
    const [refused] = await c.replies(1);
    assert.equal(refused?.status, 405);
    c.socket.write(post('/app', 'x', 'Connection: close\r\n'));
    const replies = await c.replies(2);
    assert.match(replies[1]?.head ?? '', /\r\nConnection: close$/);
    await waitFor('the server closing', () => c.ended);
  });

  it('answers 500 when routing fails, and goes on serving the connection', async () => {
    await start();
    const c = client();
    c.socket.write(post('/throw', '') + post('/reject', '') + post('/app', 'ok'));
    const replies = await c.replies(3);
    assert.deepEqual(replies.map((r) => r.status), [500, 500, 200]);
  });

  it('closes a connection left idle, but not one waiting for a slow reply', async () => {
    await start(150);
    const idle = client();
    await waitFor('the idle connection closed', () => idle.ended, 2000);
    fault = { kind: 'slow', delayMs: 400 };
    const waiting = client();
    waiting.socket.write(post('/app', 'late'));
    const [reply] = await waiting.replies(1, 3000);
    assert.equal(reply?.status, 200);
    await waitFor('the connection closed once idle after its reply', () => waiting.ended, 2000);
  });

  it('refuses garbage, an oversized body and an oversized head, then closes', async () => {
    await start();
    const cases: Array<[string | Buffer, number]> = [
      [Buffer.from([0, 0, 0, 0x1d, 0xd0, 0xf2, 0x81, 0xf8]), 400],
      [`POST /app HTTP/1.1\r\nContent-Length: ${64 * 1024 + 1}\r\n\r\n`, 413],
      [`POST /app HTTP/1.1\r\nX: ${'a'.repeat(20_000)}`, 431],
    ];
    for (const [bytes, status] of cases) {
      const c = client();
      c.socket.write(bytes);
      const [reply] = await c.replies(1);
      assert.equal(reply?.status, status);
      await waitFor('the server closing', () => c.ended);
    }
    assert.equal(seen.length, 0, 'nothing refused reached the route');
  });

  it('takes a chunked body (as Node\'s http client sends one without Content-Length)', async () => {
    await start();
    const reply = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: endpoint?.port, method: 'POST', path: '/app', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.write('{"a":');
      req.end('2}');
    });
    assert.deepEqual(JSON.parse(reply), { path: '/app', body: '{"a":2}' });
    assert.equal(seen[0]?.headers.has('content-length'), false);
  });

  it('keeps serving others, and stops reading, while a client pipelines without reading its replies', async () => {
    await start();
    const hog = client();
    hog.socket.pause();
    // 12 MB of replies: more than loopback's socket buffers hold, so the server's own writes back up.
    const count = 3000;
    const request = post('/app', 'x'.repeat(4000));
    for (let i = 0; i < count; i++) hog.socket.write(request);
    const other = client();
    other.socket.write(post('/app', 'served'));
    const [reply] = await other.replies(1, 5000);
    assert.equal((JSON.parse(reply?.body ?? '{}') as { body?: string }).body, 'served');
    // Reading stops once the replies back up: the count settles well short of what the hog sent.
    let last = -1;
    for (let i = 0; i < 50 && seen.length !== last; i++) {
      last = seen.length;
      await provesNothingHappensFor(100, 'no request of the hog read for a while');
    }
    assert.ok(seen.length === last && last < count, `the hog's requests stop being read (${last} of ${count}, then ${seen.length})`);
  });

  describe('fault modes on the wire', () => {
    const expected = JSON.stringify({ path: '/app', body: 'payload' });

    it('split: the same reply, in several writes', async () => {
      await start();
      fault = { kind: 'split', chunkSize: 7, intervalMs: 1 };
      const c = client();
      c.socket.write(post('/app', 'payload'));
      const [reply] = await c.replies(1);
      assert.equal(reply?.body, expected);
      assert.ok(c.chunks > 3, `${c.chunks} pieces`);
    });

    it('slow: the reply after the delay', async () => {
      await start();
      fault = { kind: 'slow', delayMs: 100 };
      const c = client();
      const started = Date.now();
      c.socket.write(post('/app', 'payload'));
      const [reply] = await c.replies(1);
      assert.equal(reply?.body, expected);
      assert.ok(Date.now() - started >= 95);
    });

    it('no-reply: the request is taken, nothing comes back, the connection stays open', async () => {
      await start();
      fault = { kind: 'no-reply' };
      const c = client();
      c.socket.write(post('/app', 'payload'));
      await waitFor('the request to reach the route', () => seen.length === 1);
      await provesNothingHappensFor(100, 'a device with no-reply never answers');
      assert.equal(c.received.length, 0);
      assert.equal(c.ended, false);
    });

    it('close-mid-frame: the head and part of the body, then the connection ends', async () => {
      await start();
      fault = { kind: 'close-mid-frame', bytes: 5 };
      const c = client();
      c.socket.write(post('/app', 'payload'));
      await waitFor('the server closing', () => c.ended);
      assert.equal(c.text.split('\r\n\r\n')[1], expected.slice(0, 5));
      assert.match(c.text, new RegExp(`Content-Length: ${expected.length}\r\n`));
    });

    it('garbage: a body of random bytes that is not JSON, framed correctly', async () => {
      await start();
      fault = { kind: 'garbage', length: 40 };
      const c = client();
      c.socket.write(post('/app', 'payload'));
      const [reply] = await c.replies(1);
      assert.equal(reply?.body.length, 40);
      assert.equal(reply?.body.charCodeAt(0), 0xff);
    });
  });
});
