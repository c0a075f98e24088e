/**
 * A TDDP client: one request datagram to the device's port, one reply on
 * the fixed reply port. The request goes out from the reply socket itself,
 * bound before it is sent because a device on the LAN answers within a
 * millisecond: a device replies to the fixed port whatever the request's
 * source, and a simulator on reply port 0 replies to the request's source,
 * so tests and side-by-side runs never have to guess a free port.
 */
import type { RemoteInfo } from 'dgram';
import { lookup } from 'dns/promises';
import { EventEmitter } from 'events';
import { isIPv4 } from 'net';
import { TddpType, TDDP_PORT, TDDP_REPLY_PORT, TDDP_V2, TddpVersion } from './constants';
import { deriveKey, encryptData } from './crypto';
import { TddpAddress, TddpClosedError, TddpConnectionError, TddpError, TddpTimeoutError } from './errors';
import { decodePacket, encodePacket, TddpHeader } from './packet';
import { acquireReplyChannel, ReplyChannel } from './reply-channel';
import { hex, judgeDatagram, readReply, TddpResponse } from './reply';

export interface TddpClientOptions {
  host: string;
  username?: string;
  password?: string;
  /** Device port (default 1040). */
  port?: number;
  /** Local port the device replies to (default 61000); 0: any free one, for a simulator that replies to the request's source port. */
  replyPort?: number;
  /** Milliseconds to wait for a reply once the request is sent (default 5000). */
  timeout?: number;
  /** Local address of the socket (default: all interfaces). */
  bindAddress?: string;
  /** Protocol version of requests (default 2). Version 1 sends and expects data unencrypted. */
  version?: TddpVersion;
  /** Reject replies that do not decrypt cleanly, see looksCleanlyDecrypted (default true). */
  checkDecryption?: boolean;
}

export interface TddpRequest {
  /** Packet type (default TddpType.SPECIAL_COMMAND). */
  type?: number;
  subtype: number;
  /** Plain data; encrypted here for version 2. */
  data?: Uint8Array | string;
  /** Overrides the client's timeout for this request. */
  timeout?: number;
}

interface InFlight {
  fail(error: TddpError): void;
}

export interface TddpClientEvents {
  /** A request was sent: its header and the datagram. */
  request: [header: TddpHeader, packet: Buffer];
  /** A datagram answering the request arrived, before it is judged valid (header undefined if unreadable). */
  reply: [header: TddpHeader | undefined, packet: Buffer];
  /** A datagram on the reply port was not for the request in flight. */
  ignored: [reason: string, packet: Buffer, from: RemoteInfo];
}

export class TddpClient extends EventEmitter<TddpClientEvents> {
  readonly host: string;
  readonly port: number;
  readonly replyPort: number;
  readonly timeout: number;
  readonly version: TddpVersion;
  // A private field, so that util.inspect (Node-RED debug, logs) never shows the DES key, which is as good as the password.
  readonly #key: Buffer;
  private readonly bindAddress: string | undefined;
  private readonly checkDecryption: boolean;
  private channel: ReplyChannel | undefined;
  private inFlight: InFlight | undefined;
  private closing: Promise<void> | undefined;
  private readonly closeWaiters = new Set<() => void>();

  constructor(options: TddpClientOptions) {
    super();
    this.host = options.host;
    this.port = options.port ?? TDDP_PORT;
    this.replyPort = options.replyPort ?? TDDP_REPLY_PORT;
    this.timeout = options.timeout ?? 5000;
    this.version = options.version ?? TDDP_V2;
    this.#key = deriveKey(options.username ?? 'admin', options.password ?? 'admin');
    this.bindAddress = options.bindAddress;
    this.checkDecryption = options.checkDecryption ?? true;
  }

  private get address(): TddpAddress {
    return { host: this.host, port: this.port };
  }

  /** Sends one request and resolves with the decrypted reply; requests sharing a reply port run one at a time. */
  request(request: TddpRequest): Promise<TddpResponse> {
    if (this.closing) return Promise.reject(new TddpClosedError(this.address));
    this.channel ??= acquireReplyChannel(this.bindAddress, this.replyPort);
    const channel = this.channel;
    return channel.exclusive(() => this.exchange(channel, request));
  }

