/**
 * Reads one HTTP/1.1 reply from the bytes a device sends, as they arrive:
 * status line, headers (bounded), then a body framed by Content-Length,
 * by chunked transfer coding, or by the end of the connection. The body is
 * capped while it streams. Everything here is untrusted input: a reply that
 * does not parse is a failure value, never a throw.
 *
 * Why not Node's http client: KLAP and AES requests are tiny and sent one
 * at a time on one kept-open connection; Node's ClientRequest, agent and
 * IncomingMessage stream cost more CPU per request than the encryption,
 * the JSON and the device's own work together (see bench/smart-roundtrip.ts).
 */

/** Header section limit: devices send a handful of short headers. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Chunk-size lines are hex digits plus optional extensions. */
const MAX_CHUNK_LINE = 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const NOTHING = Buffer.alloc(0);
/** Shared results: a reply read in pieces would otherwise allocate one per piece. */
const MORE: ReplyProgress = Object.freeze({ state: 'more' });
const AFTER_REPLY: ReplyProgress = Object.freeze({ state: 'failed', reason: 'bytes after the reply' });
/** The state before a chunk-size line; never mutated (only a data state's `left` is). */
const AT_SIZE: ChunkState = Object.freeze({ at: 'size' });

export interface HttpReply {
  status: number;
  body: Buffer;
  /** Every Set-Cookie header, in order. */
  setCookie: string[];
  /** The device asked to close the connection after this reply (or speaks HTTP/1.0 without keep-alive). */
  close: boolean;
}

/** What feeding bytes gave: nothing yet, the reply, or why the bytes are not one. */
export type ReplyProgress =
  | { state: 'more' }
  | { state: 'done'; reply: HttpReply; /** Bytes after the reply (a device must not send any). */ extra: number }
  | { state: 'failed'; reason: string; tooBig?: number };

/** Where a chunked body is: a size line, chunk data, the CRLF after it, or the trailers after the last chunk. */
type ChunkState = { at: 'size' } | { at: 'data'; left: number } | { at: 'data-end' } | { at: 'trailers' };

export type Framing = { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'until-close' };

/** A reply's status line and headers, as the reader needs them. */
export interface Head {
  status: number;
  setCookie: string[];
  close: boolean;
  framing: Framing;
}

/**
 * One reader per connection: reset() makes it new for the next reply,
 * so a kept-open connection does not allocate a reader per request.
 */
export class HttpReplyReader {
  private readonly maxBodySize: number;
  private pending: Buffer = NOTHING;
  private head: Head | undefined;
  private readonly bodyParts: Buffer[] = [];
  private bodySize = 0;
  private chunk: ChunkState = AT_SIZE;
  private finished = false;
  /** bodyParts from here on may be views of the last chunk pushed (see detach()). */
  private viewsFrom = 0;

  constructor(maxBodySize: number) {
    this.maxBodySize = maxBodySize;
  }

  /** Forgets everything read so far, as a fresh reader would be. */
  reset(): void {
    this.pending = NOTHING;
    this.head = undefined;
    this.bodyParts.length = 0;
    this.bodySize = 0;
    this.chunk = AT_SIZE;
    this.finished = false;
    this.viewsFrom = 0;
  }

  /**
   * Copies what the reader still holds of the chunks pushed so far, which
   * it otherwise keeps as views: a caller that reads into one buffer again
   * and again calls it before its next read, when a reply is not complete.
   */
  detach(): void {
    if (this.pending.length > 0) this.pending = Buffer.from(this.pending);
    for (let i = this.viewsFrom; i < this.bodyParts.length; i++) this.bodyParts[i] = Buffer.from(this.bodyParts[i] as Buffer);
    this.viewsFrom = this.bodyParts.length;
  }

  /** True once any byte of the reply arrived (a connection that ends before that never answered). */
  get started(): boolean {
    return this.head !== undefined || this.pending.length > 0;
  }

