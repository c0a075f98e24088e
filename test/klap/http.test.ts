/**
 * The HTTP/1.1 client under KLAP and SMART AES: the reply reader on every
 * framing a device may use (Content-Length, chunked, until close), cut at
 * every byte, and malformed or oversized replies; the kept-open connection
 * against raw TCP servers that answer as scripted (stale sockets, closes,
 * silence, bytes nobody asked for).
 */
import { strict as assert } from 'assert';
import { EventEmitter } from 'events';
import fc from 'fast-check';
import * as net from 'net';
import { ClientClosedError, ConnectionError, ProtocolError, TimeoutError } from '../../lib/errors';
import { HttpConnection } from '../../lib/klap/http';
import { HttpReplyReader, MAX_HEADER_BYTES, parseHead, parseHeadBytes, type ReplyProgress } from '../../lib/klap/http-reply';
import { isRetriable } from '../../lib/transport';
import { eventually } from './support';

const BODY = Buffer.from('{"error_code":0,"result":{"device_on":true}}');

function lengthReply(body: Buffer, extraHeaders = ''): Buffer {
  return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nSet-Cookie: TP_SESSIONID=AB;TIMEOUT=86400\r\n${extraHeaders}Content-Length: ${body.length}\r\n\r\n`), body]);
}

function chunkedReply(body: Buffer, pieces: number): Buffer {
  const parts: Buffer[] = [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')];
  const size = Math.ceil(body.length / pieces);
  for (let i = 0; i < body.length; i += size) {
    const piece = body.subarray(i, i + size);
    parts.push(Buffer.from(`${piece.length.toString(16)};ext=1\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\nX-Trailer: 1\r\n\r\n'));
  return Buffer.concat(parts);
}

/** Feeds the bytes in pieces of `step`, then (optionally) the end of the connection. */
function feed(bytes: Buffer, step: number, end = false, max = 1 << 20): ReplyProgress {
  const reader = new HttpReplyReader(max);
  let last: ReplyProgress = { state: 'more' };
  for (let i = 0; i < bytes.length && last.state === 'more'; i += step) last = reader.push(bytes.subarray(i, i + step));
  return end && last.state === 'more' ? reader.end() : last;
}

