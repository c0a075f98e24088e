/**
 * Reads HTTP/1.1 requests from the bytes a client sends to a simulated
 * SMART device, as they arrive and one after another on a kept-open
 * connection (pipelined requests come out in order): request line,
 * headers (bounded), then a body framed by Content-Length or by chunked
 * transfer coding, capped while it streams. Everything here is untrusted
 * input: bytes that are not a request give an HTTP status to answer with
 * (400, 413, 431), never a throw, and no input makes the reader hold more
 * than its caps or scan a byte more than a few times.
 *
 * Why not node:http: a device answers one small POST at a time, and the
 * server's parser, IncomingMessage and ServerResponse streams cost more
 * CPU per request than the device's crypto and JSON together; every
 * client of the simulator pays that in its round trip.
 */

/** Request line plus headers; real clients send a few hundred bytes. */
export const MAX_HEAD_BYTES = 16 * 1024;
/** Largest body a device takes; SMART requests are a few KiB at most. */
export const MAX_BODY_BYTES = 64 * 1024;
const MAX_HEADERS = 64;
/** A chunk-size line (hex digits and extensions) or a trailer line. */
const MAX_CHUNK_LINE = 1024;

export interface HttpRequest {
  method: string;
  /** The request target before any '?'. */
  path: string;
  /** The request target after the first '?' ('' when there is none), still percent-encoded. */
  query: string;
  /** Header names lower-cased; repeated Cookie headers joined with '; ', other repeats keep the first. */
  headers: ReadonlyMap<string, string>;
  body: Buffer;
  /** The client wants the connection closed after the reply (Connection: close, or HTTP/1.0 without keep-alive). */
  close: boolean;
}

/** What the bytes so far give: nothing yet, a request, or the status to refuse them with (the connection then ends). */
export type RequestProgress =
  | { state: 'more'; /** The client waits for "100 Continue" before it sends the body. */ expectsContinue?: boolean }
  | { state: 'request'; request: HttpRequest }
  | { state: 'refused'; status: 400 | 413 | 431 };

type Framing = { kind: 'length'; length: number } | { kind: 'chunked' };

export interface Head {
  method: string;
  target: string;
  headers: Map<string, string>;
  close: boolean;
  framing: Framing;
  expectsContinue: boolean;
}

const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([^\s]+) HTTP\/1\.([01])$/;
/** Longest method name taken; SMART clients only POST. */
const MAX_METHOD = 32;
const METHOD_PREFIX = new RegExp(`^[!#$%&'*+\\-.^_\`|~0-9A-Za-z]{0,${MAX_METHOD}}(?: |$)`);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_END = Buffer.from('\r\n\r\n');
const NOTHING_YET: RequestProgress = Object.freeze({ state: 'more' });
/** No unread bytes: one shared empty buffer (nothing is ever written to `pending`), not a new one per request. */
const NOTHING = Buffer.alloc(0);

export class HttpRequestReader {
  /** Unread bytes: a socket's chunk as it came (never written to), or `owned` memory this reader appends to. */
  private pending: Buffer = NOTHING;
  private owned: Buffer | undefined;
  /** Where the search for the end of the head goes on (bytes before it were already searched). */
  private searchedTo = 0;
  /** The request line of the request being read is complete and valid. */
  private lineChecked = false;
  private head: Head | undefined;
  private readonly fields: FieldsMemo = {};
  private readonly chunks = new ChunkedBody();

  /** Bytes received and not yet handed out as requests. */
  get buffered(): number {
    return this.pending.length;
  }

