/**
 * The simulated SMART device's HTTP request reader: every framing a client
 * may send, cut anywhere, and hostile bytes answered with a status (never
 * a throw, never more held than the caps).
 */
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { HttpRequestReader, MAX_BODY_BYTES, MAX_HEAD_BYTES, queryParam, type RequestProgress } from '../../lib/simulator/smart/http-request';

const KLAP_REQUEST = 'POST /app/request?seq=42 HTTP/1.1\r\nHost: 127.0.0.1:80\r\nContent-Type: application/octet-stream\r\n'
  + 'Content-Length: 5\r\nCookie: TP_SESSIONID=AB12\r\n\r\nhello';

/** Everything the reader gives for `bytes` fed in pieces cut at `cuts`. */
function readAll(bytes: Buffer, cuts: number[] = []): RequestProgress[] {
  const reader = new HttpRequestReader();
  const out: RequestProgress[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    if (to < from) continue;
    reader.push(bytes.subarray(from, to));
    from = to;
    for (;;) {
      const progress = reader.next();
      if (progress.state === 'more') break;
      out.push(progress);
      if (progress.state === 'refused') return out;
    }
  }
  return out;
}

function requestsOf(progress: RequestProgress[]): Array<{ method: string; path: string; query: string; body: string; close: boolean; headers: Record<string, string> }> {
  return progress.map((p) => {
    assert.equal(p.state, 'request', JSON.stringify(p));
    if (p.state !== 'request') throw new Error('unreachable');
    const { method, path, query, body, close, headers } = p.request;
    return { method, path, query, body: body.toString('latin1'), close, headers: Object.fromEntries(headers) };
  });
}

