/**
 * The demo's simulated devices, on fixed loopback addresses with the real
 * ports so that the example flows can name them. Linux routes all of
 * 127.0.0.0/8 to lo, so every address below works without any setup.
 *
 *   <base>11:9999  HS100  "Desk lamp"        (starts off)
 *   <base>12:9999  HS110  "Washing machine"  (energy meter, load follows a wash cycle)
 *   <base>13:9999  KP115  "Fridge"           (energy meter)
 *   <base>14:9999  HS300  "Power strip"      (six metered outlets)
 *   <base>15:1040  TDDP responder
 *   <base>16:9999  HS105  "Garden lights"    (drops off the network 40 s in every 90 s)
 *   <base>17:9999  HS105  "Porch light"      (starts off)
 *   <base>19       nothing: the "unplugged" device of the error-handling example
 *   <base>255:9999 discovery: a probe sent here reaches every device above
 */
import { startFleet, type RunningDevice, type RunningFleet, type StartDeviceOptions } from '../../lib/simulator';
import { startTddpResponder, type TddpResponder } from '../../lib/simulator/tddp-responder';

export interface FleetEntry {
  host: string;
  port: number;
  model: string;
  alias: string;
  note?: string;
}

export interface DemoFleet {
  entries: FleetEntry[];
  /** Where tplink-discover and the editor's search send their probe. */
  discoveryAddress: string;
  devices: RunningDevice[];
  close(): Promise<void>;
}

/** Meters start with this much (seeded, day-to-day varying) history, so daily totals have something to show. */
const HISTORY_DAYS = 7;

/** Wash cycle: [seconds, load scale] on the HS110's 120 W base load. */
const WASH_CYCLE: ReadonlyArray<readonly [number, number]> = [
  [25, 15], // heating ~1.8 kW
  [30, 1.6], // washing
  [15, 0.4], // draining
  [20, 4], // spinning
  [30, 0.03], // idle
];

const GARDEN_ONLINE_MS = 50_000;
const GARDEN_OFFLINE_MS = 40_000;

export function fleetSpecs(base: string): StartDeviceOptions[] {
  return [
    { model: 'HS100', alias: 'Desk lamp', host: `${base}11`, port: 9999, seed: 'demo-desk-lamp', on: false },
    { model: 'HS110', alias: 'Washing machine', host: `${base}12`, port: 9999, seed: 'demo-washer', historyDays: HISTORY_DAYS },
    { model: 'KP115', alias: 'Fridge', host: `${base}13`, port: 9999, seed: 'demo-fridge', historyDays: HISTORY_DAYS },
    {
      model: 'HS300', alias: 'Power strip', host: `${base}14`, port: 9999, seed: 'demo-strip',
      childAliases: ['TV', 'Game console', 'Router', 'Desk fan', 'Speakers', 'Phone charger'],
    },
    { model: 'HS105', alias: 'Garden lights', host: `${base}16`, port: 9999, seed: 'demo-garden' },
    { model: 'HS105', alias: 'Porch light', host: `${base}17`, port: 9999, seed: 'demo-porch', on: false },
  ];
}

export async function startDemoFleet(base: string, tddpReplyPort: number): Promise<DemoFleet> {
  const specs = fleetSpecs(base);
  const discoveryAddress = `${base}255`;
  const fleet: RunningFleet = await startFleet({ devices: specs, broadcastListener: { host: discoveryAddress, port: 9999 } });
  let tddp: TddpResponder;
  try {
    tddp = await startTddpResponder({ host: `${base}15`, port: 1040, replyPort: tddpReplyPort });
  } catch (error) {
    await fleet.close();
    throw error;
  }
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const later = (ms: number, fn: () => void): void => {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) fn();
    }, ms);
    timers.add(timer);
  };

  const washer = fleet.devices.find((d) => d.alias === 'Washing machine');
  if (washer) {
    let step = 0;
    const nextStep = (): void => {
      const [seconds, scale] = WASH_CYCLE[step % WASH_CYCLE.length];
      const device = washer.device;
      device.main.meter?.update(device.clock(), device.localOffsetMs, { scale });
      step++;
      later(seconds * 1000, nextStep);
    };
    nextStep();
  }

  const garden = fleet.devices.find((d) => d.alias === 'Garden lights');
  if (garden) {
    const goOffline = (): void => {
      garden.offline().catch(() => undefined).finally(() => later(GARDEN_OFFLINE_MS, goOnline));
    };
    const goOnline = (): void => {
      garden.online().catch(() => undefined).finally(() => later(GARDEN_ONLINE_MS, goOffline));
    };
    later(GARDEN_ONLINE_MS, goOffline);
  }

  const notes: Record<string, string> = {
    'Washing machine': 'load follows a wash cycle',
    'Desk lamp': 'starts off',
    'Porch light': 'starts off',
    'Garden lights': `offline ${GARDEN_OFFLINE_MS / 1000} s in every ${(GARDEN_ONLINE_MS + GARDEN_OFFLINE_MS) / 1000} s`,
  };
  const entries: FleetEntry[] = fleet.devices.map((d) => {
    const entry: FleetEntry = { host: d.host, port: d.port, model: d.model, alias: d.alias };
    if (notes[d.alias]) entry.note = notes[d.alias];
    return entry;
  });
  entries.push({ host: `${base}15`, port: 1040, model: 'TDDP', alias: 'TDDP responder', note: `replies to UDP ${tddpReplyPort}` });
  entries.sort((a, b) => a.host.localeCompare(b.host, 'en', { numeric: true }));

  return {
    entries,
    discoveryAddress,
    devices: fleet.devices,
    async close(): Promise<void> {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all([fleet.close(), tddp.close()]);
    },
  };
}
