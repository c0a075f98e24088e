/**
 * Round trip: sequential get_sysinfo requests to a device process on
 * 127.0.0.1 from (a) our SmartHomeClient, (b) the device layer above it
 * (Device.refresh(): the same request, read into the state model), (c)
 * tplink-smarthome-api's Client, (d) a raw-socket floor: one persistent
 * net.Socket writing a precomputed frame and waiting for the reply's bytes,
 * no decrypt, no parse. (a), (c) and (d) run interleaved, several rounds,
 * after a warm-up; (b) is compared with (a) in alternating batches, pair by
 * pair: the device layer must cost nothing measurable, within 5 % of the
 * request client.
 */
import { fork, type ChildProcess } from 'child_process';
import * as net from 'net';
import * as path from 'path';
import { Client as ApiClient } from 'tplink-smarthome-api';
import { SmartHomeClient } from '../lib/classic/client';
import { connect } from '../lib/device/connect';
import { encodeFrame } from '../lib/classic/framing';
import { median, nowNs, percentile } from './measure';
import { REQUEST } from './payloads';
import type { Figure } from './report';

export interface RoundTripOptions {
  rounds: number;
  /** Requests per client per round. */
  requests: number;
  /** Stop a round early after this long per client. */
  roundMs: number;
}

type Requester = { name: string; once(): Promise<unknown>; close(): Promise<void> };

export async function startDeviceProcess(): Promise<{ port: number; child: ChildProcess }> {
  const child = fork(path.join(__dirname, 'device-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bench device did not start within 10 s')), 10_000);
    child.once('message', (m: { port: number }) => {
      clearTimeout(timer);
      resolve(m.port);
    });
    child.once('exit', (code) => reject(new Error(`bench device exited with ${code}`)));
  });
  return { port, child };
}

export function stopDeviceProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.disconnect();
  });
}

/** The floor: what any client must at least pay for one exchange on a kept-open socket. */
async function rawFloor(port: number): Promise<Requester> {
  const frame = encodeFrame(REQUEST);
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let waiting: (() => void) | undefined;
  let needed = -1;
  let have = 0;
  let header: Buffer | undefined;
  socket.on('data', (chunk: Buffer) => {
    have += chunk.length;
    if (needed < 0) {
      header = header ? Buffer.concat([header, chunk]) : chunk;
      if (header.length >= 4) needed = 4 + header.readUInt32BE(0);
    }
    if (needed >= 0 && have >= needed) {
      have = 0;
      needed = -1;
      header = undefined;
      const done = waiting;
      waiting = undefined;
      done?.();
    }
  });
  return {
    name: 'raw socket floor',
    once: () => new Promise<void>((resolve) => {
      waiting = resolve;
      socket.write(frame);
    }),
    close: async () => {
      socket.destroy();
    },
  };
}

interface Batch {
  rps: number;
  latencies: number[];
}

interface LayerComparison {
  client: Batch[];
  device: Batch[];
}

/** One batch of sequential requests: its rate and each request's latency (µs). */
async function batch(r: { once(): Promise<unknown> }, count: number, deadline: number): Promise<Batch> {
  const latencies: number[] = [];
  const start = nowNs();
  for (let i = 0; i < count && Date.now() < deadline; i++) {
    const t0 = nowNs();
    await r.once();
    latencies.push(Number(nowNs() - t0) / 1e3);
  }
  return { rps: latencies.length / (Number(nowNs() - start) / 1e9), latencies };
}

/**
 * The device layer and the request client, alternating in small batches
 * (the order swapped every pair), so that a machine busy with something
 * else slows both alike: the ratio is taken pair by pair.
 */
async function compareLayer(client: { once(): Promise<unknown> }, device: { once(): Promise<unknown> }, options: RoundTripOptions): Promise<LayerComparison> {
  const pairs = Math.max(10, options.rounds * 10);
  const perBatch = Math.max(100, Math.floor(options.requests / 10));
  const deadline = Date.now() + options.roundMs * options.rounds;
  await batch(client, perBatch, deadline);
  await batch(device, perBatch, deadline);
  const result: LayerComparison = { client: [], device: [] };
  for (let i = 0; i < pairs && Date.now() < deadline; i++) {
    if (i % 2 === 0) {
      result.client.push(await batch(client, perBatch, deadline));
      result.device.push(await batch(device, perBatch, deadline));
    } else {
      result.device.push(await batch(device, perBatch, deadline));
      result.client.push(await batch(client, perBatch, deadline));
    }
  }
  return result;
}