  /** Fails the request in flight and releases this client's share of the reply socket. */
  close(): Promise<void> {
    if (!this.closing) {
      this.inFlight?.fail(new TddpClosedError(this.address));
      for (const onClose of this.closeWaiters) onClose();
      this.closing = this.channel?.release() ?? Promise.resolve();
    }
    return this.closing;
  }

  private async exchange(channel: ReplyChannel, request: TddpRequest): Promise<TddpResponse> {
    await this.guard(() => channel.bind(), `cannot listen for replies on UDP ${channel.key}`);
    const deviceAddress = await this.guard(() => this.resolveHost(), `cannot resolve ${this.host}`);
    if (this.closing) throw new TddpClosedError(this.address);

    const type = request.type ?? TddpType.SPECIAL_COMMAND;
    const id = channel.allocateId();
    const plain = request.data ?? Buffer.alloc(0);
    const data = this.version === TDDP_V2 ? encryptData(this.#key, plain) : Buffer.from(plain);
    const packet = encodePacket({ version: this.version, type, id, subtype: request.subtype, data });
    const timeout = request.timeout ?? this.timeout;

    return new Promise<TddpResponse>((resolve, reject) => {
      let ignored = 0;
      let lastIgnored = '';
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        unlisten();
        this.inFlight = undefined;
        settle();
      };
      const fail = (error: TddpError): void => finish(() => reject(error));
      this.inFlight = { fail };
      const timer = setTimeout(() => {
        const note = ignored > 0 ? `; ignored ${ignored} other datagram(s), last: ${lastIgnored}` : '';
        fail(new TddpTimeoutError(
          `no reply to type ${hex(type, 2)} subtype ${hex(request.subtype, 2)} (packet id ${hex(id, 4)}) on reply port ${channel.boundPort} within ${timeout} ms${note}`,
          timeout, this.address,
        ));
      }, timeout);
      const unlisten = channel.listen({
        onMessage: (message, from) => {
          const verdict = judgeDatagram(message, from, { address: deviceAddress, id, subtype: request.subtype });
          if (!verdict.ours) {
            ignored++;
            lastIgnored = verdict.reason;
            this.emit('ignored', verdict.reason, message, from);
            return;
          }
          const result = readReply(message, { key: this.#key, checkDecryption: this.checkDecryption, address: this.address });
          this.emit('reply', result.ok ? result.response.header : result.header, message);
          if (result.ok) finish(() => resolve(result.response));
          else fail(result.error);
        },
        onError: (error) => fail(new TddpConnectionError(`reply socket failed: ${error.message}`, this.address, error)),
      });
      channel.send(packet, this.port, deviceAddress, (error) => {
        fail(new TddpConnectionError(`cannot send the request: ${error.message}`, this.address, error));
      });
      const sent = decodePacket(packet);
      if (sent.ok) this.emit('request', sent.packet.header, packet);
    });
  }

  private async resolveHost(): Promise<string> {
    if (isIPv4(this.host)) return this.host;
    return (await lookup(this.host, { family: 4 })).address;
  }

  /**
   * Runs a setup step; a system error becomes a TddpConnectionError naming
   * the device, and close() fails the step at once instead of leaving the
   * caller waiting on a socket that is being torn down.
   */
  private guard<T>(step: () => Promise<T>, what: string): Promise<T> {
    if (this.closing) return Promise.reject(new TddpClosedError(this.address));
    return new Promise<T>((resolve, reject) => {
      const onClose = (): void => reject(new TddpClosedError(this.address));
      this.closeWaiters.add(onClose);
      step().then(resolve, (error: unknown) => {
        if (error instanceof TddpError) return reject(error);
        const detail = error instanceof Error ? error.message : String(error);
        reject(new TddpConnectionError(`${what}: ${detail}`, this.address, error));
      }).finally(() => this.closeWaiters.delete(onClose));
    });
  }
}
