/**
 * SMART round trip: sequential get_device_info requests to a simulated
 * P110 over KLAP and a simulated P100 over AES securePassthrough (both in
 * a device process of their own) from (a) our SmartClient, (b)
 * tp-link-tapo-connect, (c) a floor that writes precomputed encrypted
 * requests on a kept-open socket and only waits for the reply's bytes,
 * (d) that floor also decrypting and parsing each reply (informative).
 * Each client runs in its own process (tapo-connect's AES login needs a
 * Node flag ours must not have; see smart-client-process.ts); the parent
 * runs their rounds one after another, rotating the order, after a warm-up.
 *
 * The ratios are paired: each round gives one ratio from clients measured
 * back to back (ours against the floor, ours against tapo-connect), and the
 * figure is the median of those, as compareSync does for the codec bench.
 * This VM's speed drifts by tens of per cent over seconds; pooling every
 * round's samples let a slow spell that fell on one client's rounds decide
 * the ratio. The pooled percentiles stay in each figure's detail.
 */
import { fork, type ChildProcess } from 'child_process';
import * as path from 'path';
import { median, percentile } from './measure';
import type { Figure } from './report';
import { stopDeviceProcess } from './roundtrip';
import type { RoundResult, SmartBenchClient, SmartBenchTransport } from './smart-payloads';

export interface SmartRoundTripOptions {
  rounds: number;
  /** Requests per client per round. */
  requests: number;
  /** Stop a round early after this long per client. */
  roundMs: number;
  transports?: readonly SmartBenchTransport[];
}

const CLIENTS: readonly SmartBenchClient[] = ['ours', 'tapo-connect', 'floor', 'floor-read'];
const START_TIMEOUT_MS = 20_000;

function forkReady(script: string, args: string[], execArgv: string[]): Promise<{ child: ChildProcess; ready: Record<string, unknown> }> {
  const child = fork(path.join(__dirname, script), args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.once('message', (m: Record<string, unknown>) => {
      clearTimeout(timer);
      resolve({ child, ready: m });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}`));
    });
  });
}

/** Sends `message` and resolves with the next reply from `child`. */
function ask<T>(child: ChildProcess, message: object, limitMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench process did not answer ${JSON.stringify(message)} within ${limitMs} ms`)), limitMs);
    child.once('message', (m: T) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.send(message);
  });
}

const deviceCpu = async (device: ChildProcess): Promise<number> => (await ask<{ micros: number }>(device, { cmd: 'cpu' }, START_TIMEOUT_MS)).micros;

interface ClientStats {
  /** Medians over rounds of each round's rate and p50. */
  rps: number;
  p50: number;
  /** Over every round's samples together. */
  pooledP50: number;
  p99: number;
  n: number;
  /** CPU µs per request in the client's process and in the device's (medians over rounds). */
  clientCpu: number;
  deviceCpu: number;
  /** Per round, in round order: the rate (req/s) and the p50 (µs). */
  roundRates: number[];
  roundP50s: number[];
}

async function measureTransport(
  transport: SmartBenchTransport, port: number, device: ChildProcess, options: SmartRoundTripOptions,
): Promise<Map<SmartBenchClient, ClientStats>> {
  const children = new Map<SmartBenchClient, ChildProcess>();
  try {
    for (const client of CLIENTS) {
      const execArgv = client === 'tapo-connect' ? ['--security-revert=CVE-2023-46809'] : [];
      children.set(client, (await forkReady('smart-client-process.js', [client, transport, String(port)], execArgv)).child);
    }
    const samples = new Map(CLIENTS.map((c) => [c, {
      latencies: [] as number[], rates: [] as number[], p50s: [] as number[], clientCpu: [] as number[], deviceCpu: [] as number[],
    }]));
    const runRound = (client: SmartBenchClient, requests: number): Promise<RoundResult> =>
      ask<RoundResult>(children.get(client) as ChildProcess, { cmd: 'round', requests, roundMs: options.roundMs }, options.roundMs + START_TIMEOUT_MS);
    for (const client of CLIENTS) await runRound(client, Math.min(500, options.requests));
    for (let round = 0; round < options.rounds; round++) {
      // Rotate the order so that no client always runs first or last.
      for (let k = 0; k < CLIENTS.length; k++) {
        const client = CLIENTS[(round + k) % CLIENTS.length] as SmartBenchClient;
        const deviceBefore = await deviceCpu(device);
        const result = await runRound(client, options.requests);
        // The device also counts the round's untimed first exchange: one in thousands.
        const deviceUsed = (await deviceCpu(device)) - deviceBefore;
        const mine = samples.get(client);
        const count = result.latencies.length;
        mine?.latencies.push(...result.latencies);
        mine?.rates.push(count / result.seconds);
        mine?.p50s.push(percentile(result.latencies, 50));
        mine?.clientCpu.push(result.cpuMicros / count);
        mine?.deviceCpu.push(deviceUsed / count);
      }
    }
    return new Map(CLIENTS.map((c) => {
      const mine = samples.get(c);
      const lat = mine?.latencies ?? [];
      const rates = mine?.rates ?? [];
      const p50s = mine?.p50s ?? [];
      return [c, {
        rps: median(rates), p50: median(p50s), pooledP50: percentile(lat, 50), p99: percentile(lat, 99), n: lat.length,
        clientCpu: median(mine?.clientCpu ?? []), deviceCpu: median(mine?.deviceCpu ?? []), roundRates: rates, roundP50s: p50s,
      }];
    }));
  } finally {
    await Promise.all([...children.values()].map((child) => stopDeviceProcess(child)));
  }
}

