/**
 * A KLAP endpoint for the simulator, behaving like new firmware: HTTP on
 * port 80 with handshake1/handshake2/request, a session cookie with a
 * TIMEOUT, signatures and strictly increasing sequence numbers checked,
 * 403 for an unknown, expired or replayed session. Also an optional UDP
 * 20002 discovery responder.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as dgram from 'node:dgram';
import { authHash, handshake1ServerHash, handshake2ClientHash, type KlapVersion } from '../klap/auth';
import { deriveSessionKeys, KlapSessionCipher } from '../klap/session';
import { encodeDiscovery20002Reply, parseDiscovery20002Request } from '../discovery/tdp';
import { andThen, startHttpEndpoint, type EndpointReply, type HttpRequest } from './smart/http-endpoint';
import { queryParam } from './smart/http-request';
import { HttpSessionTable, type EncryptedEndpointOptions } from './smart/http-sessions';

/** The session TIMEOUT is 86400 s unless set; the fault hits SMART devices' replies. */
export interface KlapServerOptions extends EncryptedEndpointOptions {
  version: KlapVersion;
  /**
   * SMART devices on KLAP answer a plain JSON POST to /app (an AES
   * handshake) with {"error_code":1003}, which tells a client to use KLAP.
   */
  refuseAesWith1003?: boolean;
}

export interface KlapServerStats {
  handshakes: number;
  requests: number;
  rejected: number;
  /** TCP connections accepted so far, and those still open (keep-alive checks). */
  connections: number;
  openConnections: number;
}

export interface KlapServer {
  readonly host: string;
  readonly port: number;
  readonly stats: KlapServerStats;
  close(): Promise<void>;
  /** Forgets every session, as a device does when its TIMEOUT passes or it reboots. */
  expireSessions(): void;
}

interface Session {
  localSeed: Buffer;
  remoteSeed: Buffer;
  open: boolean;
  /** Set by handshake2; it opens requests and seals replies. */
  cipher: KlapSessionCipher | undefined;
  lastSeq: number;
  /** The last reply text and its UTF-8 bytes (only read by seal): a device polled for an unchanged state answers the same text again. */
  lastReply?: string;
  lastReplyBytes?: Buffer;
}

function replyBytesOf(session: Session, reply: string): Buffer {
  if (reply !== session.lastReply || session.lastReplyBytes === undefined) {
    session.lastReplyBytes = Buffer.from(reply, 'utf8');
    session.lastReply = reply;
  }
  return session.lastReplyBytes;
}

