/**
 * SmartHomeClient: the low-level channel to one classic (Smart Home
 * protocol) device. One transport, its requests in one RequestQueue
 * (deadlines from when asked, bounded, polls only when idle, fail fast while
 * unreachable), bounded retries with backoff for requests that certainly did
 * not reach the device, replies parsed within bounds and checked for
 * err_codes, typed errors, online/offline state as events, and a traffic
 * hook. It sends what it is given: what a device is, and which module a
 * command needs on it, is the device layer's business (lib/device).
 */
import { EventEmitter } from 'events';
import * as cmd from './commands';
import { checkResponse, parseReply, type SmartHomeResponse } from './response';
import { readMethodResult, readSysInfo, type SysInfo } from './replies';
import { ClientClosedError, SmartHomeError, TimeoutError, type DeviceAddress } from '../errors';
import { createTransport, type TransportName, type TransportOptions } from './transports';
import { isRetriable, type Transport } from '../transport';
import { RequestQueue } from '../request-queue';
import { TrafficReporter, type TrafficHook } from '../traffic';

export interface SmartHomeClientOptions extends TransportOptions {
  /** Milliseconds per request (default 5000). */
  timeout?: number;
  /** Further attempts after a failure to reach the device (default 2). */
  retries?: number;
  /** First backoff delay in ms, doubled after each attempt (default 100). */
  retryDelay?: number;
  /** Use an existing transport instead of creating one (tests, custom transports). */
  transportInstance?: Transport;
  /** Requests that may wait behind the one in flight before "device busy" (default 100). */
  maxWaiting?: number;
  /** Sees every request and reply, secrets replaced (lib/traffic.ts). */
  onTraffic?: TrafficHook;
}

export interface RequestOptions {
  timeout?: number;
  /** Child outlets (power strips) the request is for. */
  childIds?: readonly string[];
  /** Polling: run only if no other request is in flight or waiting, else reject with a skipped DeviceBusyError. */
  ifIdle?: boolean;
}

export type { SysInfo } from './replies';

const DEFAULT_TIMEOUT = 5000;

/** Emits 'online' and 'offline' (with the error) when reachability changes. */
export class SmartHomeClient extends EventEmitter {
  readonly host: string;
  readonly transportName: TransportName;
  readonly timeout: number;
  private readonly retries: number;
  private readonly retryDelay: number;
  private readonly transport: Transport;
  private readonly queue: RequestQueue;
  private closed = false;
  private state: boolean | undefined;
  private readonly traffic: TrafficReporter;

  constructor(options: SmartHomeClientOptions) {
    super();
    if (!options || typeof options.host !== 'string' || options.host.length === 0) {
      throw new TypeError('SmartHomeClient needs a host');
    }
    this.transportName = options.transport ?? 'tcp';
    this.transport = options.transportInstance ?? createTransport(options);
    this.host = options.host;
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT;
    this.retries = Math.max(0, Math.floor(options.retries ?? 2));
    this.retryDelay = options.retryDelay ?? 100;
    this.queue = new RequestQueue({ address: () => this.address, maxWaiting: options.maxWaiting, isUnreachable: isUnreachable });
    this.traffic = new TrafficReporter(options.onTraffic, () => ({ host: this.host, port: this.port, transport: this.transport.kind }));
  }

  /** The port in use (with transport 'auto', the KLAP port once it switched). */
  get port(): number {
    return this.transport.port;
  }

  /** The transport in use: 'tcp', 'udp' or 'klap' (with 'auto', whichever it settled on). */
  get transportKind(): Transport['kind'] {
    return this.transport.kind;
  }

  /** true after a successful request, false after a failure to reach the device, undefined before the first. */
  get online(): boolean | undefined {
    return this.state;
  }

  /** Requests waiting for their turn, including the one in flight. */
  get pendingRequests(): number {
    return this.queue.size;
  }

  get address(): DeviceAddress {
    return { host: this.host, port: this.port };
  }

