/**
 * The SMART round trip's floor: what any client must at least pay for one
 * exchange with a SMART device. It logs in once (untimed), precomputes
 * every encrypted request as complete HTTP/1.1 bytes (KLAP: one per
 * sequence number; AES: the session's one key and IV make one body serve
 * every request), and then only writes those bytes on one kept-open socket
 * and waits for the reply's headers and Content-Length bytes: no
 * encryption, no decryption, no JSON.
 *
 * With `read`, it also decrypts each reply and parses its JSON, as any
 * client must to have the result: an informative second floor, to tell
 * what our client adds from what the protocol asks of every client.
 */
import * as net from 'node:net';
import { performHandshake, type HandshakeResult } from '../lib/klap/handshake';
import { HttpConnection } from '../lib/klap/http';
import { login, performAesHandshake, type AesHandshake } from '../lib/smart/aes/handshake';
import { encodeRequest, newTerminalUuid } from '../lib/smart/envelope';
import type { DeviceAddress } from '../lib/errors';
import { SMART_BENCH_METHOD, type SmartBenchTransport } from './smart-payloads';

const HEADER_END = Buffer.from('\r\n\r\n');

export interface FloorRequester {
  /** Precomputes the bytes of the next `count` requests (untimed). */
  prepare(count: number): Promise<void>;
  once(): Promise<void>;
  close(): void;
}

function httpRequestBytes(address: DeviceAddress, path: string, cookie: string | undefined, contentType: string, body: Buffer): Buffer {
  const head = [
    `POST ${path} HTTP/1.1`, `Host: ${address.host}:${address.port}`, `Content-Type: ${contentType}`,
    `Content-Length: ${body.length}`, ...(cookie ? [`Cookie: ${cookie}`] : []), 'Connection: keep-alive', '', '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

interface RawReply {
  status: number;
  body: Buffer;
}

/** One kept-open socket; a reply is complete when its Content-Length bytes after the headers arrived. */
class RawHttpSocket {
  private socket: net.Socket | undefined;
  private pending: Buffer[] = [];
  private waiting: ((reply: RawReply) => void) | undefined;

  constructor(private readonly address: DeviceAddress) {}

  async ensureOpen(): Promise<void> {
    if (this.socket && !this.socket.destroyed) return;
    const socket = net.connect({ host: this.address.host, port: this.address.port, noDelay: true });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket = socket;
    this.pending = [];
  }

  exchange(bytes: Buffer): Promise<RawReply> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.socket?.write(bytes);
    });
  }

  close(): void {
    this.socket?.destroy();
  }

  private onData(chunk: Buffer): void {
    this.pending.push(chunk);
    const all = this.pending.length === 1 ? chunk : Buffer.concat(this.pending);
    const end = all.indexOf(HEADER_END);
    if (end < 0) return;
    const head = all.toString('latin1', 0, end);
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    const bodyStart = end + HEADER_END.length;
    if (all.length < bodyStart + length) {
      this.pending = [all];
      return;
    }
    this.pending = [];
    const done = this.waiting;
    this.waiting = undefined;
    done?.({ status: Number(head.slice(9, 12)), body: all.subarray(bodyStart, bodyStart + length) });
  }
}

function setupPost(connection: HttpConnection, contentType: string) {
  return (path: string, body: Buffer, cookie?: string) => connection.post({ path, body, cookie, timeout: 5000, contentType });
}

async function klapFloor(address: DeviceAddress, credentials: { username: string; password: string }, read: boolean): Promise<FloorRequester> {
  const connection = new HttpConnection({ address, maxResponseSize: 1 << 20 });
  let state: HandshakeResult;
  try {
    state = await performHandshake(setupPost(connection, 'application/octet-stream'), { address, credentials, versions: [2] });
  } finally {
    connection.close();
  }
  const socket = new RawHttpSocket(address);
  const plaintext = encodeRequest({ method: SMART_BENCH_METHOD }, newTerminalUuid());
  let queue: Array<{ seq: number; bytes: Buffer }> = [];
  return {
    async prepare(count) {
      await socket.ensureOpen();
      queue = [];
      for (let i = 0; i < count; i++) {
        const { seq, body } = state.session.seal(plaintext);
        queue.push({ seq, bytes: httpRequestBytes(address, `/app/request?seq=${seq}`, state.cookie, 'application/octet-stream', body) });
      }
      queue.reverse();
    },
    async once() {
      const next = queue.pop();
      if (!next) throw new Error('floor: more requests than prepared');
      const reply = await socket.exchange(next.bytes);
      if (reply.status !== 200) throw new Error(`floor: KLAP request answered HTTP ${reply.status}`);
      if (!read) return;
      const opened = state.session.open(next.seq, reply.body);
      if (!opened.ok) throw new Error(`floor: KLAP reply did not decrypt (${opened.reason})`);
      JSON.parse(opened.plaintext.toString('utf8'));
    },
    close: () => socket.close(),
  };
}

async function aesFloor(address: DeviceAddress, credentials: { username: string; password: string }, read: boolean): Promise<FloorRequester> {
  const connection = new HttpConnection({ address, maxResponseSize: 1 << 20 });
  const post = setupPost(connection, 'application/json');
  const jsonPost = (path: string, body: string, cookie: string | undefined) => post(path, Buffer.from(body, 'utf8'), cookie);
  let bytes: Buffer;
  let session: AesHandshake;
  try {
    session = await performAesHandshake(jsonPost, address, () => performance.now());
    const loggedIn = await login(jsonPost, session, 1, credentials, address);
    if (!loggedIn.ok) throw new Error(`floor: AES login refused with ${loggedIn.errorCode}`);
    const inner = session.cipher.encrypt(encodeRequest({ method: SMART_BENCH_METHOD }, newTerminalUuid()));
    const body = Buffer.from(JSON.stringify({ method: 'securePassthrough', params: { request: inner } }), 'utf8');
    bytes = httpRequestBytes(address, `/app?token=${encodeURIComponent(loggedIn.token)}`, session.cookie, 'application/json', body);
  } finally {
    connection.close();
  }
  const socket = new RawHttpSocket(address);
  return {
    prepare: () => socket.ensureOpen(),
    async once() {
      const reply = await socket.exchange(bytes);
      if (reply.status !== 200) throw new Error(`floor: securePassthrough answered HTTP ${reply.status}`);
      if (!read) return;
      const envelope = JSON.parse(reply.body.toString('utf8')) as { result?: { response?: string } };
      const plaintext = session.cipher.decrypt(envelope.result?.response ?? '');
      if (!plaintext) throw new Error('floor: securePassthrough reply did not decrypt');
      JSON.parse(plaintext.toString('utf8'));
    },
    close: () => socket.close(),
  };
}

export function startFloor(
  transport: SmartBenchTransport, address: DeviceAddress, credentials: { username: string; password: string }, options: { read?: boolean } = {},
): Promise<FloorRequester> {
  const read = options.read === true;
  return transport === 'klap' ? klapFloor(address, credentials, read) : aesFloor(address, credentials, read);
}