function refusal(text: string | Buffer): number | undefined {
  const last = readAll(Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1')).pop();
  return last?.state === 'refused' ? last.status : undefined;
}

function chunked(body: string, sizes: number[], trailer = ''): string {
  let out = '';
  let at = 0;
  for (const size of sizes) {
    const piece = body.slice(at, at + size);
    if (piece.length === 0) break;
    out += `${piece.length.toString(16)};ext=1\r\n${piece}\r\n`;
    at += piece.length;
  }
  return `${out}0\r\n${trailer}\r\n`;
}

describe('simulated SMART device: HTTP request reader', () => {
  it('reads a request line, headers and a Content-Length body, however the bytes are cut', () => {
    const whole = requestsOf(readAll(Buffer.from(KLAP_REQUEST, 'latin1')));
    assert.deepEqual(whole, [{
      method: 'POST', path: '/app/request', query: 'seq=42', body: 'hello', close: false,
      headers: { host: '127.0.0.1:80', 'content-type': 'application/octet-stream', 'content-length': '5', cookie: 'TP_SESSIONID=AB12' },
    }]);
    const bytes = Buffer.from(KLAP_REQUEST, 'latin1');
    for (let cut = 0; cut <= bytes.length; cut++) assert.deepEqual(requestsOf(readAll(bytes, [cut])), whole, `cut at ${cut}`);
    assert.deepEqual(requestsOf(readAll(bytes, Array.from({ length: bytes.length }, (_, i) => i))), whole, 'one byte at a time');
  });

  it('gives pipelined requests in order, each with its own body', () => {
    const second = KLAP_REQUEST.replace('seq=42', 'seq=43').replace('hello', 'world');
    const bytes = Buffer.from(KLAP_REQUEST + second + KLAP_REQUEST.replace('Content-Length: 5', 'Connection: close\r\nContent-Length: 5'), 'latin1');
    const requests = requestsOf(readAll(bytes, [7, 200]));
    assert.deepEqual(requests.map((r) => [r.query, r.body, r.close]), [['seq=42', 'hello', false], ['seq=43', 'world', false], ['seq=42', 'hello', true]]);
  });

  it('decodes chunked bodies with extensions and trailers, and refuses one over the cap as it streams', () => {
    const body = 'x'.repeat(300);
    const text = `POST /app HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${chunked(body, [1, 7, 100, 500], 'X-Trailer: 1\r\n')}`;
    const bytes = Buffer.from(text, 'latin1');
    for (const cuts of [[], [40], [55, 56, 57, 58], Array.from({ length: bytes.length }, (_, i) => i)]) {
      const [request] = requestsOf(readAll(bytes, cuts));
      assert.equal(request?.body, body);
      assert.equal(request?.headers['content-length'], undefined);
    }
    const big = `POST /app HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${`2000\r\n${'y'.repeat(0x2000)}\r\n`.repeat(MAX_BODY_BYTES / 0x2000 + 1)}`;
    assert.equal(refusal(big), 413);
    for (const bad of ['zz\r\n', '5\r\nabcdeX\r\n', `${'1'.repeat(2000)}`, '123456789\r\n']) {
      assert.equal(refusal(`POST /app HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${bad}`), 400, JSON.stringify(bad));
    }
  });

  it('refuses ambiguous or oversized framing: 413 over 64 KiB before any body byte, 400 for smuggling shapes', () => {
    assert.equal(refusal(`POST /app HTTP/1.1\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n`), 413);
    assert.equal(refusal('POST /app HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd'), 400);
    assert.equal(refusal('POST /app HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'), 400);
    assert.equal(refusal('POST /app HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n'), 400);
    assert.equal(refusal('POST /app HTTP/1.1\r\nContent-Length: -1\r\n\r\n'), 400);
    assert.equal(refusal('POST /app HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n'), 400);
    // Equal repeats are one length, as llhttp takes them.
    assert.deepEqual(requestsOf(readAll(Buffer.from('POST /app HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok'))).map((r) => r.body), ['ok']);
  });

  it('refuses malformed heads with 400 and a head over 16 KiB with 431, without waiting for more bytes', () => {
    assert.equal(refusal(`POST /app HTTP/1.1\r\nX: ${'a'.repeat(MAX_HEAD_BYTES)}\r\n\r\n`), 431);
    assert.equal(refusal(`POST /app HTTP/1.1\r\nX: ${'a'.repeat(MAX_HEAD_BYTES + 10)}`), 431);
    for (const head of ['POST /app HTTP/2.0', 'POST  /app HTTP/1.1', 'POST /app', 'PO(ST /app HTTP/1.1', 'POST /app HTTP/1.1\r\n folded: no',
      'POST /app HTTP/1.1\r\nBad Name: 1', 'POST /app HTTP/1.1\r\n: empty', 'POST /app HTTP/1.1\r\nX: a\x00b']) {
      assert.equal(refusal(`${head}\r\n\r\n`), 400, JSON.stringify(head));
    }
    // A classic port-9999 frame or a TLS hello sent to port 80 is refused at its first bytes, not left waiting.
    assert.equal(refusal(Buffer.from([0, 0, 0, 0x1d, 0xd0, 0xf2, 0x81, 0xf8])), 400);
    assert.equal(refusal(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00])), 400);
    assert.equal(refusal('GET /app HTTP/1.1\r\n'), undefined, 'a valid line waits for the rest of the head');
  });

  it('closes after the reply on Connection: close and for HTTP/1.0 unless it asks to keep alive', () => {
    const closeOf = (head: string): boolean | undefined => requestsOf(readAll(Buffer.from(`${head}\r\n\r\n`)))[0]?.close;
    assert.equal(closeOf('POST /app HTTP/1.1'), false);
    assert.equal(closeOf('POST /app HTTP/1.1\r\nConnection: close'), true);
    assert.equal(closeOf('POST /app HTTP/1.1\r\nConnection: keep-alive, Close'), true);
    assert.equal(closeOf('POST /app HTTP/1.0'), true);
    assert.equal(closeOf('POST /app HTTP/1.0\r\nConnection: Keep-Alive'), false);
  });

  it('joins repeated Cookie headers as Node does and keeps the first of other repeats', () => {
    const [request] = requestsOf(readAll(Buffer.from('POST /app HTTP/1.1\r\nCookie: a=1\r\nX-A: first\r\ncookie: TP_SESSIONID=B\r\nX-A: second\r\n\r\n')));
    assert.equal(request?.headers.cookie, 'a=1; TP_SESSIONID=B');
    assert.equal(request?.headers['x-a'], 'first');
  });

  it('reads query parameters as URLSearchParams does', () => {
    fc.assert(fc.property(fc.dictionary(fc.constantFrom('token', 'seq', 'x', 't+k'), fc.string()), fc.constantFrom('token', 'seq', 'x', 'nope'), (params, name) => {
      const query = new URLSearchParams(params).toString();
      assert.equal(queryParam(query, name), new URLSearchParams(query).get(name) ?? undefined);
    }), { numRuns: 500 });
    for (const query of ['token=a%2Bb', 'token=a+b', 'token', 'x=1&token=%zz', 'to%6Ben=1', '&&token=2']) {
      assert.equal(queryParam(query, 'token'), new URLSearchParams(query).get('token') ?? undefined, query);
    }
  });

  it('never throws on any bytes in any cuts, and holds no more than its caps', () => {
    const start = fc.constantFrom(KLAP_REQUEST, `POST /app HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${chunked('abcdef', [2, 4])}`, '');
    fc.assert(fc.property(start, fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(600), { maxLength: 8 }), fc.nat(50), (text, noise, cuts, at) => {
      const bytes = Buffer.from(text, 'latin1');
      const mixed = Buffer.concat([bytes.subarray(0, at), Buffer.from(noise), bytes.subarray(at)]);
      const reader = new HttpRequestReader();
      let from = 0;
      for (const to of [...cuts.sort((a, b) => a - b), mixed.length]) {
        reader.push(mixed.subarray(from, Math.max(from, Math.min(to, mixed.length))));
        from = Math.max(from, Math.min(to, mixed.length));
        let progress = reader.next();
        for (let n = 0; progress.state === 'request' && n < 10; n++) progress = reader.next();
        if (progress.state === 'refused') return;
        assert.ok(reader.buffered <= MAX_HEAD_BYTES + MAX_BODY_BYTES);
      }
    }), { numRuns: 2000 });
  });
});