describe('HTTP reply reader', () => {
  const framings: Array<[string, Buffer, boolean]> = [
    ['Content-Length', lengthReply(BODY), false],
    ['chunked with extensions and trailers', chunkedReply(BODY, 4), false],
    ['until the connection closes (HTTP/1.0)', Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\n\r\n'), BODY]), true],
    ['after a 100 Continue', Buffer.concat([Buffer.from('HTTP/1.1 100 Continue\r\n\r\n'), lengthReply(BODY)]), false],
  ];
  for (const [name, bytes, untilClose] of framings) {
    it(`reads a reply framed by ${name}, cut at every byte`, () => {
      for (const step of [1, 2, 3, 7, 64, bytes.length]) {
        const result = feed(bytes, step, untilClose);
        assert.equal(result.state, 'done', `step ${step}: ${JSON.stringify(result)}`);
        if (result.state !== 'done') return;
        assert.equal(result.reply.status, 200);
        assert.deepEqual(result.reply.body, BODY);
        assert.equal(result.reply.close, untilClose);
      }
    });
  }

  it('keeps every Set-Cookie and sees Connection: close', () => {
    const result = feed(lengthReply(BODY, 'Set-Cookie: other=1\r\nConnection: close\r\n'), 5);
    assert.ok(result.state === 'done');
    assert.deepEqual(result.reply.setCookie, ['TP_SESSIONID=AB;TIMEOUT=86400', 'other=1']);
    assert.equal(result.reply.close, true);
  });

  it('reads a 204 and a 403 without a body at once', () => {
    for (const head of ['HTTP/1.1 204 No Content\r\n\r\n', 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n']) {
      const result = feed(Buffer.from(head), 1000);
      assert.ok(result.state === 'done', head);
      assert.equal(result.reply.body.length, 0);
    }
  });

  it('refuses a declared length over the cap before any body byte, and a chunked body as it passes the cap', () => {
    const declared = feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n'), 1000, false, 4096);
    assert.deepEqual(declared, { state: 'failed', reason: 'too big', tooBig: 5000 });
    const streamed = feed(chunkedReply(Buffer.alloc(10_000, 0x61), 10), 100, false, 4096);
    assert.equal(streamed.state, 'failed');
    assert.ok(streamed.state === 'failed' && (streamed.tooBig ?? 0) > 4096);
    const untilClose = feed(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\n\r\n'), Buffer.alloc(5000)]), 512, false, 4096);
    assert.ok(untilClose.state === 'failed' && untilClose.reason === 'too big');
  });

  it('fails on what is not an HTTP reply', () => {
    const cases: Array<[string, RegExp]> = [
      ['SSH-2.0-OpenSSH\r\n\r\n', /malformed status line/],
      ['HTTP/1.1 2000 OK\r\n\r\n', /malformed status line/],
      ['HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', /malformed header line/],
      ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /Content-Length/],
      ['HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n', /Content-Length/],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /chunk size/],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n', /CRLF/],
    ];
    for (const [text, reason] of cases) {
      const result = feed(Buffer.from(text), 1000);
      assert.ok(result.state === 'failed' && reason.test(result.reason), `${JSON.stringify(text)}: ${JSON.stringify(result)}`);
    }
  });

  describe('the head read on its bytes (parseHeadBytes)', () => {
    /** What readHead gives parseHeadBytes: the reply's bytes, the head ending where the first blank line starts. */
    function headBytes(text: string): { bytes: Buffer; end: number; head: string } {
      const blank = text.indexOf('\r\n\r\n');
      const head = blank < 0 ? text : text.slice(0, blank);
      return { bytes: Buffer.from(`${head}\r\n\r\n{"body":1}`, 'latin1'), end: head.length, head };
    }

    it('reads the heads devices send, as parseHead reads their text', () => {
      const heads = [
        'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 720\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5',
        'HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: 981\r\nSet-Cookie: TP_SESSIONID=0A1B;TIMEOUT=1440\r\nConnection: close',
        'HTTP/1.1 200 OK\r\nServer: SHIP 2.0\r\ncontent-length: 48\r\nset-cookie: TP_SESSIONID=AB;TIMEOUT=86400\r\nset-cookie: other=1',
        'HTTP/1.1 403 Forbidden\r\nContent-Length: 0',
        'HTTP/1.1 500 Internal Server Error',
        'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 3',
        'HTTP/1.1 100 Continue',
        'HTTP/1.1 204',
        // The last Connection header decides, as in parseHead.
        'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nConnection: x\r\nContent-Length: 3',
        'HTTP/1.1 200 OK\r\nConnection: close\r\nConnection: keep-alive\r\nContent-Length: 3',
      ];
      for (const text of heads) {
        const { bytes, end, head } = headBytes(text);
        const fast = parseHeadBytes(bytes, end);
        assert.ok(fast !== undefined, text);
        assert.deepEqual(fast, parseHead(head), text);
      }
    });

    it('agrees with parseHead on any head it reads, and leaves the rest to it (property)', () => {
      const latin1 = fc.integer({ min: 0, max: 255 }).map((code) => String.fromCharCode(code));
      const junk = fc.array(fc.oneof(latin1, fc.constantFrom('\r', '\n', '\r\n', ':', ' ', '\t', '\xa0', ',')), { maxLength: 12 }).map((a) => a.join(''));
      const pad = fc.oneof({ arbitrary: fc.constant(''), weight: 6 }, { arbitrary: fc.constantFrom(' ', '  ', '\t', '\xa0', '\r', '\n'), weight: 1 });
      const status = fc.oneof(
        fc.tuple(fc.constantFrom('HTTP/1.1 ', 'HTTP/1.0 ', 'HTTP/1.2 ', 'http/1.1 ', 'HTTP/1.1'), fc.constantFrom('200', '403', '500', '100', '204', '304', '099', '2000', '20'),
          fc.oneof(fc.constant(''), fc.constant(' OK'), junk.map((j) => ` ${j}`), junk)).map((parts) => parts.join('')),
        fc.constant('HTTP/1.1 200 OK'),
        junk,
      );
      const name = fc.oneof(
        fc.constantFrom('Content-Length', 'content-length', 'CONTENT-LENGTH', 'Connection', 'CONNECTION', 'Set-Cookie', 'set-cookie',
          'Transfer-Encoding', 'Keep-Alive', 'Content-Type', 'Content-Lengthx', 'Connectio', 'Set_Cookie', ''),
        junk,
      );
      const value = fc.oneof(
        fc.constantFrom('720', '0', '0012', '9999999999', '12345678901', '-1', '1e3', ' 7 ', '', 'close', 'Keep-Alive', 'CLOSE, keep-alive',
          'keep-alive, Close', 'chunked', 'TP_SESSIONID=AB;TIMEOUT=86400'),
        fc.integer({ min: 0, max: 4096 }).map(String),
        junk,
      );
      const header = fc.oneof(
        { arbitrary: fc.tuple(pad, name, pad, fc.constantFrom(':', ': ', ': ', ' :', ''), value, pad).map((parts) => parts.join('')), weight: 8 },
        { arbitrary: junk, weight: 1 },
      );
      const head = fc.tuple(status, fc.array(header, { maxLength: 5 }), fc.constantFrom('\r\n', '\r\n', '\r\n', '\r\n', '\n', '\r'))
        .map(([line, headers, eol]) => [line, ...headers].join(eol));
      let read = 0;
      fc.assert(fc.property(head, (text) => {
        const { bytes, end, head: cut } = headBytes(text);
        const fast = parseHeadBytes(bytes, end);
        if (fast === undefined) return;
        read += 1;
        assert.deepEqual(fast, parseHead(cut));
      }), { numRuns: 20_000 });
      // The property must have held on heads the fast path took, not only on ones it left.
      assert.ok(read > 1000, `the fast path read only ${read} heads`);
    });
  });

  it('caps the header section', () => {
    const result = feed(Buffer.from(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(MAX_HEADER_BYTES)}`), 4096);
    assert.ok(result.state === 'failed' && /headers longer/.test(result.reason));
  });

  it('tells a connection that closed before the reply from one cut in the middle', () => {
    assert.deepEqual(new HttpReplyReader(100).end(), { state: 'failed', reason: 'connection closed before the reply' });
    const reader = new HttpReplyReader(100);
    reader.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    assert.deepEqual(reader.end(), { state: 'failed', reason: 'reply interrupted' });
  });

  it('counts bytes after a complete reply', () => {
    const result = feed(Buffer.concat([lengthReply(BODY), Buffer.from('HTTP/1.1 200')]), 10_000);
    assert.ok(result.state === 'done' && result.extra === 12);
  });
});

/** Feeds `bytes` to `reader` cut at `cuts`, then (optionally) the end of the connection. */
function feedCut(reader: HttpReplyReader, bytes: Buffer, cuts: number[], end: boolean): ReplyProgress {
  let last: ReplyProgress = { state: 'more' };
  let at = 0;
  for (const cut of [...cuts.filter((c) => c <= bytes.length).sort((a, b) => a - b), bytes.length]) {
    if (last.state !== 'more') break;
    if (cut > at) last = reader.push(bytes.subarray(at, cut));
    at = Math.max(at, cut);
  }
  return end && last.state === 'more' ? reader.end() : last;
}

/** A reply as a device might write it (or not): any framing, odd spacing and case, sometimes garbage or cut short. */
const replyBytes = fc.record({
  version: fc.constantFrom('1.1', '1.0', '1.2'),
  status: fc.constantFrom('200 OK', '403 Forbidden', '100 Continue', '204 No Content', '2000', '200'),
  name: fc.constantFrom('Content-Length', 'content-length', ' CONTENT-LENGTH\t', '\xa0Content-Length', 'Content-Lengthx'),
  cookie: fc.option(fc.stringMatching(/^[A-Z_]{1,8}=[a-z0-9;=]{0,12}$/)),
  connection: fc.constantFrom('', 'Connection: close\r\n', 'Connection: keep-alive\r\n'),
  chunked: fc.boolean(),
  body: fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)),
  tail: fc.uint8Array({ maxLength: 4 }).map((a) => Buffer.from(a)),
  truncate: fc.option(fc.nat()),
}).map((r) => {
  const head = `HTTP/${r.version} ${r.status}\r\n${r.cookie === null ? '' : `Set-Cookie: ${r.cookie}\r\n`}${r.connection}`;
  const bytes = r.chunked
    ? Buffer.concat([Buffer.from(`${head}Transfer-Encoding: chunked\r\n\r\n${r.body.length.toString(16)}\r\n`, 'latin1'), r.body, Buffer.from('\r\n0\r\n\r\n'), r.tail])
    : Buffer.concat([Buffer.from(`${head}${r.name}: ${r.body.length}\r\n\r\n`, 'latin1'), r.body, r.tail]);
  return r.truncate === null ? bytes : bytes.subarray(0, r.truncate % (bytes.length + 1));
});

describe('HTTP reply reader, reused', () => {
  it('reads every reply after reset() exactly as a fresh reader does, whatever the replies before it left behind', () => {
    const exchange = fc.record({ bytes: replyBytes, cuts: fc.array(fc.nat({ max: 200 }), { maxLength: 4 }), end: fc.boolean() });
    fc.assert(
      fc.property(fc.array(exchange, { minLength: 1, maxLength: 6 }), fc.integer({ min: 16, max: 100 }), (exchanges, max) => {
        const reused = new HttpReplyReader(max);
        for (const { bytes, cuts, end } of exchanges) {
          reused.reset();
          assert.deepEqual(feedCut(reused, bytes, cuts, end), feedCut(new HttpReplyReader(max), bytes, cuts, end));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('finds the headers it needs whatever the case of their names and the blanks around them, and no others', () => {
    const blanks = fc.array(fc.constantFrom(' ', '\t', '\v', '\f', '\xa0'), { maxLength: 3 }).map((a) => a.join(''));
    const header = (name: string) => fc.tuple(blanks, blanks, fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }))
      .map(([before, after, upper]) => `${before}${[...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('')}${after}`);
    fc.assert(
      fc.property(
        header('set-cookie'), header('connection'), header('content-length'), header('transfer-encoding'), fc.boolean(), fc.boolean(),
        (cookie, connection, length, encoding, chunked, misspelt) => {
          const typo = (name: string): string => (misspelt ? name.replace(/[a-z](?=[^a-z]*$)/i, '_') : name);
          const framing = chunked ? `${typo(encoding)}: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n` : `${typo(length)}: 3\r\n\r\nabc`;
          const reply = Buffer.from(`HTTP/1.1 200 OK\r\n${typo(cookie)}: A=1\r\n${typo(connection)}: Close\r\n${framing}def`, 'latin1');
          const result = feed(reply, 1000);
          if (misspelt) {
            // None of them is known: the body runs until the connection closes.
            assert.equal(result.state, 'more');
            return;
          }
          assert.ok(result.state === 'done', JSON.stringify(result));
          assert.deepEqual([result.reply.body.toString(), result.reply.setCookie, result.reply.close, result.extra], ['abc', ['A=1'], true, 3]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** A raw TCP server; `onRequest` gets each request's bytes (one read per request here: they are small) and the socket. */
async function rawServer(onRequest: (socket: net.Socket, count: number) => void): Promise<{ port: number; connections: number; requests: number; closed: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const state = { connections: 0, requests: 0, closed: 0 };
  const server = net.createServer((socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      state.closed += 1;
    });
    socket.on('error', () => undefined);
    socket.on('data', () => onRequest(socket, state.requests++));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return state.connections;
    },
    get requests() {
      return state.requests;
    },
    get closed() {
      return state.closed;
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** A socket that records what is written and never answers: the request bytes of a post, without a device. */
function recordingSocket(written: Buffer[]): net.Socket {
  const socket = new EventEmitter() as EventEmitter & { destroyed: boolean; writable: boolean; write(chunk: Buffer): boolean; destroy(): void };
  socket.destroyed = false;
  socket.writable = true;
  socket.write = (chunk: Buffer) => written.push(Buffer.from(chunk)) > 0;
  socket.destroy = () => {
    socket.destroyed = true;
  };
  return socket as unknown as net.Socket;
}

describe('HttpConnection request bytes', () => {
  /** The request as one text, as the first version wrote it piece by piece. */
  function reference(path: string, contentType: string, cookie: string | undefined, body: Buffer): Buffer {
    const head = `POST ${path} HTTP/1.1\r\nHost: 10.0.0.7:80\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n` +
      `${cookie ? `Cookie: ${cookie}\r\n` : ''}\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  }

  it('writes every request, cookies changing or not, as the head joined as text would be, and refuses what a header cannot carry before writing', async () => {
    const text = (chars: string) => fc.oneof(fc.stringMatching(new RegExp(`^[${chars}]{0,30}$`)), fc.string({ unit: 'binary', maxLength: 8 }));
    const post = fc.record({
      path: fc.oneof(fc.constantFrom('/app/request?seq=1', '/app?token=T'), text('\\x21-\\x7e')),
      cookie: fc.option(fc.oneof(fc.constantFrom('TP_SESSIONID=AB', 'TP_SESSIONID=AB;TIMEOUT=86400'), text('\\x20-\\x7e')), { nil: undefined }),
      contentType: fc.option(fc.constantFrom('application/json', 'text/plain'), { nil: undefined }),
      body: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
    });
    await fc.assert(fc.asyncProperty(fc.array(post, { minLength: 1, maxLength: 6 }), async (posts) => {
      const written: Buffer[] = [];
      const c = new HttpConnection({ address: { host: '10.0.0.7', port: 80 }, maxResponseSize: 100, createConnection: () => recordingSocket(written) });
      for (const { path, cookie, contentType, body } of posts) {
        written.length = 0;
        const pending = c.post({ path, cookie, contentType, body, timeout: 1000 }).catch((e: unknown) => e);
        c.close();
        const outcome = await pending;
        const unsafe = /[^\x21-\x7e]/.test(path) || (cookie !== undefined && /[^\x20-\x7e]/.test(cookie));
        if (unsafe) {
          assert.ok(outcome instanceof ProtocolError);
          assert.equal(written.length, 0);
        } else {
          assert.ok(outcome instanceof ClientClosedError);
          assert.deepEqual(written, [reference(path, contentType ?? 'application/octet-stream', cookie, body)]);
        }
      }
    }), { numRuns: 300 });
  });
});

describe('HttpConnection', () => {
  let server: Awaited<ReturnType<typeof rawServer>> | undefined;
  let connection: HttpConnection | undefined;
  afterEach(async () => {
    connection?.close();
    await server?.close();
    server = connection = undefined;
  });
  const open = (port: number, maxResponseSize = 65536): HttpConnection => {
    connection = new HttpConnection({ address: { host: '127.0.0.1', port }, maxResponseSize });
    return connection;
  };
  const post = (c: HttpConnection, timeout = 1000) => c.post({ path: '/app/request?seq=1', body: Buffer.from('x'), cookie: 'TP_SESSIONID=AB', timeout });

  it('writes one request with Host, Content-Type, Content-Length and Cookie, and keeps the connection for the next', async () => {
    server = await rawServer((socket) => socket.write(lengthReply(BODY)));
    const c = open(server.port);
    const first = await c.post({ path: '/app/request?seq=1', body: Buffer.from('abc'), cookie: 'TP_SESSIONID=AB', timeout: 1000, contentType: 'application/json' });
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, BODY);
    await post(c);
    assert.equal(server.connections, 1);
  });

  it('sends exactly the request bytes a device expects', async () => {
    let wire = '';
    server = await rawServer((socket) => socket.write(lengthReply(BODY)));
    const c = new HttpConnection({
      address: { host: '127.0.0.1', port: server.port }, maxResponseSize: 1000,
      createConnection: (options) => {
        const socket = net.createConnection(options);
        const write = socket.write.bind(socket) as (chunk: Buffer) => boolean;
        socket.write = ((chunk: Buffer) => {
          wire += chunk.toString('latin1');
          return write(chunk);
        }) as typeof socket.write;
        return socket;
      },
    });
    connection = c;
    await c.post({ path: '/app?token=T', body: Buffer.from('{"a":1}'), timeout: 1000, contentType: 'application/json' });
    assert.equal(wire, `POST /app?token=T HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}`);
    wire = '';
    await c.post({ path: '/app/request?seq=-5', body: Buffer.from([0, 0xff, 0x80]), cookie: 'TP_SESSIONID=AB;TIMEOUT=86400', timeout: 1000 });
    assert.equal(wire, `POST /app/request?seq=-5 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/octet-stream\r\n` +
      'Content-Length: 3\r\nCookie: TP_SESSIONID=AB;TIMEOUT=86400\r\n\r\n\x00\xff\x80');
    wire = '';
    await c.post({ path: '/app?token=U', body: Buffer.alloc(0), timeout: 1000, contentType: 'application/json' });
    assert.equal(wire, `POST /app?token=U HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n`);
  });

  it('a device that closes after each reply (Connection: close) gets a new connection per request', async () => {
    server = await rawServer((socket) => socket.end(lengthReply(BODY, 'Connection: close\r\n')));
    const c = open(server.port);
    for (let i = 0; i < 5; i++) assert.equal((await post(c)).status, 200);
    assert.equal(server.connections, 5);
  });

  it('sends once more on a fresh connection when the kept-open one was closed by the device before any reply byte', async () => {
    server = await rawServer((socket, count) => {
      if (count === 1) socket.destroy(); // the second request finds its connection gone
      else socket.write(lengthReply(BODY));
    });
    const c = open(server.port);
    await post(c);
    assert.equal((await post(c)).status, 200);
    assert.equal(server.connections, 2);
  });

  it('the resend on a fresh connection keeps the request\'s deadline', async () => {
    server = await rawServer((socket, count) => {
      if (count === 0) socket.write(lengthReply(BODY));
      // Found stale only after 250 ms: the request is sent once more, and never answered.
      else if (count === 1) setTimeout(() => socket.destroy(), 250);
    });
    const c = open(server.port);
    await post(c);
    const started = performance.now();
    const error = await post(c, 400).catch((e: unknown) => e);
    assert.ok(error instanceof TimeoutError && /no reply within 400 ms/.test(error.message), String(error));
    // A fresh deadline for the resend would end at 250 + 400 ms.
    assert.ok(performance.now() - started < 600, `took ${Math.round(performance.now() - started)} ms, not 400`);
    assert.equal(server.connections, 2);
  });

  it('a socket that cannot even be made is a rejection, and the connection takes the next request', async () => {
    server = await rawServer((socket) => socket.write(lengthReply(BODY)));
    const port = server.port;
    let refuse = true;
    connection = new HttpConnection({
      address: { host: '127.0.0.1', port }, maxResponseSize: 1000,
      createConnection: (options) => {
        if (refuse) throw new RangeError('no socket for you');
        return net.createConnection(options);
      },
    });
    await assert.rejects(post(connection), /no socket for you/);
    refuse = false;
    assert.equal((await post(connection)).status, 200);
  });

  it('a first connection closed before the reply is a ConnectionError, not resent', async () => {
    server = await rawServer((socket) => socket.destroy());
    const error = await post(open(server.port)).catch((e: unknown) => e);
    assert.ok(error instanceof ConnectionError, String(error));
    assert.equal(server.connections, 1);
  });

  it('a reply cut in the middle is a ConnectionError naming the path, never resent', async () => {
    server = await rawServer((socket) => socket.end(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc')));
    const c = open(server.port);
    await assert.rejects(post(c), (e: unknown) => e instanceof ConnectionError && /POST \/app\/request: reply interrupted/.test(e.message) && !/seq=/.test(e.message));
    assert.equal(server.connections, 1);
  });

  it('a refused connection is a retriable ConnectionError', async () => {
    server = await rawServer(() => undefined);
    const port = server.port;
    await server.close();
    server = undefined;
    const error = await post(open(port)).catch((e: unknown) => e);
    assert.ok(error instanceof ConnectionError && /ECONNREFUSED/.test(error.message));
    assert.equal(isRetriable(error), true);
  });

  it('times out, drops the connection and answers the next request on a new one', async () => {
    server = await rawServer((socket, count) => {
      if (count > 0) socket.write(lengthReply(BODY));
    });
    const c = open(server.port);
    const error = await post(c, 100).catch((e: unknown) => e);
    assert.ok(error instanceof TimeoutError && /no reply within 100 ms/.test(error.message));
    assert.equal((await post(c)).status, 200);
    assert.equal(server.connections, 2);
  });

  it('with a deadline, waits what is left of it, and refuses at once, sending nothing, when nothing is left', async () => {
    server = await rawServer((socket, count) => {
      if (count > 0) socket.write(lengthReply(BODY)); // the first request is never answered
    });
    const c = open(server.port);
    const base = { path: '/app/request?seq=1', body: Buffer.from('x'), timeout: 5000 };
    const started = performance.now();
    const late = await c.post({ ...base, deadline: started + 150 }).catch((e: unknown) => e);
    const waited = performance.now() - started;
    assert.ok(late instanceof TimeoutError && /no reply within 1\d\d ms/.test(late.message), String(late)); // what was left, not 5000
    assert.ok(waited >= 100 && waited < 2000, `waited ${Math.round(waited)} ms`);
    const seen: Error[] = [];
    const step = { replied: () => 'read', failed: (error: Error) => seen.push(error) };
    const gone = await c.post({ ...base, deadline: performance.now() - 1 }, step).catch((e: unknown) => e);
    assert.ok(gone instanceof TimeoutError && /: no reply within 5000 ms$/.test(gone.message), String(gone));
    assert.deepEqual(seen, [gone]);
    assert.equal(server.requests, 1);
    assert.equal(await c.post({ ...base, deadline: performance.now() + 5000 }, step), 'read');
  });

  it("reckons what is left of a deadline from the caller's clock reading when given one (now)", async () => {
    server = await rawServer((socket, count) => {
      if (count > 0) socket.write(lengthReply(BODY)); // the first request is never answered
    });
    const c = open(server.port);
    const base = { path: '/app/request?seq=1', body: Buffer.from('x'), timeout: 5000 };
    const started = performance.now();
    const late = await c.post({ ...base, deadline: started + 150, now: started }).catch((e: unknown) => e);
    assert.ok(late instanceof TimeoutError && /no reply within 150 ms/.test(late.message), String(late));
    assert.ok(performance.now() - started >= 100, 'it waited what was left');
    // By the reading given, nothing is left (the clock itself would still leave 100 ms): refused at once, nothing sent.
    const at = performance.now();
    const gone = await c.post({ ...base, deadline: at + 100, now: at + 100 }).catch((e: unknown) => e);
    assert.ok(gone instanceof TimeoutError, String(gone));
    assert.ok(performance.now() - at < 50, 'refused at once');
    assert.equal(server.requests, 1);
    assert.equal((await c.post({ ...base, deadline: performance.now() + 5000, now: performance.now() })).status, 200);
  });

  it('times each request by its own deadline, earlier or later than the one before', async () => {
    server = await rawServer((socket, count) => {
      if (count % 2 === 0) socket.write(lengthReply(BODY)); // every second request is never answered
    });
    const c = open(server.port);
    const timed = async (timeout: number): Promise<number> => {
      const started = performance.now();
      const error = await post(c, timeout).catch((e: unknown) => e);
      assert.ok(error instanceof TimeoutError && new RegExp(`no reply within ${timeout} ms`).test(error.message), String(error));
      return performance.now() - started;
    };
    await post(c, 10_000);
    const short = await timed(150); // due long before the timer the first request left
    assert.ok(short >= 140 && short < 2000, `short: ${Math.round(short)} ms`);
    await post(c, 100);
    const long = await timed(400); // due after the timer the 100 ms request left
    assert.ok(long >= 390 && long < 2000, `long: ${Math.round(long)} ms`);
  });

  it('refuses an oversized reply and a malformed one with ProtocolErrors', async () => {
    server = await rawServer((socket, count) => socket.write(count === 0 ? lengthReply(Buffer.alloc(2000)) : Buffer.from('garbage\r\n\r\n')));
    const c = open(server.port, 1000);
    await assert.rejects(post(c), (e: unknown) => e instanceof ProtocolError && /reply of 2000 bytes exceeds the limit of 1000 bytes/.test(e.message));
    await assert.rejects(post(c), (e: unknown) => e instanceof ProtocolError && /malformed HTTP reply/.test(e.message));
  });

  it('drops a connection on which the device sends bytes nobody asked for', async () => {
    server = await rawServer((socket) => {
      socket.write(lengthReply(BODY));
      setImmediate(() => socket.write('HTTP/1.1 200 OK\r\n'));
    });
    const c = open(server.port);
    await post(c);
    const running = server;
    await eventually(() => running.closed === 1);
    assert.equal((await post(c)).status, 200);
    assert.equal(server.connections, 2);
  });

  it('reads replies that arrive over several reads, longer than one read takes, framed every way, each body its own bytes', async () => {
    // The connection reads into one buffer again and again: what it keeps of a read must be copied out of it.
    const big = Buffer.from(Array.from({ length: 40_000 }, (_, i) => i % 251));
    const replies = [lengthReply(big), chunkedReply(big, 7), lengthReply(BODY), Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n'), big])];
    server = await rawServer((socket, count) => {
      const reply = replies[count % replies.length] as Buffer;
      const pieces = [reply.subarray(0, 30), reply.subarray(30, 5000), reply.subarray(5000)];
      const next = (): void => {
        const piece = pieces.shift();
        if (piece === undefined) {
          if (count % replies.length === 3) socket.end();
          return;
        }
        socket.write(piece, () => setTimeout(next, 2));
      };
      next();
    });
    const c = open(server.port, 100_000);
    for (let round = 0; round < 2; round++) {
      const bodies = [];
      for (let i = 0; i < replies.length; i++) bodies.push((await post(c)).body);
      assert.deepEqual(bodies, [big, big, BODY, big]);
    }
  });

  it('reads replies on a socket opened without the read room (a createConnection that drops onread)', async () => {
    // The socket then reads as a stream; its 'data' chunks must reach the reader as the room's reads do.
    const big = Buffer.from(Array.from({ length: 40_000 }, (_, i) => i % 253));
    server = await rawServer((socket, count) => {
      const reply = count % 2 === 0 ? lengthReply(big) : chunkedReply(big, 5);
      socket.write(reply.subarray(0, 20), () => setTimeout(() => socket.write(reply.subarray(20)), 2));
    });
    let opened = 0;
    const c = new HttpConnection({
      address: { host: '127.0.0.1', port: server.port }, maxResponseSize: 100_000,
      createConnection: (options) => {
        opened++;
        const { host, port } = options as net.TcpNetConnectOpts;
        return net.createConnection({ host, port });
      },
    });
    connection = c;
    for (let i = 0; i < 4; i++) assert.deepEqual((await post(c)).body, big);
    assert.equal(opened, 1);
  });

  it('refuses a cookie or path that would inject a header, before sending anything', async () => {
    server = await rawServer((socket) => socket.write(lengthReply(BODY)));
    const c = open(server.port);
    await assert.rejects(c.post({ path: '/app', body: Buffer.alloc(1), cookie: 'TP_SESSIONID=A\r\nX-Evil: 1', timeout: 500 }), ProtocolError);
    await assert.rejects(c.post({ path: '/app x', body: Buffer.alloc(1), timeout: 500 }), ProtocolError);
    assert.equal(server.connections, 0);
  });

  it('close() fails the request in flight with ClientClosedError', async () => {
    server = await rawServer(() => undefined);
    const c = open(server.port);
    const pending = post(c, 2000).catch((e: unknown) => e);
    const running = server;
    await eventually(() => running.requests === 1);
    c.close();
    assert.ok((await pending) instanceof ClientClosedError);
  });
});
