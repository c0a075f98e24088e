/**
 * dumpDevice(): asks a device every read-only query we know for its
 * family (classic-queries.ts, smart-queries.ts) and returns the answers
 * as it gave them, error answers included, with what a fixture needs to
 * serve them again. The result is NOT scrubbed: writeDump() (and the CLI)
 * scrub before anything is written; a caller that keeps a dump in memory
 * decides for itself.
 *
 * Classic devices are read through SmartHomeClient's raw channel and told
 * apart by the device layer (classicState); SMART devices through
 * SmartClient, each method alone so that its error_code is its own.
 */
import { writeFile } from 'node:fs/promises';
import { SmartHomeClient } from '../classic/client';
import { readMethodResult, readSysInfo } from '../classic/replies';
import { createTransport } from '../classic/transports';
import { classicState } from '../device/state/classic';
import { smartKind } from '../device/state/smart';
import type { DeviceState } from '../device/types';
import { isJsonObject, type JsonObject } from '../json';
import { KlapTransport } from '../klap/transport';
import { AesTransport } from '../smart/aes/transport';
import { SmartClient } from '../smart/client';
import { readComponents } from '../smart/components';
import { readChildList, readDeviceInfo } from '../smart/device-info';
import { clockOf, type DeviceClock } from '../device/smart/energy-stats';
import { readDeviceTime } from '../smart/energy-data';
import { SmartAuthenticationError, SmartDeviceError } from '../smart/errors';
import type { Transport } from '../transport';
import { classicDeviceQueries, classicOutletQueries, UNKNOWN_METHOD_PROBE, UNKNOWN_MODULE_PROBE, type ClassicQueryOptions } from './classic-queries';
import { DUMP_FORMAT, DUMP_VERSION, formatDump, type ClassicDump, type ClassicExchange, type DeviceDump, type DumpTransport, type SmartDump, type SmartExchange } from './format';
import { scrubDump } from './scrub';
import { smartEnergyStatsQueries, smartQueries, UNKNOWN_SMART_METHOD_PROBE, type SmartQuery } from './smart-queries';

export interface DumpOptions {
  host: string;
  /** 9999 for TCP/UDP, 80 for KLAP and AES by default. */
  port?: number;
  /** 'tcp' (default), 'udp', 'klap' (either family: the device's answer tells which) or 'aes' (SMART). */
  transport?: DumpTransport;
  /** TP-Link cloud account for KLAP and AES (blank for devices never bound to the cloud). */
  username?: string;
  password?: string;
  /** Milliseconds per query (default 5000). */
  timeout?: number;
  /** Also ask for a fresh Wi-Fi scan (slow; its SSIDs are scrubbed like any). */
  wifiScan?: boolean;
  /** The discovery reply, when the caller heard one. */
  discovery?: { port: number; reply: JsonObject };
  /** What wrote the file (default: the library). */
  tool?: string;
  /** Milliseconds since the epoch (default Date.now): the dump's time and the month its statistics are asked for. */
  clock?: () => number;
  /** Called after each query, for progress output. */
  onQuery?: (done: number, what: string) => void;
}

const DEFAULT_TOOL = '@kasa-red/node-red-tplink-kasa dumpDevice()';

/** Dumps the device; rejects when it cannot be reached or a query other than the probes fails on the way. */
export async function dumpDevice(options: DumpOptions): Promise<DeviceDump> {
  const transport = options.transport ?? 'tcp';
  if (transport === 'aes') return dumpSmart(options, 'aes');
  if (transport !== 'klap') return dumpClassic(options, transport);
  const classic = await tryClassicOverKlap(options);
  return classic ?? dumpSmart(options, 'klap');
}

/** Scrubs the dump and writes it; nothing private reaches the disk. */
export async function writeDump(file: string, dump: DeviceDump): Promise<DeviceDump> {
  const scrubbed = scrubDump(dump);
  await writeFile(file, formatDump(scrubbed), 'utf8');
  return scrubbed;
}

