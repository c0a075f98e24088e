/**
 * Preload for CLI tests (`node --require`): names are resolved from
 * /etc/hosts-style loopback names only, and anything else fails with
 * ENOTFOUND at once, so that a test of an unresolvable host sends no DNS
 * query to the machine's resolver (tests talk to loopback only).
 */
import dns from 'dns';

type LookupCallback = (error: NodeJS.ErrnoException | null, address?: string | dns.LookupAddress[], family?: number) => void;

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain']);
const realLookup = dns.lookup;

function notFound(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  error.code = 'ENOTFOUND';
  error.syscall = 'getaddrinfo';
  return error;
}

function offlineLookup(hostname: string, ...rest: unknown[]): void {
  const callback = rest[rest.length - 1] as LookupCallback;
  if (LOOPBACK_NAMES.has(hostname) || /^[\d.]+$/.test(hostname) || hostname.includes(':')) {
    (realLookup as (...args: unknown[]) => void)(hostname, ...rest);
    return;
  }
  process.nextTick(() => callback(notFound(hostname)));
}

(dns as { lookup: unknown }).lookup = offlineLookup;
(dns.promises as { lookup: unknown }).lookup = (hostname: string, options?: unknown) =>
  new Promise((resolve, reject) => offlineLookup(hostname, options ?? {}, (error: Error | null, address?: unknown, family?: number) =>
    (error ? reject(error) : resolve(Array.isArray(address) ? address : { address, family }))));