  /** Sends a request and returns the reply; any err_code other than 0 rejects with a DeviceError. */
  async send(request: cmd.SmartHomeRequest, options: RequestOptions = {}): Promise<SmartHomeResponse> {
    const message = options.childIds ? cmd.forChildren(request, options.childIds) : request;
    const response = await this.sendUnchecked(message, options);
    checkResponse(message, response, this.address);
    return response;
  }

  /** Sends a request and returns the reply as it is, err_codes included. */
  sendUnchecked(request: object | string, options: RequestOptions = {}): Promise<SmartHomeResponse> {
    const text = typeof request === 'string' ? request : JSON.stringify(request);
    const payload = Buffer.from(text, 'utf8');
    const timeout = options.timeout ?? this.timeout;
    return this.queue.run((timeLeft) => this.exchange(payload, request, timeLeft, timeout), { timeout, ifIdle: options.ifIdle });
  }

  /** Sets (or with undefined removes) the hook that sees every request and reply (see lib/traffic.ts). */
  setTrafficHook(hook: TrafficHook | undefined): void {
    this.traffic.set(hook);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.close();
    await this.transport.close();
  }

  /** Reads system.get_sysinfo with its reader: whatever the device is, as it describes itself. */
  async getSysInfo(options: RequestOptions = {}): Promise<SysInfo> {
    const reply = await this.send(cmd.system.getSysinfo(), options);
    return readMethodResult(reply, 'system', 'get_sysinfo', readSysInfo, this.address);
  }

  // ---- internals ----

  /**
   * One request's exchange within `timeLeft` ms: retries (with backoff) only
   * what certainly never reached the device, and only while time is left.
   */
  private async exchange(payload: Buffer, request: object | string, timeLeft: number, timeout: number): Promise<SmartHomeResponse> {
    const deadline = performance.now() + timeLeft;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new ClientClosedError(this.address);
      let reply: Buffer;
      const sent = this.traffic.request(request);
      try {
        reply = await this.transport.send(payload, Math.max(1, Math.round(deadline - performance.now())));
      } catch (error) {
        this.traffic.error(sent, error);
        if (this.closed) throw new ClientClosedError(this.address);
        const backoff = this.retryDelay * 2 ** attempt;
        if (isRetriable(error) && attempt < this.retries && performance.now() + backoff < deadline) {
          await delay(backoff);
          continue;
        }
        const failure = asRequestTimeout(error, timeout, timeLeft, this.address);
        if (isUnreachable(failure)) this.setState(false, failure as Error);
        throw failure;
      }
      this.setState(true);
      return this.parse(reply, sent);
    }
  }

  private parse(reply: Buffer, sent: ReturnType<TrafficReporter['request']>): SmartHomeResponse {
    let response: SmartHomeResponse;
    try {
      response = parseReply(reply.toString('utf8'), this.address);
    } catch (error) {
      this.traffic.error(sent, error);
      throw error;
    }
    this.traffic.reply(sent, response);
    return response;
  }

  private setState(online: boolean, error?: Error): void {
    if (this.state === online) return;
    this.state = online;
    this.emit(online ? 'online' : 'offline', error);
  }
}

/**
 * A timeout is reported against the request's own setting. The transport
 * only saw what was left of it: after waiting for earlier requests (say so,
 * rather than "no reply within 463 ms" for a 1000 ms setting), or a few ms
 * less on a busy event loop (a 400 ms setting must not read "396 ms").
 */
function asRequestTimeout(error: unknown, timeout: number, timeLeft: number, address: DeviceAddress): unknown {
  if (!(error instanceof TimeoutError) || error.timeout === timeout) return error;
  if (timeLeft < timeout) {
    return new TimeoutError(`no reply within ${timeout} ms (${timeout - timeLeft} ms of it spent waiting for earlier requests)`, timeout, address);
  }
  const prefix = `${address.host}:${address.port}: `;
  const said = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return new TimeoutError(said.replace(`${error.timeout} ms`, `${timeout} ms`), timeout, address);
}

/** Errors that say the device could not be reached, as opposed to answering badly. */
function isUnreachable(error: unknown): boolean {
  return error instanceof SmartHomeError && (error.code === 'ECONNECTION' || error.code === 'ETIMEDOUT');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
