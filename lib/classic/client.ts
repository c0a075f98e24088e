/**
 * SmartHomeClient: one device, one transport, its requests in one
 * RequestQueue (deadlines from when asked, bounded, polls only when idle,
 * fail fast while unreachable), bounded retries with backoff for requests
 * that certainly did not reach the device, every reply checked by the
 * reader of its shape (replies.ts), typed errors, and online/offline state
 * as events.
 */
import { EventEmitter } from 'events';
import * as cmd from './commands';
import { checkResponse, parseReply, normalizeEnergy, normalizeStats, type EnergyReading, type EnergyStat, type SmartHomeResponse } from './response';
import {
  readAddedRule, readAnyResult, readDayStats, readMethodResult, readMonthStats, readRealtime, readRules, readScanInfo, readSysInfo,
  type SysInfo,
} from './replies';
import { ClientClosedError, ProtocolError, SmartHomeError, TimeoutError, type DeviceAddress } from '../errors';
import { createTransport, type TransportName, type TransportOptions } from './transports';
import { isRetriable, type Transport } from '../transport';
import { RequestQueue } from '../request-queue';
import type { Reader } from '../json';
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

export interface ChildOption {
  /** Child outlet id of a power strip (full id, short '00' form is resolved by the caller). */
  childId?: string;
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
  /** The last sysinfo seen, used to tell bulbs and strips from plugs. */
  lastSysInfo: SysInfo | undefined;

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

  // ---- system ----

  async getSysInfo(options: RequestOptions = {}): Promise<SysInfo> {
    const reply = await this.send(cmd.system.getSysinfo(), options);
    const sysinfo = this.result(reply, 'system', 'get_sysinfo', readSysInfo);
    this.lastSysInfo = sysinfo;
    return sysinfo;
  }

  /** Switches the relay (a bulb's light, a strip outlet with childId). */
  async setPowerState(on: boolean, options: ChildOption = {}): Promise<void> {
    if (this.isBulb()) {
      await this.send({ [LIGHT]: { transition_light_state: { on_off: on ? 1 : 0, ignore_default: 1 } } });
      return;
    }
    await this.send(cmd.system.setRelayState(on), childIds(options));
  }

  turnOn(options: ChildOption = {}): Promise<void> {
    return this.setPowerState(true, options);
  }

  turnOff(options: ChildOption = {}): Promise<void> {
    return this.setPowerState(false, options);
  }

  /** Reads the state, sets the opposite and resolves to the new state. */
  async toggle(options: ChildOption = {}): Promise<boolean> {
    const on = !(await this.getPowerState(options));
    await this.setPowerState(on, options);
    return on;
  }

  async getPowerState(options: ChildOption = {}): Promise<boolean> {
    return powerStateOf(await this.getSysInfo(), options.childId, this.address);
  }

  async setLed(on: boolean): Promise<void> {
    await this.send(cmd.system.setLed(on));
  }

  async setAlias(alias: string, options: ChildOption = {}): Promise<void> {
    await this.send(cmd.system.setAlias(alias), childIds(options));
  }

  async reboot(delay = 1): Promise<void> {
    await this.send(cmd.system.reboot(delay));
  }

  async reset(delay = 1): Promise<void> {
    await this.send(cmd.system.reset(delay));
  }

  // ---- energy ----

  /** The meter reading; `ifIdle` for polling (see RequestOptions). */
  async getEnergy(options: ChildOption & { ifIdle?: boolean } = {}): Promise<EnergyReading> {
    const module = this.emeterModule();
    const reply = await this.send({ [module]: { get_realtime: {} } }, { ...childIds(options), ifIdle: options.ifIdle });
    return normalizeEnergy(this.result(reply, module, 'get_realtime', readRealtime));
  }

  async getDayStats(year: number, month: number, options: ChildOption = {}): Promise<EnergyStat[]> {
    const module = this.emeterModule();
    const reply = await this.send({ [module]: { get_daystat: { year, month } } }, childIds(options));
    return normalizeStats(this.result(reply, module, 'get_daystat', readDayStats).day_list);
  }