  push(chunk: Buffer): void {
    if (this.pending.length === 0) {
      this.pending = chunk;
      this.owned = undefined;
      return;
    }
    const size = this.pending.length + chunk.length;
    let store = this.owned;
    const offset = store === undefined ? -1 : this.pending.byteOffset - store.byteOffset;
    // Append in place when the owned memory has room after the unread bytes; else grow it by doubling (amortised copies).
    if (store === undefined || offset + size > store.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * size, 4096));
      this.pending.copy(grown, 0);
      store = grown;
      this.owned = grown;
      chunk.copy(grown, this.pending.length);
      this.pending = grown.subarray(0, size);
      return;
    }
    chunk.copy(store, offset + this.pending.length);
    this.pending = store.subarray(offset, offset + size);
  }

  /** The next complete request, if its bytes are all in. */
  next(): RequestProgress {
    if (!this.head) {
      // Nothing unread, as after every answered request: nothing to search or check.
      if (this.pending.length === 0) return NOTHING_YET;
      const end = this.pending.indexOf(HEADER_END, Math.max(0, this.searchedTo - 3));
      if (end < 0) {
        if (!this.lineChecked && !this.startsLikeRequest()) return { state: 'refused', status: 400 };
        this.searchedTo = this.pending.length;
        return this.pending.length > MAX_HEAD_BYTES ? { state: 'refused', status: 431 } : { state: 'more' };
      }
      if (end + 4 > MAX_HEAD_BYTES) return { state: 'refused', status: 431 };
      const head = parseHead(this.pending.toString('latin1', 0, end), this.fields);
      if (typeof head === 'number') return { state: 'refused', status: head };
      this.head = head;
      this.consume(end + 4);
    }
    const head = this.head;
    let body: Buffer;
    if (head.framing.kind === 'length') {
      if (this.pending.length < head.framing.length) return { state: 'more', expectsContinue: head.expectsContinue };
      body = this.take(head.framing.length);
    } else {
      const progress = this.chunks.read(this.pending);
      this.consume(progress.used);
      if (progress.state === 'refused') return progress;
      if (progress.state === 'more') return { state: 'more', expectsContinue: head.expectsContinue };
      body = progress.body;
    }
    this.head = undefined;
    const q = head.target.indexOf('?');
    const request: HttpRequest = {
      method: head.method,
      path: q < 0 ? head.target : head.target.slice(0, q),
      query: q < 0 ? '' : head.target.slice(q + 1),
      headers: head.headers,
      body,
      close: head.close,
    };
    return { state: 'request', request };
  }

  /**
   * Whether the bytes so far can still begin a request: a client speaking
   * something else (a classic 9999 frame, TLS) is refused at once rather
   * than left to wait for a head that never ends.
   */
  private startsLikeRequest(): boolean {
    const prefix = this.pending.toString('latin1', 0, Math.min(this.pending.length, MAX_METHOD + 1));
    if (!METHOD_PREFIX.test(prefix)) return false;
    const eol = this.pending.indexOf('\r\n', Math.max(0, this.searchedTo - 1), 'latin1');
    if (eol < 0) return true;
    this.lineChecked = true;
    return REQUEST_LINE.test(this.pending.toString('latin1', 0, eol));
  }

  /** The first `length` unread bytes, in memory no later push writes to. */
  private take(length: number): Buffer {
    const view = this.pending.subarray(0, length);
    const body = this.owned === undefined ? view : Buffer.from(view);
    this.consume(length);
    return body;
  }

  private consume(length: number): void {
    this.pending = this.pending.subarray(length);
    this.searchedTo = 0;
    this.lineChecked = false;
    if (this.pending.length === 0) {
      this.pending = NOTHING;
      this.owned = undefined;
    }
  }
}

/** What a head's header lines give: the fields by lower-cased name, and the Content-Length they agree on. */
interface Fields {
  headers: Map<string, string>;
  lengths: string | undefined;
}

/**
 * The header lines of the last head a reader read, and what they gave. A
 * client on a kept-open connection sends the same lines request after
 * request (only the request line's seq or token changes), so they are
 * compared, not read again. The fields are shared by the requests that
 * sent them; nothing changes a request's headers.
 */
export interface FieldsMemo {
  text?: string;
  fields?: Fields;
}

/** The request line and headers, or the status refusing them; `memo` keeps the last header lines read. */
export function parseHead(text: string, memo: FieldsMemo = {}): Head | 400 | 413 {
  const firstEnd = text.indexOf('\r\n');
  const line = REQUEST_LINE.exec(firstEnd < 0 ? text : text.slice(0, firstEnd));
  if (!line) return 400;
  if (firstEnd < 0) return headOf(line, { headers: new Map(), lengths: undefined });
  const lines = text.slice(firstEnd + 2);
  if (memo.fields !== undefined && memo.text === lines) return headOf(line, memo.fields);
  const fields = parseFields(text, firstEnd + 2);
  if (typeof fields === 'number') return fields;
  memo.text = lines;
  memo.fields = fields;
  return headOf(line, fields);
}

/**
 * The header lines from `from` to the end of the head. Walks them in place
 * (indexOf) rather than splitting the head into an array of strings.
 */
function parseFields(text: string, from: number): Fields | 400 {
  const headers = new Map<string, string>();
  let lengths: string | undefined;
  let count = 0;
  for (let at = from; ;) {
    const next = text.indexOf('\r\n', at);
    const end = next < 0 ? text.length : next;
    const colon = text.indexOf(':', at);
    // A line folded onto the previous one (obs-fold) or without a name is refused, as llhttp does.
    if (++count > MAX_HEADERS || colon <= at || colon >= end) return 400;
    const name = text.slice(at, colon);
    if (!TOKEN.test(name)) return 400;
    const value = text.slice(colon + 1, end).trim();
    if (hasControlBytes(value)) return 400;
    const key = name.toLowerCase();
    if (key === 'content-length') {
      if (lengths !== undefined && lengths !== value) return 400; // two different lengths: smuggling
      lengths = value;
    }
    const before = headers.get(key);
    if (before === undefined) headers.set(key, value);
    else if (key === 'cookie') headers.set(key, `${before}; ${value}`);
    if (next < 0) return { headers, lengths };
    at = next + 2;
  }
}

