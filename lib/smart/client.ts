/**
 * SmartClient: one SMART device (Tapo, or Kasa on new firmware) over AES
 * securePassthrough or KLAP. It builds envelopes, batches requests into
 * multipleRequest (five at a time, asking again what a device skipped
 * after an error, single requests for good once a device refuses batches),
 * wraps requests for strip outlets in control_child, follows paged lists,
 * and turns every error_code into a typed error. Calls go through the
 * shared RequestQueue: one at a time in the order asked, each with a
 * deadline counted from when it was asked (every exchange of a call, its
 * re-asks and pages included, gets what is left of it), bounded, and
 * failing fast while the device is unreachable.
 */
import { EventEmitter } from 'node:events';
import { ConnectionError, TimeoutError, type DeviceAddress } from '../errors';
import { RequestQueue } from '../request-queue';
import { TrafficReporter, type TrafficHook } from '../traffic';
import { KlapTransport } from '../klap/transport';
import { throughStep, type PlaintextStep, type Transport } from '../transport';
import { AesTransport, type AesSessionKeys } from './aes/transport';
import type { LoginVersion } from './aes/envelope';
import { readChildComponents, readComponents, type SmartComponents } from './components';
import { readChildList, readDeviceInfo, type SmartDeviceInfo } from './device-info';
import { combineEnergy, readCurrentPower, readEmeterData, readEnergyUsage, type SmartEnergyReading } from './energy';
import {
  controlChild, encodeRequest, multipleRequest, newTerminalUuid, readBatchResult, readControlChildResult, readReply,
  type SmartReply, type SmartRequest,
} from './envelope';
import { describeSmartErrorCode, JSON_DECODE_FAIL, SUCCESS, UNKNOWN_METHOD } from './error-codes';
import { SmartDeviceError, smartErrorFor, SmartAuthenticationError, SmartUnknownMethodError } from './errors';
import { collectPages, pagedListKey } from './paging';
import type { JsonObject } from '../json';

export type SmartTransportName = 'aes' | 'klap';

export interface SmartClientOptions {
  host: string;
  /** HTTP port (default 80). */
  port?: number;
  /** 'klap' (default) or 'aes': discovery's mgt_encrypt_schm.encrypt_type says which. */
  transport?: SmartTransportName;
  /** Use an existing transport (tests, custom transports). */
  transportInstance?: Transport;
  /** TP-Link cloud account; blank for a device never bound to the cloud. */
  username?: string;
  password?: string;
  /** AES: login_device version (discovery's `lv`). */
  loginVersion?: LoginVersion;
  /** Milliseconds per call, counted from when it was asked (default 5000). */
  timeout?: number;
  /** Requests per multipleRequest (default 5, as the apps send). */
  batchSize?: number;
  maxResponseSize?: number;
  /** AES debug hook: the session key and IV, to decrypt a capture. Off by default. */
  onAesSessionKeys?: (keys: AesSessionKeys) => void;
  /** Sees every request and reply above the transport, secrets replaced (lib/traffic.ts). */
  onTraffic?: TrafficHook;
}

export interface CallOptions {
  /** Milliseconds from when the call is asked until its answer. */
  timeout?: number;
  /** Polling: run only when nothing else waits for the device, else reject with a skipped DeviceBusyError. */
  ifIdle?: boolean;
  /** device_id of a strip outlet: the call goes through control_child. */
  childId?: string;
}

/** One request's outcome in a batch: its result, or the typed error its error_code stands for. */
export type SmartOutcome =
  | { method: string; ok: true; result: unknown }
  | { method: string; ok: false; error: SmartDeviceError | SmartAuthenticationError };

const DEFAULT_TIMEOUT = 5000;

/** When a call must have its answer (performance.now() ms), and its timeout for messages. */
interface Deadline {
  at: number;
  timeout: number;
}
const DEFAULT_BATCH_SIZE = 5;

/** What a call makes of its result, or an exchange of its reply, before the caller gets it. */
type Then<In, Out> = (value: In) => Out | Promise<Out>;
const resultAsIs = (result: unknown): unknown => result;
const replyAsIs = (reply: SmartReply): SmartReply => reply;

