/**
 * The simulator's own models as device dumps, in test/fixtures/devices/:
 * each model is started on loopback with a fixed seed and a fixed clock,
 * dumped by the code behind `tplink-smartplug --dump` (dumpDevice, then
 * writeDump, which scrubs), and written as sim-<MODEL>.json, so that the
 * same simulator always gives the same files. Run after a model changes:
 *
 *     npm run fixtures:dump
 *
 * Dumps of real devices sit beside these files and are never touched here.
 * The tests use dumpSimulated() to make the same dumps in memory.
 */
import * as path from 'node:path';
import { dumpDevice, writeDump } from '../lib/dump/dump';
import { probeDiscovery20002 } from '../lib/dump/discovery';
import type { DeviceDump } from '../lib/dump/format';
import { startDevice } from '../lib/simulator/device-server';
import { startKlapDevice } from '../lib/simulator/klap-device';
import { MODEL_NAMES } from '../lib/simulator/models';
import { startSmartDevice } from '../lib/simulator/smart/server';
import { smartModelNames } from '../lib/simulator/smart/models';

/** Mid-month, so that the day statistics hold a fortnight; a weekday morning. */
export const FIXTURE_TIME = Date.UTC(2026, 0, 15, 9, 30, 0);
const clock = (): number => FIXTURE_TIME;
/** The simulated devices' seed and history, exported so that a test can start the very device a fixture was dumped from. */
export const FIXTURE_SEED = 'device-fixture';
export const FIXTURE_HISTORY_DAYS = 20;
/** Classic models also dumped over KLAP (new firmware closes 9999). */
const KLAP_MODELS = ['KP115'];

export interface SimulatedSource {
  /** The fixture's file name. */
  file: string;
  family: 'classic' | 'smart';
  model: string;
  /** Classic over KLAP rather than TCP. */
  klap?: boolean;
}

export function simulatedSources(): SimulatedSource[] {
  return [
    ...MODEL_NAMES.map((model) => ({ file: `sim-${model}.json`, family: 'classic' as const, model })),
    ...KLAP_MODELS.map((model) => ({ file: `sim-${model}-klap.json`, family: 'classic' as const, model, klap: true })),
    ...smartModelNames().map((model) => ({ file: `sim-${model}.json`, family: 'smart' as const, model })),
  ];
}

/**
 * The discovery reply as a device on a LAN sends it: HTTP on port 80, not
 * the free port the simulator had to take on loopback (a fixture
 * advertises wherever it listens anyway), so that the files do not change
 * from run to run.
 */
async function discoveryOf(host: string, port: number | undefined): Promise<DeviceDump['discovery']> {
  const heard = await probeDiscovery20002({ host, port });
  const scheme = heard?.reply.mgt_encrypt_schm;
  if (!heard || typeof scheme !== 'object' || scheme === null) return heard;
  return { port: heard.port, reply: { ...heard.reply, mgt_encrypt_schm: { ...scheme, http_port: 80 } } };
}

export interface SimulatedDumpOptions {
  /** The simulator's clock (default FIXTURE_TIME, frozen). */
  clock?: () => number;
  /** Changes the simulated device before it is dumped (a test giving it private data to scrub). */
  prepare?: (device: unknown) => void;
}

/** Starts the model, dumps it (not scrubbed) and stops it. */
export async function dumpSimulated(source: SimulatedSource, options: SimulatedDumpOptions = {}): Promise<DeviceDump> {
  const simClock = options.clock ?? clock;
  const common = { model: source.model, seed: FIXTURE_SEED, clock: simClock, historyDays: FIXTURE_HISTORY_DAYS, host: '127.0.0.1', port: 0 };
  const dump = { host: '127.0.0.1', clock, tool: 'tplink-smartplug --dump (scripts/device-fixtures.ts)' };
  if (source.family === 'smart') {
    const running = await startSmartDevice({ ...common, discovery20002: 0 });
    options.prepare?.(running.device);
    try {
      const discovery = await discoveryOf(running.host, running.discoveryPort);
      return await dumpDevice({ ...dump, port: running.port, transport: running.transport, discovery });
    } finally {
      await running.close();
    }
  }
  if (source.klap) {
    const running = await startKlapDevice({ ...common, klap: { version: 2, port: 0 }, discovery20002: 0 });
    options.prepare?.(running.running.device);
    try {
      const discovery = await discoveryOf(running.host, running.discoveryPort);
      return await dumpDevice({ ...dump, port: running.klapPort, transport: 'klap', discovery });
    } finally {
      await running.close();
    }
  }
  const running = await startDevice(common);
  options.prepare?.(running.device);
  try {
    return await dumpDevice({ ...dump, port: running.port, transport: 'tcp' });
  } finally {
    await running.close();
  }
}

async function main(): Promise<void> {
  const dir = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'devices');
  for (const source of simulatedSources()) {
    const written = await writeDump(path.join(dir, source.file), await dumpSimulated(source));
    console.log(`${source.file}: ${written.model} ${written.kind}, ${written.exchanges.length} answers`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  });
}