function header(options: DumpOptions, state: Pick<DeviceState, 'model' | 'kind'> & { hardware?: string; firmware?: string }, transport: DumpTransport) {
  return {
    format: DUMP_FORMAT, version: DUMP_VERSION, dumpedAt: new Date((options.clock ?? Date.now)()).toISOString(), tool: options.tool ?? DEFAULT_TOOL,
    model: state.model, kind: state.kind, hardware: state.hardware ?? '', firmware: state.firmware ?? '', transport,
  } as const;
}

// ---------------------------------------------------------------- classic

const SYSINFO_QUERY = { system: { get_sysinfo: {} } };

function classicClient(options: DumpOptions, transport: 'tcp' | 'udp' | 'klap', instance: Transport): SmartHomeClient {
  return new SmartHomeClient({ host: options.host, port: instance.port, transport, transportInstance: instance, timeout: options.timeout, retries: 1 });
}

function classicTransport(options: DumpOptions, transport: 'tcp' | 'udp' | 'klap'): Transport {
  return createTransport({
    host: options.host, port: options.port, transport, username: options.username, password: options.password,
    ...(transport === 'klap' ? { klapPort: options.port ?? 80 } : {}),
  });
}

async function dumpClassic(options: DumpOptions, transport: 'tcp' | 'udp'): Promise<ClassicDump> {
  const client = classicClient(options, transport, classicTransport(options, transport));
  try {
    return await classicExchanges(client, options, transport, undefined);
  } finally {
    await client.close();
  }
}

/** Over KLAP either family may answer: a classic dump when the device answers get_sysinfo, undefined when it speaks SMART. */
async function tryClassicOverKlap(options: DumpOptions): Promise<ClassicDump | undefined> {
  const klap = classicTransport(options, 'klap') as KlapTransport;
  const client = classicClient(options, 'klap', klap);
  try {
    const reply = await client.sendUnchecked(SYSINFO_QUERY);
    // A SMART device answers a request without a method with an error_code of its own.
    if (!isJsonObject(reply.system) && typeof reply.error_code === 'number') return undefined;
    return await classicExchanges(client, options, 'klap', klap, reply);
  } finally {
    await client.close();
  }
}

async function classicExchanges(
  client: SmartHomeClient, options: DumpOptions, transport: DumpTransport, klap: KlapTransport | undefined, firstReply?: JsonObject,
): Promise<ClassicDump> {
  const exchanges: ClassicExchange[] = [];
  const ask = async (request: JsonObject, probe = false): Promise<JsonObject | undefined> => {
    let reply: JsonObject;
    try {
      reply = await client.sendUnchecked(request);
    } catch (error) {
      // Some firmware drops the connection on a module it does not know: then it recorded no dialect.
      if (probe) return undefined;
      throw error;
    }
    exchanges.push({ request, reply });
    options.onQuery?.(exchanges.length, JSON.stringify(request));
    return reply;
  };
  const sysinfoReply = firstReply ?? await ask(SYSINFO_QUERY);
  if (firstReply) exchanges.push({ request: SYSINFO_QUERY, reply: firstReply });
  const sysinfo = readMethodResult(sysinfoReply ?? {}, 'system', 'get_sysinfo', readSysInfo, client.address);
  const state = classicState(sysinfo);
  const now = new Date((options.clock ?? Date.now)());
  const plan: ClassicQueryOptions = { year: now.getFullYear(), month: now.getMonth() + 1, wifiScan: options.wifiScan === true };
  for (const request of classicDeviceQueries(state, sysinfo, plan)) {
    const probe = request[UNKNOWN_MODULE_PROBE] !== undefined || Object.values(request).some((m) => isJsonObject(m) && UNKNOWN_METHOD_PROBE in m);
    await ask(request, probe);
  }
  for (const outlet of state.outlets) for (const request of classicOutletQueries(state, outlet.id, plan)) await ask(request);
  const dump: ClassicDump = { ...header(options, state, transport), family: 'classic', exchanges };
  if (klap?.version !== undefined) dump.loginVersion = klap.version;
  if (options.discovery) dump.discovery = options.discovery;
  return dump;
}