/** What the traffic hook needs to pair a reply with its request (undefined without a hook). */
type SentRequest = ReturnType<TrafficReporter['request']>;

export function createSmartTransport(options: SmartClientOptions): Transport {
  const common = { host: options.host, port: options.port, username: options.username, password: options.password, maxResponseSize: options.maxResponseSize };
  return options.transport === 'aes'
    ? new AesTransport({ ...common, loginVersion: options.loginVersion, onSessionKeys: options.onAesSessionKeys })
    : new KlapTransport(common);
}

export interface SmartClientEvents {
  /** A reply came after a failure to reach the device (or first). */
  online: [];
  /** A call could not reach the device (timeout, connection error). */
  offline: [error: Error];
}

/** Emits 'online' and 'offline' (with the error) when reachability changes, as the classic request client does. */
export class SmartClient extends EventEmitter<SmartClientEvents> {
  readonly host: string;
  readonly timeout: number;
  readonly terminalUuid = newTerminalUuid();
  private readonly transport: Transport;
  private readonly batchSize: number;
  private readonly queue: RequestQueue;
  private readonly traffic: TrafficReporter;
  private batchesRefused = false;
  private reachable: boolean | undefined;

  constructor(options: SmartClientOptions) {
    super();
    if (!options || typeof options.host !== 'string' || options.host.length === 0) throw new TypeError('SmartClient needs a host');
    this.host = options.host;
    this.transport = options.transportInstance ?? createSmartTransport(options);
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT;
    this.batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE));
    this.traffic = new TrafficReporter(options.onTraffic, () => ({ host: this.host, port: this.port, transport: this.transport.kind }));
    this.queue = new RequestQueue({
      address: () => this.address,
      isUnreachable: (error) => error instanceof TimeoutError || error instanceof ConnectionError,
    });
  }

  /** true after a reply, false after a failure to reach the device, undefined before the first call. */
  get online(): boolean | undefined {
    return this.reachable;
  }

  /** Calls in flight or waiting. */
  get pendingRequests(): number {
    return this.queue.size;
  }

  get port(): number {
    return this.transport.port;
  }

  get transportKind(): Transport['kind'] {
    return this.transport.kind;
  }

  /** True once the device refused a multipleRequest: every later batch is sent as single requests. */
  get sendsSingleRequests(): boolean {
    return this.batchesRefused || this.batchSize === 1;
  }

  get address(): DeviceAddress {
    return { host: this.host, port: this.port };
  }

  /**
   * The address handed to the readers of every reply, made again only when
   * the port changes: they use it only in errors, which copy host and port,
   * and a fresh object per reply was garbage.
   */
  #readerAddress: DeviceAddress | undefined;
  private get readerAddress(): DeviceAddress {
    const port = this.port;
    const known = this.#readerAddress;
    if (known !== undefined && known.port === port) return known;
    this.#readerAddress = { host: this.host, port };
    return this.#readerAddress;
  }

  async close(): Promise<void> {
    this.queue.close();
    await this.transport.close();
  }

  /** One method; resolves to its result (paged lists joined), rejects with the typed error of its error_code. */
  call(method: string, params?: JsonObject, options: CallOptions = {}): Promise<unknown> {
    return this.callAndRead(method, params, options, resultAsIs);
  }

  /**
   * call(), its result read by `read` within the call's turn, in the same
   * promise step as the reply (a result that does not read fails the call
   * as a bad reply does): a step more per reader, after the queue's, cost
   * more than the reading itself on the path from one reply to the next
   * request.
   */
  private callAndRead<T>(method: string, params: JsonObject | undefined, options: CallOptions, read: Then<unknown, T>): Promise<T> {
    const timeout = options.timeout ?? this.timeout;
    const childId = options.childId;
    // inTurn() without its second closure: nearly every call comes through here.
    return this.queue.run((left) => this.callWithin(method, params, childId, { at: performance.now() + left, timeout }, read, left), { timeout, ifIdle: options.ifIdle });
  }

  /**
   * One request as given (a method, a multipleRequest...), for the device or
   * through control_child for an outlet; resolves to the reply as the device
   * sent it, error_code included. Session and login codes are still handled.
   */
  send(request: SmartRequest, options: CallOptions = {}): Promise<JsonObject> {
    return this.inTurn(options, async (deadline) => {
      const reply = await this.single(request, options.childId, deadline, replyAsIs);
      const raw: JsonObject = { error_code: reply.errorCode };
      if (reply.result !== undefined) raw.result = reply.result as JsonObject;
      return raw;
    });
  }

  /** Several methods in as few exchanges as the device allows; one outcome per request, in order. */
  callMany(requests: readonly SmartRequest[], options: CallOptions = {}): Promise<SmartOutcome[]> {
    return this.inTurn(options, (deadline) => this.callManyWithin(requests, options.childId, deadline));
  }

  getDeviceInfo(options: CallOptions = {}): Promise<SmartDeviceInfo> {
    return this.callAndRead('get_device_info', undefined, options, this.readDeviceInfo);
  }

  /** Made once: getDeviceInfo() is what polling asks, and an async frame or a closure per call was garbage. */
  private readonly readDeviceInfo = (result: unknown): SmartDeviceInfo => readDeviceInfo(result, 'get_device_info result', this.readerAddress);

  async getComponents(options: CallOptions = {}): Promise<SmartComponents> {
    return readComponents(await this.call('component_nego', undefined, options), this.address);
  }

  /** A strip's outlets, every page, in position order. */
  async getChildren(options: Omit<CallOptions, 'childId'> = {}): Promise<SmartDeviceInfo[]> {
    return readChildList(await this.call('get_child_device_list', { start_index: 0 }, options), this.address);
  }

  async getChildComponents(options: Omit<CallOptions, 'childId'> = {}): Promise<ReadonlyMap<string, SmartComponents>> {
    return readChildComponents(await this.call('get_child_device_component_list', { start_index: 0 }, options), this.address);
  }

  async setDeviceInfo(params: JsonObject, options: CallOptions = {}): Promise<void> {
    await this.call('set_device_info', params, options);
  }

  /** Switches the relay (a plug, a strip outlet with childId) or the light of a bulb. */
  setDeviceOn(on: boolean, options: CallOptions = {}): Promise<void> {
    return this.setDeviceInfo({ device_on: on }, options);
  }

  /**
   * Power and energy in the classic shape. `energyVersion` is the
   * energy_monitoring component's ver_code when known: version 1 has only
   * get_energy_usage. Methods a device lacks are skipped; it fails only
   * when no method gives a power reading.
   */
  getEnergy(options: CallOptions & { energyVersion?: number } = {}): Promise<SmartEnergyReading> {
    const methods = options.energyVersion === 1 ? ['get_energy_usage'] : ['get_energy_usage', 'get_current_power', 'get_emeter_data'];
    return this.inTurn(options, async (deadline) => this.energyOf(await this.callManyWithin(methods.map((method) => ({ method })), options.childId, deadline), options.childId));
  }

  private energyOf(outcomes: SmartOutcome[], childId: string | undefined): SmartEnergyReading {
    const result = (method: string): unknown => {
      const found = outcomes.find((o) => o.method === method);
      return found?.ok ? found.result : undefined;
    };
    const present = (method: string): boolean => result(method) !== undefined;
    const reading = combineEnergy({
      usage: present('get_energy_usage') ? readEnergyUsage(result('get_energy_usage'), this.address) : undefined,
      currentPower: present('get_current_power') ? readCurrentPower(result('get_current_power'), this.address) : undefined,
      emeter: present('get_emeter_data') ? readEmeterData(result('get_emeter_data'), this.address) : undefined,
    });
    if (reading) return reading;
    const failure = outcomes.find((o): o is Extract<SmartOutcome, { ok: false }> => !o.ok);
    throw failure?.error ?? new SmartUnknownMethodError(UNKNOWN_METHOD, { method: 'get_energy_usage', address: this.address, childId });
  }

  // ---------------------------------------------------------------- internals

  /** Runs one call in the device's queue; the task gets the deadline left when its turn came. */
  private inTurn<T>(options: CallOptions, task: (deadline: Deadline) => Promise<T>): Promise<T> {
    const timeout = options.timeout ?? this.timeout;
    return this.queue.run((left) => task({ at: performance.now() + left, timeout }), { timeout, ifIdle: options.ifIdle });
  }

  /**
   * Not async: one promise step for the reply, and none more unless the
   * result is a paged list. `left`: the milliseconds left of `deadline`,
   * just read, for the first exchange.
   */
  private callWithin<T>(method: string, params: JsonObject | undefined, childId: string | undefined, deadline: Deadline, read: Then<unknown, T>, left: number): Promise<T> {
    const request: SmartRequest = { method, params };
    return this.single(request, childId, deadline, (reply) => this.resultOf(reply, request, childId, deadline, read), left);
  }

  private resultOf<T>(reply: SmartReply, request: SmartRequest, childId: string | undefined, deadline: Deadline, read: Then<unknown, T>): T | Promise<T> {
    if (reply.errorCode !== SUCCESS) throw this.errorFor(reply.errorCode, request.method, childId);
    // Nearly every result is not a paged list: read as it is, without the promise steps of collectPages.
    if (pagedListKey(reply.result) === undefined) return read(reply.result);
    return collectPages(reply.result, (start) => this.page(request, start, childId, deadline)).then(read);
  }

  private async callManyWithin(requests: readonly SmartRequest[], childId: string | undefined, deadline: Deadline): Promise<SmartOutcome[]> {
    const outcomes: SmartOutcome[] = [];
    for (let i = 0; i < requests.length; i += this.batchSize) {
      outcomes.push(...await this.batch(requests.slice(i, i + this.batchSize), childId, deadline));
    }
    return outcomes;
  }

  private errorFor(code: number, method: string, childId: string | undefined): SmartDeviceError | SmartAuthenticationError {
    return smartErrorFor(code, { method, childId, address: this.address });
  }

  /**
   * One request, for the device or (through control_child) for one of its
   * outlets; `then` gets the reply unwrapped, in exchange()'s promise step.
   * Not async: a request takes no promise step here, an outlet's neither.
   * `left`: see exchange().
   */
  private single<T>(request: SmartRequest, childId: string | undefined, deadline: Deadline, then: Then<SmartReply, T>, left?: number): Promise<T> {
    if (childId === undefined) return this.exchange(request, deadline, then, false, left);
    return this.exchange(controlChild(childId, request), deadline, (outer) =>
      then(outer.errorCode === SUCCESS ? readControlChildResult(outer.result, this.address) : outer), false, left);
  }

  private async page(request: SmartRequest, startIndex: number, childId: string | undefined, deadline: Deadline): Promise<unknown> {
    const reply = await this.single({ method: request.method, params: { ...request.params, start_index: startIndex } }, childId, deadline, replyAsIs);
    if (reply.errorCode !== SUCCESS) throw this.errorFor(reply.errorCode, request.method, childId);
    return reply.result;
  }

  /**
   * One envelope to the device and its reply, each reported to the traffic
   * hook (the transport's session never is). A reply saying the session is
   * gone or the login no longer holds (9999, -1501, ...) means the request
   * did not run: the session is dropped and the request sent once more.
   * Not async: the first attempt, nearly always the only one, takes no
   * promise step here: `then` gets the reply in the transport's own step
   * where it has sendAndRead() (the KLAP and AES transports), in a then()
   * on send() otherwise. `resend`: this is that one resend, its reply taken
   * as it is. `known`: the milliseconds left of `deadline` when the caller
   * has just reckoned them (a call's first exchange), saving a clock read.
   */
  private exchange<T>(request: SmartRequest, deadline: Deadline, then: Then<SmartReply, T>, resend = false, known?: number): Promise<T> {
    const left = known ?? Math.floor(deadline.at - performance.now());
    if (left <= 0) return Promise.reject(new TimeoutError(`${request.method}: no reply within ${deadline.timeout} ms`, deadline.timeout, this.address));
    const sent = this.traffic.request(request);
    const step: PlaintextStep<T> = {
      replied: (bytes) => {
        const reply = this.replyOf(sent, request, bytes);
        if (resend) return then(reply);
        const category = describeSmartErrorCode(reply.errorCode).category;
        if (category !== 'session' && category !== 'auth') return then(reply);
        return this.transport.close().then(() => this.exchange(request, deadline, then, true));
      },
      failed: (error) => this.sendFailed(sent, error),
    };
    const transport = this.transport;
    try {
      const bytes = encodeRequest(request, this.terminalUuid);
      return transport.sendAndRead ? transport.sendAndRead(bytes, left, step) : throughStep(transport.send(bytes, left), step);
    } catch (error) {
      step.failed(error);
      return Promise.reject(error);
    }
  }

  /**
   * Reports a failed send. Never throws (a step's `failed` must not), and
   * the call fails with the send's own error. An 'offline' listener that
   * throws is reported as a process warning: thrown on, outside any promise
   * chain, it would end the process, a Node-RED runtime with it.
   */
  private sendFailed(sent: SentRequest, error: unknown): void {
    this.traffic.error(sent, error);
    if (!(error instanceof TimeoutError || error instanceof ConnectionError)) return;
    try {
      this.setReachable(false, error);
    } catch (thrown) {
      process.emitWarning(thrown instanceof Error ? thrown : new Error(`an 'offline' listener threw ${String(thrown)}`));
    }
  }

  /** The reply read at the boundary and reported; a reply that does not read is reported and thrown. */
  private replyOf(sent: SentRequest, request: SmartRequest, bytes: Buffer): SmartReply {
    this.setReachable(true);
    try {
      const reply = readReply(bytes, request.method, this.readerAddress);
      if (sent) this.traffic.reply(sent, { error_code: reply.errorCode, result: reply.result });
      return reply;
    } catch (error) {
      this.traffic.error(sent, error);
      throw error;
    }
  }

  private setReachable(online: boolean, error?: Error): void {
    if (this.reachable === online) return;
    this.reachable = online;
    if (online) this.emit('online');
    else this.emit('offline', error as Error);
  }

  /** Sets (or with undefined removes) the hook that sees every request and reply. */
  setTrafficHook(hook: TrafficHook | undefined): void {
    this.traffic.set(hook);
  }

  private async batch(requests: readonly SmartRequest[], childId: string | undefined, deadline: Deadline): Promise<SmartOutcome[]> {
    const answered = new Map<number, SmartOutcome>();
    if (requests.length > 1 && !this.sendsSingleRequests) {
      const reply = await this.single(multipleRequest(requests), childId, deadline, replyAsIs);
      if (reply.errorCode === JSON_DECODE_FAIL || reply.errorCode === UNKNOWN_METHOD) {
        this.batchesRefused = true; // the device cannot take batches: single requests from now on
      } else if (reply.errorCode !== SUCCESS) {
        throw this.errorFor(reply.errorCode, 'multipleRequest', childId);
      } else {
        await this.matchResponses(requests, readBatchResult(reply.result, this.address), answered, childId, deadline);
      }
    }
    // A device stops at the first error in a batch: whatever it skipped is asked alone.
    for (const [index, request] of requests.entries()) {
      if (!answered.has(index)) answered.set(index, await this.outcomeOf(request, await this.single(request, childId, deadline, replyAsIs), childId, deadline));
    }
    return requests.map((_, index) => answered.get(index) as SmartOutcome);
  }

  private async matchResponses(
    requests: readonly SmartRequest[], entries: ReadonlyArray<{ method: string | undefined } & SmartReply>,
    answered: Map<number, SmartOutcome>, childId: string | undefined, deadline: Deadline,
  ): Promise<void> {
    for (const entry of entries) {
      const index = requests.findIndex((r, i) => r.method === entry.method && !answered.has(i));
      if (index >= 0) answered.set(index, await this.outcomeOf(requests[index] as SmartRequest, entry, childId, deadline));
    }
  }

  private async outcomeOf(request: SmartRequest, reply: SmartReply, childId: string | undefined, deadline: Deadline): Promise<SmartOutcome> {
    if (reply.errorCode !== SUCCESS) return { method: request.method, ok: false, error: this.errorFor(reply.errorCode, request.method, childId) };
    const result = await collectPages(reply.result, (start) => this.page(request, start, childId, deadline));
    return { method: request.method, ok: true, result };
  }
}

