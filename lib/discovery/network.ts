/**
 * Where a probe goes out and where it is sent. A limited broadcast
 * (255.255.255.255) leaves by the one interface the routing table picks, so
 * on a host with several networks (a second NIC, Docker or VPN bridges) it
 * misses every other one; the plan adds the directed broadcast of each
 * interface, or of the one chosen by `interface` / `sourceAddress`.
 */
import * as os from 'os';
import * as net from 'net';
import { ConnectionError } from '../errors';

export const LIMITED_BROADCAST = '255.255.255.255';

export interface ProbePlanOptions {
  broadcast?: string;
  port: number;
  sourceAddress?: string;
  interface?: string;
  target?: string;
}

export interface ProbePlan {
  /** Address to bind the socket to (undefined: any). */
  bindAddress: string | undefined;
  destinations: string[];
  broadcast: boolean;
}

interface Ipv4Network {
  name: string;
  address: string;
  broadcast: string | undefined;
}

export type InterfaceTable = NodeJS.Dict<os.NetworkInterfaceInfo[]>;

/** Resolves options into a plan; throws a ConnectionError naming what is wrong. */
export function planProbe(options: ProbePlanOptions, table: InterfaceTable = os.networkInterfaces()): ProbePlan {
  const where = { host: options.target ?? options.broadcast ?? LIMITED_BROADCAST, port: options.port };
  const networks = ipv4Networks(table);
  let bindAddress = options.sourceAddress;
  let chosen: Ipv4Network | undefined;
  if (options.interface !== undefined) {
    chosen = networks.find((n) => n.name === options.interface);
    if (!chosen) {
      const known = [...new Set(networks.map((n) => n.name))].join(', ') || 'none';
      throw new ConnectionError(`no network interface '${options.interface}' with an IPv4 address (known: ${known})`, where);
    }
    if (bindAddress !== undefined && bindAddress !== chosen.address) {
      throw new ConnectionError(`sourceAddress ${bindAddress} is not the address of interface '${options.interface}' (${chosen.address})`, where);
    }
    bindAddress = chosen.address;
  } else if (bindAddress !== undefined) {
    if (net.isIPv4(bindAddress) === false) throw new ConnectionError(`sourceAddress ${bindAddress} is not an IPv4 address`, where);
    chosen = networks.find((n) => n.address === bindAddress);
  }
  if (options.target !== undefined) return { bindAddress, destinations: [options.target], broadcast: false };
  if (options.broadcast !== undefined && options.broadcast !== LIMITED_BROADCAST) {
    return { bindAddress, destinations: [options.broadcast], broadcast: true };
  }
  const directed = bindAddress !== undefined
    ? [chosen?.broadcast]
    : networks.filter((n) => !isLoopback(n.address)).map((n) => n.broadcast);
  const destinations = [LIMITED_BROADCAST, ...directed.filter((b): b is string => b !== undefined)];
  return { bindAddress, destinations: [...new Set(destinations)], broadcast: true };
}

function ipv4Networks(table: InterfaceTable): Ipv4Network[] {
  const out: Ipv4Network[] = [];
  for (const [name, entries] of Object.entries(table)) {
    for (const entry of entries ?? []) {
      if (entry.family !== 'IPv4') continue;
      out.push({ name, address: entry.address, broadcast: entry.internal ? undefined : directedBroadcast(entry.address, entry.netmask) });
    }
  }
  return out;
}

/** The subnet's broadcast address; undefined for /31 and /32 (point-to-point, no broadcast). */
export function directedBroadcast(address: string, netmask: string): string | undefined {
  const a = toInt(address);
  const m = toInt(netmask);
  if (a === undefined || m === undefined || (~m >>> 0) < 3) return undefined;
  return fromInt((a | ~m) >>> 0);
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.');
}

function toInt(address: string): number | undefined {
  if (!net.isIPv4(address)) return undefined;
  return address.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

function fromInt(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}
