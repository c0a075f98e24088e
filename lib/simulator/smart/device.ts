/**
 * A simulated SMART device without any network: its state and its answers
 * to SMART requests, in the shapes real firmware uses (base64 nickname and
 * SSID, device_on, component_nego as the real model lists it, energy in
 * mW/Wh/minutes, strip outlets through control_child with paged lists).
 * The AES endpoint or the KLAP server calls handleJson() with the
 * decrypted request. Faults that change answers (err-code, refused
 * batches) are switches on the device; faults of the wire are the
 * endpoint's.
 */
import { createHash } from 'node:crypto';
import { isJsonObject, parseBoundedJson, type JsonObject } from '../../json';
import { JSON_DECODE_FAIL } from '../../smart/error-codes';
import { childSpecOf, resolveSmartModel, type SmartModelSpec } from './models';
import { SmartOutlet } from './outlet';
import { answerMethod, serializedJson, type MethodTarget } from './methods';

export interface SmartSimulatedDeviceOptions {
  model: string;
  /** A model not in the model files (a device dump's, lib/simulator/fixture): used instead of looking `model` up. */
  spec?: SmartModelSpec;
  /** Identity as a device reported it; default: derived from the seed. */
  deviceId?: string;
  /** "AA-BB-CC-DD-EE-FF". */
  mac?: string;
  /** A strip's child device_ids as its firmware names them; default device_id + 00, 01, ... */
  childIds?: string[];
  /** Seeds device_id, MAC and load curves; the same seed gives the same device. Default: random. */
  seed?: string;
  nickname?: string;
  /** Milliseconds since the epoch; inject one to make time and energy deterministic. */
  clock?: () => number;
  /** Initial state of the relay, outlets or light (default true). */
  on?: boolean;
  /** false: multipleRequest is refused with -1003, as some P100 firmware does. */
  batches?: boolean;
  /** Entries per page of the child lists (default 10). */
  childPageSize?: number;
  historyDays?: number;
  ssid?: string;
}

export interface LightState {
  brightness: number;
  colorTemp: number;
  hue: number;
  saturation: number;
}

function hex(algorithm: 'sha1' | 'md5', text: string): string {
  return createHash(algorithm).update(text).digest('hex').toUpperCase();
}

/**
 * `{"error_code":0,"result":...}` around each kept answer, made once: a
 * client polling an unchanged get_device_info gets the same string again,
 * not a new concatenation to flatten, compare and encode each time.
 */
const okReplies = new WeakMap<object, string>();

/** JSON.stringify(reply), taking a kept answer's text when the reply is `{error_code: 0, result}` around one. */
function replyText(reply: JsonObject): string {
  const result = reply.error_code === 0 ? reply.result : undefined;
  const text = serializedJson(result);
  const keys = text === undefined ? [] : Object.keys(reply);
  if (text === undefined || keys.length !== 2 || keys[0] !== 'error_code') return JSON.stringify(reply);
  const kept = result as object;
  let whole = okReplies.get(kept);
  if (whole === undefined) {
    whole = `{"error_code":0,"result":${text}}`;
    okReplies.set(kept, whole);
  }
  return whole;
}

export class SmartSimulatedDevice {
  readonly spec: SmartModelSpec;
  readonly clock: () => number;
  readonly seed: string;
  readonly deviceId: string;
  /** "AA-BB-CC-DD-EE-FF", as get_device_info and discovery write it. */
  readonly mac: string;
  readonly hwId: string;
  readonly fwId: string;
  readonly oemId: string;
  readonly main: SmartOutlet;
  readonly children: SmartOutlet[];
  readonly light: LightState | undefined;
  readonly childPageSize: number;
  readonly rssi: number;
  ssid: string;
  /** The address get_device_info and discovery report; the server that runs the device sets it. */
  ip = '127.0.0.1';
  batches: boolean;
  /** The err-code fault: every method answers this error_code. */
  failWith: number | undefined;
  ledOn = true;

