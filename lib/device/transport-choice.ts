/**
 * Which family and transport a device speaks, found by asking it when the
 * caller does not say. 'tcp' and 'udp' are the classic protocol on 9999;
 * 'aes' is SMART over AES securePassthrough; 'klap' carries either family,
 * told apart by the first reply (SMART replies carry an integer error_code,
 * classic ones a module object); 'auto' tries the classic protocol first
 * and, when the port refuses it or answers something else, HTTP:
 * KLAP, or AES when the device has no KLAP endpoint (handshake1 404). A
 * KLAP-only device answers a plain JSON request on /app with
 * {"error_code":1003}, so the HTTP side never needs more than one try of each.
 * Every probe is kept, not repeated: the classic read (on 9999 or over
 * KLAP) is the device's first reading, the KLAP session is the device's.
 */
import { SmartHomeClient } from '../classic/client';
import * as cmd from '../classic/commands';
import { readMethodResult, readSysInfo } from '../classic/replies';
import { checkResponse } from '../classic/response';
import type { TransportName } from '../classic/transports';
import { ConnectionError, ProtocolError } from '../errors';
import { KlapUnsupportedError } from '../klap/handshake';
import { KlapTransport } from '../klap/transport';
import { SmartClient } from '../smart/client';
import type { TrafficHook } from '../traffic';
import { ClassicFamily } from './classic/family';
import type { FamilyAdapter, FamilyRead } from './family';
import { SmartFamily } from './smart/family';
import { classicState } from './state/classic';
import type { DeviceFamily } from './types';

/** How to reach a device: the classic transports, 'aes' (SMART only), or 'auto' (found by asking). */
export type DeviceTransport = TransportName | 'aes';

export const DEVICE_TRANSPORTS: readonly DeviceTransport[] = ['auto', 'tcp', 'udp', 'klap', 'aes'];

/** The HTTP port of KLAP and AES devices. */
export const HTTP_PORT = 80;
export const CLASSIC_PORT = 9999;

/** How to reach a device; connect() takes the same with `transport` optional ('tcp' when left out). */
export interface FamilyChoiceOptions {
  host: string;
  /** TCP/UDP 9999 by default; with 'klap' or 'aes', the HTTP port (80). */
  port?: number;
  transport: DeviceTransport;
  /** TP-Link cloud account for KLAP and AES (blank for devices never bound to the cloud). */
  username?: string;
  password?: string;
  /** Milliseconds per request (default 5000). */
  timeout?: number;
  /** Further attempts for requests that certainly never reached the device (default 2; classic family). */
  retries?: number;
  /** Source address to send from (classic family). */
  localAddress?: string;
  /** With 'auto': the HTTP port (default 80 when `port` is 9999, else `port`). */
  klapPort?: number;
  /** The family when known (discovery says it): saves the probe over KLAP. */
  family?: DeviceFamily;
  /** AES: the login_device version when known (discovery's `lv`). */
  loginVersion?: 1 | 2;
  /** Sees every request and reply, secrets replaced (lib/traffic.ts). */
  onTraffic?: TrafficHook;
}

/** The family to use, and the device's first reading when finding it already read it. */
export interface FamilyChoice {
  family: FamilyAdapter;
  first?: FamilyRead;
}

const DEFAULT_TIMEOUT = 5000;

export async function chooseFamily(options: FamilyChoiceOptions): Promise<FamilyChoice> {
  switch (options.transport) {
    case 'tcp':
    case 'udp':
      return { family: classicFamily(options, options.transport) };
    case 'aes':
      return { family: aesFamily(options, options.port ?? HTTP_PORT) };
    case 'klap':
      return httpFamily(options, options.klapPort ?? options.port ?? HTTP_PORT, false);
    case 'auto':
      return autoFamily(options);
  }
}

function classicFamily(options: FamilyChoiceOptions, transport: 'tcp' | 'udp', retries = options.retries): ClassicFamily {
  return ClassicFamily.open({
    host: options.host, port: options.port, transport, timeout: options.timeout, retries, localAddress: options.localAddress, onTraffic: options.onTraffic,
  });
}

function aesFamily(options: FamilyChoiceOptions, port: number): SmartFamily {
  return new SmartFamily(new SmartClient({
    host: options.host, port, transport: 'aes', username: options.username, password: options.password, loginVersion: options.loginVersion,
    timeout: options.timeout, onTraffic: options.onTraffic,
  }));
}

/**
 * The classic protocol first, once and without retries (a refusal is an
 * answer here); the device that takes it is then opened for good, with its
 * first reading kept.
 */
async function autoFamily(options: FamilyChoiceOptions): Promise<FamilyChoice> {
  const port = options.port ?? CLASSIC_PORT;
  const probe = classicFamily({ ...options, port }, 'tcp', 0);
  let first: FamilyRead;
  try {
    first = await probe.read();
  } catch (error) {
    if (!speaksSomethingElse(error)) throw error;
    return httpFamily(options, options.klapPort ?? (port === CLASSIC_PORT ? HTTP_PORT : port), true);
  } finally {
    await probe.close();
  }
  return { family: classicFamily({ ...options, port }, 'tcp'), first };
}

/** The classic port refused the connection (new firmware closes 9999), or something other than the classic protocol answered on it. */
function speaksSomethingElse(error: unknown): boolean {
  if (error instanceof ConnectionError) return error.syscallCode === 'ECONNREFUSED' || error.syscallCode === 'ECONNRESET';
  return error instanceof ProtocolError;
}

/**
 * KLAP with the family found from the first reply; with `aesAllowed`, AES
 * when the device has no KLAP endpoint. The first request is the classic
 * read (get_sysinfo), so a classic KLAP device (new Kasa firmware) is read
 * exactly as before and that reading kept; a SMART device answers it with
 * an integer error_code and no module, and gets the SMART family over the
 * same session.
 */
async function httpFamily(options: FamilyChoiceOptions, port: number, aesAllowed: boolean): Promise<FamilyChoice> {
  const klap = new KlapTransport({ host: options.host, port, username: options.username, password: options.password });
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  const smart = (): SmartFamily => new SmartFamily(new SmartClient({ host: options.host, transportInstance: klap, timeout, onTraffic: options.onTraffic }));
  const classicClient = (): SmartHomeClient => new SmartHomeClient({
    host: options.host, port, transport: 'klap', transportInstance: klap, timeout, retries: options.retries, onTraffic: options.onTraffic,
  });
  if (options.family === 'smart') return { family: smart() };
  if (options.family === 'classic') return { family: new ClassicFamily(classicClient()) };
  const client = classicClient();
  try {
    const first = await classicReadingOrSmart(client);
    return first === 'smart' ? { family: smart() } : { family: new ClassicFamily(client), first };
  } catch (error) {
    await klap.close();
    if (aesAllowed && error instanceof KlapUnsupportedError) return { family: aesFamily(options, port) };
    throw error;
  }
}

/** The classic read, or 'smart' when the reply is a SMART one (an integer error_code, no module object). */
async function classicReadingOrSmart(client: SmartHomeClient): Promise<FamilyRead | 'smart'> {
  const request = cmd.system.getSysinfo();
  const reply = await client.sendUnchecked(request);
  if (!('system' in reply) && Number.isSafeInteger((reply as Record<string, unknown>).error_code)) return 'smart';
  checkResponse(request, reply, client.address);
  const info = readMethodResult(reply, 'system', 'get_sysinfo', readSysInfo, client.address);
  return { state: classicState(info), info };
}