  async getMonthStats(year: number, options: ChildOption = {}): Promise<EnergyStat[]> {
    const module = this.emeterModule();
    const reply = await this.send({ [module]: { get_monthstat: { year } } }, childIds(options));
    return normalizeStats(this.result(reply, module, 'get_monthstat', readMonthStats).month_list);
  }

  async eraseEnergyStats(options: ChildOption = {}): Promise<void> {
    await this.send({ [this.emeterModule()]: { erase_emeter_stat: null } }, childIds(options));
  }

  // ---- time ----

  async getTime(): Promise<Record<string, unknown>> {
    return this.result(await this.send(cmd.time.getTime()), 'time', 'get_time', readAnyResult);
  }

  async getTimezone(): Promise<Record<string, unknown>> {
    return this.result(await this.send(cmd.time.getTimezone()), 'time', 'get_timezone', readAnyResult);
  }

  async setTimezone(setting: cmd.TimezoneSetting): Promise<void> {
    await this.send(cmd.time.setTimezone(setting));
  }

  // ---- rules: schedule, countdown, anti-theft ----

  async getScheduleRules(options: ChildOption = {}): Promise<Record<string, unknown>> {
    return this.result(await this.send(cmd.schedule.getRules(), childIds(options)), 'schedule', 'get_rules', readRules);
  }

  async getNextAction(options: ChildOption = {}): Promise<Record<string, unknown>> {
    return this.result(await this.send(cmd.schedule.getNextAction(), childIds(options)), 'schedule', 'get_next_action', readAnyResult);
  }

  /** Adds a schedule rule and resolves to its id. */
  async addScheduleRule(rule: cmd.ScheduleRule, options: ChildOption = {}): Promise<string> {
    return this.result(await this.send(cmd.schedule.addRule(rule), childIds(options)), 'schedule', 'add_rule', readAddedRule).id;
  }

  async editScheduleRule(rule: cmd.ScheduleRule & { id: string }, options: ChildOption = {}): Promise<void> {
    await this.send(cmd.schedule.editRule(rule), childIds(options));
  }

  async deleteScheduleRule(id: string, options: ChildOption = {}): Promise<void> {
    await this.send(cmd.schedule.deleteRule(id), childIds(options));
  }

  async deleteAllScheduleRules(options: ChildOption = {}): Promise<void> {
    await this.send(cmd.schedule.deleteAllRules(), childIds(options));
  }

  async getCountdownRules(options: ChildOption = {}): Promise<Record<string, unknown>> {
    return this.result(await this.send(cmd.countdown.getRules(), childIds(options)), 'count_down', 'get_rules', readRules);
  }

  /** Sets the (single) countdown rule, replacing any existing one, and resolves to its id. */
  async setCountdown(rule: cmd.CountdownRule, options: ChildOption = {}): Promise<string> {
    await this.send(cmd.countdown.deleteAllRules(), childIds(options));
    return this.result(await this.send(cmd.countdown.addRule(rule), childIds(options)), 'count_down', 'add_rule', readAddedRule).id;
  }

  async addCountdownRule(rule: cmd.CountdownRule, options: ChildOption = {}): Promise<string> {
    return this.result(await this.send(cmd.countdown.addRule(rule), childIds(options)), 'count_down', 'add_rule', readAddedRule).id;
  }

  async editCountdownRule(rule: cmd.CountdownRule & { id: string }, options: ChildOption = {}): Promise<void> {
    await this.send(cmd.countdown.editRule(rule), childIds(options));
  }

  async deleteCountdownRule(id: string, options: ChildOption = {}): Promise<void> {
    await this.send(cmd.countdown.deleteRule(id), childIds(options));
  }

  async deleteAllCountdownRules(options: ChildOption = {}): Promise<void> {
    await this.send(cmd.countdown.deleteAllRules(), childIds(options));
  }

  async getAntiTheftRules(options: ChildOption = {}): Promise<Record<string, unknown>> {
    return this.result(await this.send(cmd.antiTheft.getRules(), childIds(options)), 'anti_theft', 'get_rules', readRules);
  }

