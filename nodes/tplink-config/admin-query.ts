/**
 * The admin endpoints' query values, checked before any packet leaves: a
 * host is an IP address or a DNS name, a port an integer from 1 to 65535,
 * a transport one of connect()'s. Anything else is a BadQueryError, which the
 * endpoints answer with 400. Blank values count as absent.
 */
import * as net from 'net';
import { DEVICE_TRANSPORTS, type DeviceTransport } from '../../lib/device/transport-choice';
import type { AdminRequest } from '../types';

export class BadQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadQueryError';
  }
}

/** Letters, digits and hyphens in dot-separated labels of at most 63, at most 253 in all (RFC 1123). */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
/** Linux interface names: at most 15 characters, no slash or space. */
const INTERFACE_NAME = /^[A-Za-z0-9_.:-]{1,15}$/;

/** A single query value, trimmed; undefined when absent or blank. A repeated parameter is bad input. */
export function queryString(req: AdminRequest, name: string): string | undefined {
  const value = req.query[name];
  if (Array.isArray(value)) throw new BadQueryError(`${name} is given more than once`);
  if (value === undefined || typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text.length > 300) throw new BadQueryError(`${name} is too long`);
  return text === '' ? undefined : text;
}

export function queryHost(req: AdminRequest, name: string): string | undefined {
  const host = queryString(req, name);
  if (host === undefined || net.isIP(host) !== 0 || HOST_NAME.test(host)) return host;
  throw new BadQueryError(`${name} ${JSON.stringify(host)} is not an IP address or host name`);
}

export function queryIpv4(req: AdminRequest, name: string): string | undefined {
  const address = queryString(req, name);
  if (address === undefined || net.isIPv4(address)) return address;
  throw new BadQueryError(`${name} ${JSON.stringify(address)} is not an IPv4 address`);
}

export function queryInterface(req: AdminRequest, name: string): string | undefined {
  const iface = queryString(req, name);
  if (iface === undefined || INTERFACE_NAME.test(iface)) return iface;
  throw new BadQueryError(`${name} ${JSON.stringify(iface)} is not a network interface name`);
}

export function queryInteger(req: AdminRequest, name: string, min: number, max: number): number | undefined {
  const text = queryString(req, name);
  if (text === undefined) return undefined;
  const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  throw new BadQueryError(`${name} ${JSON.stringify(text)} is not an integer from ${min} to ${max}`);
}

export function queryTransport(req: AdminRequest, name: string): DeviceTransport {
  const text = queryString(req, name);
  if (text === undefined) return 'tcp';
  if ((DEVICE_TRANSPORTS as readonly string[]).includes(text)) return text as DeviceTransport;
  throw new BadQueryError(`${name} ${JSON.stringify(text)} is not one of ${DEVICE_TRANSPORTS.join(', ')}`);
}