  push(chunk: Buffer): ReplyProgress {
    if (this.finished) return AFTER_REPLY;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (!this.head) {
        const read = this.readHead();
        if (read.state !== 'done') return read;
        continue;
      }
      return this.readBody();
    }
  }

  /** The connection ended: a reply framed by the end is complete now; any other is cut short. */
  end(): ReplyProgress {
    if (this.finished) return AFTER_REPLY;
    if (this.head?.framing.kind === 'until-close') return this.done(true);
    return { state: 'failed', reason: this.started ? 'reply interrupted' : 'connection closed before the reply' };
  }

  private readHead(): ReplyProgress | { state: 'done' } {
    const end = this.pending.indexOf(HEADER_END);
    if (end < 0) {
      return this.pending.length > MAX_HEADER_BYTES ? { state: 'failed', reason: `headers longer than ${MAX_HEADER_BYTES} bytes` } : MORE;
    }
    if (end > MAX_HEADER_BYTES) return { state: 'failed', reason: `headers longer than ${MAX_HEADER_BYTES} bytes` };
    const parsed = parseHeadBytes(this.pending, end) ?? parseHead(this.pending.toString('latin1', 0, end));
    this.pending = this.pending.subarray(end + HEADER_END.length);
    if (typeof parsed === 'string') return { state: 'failed', reason: parsed };
    // 1xx replies (100 Continue) precede the real one.
    if (parsed.status < 200) return { state: 'done' };
    if (parsed.framing.kind === 'length' && parsed.framing.left > this.maxBodySize) {
      return { state: 'failed', reason: 'too big', tooBig: parsed.framing.left };
    }
    this.head = parsed;
    return { state: 'done' };
  }

  private readBody(): ReplyProgress {
    const head = this.head as Head;
    const framing = head.framing;
    if (framing.kind === 'chunked') return this.readChunked();
    const pending = this.pending;
    const take = framing.kind === 'length' ? Math.min(framing.left, pending.length) : pending.length;
    // The usual reply arrives in one piece: its body is the rest of the chunk, taken without a copy or a new view.
    const whole = take === pending.length;
    const failed = this.append(whole ? pending : pending.subarray(0, take));
    if (failed) return failed;
    this.pending = whole ? NOTHING : pending.subarray(take);
    if (framing.kind === 'length') {
      framing.left -= take;
      if (framing.left === 0) return this.done(head.close);
    }
    return MORE;
  }

  private readChunked(): ReplyProgress {
    while (this.pending.length > 0) {
      const chunk = this.chunk;
      if (chunk.at === 'data') {
        const take = Math.min(chunk.left, this.pending.length);
        const failed = this.append(this.pending.subarray(0, take));
        if (failed) return failed;
        this.pending = this.pending.subarray(take);
        chunk.left -= take;
        if (chunk.left === 0) this.chunk = { at: 'data-end' };
        continue;
      }
      const lineEnd = this.pending.indexOf(CRLF);
      if (lineEnd < 0) return this.pending.length > MAX_CHUNK_LINE ? { state: 'failed', reason: 'chunk line too long' } : MORE;
      const line = this.pending.toString('latin1', 0, lineEnd);
      this.pending = this.pending.subarray(lineEnd + CRLF.length);
      if (chunk.at === 'data-end') {
        if (line !== '') return { state: 'failed', reason: 'chunk data not followed by CRLF' };
        this.chunk = AT_SIZE;
      } else if (chunk.at === 'trailers') {
        if (line === '') return this.done((this.head as Head).close);
      } else {
        const size = chunkSize(line);
        if (size === undefined) return { state: 'failed', reason: 'malformed chunk size' };
        if (this.bodySize + size > this.maxBodySize) return { state: 'failed', reason: 'too big', tooBig: this.bodySize + size };
        this.chunk = size === 0 ? { at: 'trailers' } : { at: 'data', left: size };
      }
    }
    return MORE;
  }

  private append(part: Buffer): ReplyProgress | undefined {
    if (part.length === 0) return undefined;
    this.bodySize += part.length;
    if (this.bodySize > this.maxBodySize) return { state: 'failed', reason: 'too big', tooBig: this.bodySize };
    this.bodyParts.push(part);
    return undefined;
  }

  private done(close: boolean): ReplyProgress {
    const head = this.head as Head;
    this.finished = true;
    const body = this.bodyParts.length === 1 ? (this.bodyParts[0] as Buffer) : Buffer.concat(this.bodyParts, this.bodySize);
    return { state: 'done', reply: { status: head.status, body, setCookie: head.setCookie, close }, extra: this.pending.length };
  }
}

function chunkSize(line: string): number | undefined {
  const digits = line.split(';', 1)[0]?.trim() ?? '';
  if (!/^[0-9a-fA-F]{1,8}$/.test(digits)) return undefined;
  return parseInt(digits, 16);
}

const STATUS_LINE = /^HTTP\/1\.[01] [1-9]\d\d(?: .*)?$/;

/**
 * Status line and headers; a string says what is wrong. Lines are walked
 * with indexOf rather than split, the status line is tested rather than
 * matched, and a header's name and value are cut out of the text only when
 * the name has the length of one that matters: this runs once per request,
 * and every string cut here was garbage a moment later. Exported for the
 * test that holds parseHeadBytes to it.
 */