export async function startKlapServer(options: KlapServerOptions): Promise<KlapServer> {
  const { version, handler } = options;
  const auth = authHash(version, { username: options.username ?? '', password: options.password ?? '' });
  const sessions = new HttpSessionTable<Session>(options.sessionTimeoutSeconds ?? 86_400);
  const stats: KlapServerStats = { handshakes: 0, requests: 0, rejected: 0, connections: 0, openConnections: 0 };

  const reject = (status: number): EndpointReply => {
    stats.rejected += 1;
    return { status };
  };
  const handshake1 = (body: Buffer): EndpointReply => {
    if (body.length !== 16) return reject(400);
    const remoteSeed = randomBytes(16);
    const { headers } = sessions.open({ localSeed: body, remoteSeed, open: false, cipher: undefined, lastSeq: 0 });
    return {
      status: 200,
      headers,
      body: Buffer.concat([remoteSeed, handshake1ServerHash(version, body, remoteSeed, auth)]),
    };
  };

  const handshake2 = (req: HttpRequest, body: Buffer): EndpointReply => {
    const found = sessions.find(req);
    if (!found || found[1].open) return reject(403);
    const [id, session] = found;
    const expected = handshake2ClientHash(version, session.localSeed, session.remoteSeed, auth);
    if (body.length !== expected.length || !timingSafeEqual(body, expected)) {
      sessions.delete(id);
      return reject(403);
    }
    session.open = true;
    session.cipher = new KlapSessionCipher(deriveSessionKeys(session.localSeed, session.remoteSeed, auth));
    session.lastSeq = session.cipher.initialSeq;
    stats.handshakes += 1;
    return { status: 200 };
  };

  const request = (req: HttpRequest): EndpointReply | Promise<EndpointReply> => {
    const session = sessions.find(req)?.[1];
    const cipher = session?.cipher;
    if (!session || !cipher) return reject(403);
    const seqText = queryParam(req.query, 'seq') ?? '';
    const seq = Number(seqText);
    if (!/^-?\d{1,10}$/.test(seqText) || seq !== (seq | 0)) return reject(400);
    // Replayed or out-of-order numbers are refused like a forged session.
    if (seq <= session.lastSeq) return reject(403);
    const opened = cipher.open(seq, req.body, true);
    if (!opened.ok) return reject(opened.reason === 'signature mismatch' ? 403 : 400);
    session.lastSeq = seq;
    stats.requests += 1;
    return andThen(handler(opened.plaintext.toString('utf8')), (reply) => ({ status: 200, body: cipher.seal(seq, replyBytesOf(session, reply)) }));
  };

  const endpoint = await startHttpEndpoint({
    host: options.host,
    port: options.port,
    route: (req) => {
      if (req.path === '/app/handshake1') return handshake1(req.body);
      if (req.path === '/app/handshake2') return handshake2(req, req.body);
      if (req.path === '/app' && options.refuseAesWith1003) return { status: 200, json: { error_code: 1003 } };
      if (req.path === '/app/request') return request(req);
      return reject(404);
    },
    // Faults hit the replies to requests; the handshakes go through, as on a device whose trouble is in answering.
    fault: (req) => (req.path === '/app/request' ? options.fault?.() : undefined),
    onConnection: (socket) => {
      stats.connections += 1;
      stats.openConnections += 1;
      socket.on('close', () => {
        stats.openConnections -= 1;
      });
    },
  });
  return {
    host: endpoint.host,
    port: endpoint.port,
    stats,
    expireSessions: () => sessions.clear(),
    close: () => endpoint.close(),
  };
}

export interface Discovery20002ResponderOptions {
  host?: string;
  /** 20002 on a real network; 0 (any free port) in tests. */
  port?: number;
  /**
   * The `result` object of the reply, built per probe so it tracks the
   * device's state (and can use the key the probe offered); undefined
   * stays silent, as a device that drops the datagram.
   */
  result: (probe: { serial: number; rsaKey?: string }) => Record<string, unknown> | undefined;
}

export interface Discovery20002Responder {
  readonly host: string;
  readonly port: number;
  /**
   * Answers a probe that reached someone else (a fleet's shared broadcast
   * listener) from this device's own socket, as if it had come here.
   */
  answer(packet: Buffer, peer: { address: string; port: number }): void;
  close(): Promise<void>;
}

/** Answers TDP probes that carry a valid header and CRC; ignores anything else, as devices do. */
export async function startDiscovery20002Responder(options: Discovery20002ResponderOptions): Promise<Discovery20002Responder> {
  const socket = dgram.createSocket('udp4');
  const answer = (packet: Buffer, peer: { address: string; port: number }): void => {
    const probe = parseDiscovery20002Request(packet);
    if (!probe) return;
    const result = options.result(probe);
    if (result) socket.send(encodeDiscovery20002Reply(result, probe.serial), peer.port, peer.address);
  };
  socket.on('message', answer);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', () => undefined); // a bad peer must not take the simulator down
  const address = socket.address();
  return {
    host: address.address,
    port: address.port,
    answer,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** The discovery `result` a KLAP plug advertises. */
export function klapDiscoveryResult(info: { deviceId: string; model: string; mac: string; ip: string; httpPort: number; version: KlapVersion }): Record<string, unknown> {
  return {
    device_id: info.deviceId,
    device_type: 'IOT.SMARTPLUGSWITCH',
    device_model: info.model,
    ip: info.ip,
    mac: info.mac,
    factory_default: false,
    mgt_encrypt_schm: { is_support_https: false, encrypt_type: 'KLAP', http_port: info.httpPort, ...(info.version === 2 ? { lv: 2 } : {}) },
  };
}