  constructor(options: SmartSimulatedDeviceOptions) {
    this.spec = options.spec ?? resolveSmartModel(options.model);
    this.clock = options.clock ?? Date.now;
    this.seed = options.seed ?? Math.random().toString(36).slice(2, 10);
    this.deviceId = options.deviceId ?? hex('sha1', `smart-device:${this.spec.name}:${this.seed}`);
    this.mac = options.mac ?? ['3C', '52', 'A1', ...(hex('md5', `mac:${this.seed}`).slice(0, 6).match(/../g) ?? [])].join('-');
    this.hwId = hex('md5', `hw:${this.spec.model}:${this.spec.hwVer}`);
    this.fwId = hex('md5', `fw:${this.spec.model}:${this.spec.fwVer}`);
    this.oemId = hex('md5', `oem:${this.spec.model}`);
    this.ssid = options.ssid ?? 'SimulatedWiFi';
    this.batches = options.batches ?? true;
    this.childPageSize = Math.max(1, options.childPageSize ?? 10);
    const now = this.clock();
    const on = options.on ?? true;
    const seedNumber = parseInt(hex('md5', this.seed).slice(0, 6), 16);
    this.rssi = -40 - (seedNumber % 30);
    const outlet = (id: string, nickname: string, position: number, energy: SmartModelSpec['energy']): SmartOutlet => new SmartOutlet({
      id, nickname, on, now, position, energy, loadW: this.spec.loadW * (0.7 + 0.1 * position), voltage: this.spec.voltage,
      seed: seedNumber + 17 * position, offsetMs: this.offsetMs, historyDays: options.historyDays,
      child: position === 0 ? undefined : childSpecOf(this.spec, position - 1),
    });
    this.main = outlet(this.deviceId, options.nickname ?? `Simulated ${this.spec.name}`, 0, this.spec.energy);
    const strip = this.spec.children;
    // Outlet ids: the strip's device_id and the outlet's two-digit index.
    this.children = strip
      ? Array.from({ length: strip.count }, (_, i) => outlet(
        options.childIds?.[i] ?? `${this.deviceId}${String(i).padStart(2, '0')}`, `Outlet ${i + 1}`, i + 1, strip.energy,
      ))
      : [];
    const range = this.spec.light?.colorTempRange;
    this.light = this.spec.light ? { brightness: 100, colorTemp: range?.[0] ?? 2700, hue: 0, saturation: 100 } : undefined;
  }

  /** Local time minus UTC, as time_diff says. */
  get offsetMs(): number {
    return this.spec.timezone.timeDiffMinutes * 60_000;
  }

  get model(): string {
    return this.spec.name;
  }

  get nickname(): string {
    return this.main.nickname;
  }

  findChild(deviceId: unknown): SmartOutlet | undefined {
    return typeof deviceId === 'string' ? this.children.find((c) => c.id === deviceId) : undefined;
  }

  /** Answers one decrypted request text with the reply text; anything but a JSON object gets -1003. */
  handleJson(text: string): string {
    let request: unknown;
    try {
      request = parseBoundedJson(text);
    } catch {
      return JSON.stringify({ error_code: JSON_DECODE_FAIL });
    }
    return isJsonObject(request) ? this.handleRequest(request) : JSON.stringify({ error_code: JSON_DECODE_FAIL });
  }

  /** handleJson() for a request object parseBoundedJson already made. */
  handleRequest(request: JsonObject): string {
    return replyText(this.handle(request));
  }

  handle(request: JsonObject): JsonObject {
    const target: MethodTarget = { device: this, outlet: this.main, isChild: false };
    if (request.method === 'multipleRequest') {
      if (!this.batches) return { error_code: JSON_DECODE_FAIL };
      return this.batch(target, request.params);
    }
    return this.one(target, request.method, request.params, request);
  }

  /** A request for the device or, inside control_child, for one outlet. */
  one(target: MethodTarget, method: unknown, params: unknown, request: JsonObject = {}): JsonObject {
    if (typeof method !== 'string') return { error_code: JSON_DECODE_FAIL };
    if (this.failWith !== undefined) return { error_code: this.failWith };
    if (method === 'control_child' && !target.isChild) return this.controlChild(params);
    return answerMethod(target, method, params, request, this.clock());
  }

  batch(target: MethodTarget, params: unknown): JsonObject {
    const requests = isJsonObject(params) && Array.isArray(params.requests) ? params.requests : undefined;
    if (!requests) return { error_code: -1008 };
    const responses: JsonObject[] = [];
    for (const inner of requests) {
      const reply = isJsonObject(inner) ? this.one(target, inner.method, inner.params) : { error_code: JSON_DECODE_FAIL };
      responses.push({ method: isJsonObject(inner) ? inner.method : undefined, ...reply });
      if (reply.error_code !== 0) break; // firmware stops at the first error
    }
    return { error_code: 0, result: { responses } };
  }

  private controlChild(params: unknown): JsonObject {
    if (!isJsonObject(params) || !isJsonObject(params.requestData)) return { error_code: -1008 };
    const outlet = this.findChild(params.device_id);
    if (!outlet) return { error_code: -1008 };
    const data = params.requestData;
    const target: MethodTarget = { device: this, outlet, isChild: true };
    const responseData = data.method === 'multipleRequest' ? this.batch(target, data.params) : this.one(target, data.method, data.params);
    return { error_code: 0, result: { responseData } };
  }
}