export function parseHead(text: string): Head | string {
  const firstEnd = text.indexOf('\r\n');
  const statusLine = firstEnd < 0 ? text : text.slice(0, firstEnd);
  if (!STATUS_LINE.test(statusLine)) return `malformed status line ${JSON.stringify(statusLine.slice(0, 40))}`;
  const fields: HeadFields = { setCookie: [], length: undefined, chunked: false, connection: '' };
  for (let at = firstEnd < 0 ? text.length : firstEnd + 2; at < text.length;) {
    const found = text.indexOf('\r\n', at);
    const end = found < 0 ? text.length : found;
    const colon = text.indexOf(':', at);
    if (colon <= at || colon > end) return 'malformed header line';
    const problem = readHeader(text, at, colon, end, fields);
    if (problem) return problem;
    at = end + 2;
  }
  // The status line is "HTTP/1.x NNN...": the digits stand at fixed places.
  const http10 = statusLine.charCodeAt(7) === 0x30;
  const code = (statusLine.charCodeAt(9) - 0x30) * 100 + (statusLine.charCodeAt(10) - 0x30) * 10 + (statusLine.charCodeAt(11) - 0x30);
  const { connection } = fields;
  return headOf(code, http10, fields, connection.includes('close'), connection.includes('keep-alive'));
}

/** The head a status and the headers read make: both parsers end here. */
function headOf(code: number, http10: boolean, fields: HeadFields, saysClose: boolean, saysKeepAlive: boolean): Head {
  const length = fields.length;
  const close = saysClose || (http10 && !saysKeepAlive);
  const noBody = code < 200 || code === 204 || code === 304;
  const framing: Framing = noBody ? { kind: 'length', left: 0 }
    : fields.chunked ? { kind: 'chunked' }
      : length !== undefined ? { kind: 'length', left: length }
        : { kind: 'until-close' };
  return { status: code, setCookie: fields.setCookie, close: close || framing.kind === 'until-close', framing };
}

const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;
const HTTP_1_DOT = Buffer.from('HTTP/1.', 'latin1');

function isDigit(code: number | undefined): boolean {
  return code !== undefined && code >= 0x30 && code <= 0x39;
}

/** True when bytes[start, end) is `lower` in any case (nameIs on bytes: a byte is its latin1 character's code). */
function bytesAre(bytes: Buffer, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    const want = lower.charCodeAt(i);
    const got = bytes[start + i] as number;
    if (got !== want && (want === 0x2d || (got | 0x20) !== want)) return false;
  }
  return true;
}

/** True when `lower` occurs in bytes[start, end) in any case: includes() on the lowered text, as a latin1 byte lowers to an ASCII letter only from its capital. */
function bytesInclude(bytes: Buffer, start: number, end: number, lower: string): boolean {
  for (let at = start; at + lower.length <= end; at++) if (bytesAre(bytes, at, at + lower.length, lower)) return true;
  return false;
}

/**
 * parseHead(bytes.toString('latin1', 0, end)), read on the bytes
 * themselves for the heads devices send (a status, Content-Length,
 * Connection, Set-Cookie and headers that do not matter): making the text
 * and walking it cost about 0.5 µs of every reply. Undefined for anything
 * else, chunked framing or a head parseHead refuses included, which
 * parseHead then reads, so the two always agree (test/klap/http.test.ts
 * holds them to it).
 */
