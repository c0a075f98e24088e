/**
 * SmartHomeClient: one device, one transport, one request at a time in the
 * order asked, bounded retries with backoff for requests that certainly did
 * not reach the device, typed errors, and online/offline state as events.
 */
import { EventEmitter } from 'events';
import * as cmd from './commands';
import { checkResponse, parseReply, normalizeEnergy, normalizeStats, type EnergyReading, type EnergyStat, type SmartHomeResponse } from './response';
import { ClientClosedError, ProtocolError, SmartHomeError, type DeviceAddress } from '../errors';
import { createTransport, type TransportName, type TransportOptions } from './transports';
import { isRetriable, type Transport } from '../transport';

export interface SmartHomeClientOptions extends TransportOptions {
  /** Milliseconds per request (default 5000). */
  timeout?: number;
  /** Further attempts after a failure to reach the device (default 2). */
  retries?: number;
  /** First backoff delay in ms, doubled after each attempt (default 100). */
  retryDelay?: number;
  /** Use an existing transport instead of creating one (tests, custom transports). */
  transportInstance?: Transport;
}

export interface RequestOptions {
  timeout?: number;
  /** Child outlets (power strips) the request is for. */
  childIds?: readonly string[];
}

export interface ChildOption {
  /** Child outlet id of a power strip (full id, short '00' form is resolved by the caller). */
  childId?: string;
}

export type SysInfo = Record<string, unknown> & {
  alias?: string;
  model?: string;
  deviceId?: string;
  mac?: string;
  relay_state?: number;
  children?: Array<Record<string, unknown> & { id: string; state: number; alias: string }>;
};

const DEFAULT_TIMEOUT = 5000;

