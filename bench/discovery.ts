/**
 * Discovery: sweeps over 250 simulated devices in the LAN test bed
 * (test/lan: network namespaces, needs root), ours against
 * tplink-smarthome-api's startDiscovery, alternating, several rounds.
 * Completeness = devices found; time = when the last device found answered.
 */
import { createLan } from '../test/lan/lan';
import { median } from './measure';
import type { Figure } from './report';

export interface DiscoveryOptions {
  devices: number;
  rounds: number;
  windowMs: number;
  log?: (line: string) => void;
}

interface Sweep {
  found: number;
  lastReplyMs: number;
}

export async function runDiscoveryBench(options: DiscoveryOptions): Promise<Figure[]> {
  const lan = await createLan({ devices: options.devices, subnet: '192.0.2' });
  const tools = [
    { name: 'ours', tool: 'ours', args: { timeout: options.windowMs } },
    // Its default interval (10 s) would send one probe per window; the same probes-per-window as ours (3) is fairer to it.
    { name: 'tplink-smarthome-api', tool: 'tplink-smarthome-api', args: { timeout: options.windowMs, interval: Math.floor(options.windowMs / 3) } },
  ];
  const results = new Map<string, Sweep[]>(tools.map((t) => [t.name, []]));
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (const t of round % 2 === 0 ? tools : [...tools].reverse()) {
        const run = await lan.runInClient('discover-client', [t.tool, JSON.stringify(t.args)], options.windowMs + 20_000);
        const result = run.messages[0] as { devices?: unknown[]; lastReplyMs?: number } | undefined;
        if (!result || !Array.isArray(result.devices)) throw new Error(`${t.name}: no result: ${run.stderr}`);
        results.get(t.name)?.push({ found: result.devices.length, lastReplyMs: Number(result.lastReplyMs) });
        options.log?.(`  round ${round + 1} ${t.name}: ${result.devices.length} found, last reply at ${result.lastReplyMs} ms`);
      }
    }
  } finally {
    await lan.destroy();
  }
  const ours = results.get('ours') ?? [];
  const api = results.get('tplink-smarthome-api') ?? [];
  const minFound = (s: Sweep[]): number => Math.min(...s.map((x) => x.found));
  const time = (s: Sweep[]): number => median(s.map((x) => x.lastReplyMs));
  const detail = { devices: options.devices, rounds: options.rounds, windowMs: options.windowMs, ours, api };
  return [
    { group: 'discovery', name: `devices found of ${options.devices} (worst round)`, unit: 'devices', ours: minFound(ours), baseline: minFound(api), baselineName: 'tplink-smarthome-api', ratio: minFound(ours) / Math.max(1, minFound(api)), better: 'higher', detail },
    { group: 'discovery', name: 'sweep complete at (median)', unit: 'ms', ours: time(ours), baseline: time(api), baselineName: 'tplink-smarthome-api', ratio: time(api) / time(ours), better: 'lower', detail },
  ];
}
