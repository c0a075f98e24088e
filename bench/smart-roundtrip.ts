/**
 * SMART round trip: sequential get_device_info requests to a simulated
 * P110 over KLAP and a simulated P100 over AES securePassthrough (both in
 * a device process of their own) from (a) our SmartClient, (b)
 * tp-link-tapo-connect, (c) a floor that writes precomputed encrypted
 * requests on a kept-open socket and only waits for the reply's bytes.
 * Each client runs in its own process (tapo-connect's AES login needs a
 * Node flag ours must not have; see smart-client-process.ts); the parent
 * runs their rounds one after another, rotating the order, after a warm-up.
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

const CLIENTS: readonly SmartBenchClient[] = ['ours', 'tapo-connect', 'floor'];
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
  rps: number;
  p50: number;
  p99: number;
  n: number;
  /** CPU µs per request in the client's process and in the device's (medians over rounds). */
  clientCpu: number;
  deviceCpu: number;
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
    const samples = new Map(CLIENTS.map((c) => [c, { latencies: [] as number[], rates: [] as number[], clientCpu: [] as number[], deviceCpu: [] as number[] }]));
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
        mine?.clientCpu.push(result.cpuMicros / count);
        mine?.deviceCpu.push(deviceUsed / count);
      }
    }
    return new Map(CLIENTS.map((c) => {
      const mine = samples.get(c);
      const lat = mine?.latencies ?? [];
      return [c, {
        rps: median(mine?.rates ?? []), p50: percentile(lat, 50), p99: percentile(lat, 99), n: lat.length,
        clientCpu: median(mine?.clientCpu ?? []), deviceCpu: median(mine?.deviceCpu ?? []),
      }];
    }));
  } finally {
    await Promise.all([...children.values()].map((child) => stopDeviceProcess(child)));
  }
}

function figuresFor(transport: SmartBenchTransport, stats: Map<SmartBenchClient, ClientStats>, rounds: number): Figure[] {
  const o = stats.get('ours') as ClientStats;
  const t = stats.get('tapo-connect') as ClientStats;
  const f = stats.get('floor') as ClientStats;
  const group = `smart ${transport}`;
  const what = transport === 'klap' ? 'P110 KLAP get_device_info' : 'P100 AES get_device_info';
  const cpu = (c: ClientStats): { client: number; device: number } => ({ client: Math.round(c.clientCpu), device: Math.round(c.deviceCpu) });
  const detail = {
    rounds, samples: { ours: o.n, tapoConnect: t.n, floor: f.n },
    cpuMicrosPerRequest: { ours: cpu(o), tapoConnect: cpu(t), floor: cpu(f) },
  };
  const peer = 'tp-link-tapo-connect';
  return [
    { group, name: `${what} throughput`, unit: 'req/s', ours: o.rps, baseline: t.rps, baselineName: peer, ratio: o.rps / t.rps, better: 'higher', target: { min: 3 }, detail },
    { group, name: `${what} p50 latency`, unit: 'µs', ours: o.p50, baseline: t.p50, baselineName: peer, ratio: t.p50 / o.p50, better: 'lower', detail },
    { group, name: `${what} p99 latency`, unit: 'µs', ours: o.p99, baseline: t.p99, baselineName: peer, ratio: t.p99 / o.p99, better: 'lower', detail },
    // Against the floor the ratio is ours/floor: the target is to stay within 1.3x of it.
    { group, name: 'p50 latency vs floor (ours/floor)', unit: 'µs', ours: o.p50, baseline: f.p50, baselineName: 'precomputed-request floor', ratio: o.p50 / f.p50, better: 'lower', target: { max: 1.3 }, detail },
    { group, name: 'p99 latency vs floor (ours/floor)', unit: 'µs', ours: o.p99, baseline: f.p99, baselineName: 'precomputed-request floor', ratio: o.p99 / f.p99, better: 'lower', detail },
    { group, name: 'throughput vs floor (floor/ours)', unit: 'req/s', ours: o.rps, baseline: f.rps, baselineName: 'precomputed-request floor', ratio: f.rps / o.rps, better: 'lower', target: { max: 1.3 }, detail },
    { group, name: 'client CPU per request', unit: 'µs', ours: o.clientCpu, baseline: t.clientCpu, baselineName: peer, ratio: t.clientCpu / o.clientCpu, better: 'lower', detail },
    // Fairness check: the device works as hard for every client (ratio near 1).
    { group, name: 'device CPU per request (floor/ours)', unit: 'µs', ours: o.deviceCpu, baseline: f.deviceCpu, baselineName: 'precomputed-request floor', ratio: f.deviceCpu / o.deviceCpu, better: 'lower', detail },
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