export function parseHeadBytes(bytes: Buffer, end: number): Head | undefined {
  if (end < 12) return undefined;
  // Byte by byte: Buffer.compare's native call cost more than the comparing.
  for (let i = 0; i < HTTP_1_DOT.length; i++) if (bytes[i] !== HTTP_1_DOT[i]) return undefined;
  const minor = bytes[7];
  if ((minor !== 0x30 && minor !== 0x31) || bytes[8] !== 0x20) return undefined;
  const hundreds = bytes[9] as number;
  if (hundreds < 0x31 || hundreds > 0x39 || !isDigit(bytes[10]) || !isDigit(bytes[11])) return undefined;
  const code = (hundreds - 0x30) * 100 + ((bytes[10] as number) - 0x30) * 10 + ((bytes[11] as number) - 0x30);
  // The reason phrase, if any: a space, then anything but CR and LF up to the line's CRLF.
  let at = 12;
  if (at < end && bytes[at] !== CR) {
    if (bytes[at] !== 0x20) return undefined;
    while (at < end && bytes[at] !== CR && bytes[at] !== LF) at++;
  }
  if (at < end) {
    if (bytes[at] !== CR || at + 1 >= end || bytes[at + 1] !== LF) return undefined;
    at += 2;
  }
  const fields: HeadFields = { setCookie: [], length: undefined, chunked: false, connection: '' };
  let saysClose = false;
  let saysKeepAlive = false;
  while (at < end) {
    let colon = -1;
    let lineEnd = at;
    while (lineEnd < end && !(bytes[lineEnd] === CR && lineEnd + 1 < end && bytes[lineEnd + 1] === LF)) {
      if (colon < 0 && bytes[lineEnd] === COLON) colon = lineEnd;
      lineEnd++;
    }
    if (colon <= at) return undefined;
    let nameStart = at;
    let nameEnd = colon;
    while (nameStart < nameEnd && isTrimmed(bytes[nameStart] as number)) nameStart++;
    while (nameEnd > nameStart && isTrimmed(bytes[nameEnd - 1] as number)) nameEnd--;
    if (bytesAre(bytes, nameStart, nameEnd, 'content-length')) {
      const length = decimalIn(bytes, colon + 1, lineEnd);
      if (length === undefined || (fields.length !== undefined && fields.length !== length)) return undefined;
      fields.length = length;
    } else if (bytesAre(bytes, nameStart, nameEnd, 'connection')) {
      saysClose = bytesInclude(bytes, colon + 1, lineEnd, 'close');
      saysKeepAlive = bytesInclude(bytes, colon + 1, lineEnd, 'keep-alive');
    } else if (bytesAre(bytes, nameStart, nameEnd, 'set-cookie')) {
      fields.setCookie.push(bytes.toString('latin1', colon + 1, lineEnd).trim());
    } else if (bytesAre(bytes, nameStart, nameEnd, 'transfer-encoding')) {
      return undefined;
    }
    at = lineEnd + 2;
  }
  return headOf(code, minor === 0x30, fields, saysClose, saysKeepAlive);
}

/** The number bytes[start, end) spells once trimmed, as DECIMAL reads it (1 to 10 digits); undefined otherwise. */
function decimalIn(bytes: Buffer, start: number, end: number): number | undefined {
  while (start < end && isTrimmed(bytes[start] as number)) start++;
  while (end > start && isTrimmed(bytes[end - 1] as number)) end--;
  if (end === start || end - start > 10) return undefined;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = bytes[i] as number;
    if (digit < 0x30 || digit > 0x39) return undefined;
    value = value * 10 + (digit - 0x30);
  }
  return value;
}

interface HeadFields {
  setCookie: string[];
  length: number | undefined;
  chunked: boolean;
  connection: string;
}

/** What String.prototype.trim removes, among the characters a latin1 text can hold. */
function isTrimmed(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0;
}

/**
 * True when text[start, end) is `lower` in any case. `lower` is lowercase
 * ASCII letters and dashes: a letter matches only itself or its capital
 * (setting bit 0x20 maps nothing else onto a lowercase letter), as toLowerCase
 * would find, since no other latin1 character lowers to an ASCII letter.
 */
function nameIs(text: string, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    const want = lower.charCodeAt(i);
    const got = text.charCodeAt(start + i);
    if (got !== want && (want === 0x2d || (got | 0x20) !== want)) return false;
  }
  return true;
}

const DECIMAL = /^\d{1,10}$/;

/**
 * Reads the header in text[from, to) (its colon at `colon`) into `fields`
 * when it is one the framing or the session needs; a string says what is
 * wrong. The name is compared in place: cutting and lowering it made two
 * strings per header.
 */
function readHeader(text: string, from: number, colon: number, to: number, fields: HeadFields): string | undefined {
  let nameStart = from;
  let nameEnd = colon;
  while (nameStart < nameEnd && isTrimmed(text.charCodeAt(nameStart))) nameStart++;
  while (nameEnd > nameStart && isTrimmed(text.charCodeAt(nameEnd - 1))) nameEnd--;
  if (nameIs(text, nameStart, nameEnd, 'content-length')) {
    const value = text.slice(colon + 1, to).trim();
    if (!DECIMAL.test(value) || (fields.length !== undefined && fields.length !== Number(value))) return 'malformed Content-Length';
    fields.length = Number(value);
  } else if (nameIs(text, nameStart, nameEnd, 'connection')) {
    fields.connection = text.slice(colon + 1, to).trim().toLowerCase();
  } else if (nameIs(text, nameStart, nameEnd, 'set-cookie')) {
    fields.setCookie.push(text.slice(colon + 1, to).trim());
  } else if (nameIs(text, nameStart, nameEnd, 'transfer-encoding')) {
    fields.chunked = text.slice(colon + 1, to).toLowerCase().split(',').map((v) => v.trim()).includes('chunked');
  }
  return undefined;
}