  async addAntiTheftRule(rule: cmd.AntiTheftRule, options: ChildOption = {}): Promise<string> {
    return this.result(await this.send(cmd.antiTheft.addRule(rule), childIds(options)), 'anti_theft', 'add_rule', readAddedRule).id;
  }

  async editAntiTheftRule(rule: cmd.AntiTheftRule & { id: string }, options: ChildOption = {}): Promise<void> {
    await this.send(cmd.antiTheft.editRule(rule), childIds(options));
  }

  async deleteAntiTheftRule(id: string, options: ChildOption = {}): Promise<void> {
    await this.send(cmd.antiTheft.deleteRule(id), childIds(options));
  }

  async deleteAllAntiTheftRules(options: ChildOption = {}): Promise<void> {
    await this.send(cmd.antiTheft.deleteAllRules(), childIds(options));
  }

  // ---- cloud and network ----

  async getCloudInfo(): Promise<Record<string, unknown>> {
    return this.result(await this.send(cmd.cloud.getInfo()), 'cnCloud', 'get_info', readAnyResult);
  }

  async bindCloud(username: string, password: string): Promise<void> {
    await this.send(cmd.cloud.bind(username, password));
  }

  async unbindCloud(): Promise<void> {
    await this.send(cmd.cloud.unbind());
  }

  async scanWifi(options: { timeout?: number } = {}): Promise<Array<Record<string, unknown>>> {
    // A scan takes the device several seconds.
    const reply = await this.send(cmd.netif.getScanInfo(true), { timeout: options.timeout ?? Math.max(this.timeout, 10_000) });
    return this.result(reply, 'netif', 'get_scaninfo', readScanInfo).ap_list;
  }

  async setWifi(ssid: string, password: string, keyType = 3): Promise<void> {
    await this.send(cmd.netif.setStaInfo(ssid, password, keyType));
  }

  // ---- internals ----

  private isBulb(): boolean {
    const type = this.lastSysInfo?.mic_type ?? this.lastSysInfo?.type;
    return typeof type === 'string' && type.toUpperCase().includes('BULB');
  }

  private emeterModule(): string {
    return this.isBulb() ? 'smartlife.iot.common.emeter' : 'emeter';
  }

  /** Reads `reply.module.method` with the reader of its shape; a ProtocolError names what was wrong. */
  private result<T>(reply: SmartHomeResponse, module: string, method: string, reader: Reader<T>): T {
    return readMethodResult(reply, module, method, reader, this.address);
  }

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
        const failure = timeLeft < timeout ? afterWaiting(error, timeout, timeLeft, this.address) : error;
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

const LIGHT = 'smartlife.iot.smartbulb.lightingservice';

/** Reads a strip outlet's or a plug's (or bulb's) on/off state from a sysinfo. */
export function powerStateOf(sysinfo: SysInfo, childId?: string, address?: DeviceAddress): boolean {
  if (childId !== undefined) {
    const deviceId = sysinfo.deviceId ?? '';
    const child = sysinfo.children?.find((c) => c.id === childId || deviceId + c.id === childId || c.id === deviceId + childId);
    if (!child) throw new ProtocolError(`outlet ${childId} is not in the device's children`, address);
    return child.state === 1;
  }
  if (sysinfo.relay_state !== undefined) return sysinfo.relay_state === 1;
  return sysinfo.light_state?.on_off === 1;
}

function childIds(options: ChildOption): RequestOptions {
  return options.childId === undefined ? {} : { childIds: [options.childId] };
}

/**
 * A request that waited for earlier ones was sent with what was left of its
 * timeout: say so, rather than "no reply within 463 ms" for a 1000 ms setting.
 */
function afterWaiting(error: unknown, timeout: number, timeLeft: number, address: DeviceAddress): unknown {
  if (!(error instanceof TimeoutError)) return error;
  return new TimeoutError(`no reply within ${timeout} ms (${timeout - timeLeft} ms of it spent waiting for earlier requests)`, timeout, address);
}

/** Errors that say the device could not be reached, as opposed to answering badly. */
function isUnreachable(error: unknown): boolean {
  return error instanceof SmartHomeError && (error.code === 'ECONNECTION' || error.code === 'ETIMEDOUT');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