/** Emits 'online' and 'offline' (with the error) when reachability changes. */
export class SmartHomeClient extends EventEmitter {
  readonly host: string;
  readonly transportName: TransportName;
  readonly timeout: number;
  private readonly retries: number;
  private readonly retryDelay: number;
  private readonly transport: Transport;
  /** True while a request is in flight; later ones wait in `waiting`, in order. */
  private busy = false;
  private readonly waiting: Array<() => void> = [];
  private closed = false;
  private state: boolean | undefined;
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
  }

  /** The port in use (with transport 'auto', the KLAP port once it switched). */
  get port(): number {
    return this.transport.port;
  }

  /** true after a successful request, false after a failure to reach the device, undefined before the first. */
  get online(): boolean | undefined {
    return this.state;
  }

  /** Requests waiting for their turn, including the one in flight. */
  get pendingRequests(): number {
    return this.waiting.length + (this.busy ? 1 : 0);
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
    return this.runInTurn(payload, options.timeout ?? this.timeout);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.transport.close();
  }

  // ---- system ----

  async getSysInfo(options: RequestOptions = {}): Promise<SysInfo> {
    const reply = await this.send(cmd.system.getSysinfo(), options);
    const sysinfo = methodResult(reply, 'system', 'get_sysinfo', this.address) as SysInfo;
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

  async getEnergy(options: ChildOption = {}): Promise<EnergyReading> {
    const module = this.emeterModule();
    const reply = await this.send({ [module]: { get_realtime: {} } }, childIds(options));
    return normalizeEnergy(methodResult(reply, module, 'get_realtime', this.address));
  }

  async getDayStats(year: number, month: number, options: ChildOption = {}): Promise<EnergyStat[]> {
    const module = this.emeterModule();
    const reply = await this.send({ [module]: { get_daystat: { year, month } } }, childIds(options));
    return normalizeStats(methodResult(reply, module, 'get_daystat', this.address).day_list);
  }

  async getMonthStats(year: number, options: ChildOption = {}): Promise<EnergyStat[]> {
    const module = this.emeterModule();
    const reply = await this.send({ [module]: { get_monthstat: { year } } }, childIds(options));
    return normalizeStats(methodResult(reply, module, 'get_monthstat', this.address).month_list);
  }

  async eraseEnergyStats(options: ChildOption = {}): Promise<void> {
    await this.send({ [this.emeterModule()]: { erase_emeter_stat: null } }, childIds(options));
  }

  // ---- time ----

  async getTime(): Promise<Record<string, unknown>> {
    return methodResult(await this.send(cmd.time.getTime()), 'time', 'get_time', this.address);
  }

  async getTimezone(): Promise<Record<string, unknown>> {
    return methodResult(await this.send(cmd.time.getTimezone()), 'time', 'get_timezone', this.address);
  }

  async setTimezone(setting: cmd.TimezoneSetting): Promise<void> {
    await this.send(cmd.time.setTimezone(setting));
  }

  // ---- rules: schedule, countdown, anti-theft ----

  async getScheduleRules(options: ChildOption = {}): Promise<Record<string, unknown>> {
    return methodResult(await this.send(cmd.schedule.getRules(), childIds(options)), 'schedule', 'get_rules', this.address);
  }

  async getNextAction(options: ChildOption = {}): Promise<Record<string, unknown>> {
    return methodResult(await this.send(cmd.schedule.getNextAction(), childIds(options)), 'schedule', 'get_next_action', this.address);
  }

  /** Adds a schedule rule and resolves to its id. */
  async addScheduleRule(rule: cmd.ScheduleRule, options: ChildOption = {}): Promise<string> {
    return ruleId(await this.send(cmd.schedule.addRule(rule), childIds(options)), 'schedule', this.address);
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
    return methodResult(await this.send(cmd.countdown.getRules(), childIds(options)), 'count_down', 'get_rules', this.address);
  }

  /** Sets the (single) countdown rule, replacing any existing one, and resolves to its id. */
  async setCountdown(rule: cmd.CountdownRule, options: ChildOption = {}): Promise<string> {
    await this.send(cmd.countdown.deleteAllRules(), childIds(options));
    return ruleId(await this.send(cmd.countdown.addRule(rule), childIds(options)), 'count_down', this.address);
  }

  async addCountdownRule(rule: cmd.CountdownRule, options: ChildOption = {}): Promise<string> {
    return ruleId(await this.send(cmd.countdown.addRule(rule), childIds(options)), 'count_down', this.address);
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
    return methodResult(await this.send(cmd.antiTheft.getRules(), childIds(options)), 'anti_theft', 'get_rules', this.address);
  }

  async addAntiTheftRule(rule: cmd.AntiTheftRule, options: ChildOption = {}): Promise<string> {
    return ruleId(await this.send(cmd.antiTheft.addRule(rule), childIds(options)), 'anti_theft', this.address);
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
    return methodResult(await this.send(cmd.cloud.getInfo()), 'cnCloud', 'get_info', this.address);
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
    const list = methodResult(reply, 'netif', 'get_scaninfo', this.address).ap_list;
    return Array.isArray(list) ? (list as Array<Record<string, unknown>>) : [];
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

  /**
   * One request at a time, in the order asked. The common case (nothing in
   * flight) costs no extra promise: only callers that must wait get one.
   */
  private async runInTurn(payload: Buffer, timeout: number): Promise<SmartHomeResponse> {
    if (this.closed) throw new ClientClosedError(this.address);
    if (this.busy) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.busy = true;
    try {
      if (this.closed) throw new ClientClosedError(this.address);
      return this.parse(await this.exchange(payload, timeout));
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.busy = false;
    }
  }

  private async exchange(payload: Buffer, timeout: number): Promise<Buffer> {
    for (let attempt = 0; ; attempt++) {
      try {
        const reply = await this.transport.send(payload, timeout);
        this.setState(true);
        return reply;
      } catch (error) {
        if (this.closed) throw new ClientClosedError(this.address);
        if (isRetriable(error) && attempt < this.retries) {
          await delay(this.retryDelay * 2 ** attempt);
          // close() during the backoff: the next attempt would reach the device after it.
          if (this.closed) throw new ClientClosedError(this.address);
          continue;
        }
        if (error instanceof SmartHomeError && (error.code === 'ECONNECTION' || error.code === 'ETIMEDOUT')) {
          this.setState(false, error);
        }
        throw error;
      }
    }
  }

  private parse(reply: Buffer): SmartHomeResponse {
    return parseReply(reply.toString('utf8'), this.address);
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
    // A reply is untrusted: `children` may be anything, its entries too.
    const children: unknown[] = Array.isArray(sysinfo.children) ? sysinfo.children : [];
    const child = children.find((c): c is { id: string; state: number } => cmd.isObject(c) && (c.id === childId || sysinfo.deviceId + String(c.id) === childId || c.id === sysinfo.deviceId + childId));
    if (!child) throw new ProtocolError(`outlet ${childId} is not in the device's children`, address);
    return child.state === 1;
  }
  if (typeof sysinfo.relay_state === 'number') return sysinfo.relay_state === 1;
  const light = sysinfo.light_state as { on_off?: unknown } | undefined;
  return light?.on_off === 1;
}

function childIds(options: ChildOption): RequestOptions {
  return options.childId === undefined ? {} : { childIds: [options.childId] };
}

function methodResult(reply: SmartHomeResponse, module: string, method: string, address: DeviceAddress): Record<string, unknown> {
  const moduleReply = reply[module];
  const result = cmd.isObject(moduleReply) ? moduleReply[method] : undefined;
  if (!cmd.isObject(result)) throw new ProtocolError(`reply has no ${module}.${method} object`, address);
  return result;
}

function ruleId(reply: SmartHomeResponse, module: string, address: DeviceAddress): string {
  const id = methodResult(reply, module, 'add_rule', address).id;
  return typeof id === 'string' ? id : '';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
