/** Defaults and derived timings shared by `discover()` and the scanner. */
import { planProbe, type ProbePlan } from './network';
import { DISCOVERY_20004_PORT } from './smart-reply';
import { DISCOVERY_20002_PORT } from './tdp';
import type { DiscoverOptions, DiscoveredKind } from './types';

export const DEFAULT_PORT = 9999;
export const DEFAULT_TIMEOUT = 3000;
export const DEFAULT_PROBES = 3;

export interface DiscoverySettings {
  plan: ProbePlan;
  timeout: number;
  probes: number;
  /** Milliseconds between repeated probes: they fit in the first half of the window. */
  spacing: number;
  socket: { bindAddress: string | undefined; port: number; kinds: readonly DiscoveredKind[]; tdpPorts: readonly number[] };
}

export function resolveSettings(options: DiscoverOptions): DiscoverySettings {
  const port = options.port ?? DEFAULT_PORT;
  const timeout = resolveTimeout(options);
  const probes = Math.min(10, Math.max(1, Math.floor(positive(options.probes, DEFAULT_PROBES))));
  const plan = planProbe({ ...options, port });
  return {
    plan,
    timeout,
    probes,
    spacing: probes > 1 ? Math.min(500, Math.floor(timeout / 2 / (probes - 1))) : 0,
    socket: {
      bindAddress: plan.bindAddress,
      port,
      kinds: options.kinds ?? ['plug'],
      tdpPorts: tdpPortsOf(options),
    },
  };
}

/** SMART devices answer the same probe on 20002 and on 20004 (python-kasa sends to both). */
function tdpPortsOf(options: DiscoverOptions): readonly number[] {
  if (!options.includeKlap) return [];
  return options.klapPort === undefined ? [DISCOVERY_20002_PORT, DISCOVERY_20004_PORT] : [options.klapPort];
}

export function resolveTimeout(options: Pick<DiscoverOptions, 'timeout'>): number {
  return positive(options.timeout, DEFAULT_TIMEOUT);
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}