// ---------------------------------------------------------------- SMART

async function dumpSmart(options: DumpOptions, transport: 'klap' | 'aes'): Promise<SmartDump> {
  const common = { host: options.host, port: options.port ?? 80, username: options.username, password: options.password };
  const instance = transport === 'aes' ? new AesTransport(common) : new KlapTransport(common);
  const client = new SmartClient({ host: options.host, transportInstance: instance, timeout: options.timeout });
  try {
    return await smartExchanges(client, options, transport, instance);
  } finally {
    await client.close();
  }
}

async function smartExchanges(client: SmartClient, options: DumpOptions, transport: 'klap' | 'aes', instance: AesTransport | KlapTransport): Promise<SmartDump> {
  const exchanges: SmartExchange[] = [];
  const ask = async (query: SmartQuery, child?: string): Promise<SmartExchange> => {
    const exchange: SmartExchange = { ...(child === undefined ? {} : { child }), request: query, reply: await answerOf(client, query, child) };
    exchanges.push(exchange);
    options.onQuery?.(exchanges.length, child === undefined ? query.method : `${query.method} (child ${child})`);
    return exchange;
  };
  const resultOf = (exchange: SmartExchange): unknown => (exchange.reply.error_code === 0 ? exchange.reply.result : undefined);
  const components = readComponents(resultOf(await ask({ method: 'component_nego' })), client.address);
  let info: ReturnType<typeof readDeviceInfo> | undefined;
  let childIds: string[] = [];
  let clock: DeviceClock | undefined;
  for (const query of smartQueries(components, { wifiScan: options.wifiScan === true, child: false })) {
    const exchange = await ask(query);
    if (query.method === 'get_device_info') info = readDeviceInfo(resultOf(exchange), 'get_device_info result', client.address);
    if (query.method === 'get_child_device_list' && exchange.reply.error_code === 0) childIds = readChildList(exchange.reply.result, client.address).map((c) => c.deviceId);
    if (query.method === 'get_device_time' && exchange.reply.error_code === 0) clock = clockOf(readDeviceTime(exchange.reply.result, client.address));
  }
  for (const query of smartEnergyStatsQueries(components, clock)) await ask(query);
  for (const child of childIds) {
    const childComponents = readComponents(resultOf(await ask({ method: 'component_nego' }, child)), client.address);
    for (const query of smartQueries(childComponents, { wifiScan: false, child: true })) await ask(query, child);
    // An outlet's statistics are placed by the device's clock, as the device layer places them.
    for (const query of smartEnergyStatsQueries(childComponents, clock)) await ask(query, child);
  }
  const model = info?.model ?? '';
  // What the device is, as the device layer reads it (a KS240 lists control_child and brightness: a switch with outlets).
  const kind = smartKind(info?.type, components);
  const dump: SmartDump = { ...header(options, { model, kind, hardware: info?.hardware, firmware: info?.firmware }, transport), family: 'smart', exchanges };
  const version = instance instanceof AesTransport ? instance.loginVersion : instance.version;
  if (version !== undefined) dump.loginVersion = version;
  if (options.discovery) dump.discovery = options.discovery;
  return dump;
}

/** A method's answer as the device gave it: its result, or the error_code it refused with. */
async function answerOf(client: SmartClient, query: SmartQuery, child: string | undefined): Promise<SmartExchange['reply']> {
  try {
    const result = await client.call(query.method, query.params, { childId: child });
    return result === undefined ? { error_code: 0 } : { error_code: 0, result };
  } catch (error) {
    if (error instanceof SmartDeviceError && query.method !== 'component_nego') return { error_code: error.errCode };
    // A probe may be refused as a login problem by some firmware; anything else means the dump cannot go on.
    if (error instanceof SmartAuthenticationError && query.method === UNKNOWN_SMART_METHOD_PROBE && error.errCode !== undefined) return { error_code: error.errCode };
    throw error;
  }
}
