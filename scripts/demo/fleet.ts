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
 *   <base>21:8080  P110   "Dishwasher"       (Tapo, SMART over KLAP, energy meter, load follows a dish cycle)
 *   <base>22:8080  P300   "Tapo strip"       (Tapo, SMART over KLAP, three outlets)
 *   <base>23:9999  KL130  "Living room lamp" (colour bulb, energy meter)
 *   <base>24:9999  KL430  "TV backlight"     (light strip, starts off)
 *   <base>25:9999  HS220  "Hall dimmer"      (wall dimmer)
 *   <base>26:9999  LB110  "Reading lamp"     (a bulb no example uses yet: for the editor's search)
 *   <base>255:9999 and :20002  discovery: a probe sent here reaches every device above
 *
 * The Tapo devices are bound to DEMO_ACCOUNT, as real ones are bound to
 * their owner's TP-Link cloud account, and listen on 8080 instead of 80
 * (which only root may open); a real one's port is 80.
 */
import * as dgram from 'dgram';
import { startFleet, type RunningDevice, type RunningFleet, type StartDeviceOptions } from '../../lib/simulator';
import { startSmartDevice, type RunningSmartDevice } from '../../lib/simulator/smart/server';
import { startTddpResponder, type TddpResponder } from '../../lib/simulator/tddp-responder';
import { DISCOVERY_20002_PORT } from '../../lib/discovery/tdp';

export interface FleetEntry {
  host: string;
  port: number;
  model: string;
  alias: string;
  note?: string;
}

/** The TP-Link account the demo's Tapo devices are bound to (printed by `npm start`; the Tapo example's config node has it). */
export const DEMO_ACCOUNT = { username: 'demo@example.com', password: 'tapo-demo' } as const;

/** Where the demo's SMART devices listen: a real one uses 80, which needs root. */
export const DEMO_SMART_PORT = 8080;

export interface DemoFleet {
  entries: FleetEntry[];
  /** Where tplink-discover and the editor's search send their probe. */
  discoveryAddress: string;
  devices: RunningDevice[];
  smartDevices: RunningSmartDevice[];
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

/** Dish cycle: [seconds, load scale] on the P110's 95 W base load. */
const DISH_CYCLE: ReadonlyArray<readonly [number, number]> = [
  [30, 20], // heating ~1.9 kW
  [40, 1.5], // washing
  [25, 12], // drying
  [25, 0.05], // idle
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
    { model: 'KL130', alias: 'Living room lamp', host: `${base}23`, port: 9999, seed: 'demo-living-room', historyDays: HISTORY_DAYS },
    { model: 'KL430', alias: 'TV backlight', host: `${base}24`, port: 9999, seed: 'demo-backlight', on: false },
    { model: 'HS220', alias: 'Hall dimmer', host: `${base}25`, port: 9999, seed: 'demo-hall' },
    { model: 'LB110', alias: 'Reading lamp', host: `${base}26`, port: 9999, seed: 'demo-reading', on: false },
  ];
}

interface SmartFleetSpec {
  model: string;
  nickname: string;
  host: string;
  seed: string;
  outlets?: readonly string[];
}

export function smartFleetSpecs(base: string): SmartFleetSpec[] {
  return [
    { model: 'P110', nickname: 'Dishwasher', host: `${base}21`, seed: 'demo-dishwasher' },
    { model: 'P300', nickname: 'Tapo strip', host: `${base}22`, seed: 'demo-tapo-strip', outlets: ['Lamp', 'Monitor', 'Speakers'] },
  ];
}

async function startSmartFleet(base: string): Promise<RunningSmartDevice[]> {
  const started: RunningSmartDevice[] = [];
  try {
    for (const spec of smartFleetSpecs(base)) {
      const running = await startSmartDevice({
        model: spec.model, nickname: spec.nickname, host: spec.host, port: DEMO_SMART_PORT, seed: spec.seed, historyDays: HISTORY_DAYS,
        ...DEMO_ACCOUNT, discovery20002: true,
      });
      started.push(running);
      spec.outlets?.forEach((name, i) => {
        const outlet = running.device.children[i];
        if (outlet) outlet.nickname = name;
      });
    }
    return started;
  } catch (error) {
    await Promise.all(started.map((d) => d.close()));
    throw error;
  }
}

/** UDP 20002 on the discovery address: each SMART device answers a probe from its own address. */
function relaySmartDiscovery(host: string, devices: readonly RunningSmartDevice[]): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  socket.on('message', (packet, peer) => {
    for (const device of devices) device.answerDiscovery(packet, peer);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(DISCOVERY_20002_PORT, host, () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

export async function startDemoFleet(base: string, tddpReplyPort: number): Promise<DemoFleet> {
  const specs = fleetSpecs(base);
  const discoveryAddress = `${base}255`;
  const fleet: RunningFleet = await startFleet({ devices: specs, broadcastListener: { host: discoveryAddress, port: 9999 } });
  let tddp: TddpResponder | undefined;
  let smartDevices: RunningSmartDevice[] = [];
  let relay: dgram.Socket | undefined;
  try {
    tddp = await startTddpResponder({ host: `${base}15`, port: 1040, replyPort: tddpReplyPort });
    smartDevices = await startSmartFleet(base);
    relay = await relaySmartDiscovery(discoveryAddress, smartDevices);
  } catch (error) {
    await Promise.all([fleet.close(), tddp?.close(), ...smartDevices.map((d) => d.close())]);
    throw error;
  }
  const openTddp = tddp;
  const openRelay = relay;
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

  const dishwasher = smartDevices.find((d) => d.device.nickname === 'Dishwasher');
  if (dishwasher) {
    let step = 0;
    const nextStep = (): void => {
      const [seconds, scale] = DISH_CYCLE[step % DISH_CYCLE.length];
      const device = dishwasher.device;
      device.main.meter?.update(device.clock(), device.offsetMs, { scale });
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
    'TV backlight': 'starts off',
    'Reading lamp': 'starts off, in no example',
    'Garden lights': `offline ${GARDEN_OFFLINE_MS / 1000} s in every ${(GARDEN_ONLINE_MS + GARDEN_OFFLINE_MS) / 1000} s`,
    Dishwasher: 'Tapo, KLAP, load follows a dish cycle',
    'Tapo strip': `Tapo, KLAP, outlets ${smartFleetSpecs(base)[1]?.outlets?.join(', ')}`,
  };
  const entries: FleetEntry[] = fleet.devices.map((d) => {
    const entry: FleetEntry = { host: d.host, port: d.port, model: d.model, alias: d.alias };
    if (notes[d.alias]) entry.note = notes[d.alias];
    return entry;
  });
  for (const d of smartDevices) {
    entries.push({ host: d.host, port: d.port, model: `${d.device.spec.model}(${d.device.spec.region})`, alias: d.device.nickname, note: notes[d.device.nickname] });
  }
  entries.push({ host: `${base}15`, port: 1040, model: 'TDDP', alias: 'TDDP responder', note: tddpReplyPort === 0 ? 'replies to the request\'s source port' : `replies to UDP ${tddpReplyPort}` });
  entries.sort((a, b) => a.host.localeCompare(b.host, 'en', { numeric: true }));

  return {
    entries,
    discoveryAddress,
    devices: fleet.devices,
    smartDevices,
    async close(): Promise<void> {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => openRelay.close(() => resolve()));
      await Promise.all([fleet.close(), openTddp.close(), ...smartDevices.map((d) => d.close())]);
    },
  };
}