function layerFigures(layer: LayerComparison): Figure[] {
  const pooled = (batches: Batch[]): number[] => batches.flatMap((b) => b.latencies);
  const rateRatios = layer.device.map((d, i) => d.rps / layer.client[i].rps);
  const p50Ratios = layer.device.map((d, i) => percentile(layer.client[i].latencies, 50) / percentile(d.latencies, 50));
  const client = pooled(layer.client);
  const device = pooled(layer.device);
  const detail = { pairs: layer.device.length, samples: { client: client.length, device: device.length }, ratio: 'median of the pairs' };
  return [
    {
      group: 'roundtrip', name: 'device layer throughput (Device.refresh)', unit: 'req/s', ours: median(layer.device.map((b) => b.rps)),
      baseline: median(layer.client.map((b) => b.rps)), baselineName: 'request client', ratio: median(rateRatios), better: 'higher', target: { min: 0.95 }, detail,
    },
    {
      group: 'roundtrip', name: 'device layer p50 latency (Device.refresh)', unit: 'µs', ours: percentile(device, 50), baseline: percentile(client, 50),
      baselineName: 'request client', ratio: median(p50Ratios), better: 'lower', target: { min: 0.95 }, detail,
    },
    {
      group: 'roundtrip', name: 'device layer p99 latency (Device.refresh)', unit: 'µs', ours: percentile(device, 99), baseline: percentile(client, 99),
      baselineName: 'request client', ratio: percentile(client, 99) / percentile(device, 99), better: 'lower', detail,
    },
  ];
}

export async function runRoundTripBench(options: RoundTripOptions): Promise<Figure[]> {
  const { port, child } = await startDeviceProcess();
  try {
    const ours = new SmartHomeClient({ host: '127.0.0.1', port, timeout: 5000 });
    const device = await connect({ host: '127.0.0.1', port, timeout: 5000 });
    const api = new ApiClient({ logLevel: 'error', defaultSendOptions: { timeout: 5000, transport: 'tcp' } });
    const requesters: Requester[] = [
      { name: 'ours', once: () => ours.getSysInfo(), close: () => ours.close() },
      { name: 'tplink-smarthome-api', once: () => api.getSysInfo('127.0.0.1', port), close: async () => undefined },
      await rawFloor(port),
    ];
    const latencies = new Map<string, number[]>(requesters.map((r) => [r.name, []]));
    const rates = new Map<string, number[]>(requesters.map((r) => [r.name, []]));
    const runRound = async (r: Requester, count: number, record: boolean): Promise<void> => {
      const samples: number[] = [];
      const start = nowNs();
      const deadline = Date.now() + options.roundMs;
      for (let i = 0; i < count && Date.now() < deadline; i++) {
        const t0 = nowNs();
        await r.once();
        samples.push(Number(nowNs() - t0) / 1e3);
      }
      const seconds = Number(nowNs() - start) / 1e9;
      if (record) {
        latencies.get(r.name)?.push(...samples);
        rates.get(r.name)?.push(samples.length / seconds);
      }
    };
    const layer = await compareLayer({ once: () => ours.getSysInfo() }, { once: () => device.refresh() }, options);
    await device.close();
    for (const r of requesters) await runRound(r, Math.min(500, options.requests), false);
    for (let round = 0; round < options.rounds; round++) {
      // Rotate the order so that no client always runs first or last.
      for (let k = 0; k < requesters.length; k++) await runRound(requesters[(round + k) % requesters.length], options.requests, true);
    }
    for (const r of requesters) await r.close();

    const stats = (name: string): { rps: number; p50: number; p99: number; n: number } => {
      const lat = latencies.get(name) ?? [];
      return { rps: median(rates.get(name) ?? []), p50: percentile(lat, 50), p99: percentile(lat, 99), n: lat.length };
    };
    const o = stats('ours');
    const a = stats('tplink-smarthome-api');
    const f = stats('raw socket floor');
    const detail = { rounds: options.rounds, samples: { ours: o.n, api: a.n, floor: f.n } };
    return [
      { group: 'roundtrip', name: 'sysinfo throughput', unit: 'req/s', ours: o.rps, baseline: a.rps, baselineName: 'tplink-smarthome-api', ratio: o.rps / a.rps, better: 'higher', target: { min: 3 }, detail },
      { group: 'roundtrip', name: 'sysinfo p50 latency', unit: 'µs', ours: o.p50, baseline: a.p50, baselineName: 'tplink-smarthome-api', ratio: a.p50 / o.p50, better: 'lower', detail },
      { group: 'roundtrip', name: 'sysinfo p99 latency', unit: 'µs', ours: o.p99, baseline: a.p99, baselineName: 'tplink-smarthome-api', ratio: a.p99 / o.p99, better: 'lower', detail },
      // Against the floor the ratio is ours/floor: the target is to stay within 1.3x of it.
      { group: 'roundtrip', name: 'p50 latency vs floor (ours/floor)', unit: 'µs', ours: o.p50, baseline: f.p50, baselineName: 'raw socket floor', ratio: o.p50 / f.p50, better: 'lower', target: { max: 1.3 }, detail },
      { group: 'roundtrip', name: 'p99 latency vs floor (ours/floor)', unit: 'µs', ours: o.p99, baseline: f.p99, baselineName: 'raw socket floor', ratio: o.p99 / f.p99, better: 'lower', target: { max: 1.3 }, detail },
      { group: 'roundtrip', name: 'throughput vs floor (floor/ours)', unit: 'req/s', ours: o.rps, baseline: f.rps, baselineName: 'raw socket floor', ratio: f.rps / o.rps, better: 'lower', detail },
      // The device layer against the request client it runs on: the state model must cost nothing measurable.
      ...layerFigures(layer),
    ];
  } finally {
    await stopDeviceProcess(child);
  }
}