/** Round r's a[r]/b[r], for rounds measured back to back; the figure is their median. */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  return a.slice(0, b.length).map((value, r) => value / (b[r] as number));
}

const spread = (ratios: readonly number[]): { min: number; median: number; max: number } =>
  ({ min: Math.min(...ratios), median: median(ratios), max: Math.max(...ratios) });

function figuresFor(transport: SmartBenchTransport, stats: Map<SmartBenchClient, ClientStats>, rounds: number): Figure[] {
  const o = stats.get('ours') as ClientStats;
  const t = stats.get('tapo-connect') as ClientStats;
  const f = stats.get('floor') as ClientStats;
  const r = stats.get('floor-read') as ClientStats;
  const group = `smart ${transport}`;
  const what = transport === 'klap' ? 'P110 KLAP get_device_info' : 'P100 AES get_device_info';
  const cpu = (c: ClientStats): { client: number; device: number } => ({ client: Math.round(c.clientCpu), device: Math.round(c.deviceCpu) });
  const pooled = (c: ClientStats): { p50: number; p99: number } => ({ p50: c.pooledP50, p99: c.p99 });
  const detail = {
    rounds, samples: { ours: o.n, tapoConnect: t.n, floor: f.n },
    pooledLatencyMicros: { ours: pooled(o), tapoConnect: pooled(t), floor: pooled(f), floorRead: pooled(r) },
    cpuMicrosPerRequest: { ours: cpu(o), tapoConnect: cpu(t), floor: cpu(f), floorRead: cpu(r) },
  };
  // Each ratio: per round, then the median (see the file comment); its spread over rounds in the detail.
  const paired = (a: readonly number[], b: readonly number[]): { ratio: number; detail: Record<string, unknown> } => {
    const ratios = pairedRatios(a, b);
    return { ratio: median(ratios), detail: { ...detail, roundRatios: spread(ratios) } };
  };
  const peer = 'tp-link-tapo-connect';
  const floorName = 'precomputed-request floor';
  return [
    { group, name: `${what} throughput`, unit: 'req/s', ours: o.rps, baseline: t.rps, baselineName: peer, better: 'higher', target: { min: 3 }, ...paired(o.roundRates, t.roundRates) },
    { group, name: `${what} p50 latency`, unit: 'µs', ours: o.p50, baseline: t.p50, baselineName: peer, better: 'lower', ...paired(t.roundP50s, o.roundP50s) },
    { group, name: `${what} p99 latency`, unit: 'µs', ours: o.p99, baseline: t.p99, baselineName: peer, ratio: t.p99 / o.p99, better: 'lower', detail },
    // Against the floor the ratio is ours/floor: the target is to stay within 1.3x of it.
    { group, name: 'p50 latency vs floor (ours/floor)', unit: 'µs', ours: o.p50, baseline: f.p50, baselineName: floorName, better: 'lower', target: { max: 1.3 }, ...paired(o.roundP50s, f.roundP50s) },
    { group, name: 'p99 latency vs floor (ours/floor)', unit: 'µs', ours: o.p99, baseline: f.p99, baselineName: floorName, ratio: o.p99 / f.p99, better: 'lower', detail },
    { group, name: 'throughput vs floor (floor/ours)', unit: 'req/s', ours: o.rps, baseline: f.rps, baselineName: floorName, better: 'lower', target: { max: 1.3 }, ...paired(f.roundRates, o.roundRates) },
    // Informative, no target: the floor that also decrypts and parses each reply, as every client must.
    { group, name: 'p50 latency vs floor that reads replies (ours/floor-read)', unit: 'µs', ours: o.p50, baseline: r.p50, baselineName: 'floor, replies decrypted and parsed', better: 'lower', ...paired(o.roundP50s, r.roundP50s) },
    { group, name: 'client CPU per request', unit: 'µs', ours: o.clientCpu, baseline: t.clientCpu, baselineName: peer, ratio: t.clientCpu / o.clientCpu, better: 'lower', detail },
    // Fairness check: the device works as hard for every client (ratio near 1).
    { group, name: 'device CPU per request (floor/ours)', unit: 'µs', ours: o.deviceCpu, baseline: f.deviceCpu, baselineName: floorName, ratio: f.deviceCpu / o.deviceCpu, better: 'lower', detail },
  ];
}

export async function runSmartRoundTripBench(options: SmartRoundTripOptions): Promise<Figure[]> {
  const { child, ready } = await forkReady('smart-device-process.js', [], []);
  try {
    const ports = ready.devices as Record<SmartBenchTransport, number>;
    const figures: Figure[] = [];
    for (const transport of options.transports ?? ['klap', 'aes']) {
      figures.push(...figuresFor(transport, await measureTransport(transport, ports[transport], child, options), options.rounds));
    }
    return figures;
  } finally {
    await stopDeviceProcess(child);
  }
}