/** The head's meaning once its lines are read: closing, framing, 100-continue. */
function headOf(line: RegExpExecArray, { headers, lengths }: Fields): Head | 400 | 413 {
  const version = line[3];
  const connection = (headers.get('connection') ?? '').toLowerCase();
  const close = /(?:^|,)\s*close\s*(?:,|$)/.test(connection) || (version === '0' && !/(?:^|,)\s*keep-alive\s*(?:,|$)/.test(connection));
  const framing = framingOf(headers, lengths);
  if (typeof framing === 'number') return framing;
  return {
    method: line[1] as string, target: line[2] as string, headers, close, framing,
    expectsContinue: version === '1' && (headers.get('expect') ?? '').toLowerCase() === '100-continue',
  };
}

/** Field values may hold visible characters, spaces, tabs and obs-text; no other control bytes. */
function hasControlBytes(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

function framingOf(headers: Map<string, string>, length: string | undefined): Framing | 400 | 413 {
  const coding = headers.get('transfer-encoding');
  if (coding !== undefined) {
    // Both framings at once is how requests are smuggled; a coding other than chunked last has no length at all.
    if (length !== undefined || !/(?:^|,)\s*chunked$/i.test(coding)) return 400;
    return { kind: 'chunked' };
  }
  if (length === undefined) return { kind: 'length', length: 0 };
  if (!/^\d{1,15}$/.test(length)) return 400;
  const size = Number(length);
  return size > MAX_BODY_BYTES ? 413 : { kind: 'length', length: size };
}

type ChunkProgress =
  | { state: 'more'; used: number }
  | { state: 'done'; used: number; body: Buffer }
  | { state: 'refused'; used: number; status: 400 | 413 };

/** A chunked body, decoded as its bytes come; the state carries over from one call to the next. */
class ChunkedBody {
  private at: 'size' | 'data' | 'data-end' | 'trailers' = 'size';
  private left = 0;
  private parts: Buffer[] = [];
  private size = 0;
  private trailerBytes = 0;

  /** Reads what it can of `bytes` (the unread input); `used` bytes are consumed. */
  read(bytes: Buffer): ChunkProgress {
    let at = 0;
    for (;;) {
      if (this.at === 'data') {
        const n = Math.min(this.left, bytes.length - at);
        // Copied: the input may be memory the reader writes to later.
        if (n > 0) this.parts.push(Buffer.from(bytes.subarray(at, at + n)));
        at += n;
        this.left -= n;
        if (this.left > 0) return { state: 'more', used: at };
        this.at = 'data-end';
        continue;
      }
      const eol = bytes.indexOf('\r\n', at, 'latin1');
      if (eol < 0) {
        // Every line is short, so a partial one is rescanned at most this far on each push.
        return bytes.length - at > MAX_CHUNK_LINE ? this.refuse(at, 400) : { state: 'more', used: at };
      }
      const line = bytes.toString('latin1', at, eol);
      at = eol + 2;
      if (this.at === 'data-end') {
        if (line !== '') return this.refuse(at, 400);
        this.at = 'size';
      } else if (this.at === 'size') {
        const size = /^([0-9A-Fa-f]{1,8})(?:[ \t]*;.*)?$/.exec(line);
        if (!size || line.length > MAX_CHUNK_LINE) return this.refuse(at, 400);
        this.left = parseInt(size[1] as string, 16);
        this.size += this.left;
        if (this.size > MAX_BODY_BYTES) return this.refuse(at, 413);
        this.at = this.left === 0 ? 'trailers' : 'data';
      } else {
        this.trailerBytes += line.length + 2;
        if (this.trailerBytes > MAX_HEAD_BYTES) return this.refuse(at, 400);
        if (line === '') {
          const body = Buffer.concat(this.parts, this.size);
          this.reset();
          return { state: 'done', used: at, body };
        }
      }
    }
  }

  private refuse(used: number, status: 400 | 413): ChunkProgress {
    this.reset();
    return { state: 'refused', used, status };
  }

  private reset(): void {
    this.at = 'size';
    this.left = 0;
    this.parts = [];
    this.size = 0;
    this.trailerBytes = 0;
  }
}

/**
 * One parameter of a query string, decoded as URLSearchParams decodes it;
 * undefined when absent. Scans the string instead of building a
 * URLSearchParams for the one or two names a device looks at.
 */
export function queryParam(query: string, name: string): string | undefined {
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key === name) {
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      return /[%+]/.test(value) ? (new URLSearchParams(`v=${value}`).get('v') ?? '') : value;
    }
    if (/[%+]/.test(key) && new URLSearchParams(pair).has(name)) return new URLSearchParams(pair).get(name) ?? '';
  }
  return undefined;
}
