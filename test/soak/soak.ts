/**
 * Soak scenarios run inside one Node-RED runtime (node-red-node-test-helper):
 *
 * - polling: N simulated plugs, each with its own config and polling plug
 *   node; relays are switched behind the nodes' backs (as the Kasa app or
 *   the button would) and devices drop off the network and come back at
 *   random. Every switch must show up as a state message; afterwards open
 *   handles and heap must be back to where they were before the deploy.
 * - deploy cycles: the same flow of polling plug nodes deployed and stopped
 *   over and over must leave no socket or timer behind.
 *
 * Every loop is bounded by a count and a deadline; everything binds 127.0.0.1.
 */
import * as v8 from 'v8';
import * as vm from 'vm';
import { startFleet, fleetLayout, type RunningDevice, type RunningFleet } from '../../lib/simulator';
import configNode from '../../nodes/tplink-config/tplink-config';
import plugNode from '../../nodes/tplink-plug/tplink-plug';
import type { NodeMessage } from '../../nodes/types';
import { helper, node, TAB } from '../nodes/support/node-red';
import { handlesBackTo, openHandles } from '../reliability/support';
import { letTimePass, waitFor } from '../support/wait';

const NODES = [configNode, plugNode];

export interface PollingSoakOptions {
  devices: number;
  durationMs: number;
  pollSeconds: number;
  /** Mean time between relay switches of one device (ms). */
  switchEveryMs: number;
  /** Mean time between outages of one device (ms) and how long one lasts. */
  outageEveryMs: number;
  outageMs: [number, number];
  seed?: number;
  progress?: (line: string) => void;
}

export interface PollingSoakReport {
  devices: number;
  seconds: number;
  switches: number;
  /** Switches never reported by a state message. */
  missed: Array<{ alias: string; on: boolean; at: number }>;
  /** State messages that no switch explains. */
  unexplained: number;
  stateMessages: number;
  outages: number;
  leftoverHandles: Record<string, number>;
  heapBeforeMB: number;
  heapAfterMB: number;
  rssAfterMB: number;
}

/** A deterministic generator, so that a failing soak can be replayed. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

const gc: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

/**
 * node-red-node-test-helper spies on every node's status() and send() and
 * keeps each call, message included, until the next load: hours of polling
 * would otherwise be measured as the pack's heap. Forget them as we go.
 */
export function forgetRecordedCalls(): void {
  (helper as unknown as { _sandbox?: { resetHistory(): void } })._sandbox?.resetHistory();
}

export function heapMB(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

export function pollingFlow(devices: readonly RunningDevice[], pollSeconds: number, timeoutSeconds = 1): object[] {
  const flow: object[] = [TAB, { id: 'out', type: 'helper', z: 'f1' }];
  devices.forEach((d, i) => {
    flow.push({ id: `cfg${i}`, type: 'tplink-config', z: 'f1', host: d.host, port: d.port, transport: 'tcp', timeout: timeoutSeconds });
    flow.push({ id: `plug${i}`, type: 'tplink-plug', z: 'f1', device: `cfg${i}`, outlet: '', interval: pollSeconds, allowAdmin: false, wires: [['out']] });
  });
  return flow;
}

function setRelay(device: RunningDevice, on: boolean): void {
  device.device.handle({ system: { set_relay_state: { state: on ? 1 : 0 } } });
}

export async function runPollingSoak(options: PollingSoakOptions): Promise<PollingSoakReport> {
  const rand = random(options.seed ?? 1);
  const log = options.progress ?? (() => undefined);
  const fleet: RunningFleet = await startFleet({
    devices: fleetLayout({ count: options.devices, model: 'HS105', alias: 'Soak', seed: 'soak', on: false }),
  });
  // Per device: the switches made and the state messages seen, with times.
  const switches = new Map<string, Array<{ on: boolean; at: number }>>();
  const seen = new Map<string, Array<{ on: boolean; at: number }>>();
  let stateMessages = 0;
  let outages = 0;
  const started = Date.now();
  try {
    await helper.startServer();
    // One short deploy first, so that the runtime's one-time allocations (module loading, i18n, JIT) are in the baseline.
    const idle = openHandles();
    await helper.load(NODES, pollingFlow(fleet.devices, options.pollSeconds));
    await letTimePass(200, 'a warm-up deploy that connects and polls');
    await helper.unload();
    await handlesBackTo(idle);
    const handlesBefore = openHandles();
    const heapBefore = heapMB();
    await helper.load(NODES, pollingFlow(fleet.devices, options.pollSeconds));
    node('out').on('input', (msg: NodeMessage) => {
      if (msg.command !== 'state') return;
      stateMessages++;
      const alias = String(msg.topic);
      const list = seen.get(alias) ?? [];
      list.push({ on: msg.payload === true, at: Date.now() });
      seen.set(alias, list);
    });

    const pollMs = options.pollSeconds * 1000;
    const down = new Set<RunningDevice>();
    // A device is left alone for three polls after any event, so that each switch has a poll to be seen by.
    const quietUntil = new Map<RunningDevice, number>(fleet.devices.map((d) => [d, Date.now() + 3 * pollMs]));
    const tickMs = 100;
    const pSwitch = tickMs / options.switchEveryMs;
    const pOutage = tickMs / options.outageEveryMs;
    const end = started + options.durationMs;
    let nextReport = started + 10_000;
    while (Date.now() < end) {
      const now = Date.now();
      for (const d of fleet.devices) {
        if (down.has(d) || now < (quietUntil.get(d) ?? 0)) continue;
        const r = rand();
        if (r < pSwitch) {
          const on = !d.device.main.isOn;
          setRelay(d, on);
          const list = switches.get(d.alias) ?? [];
          list.push({ on, at: now });
          switches.set(d.alias, list);
          quietUntil.set(d, now + 3 * pollMs);
        } else if (r < pSwitch + pOutage && now + options.outageMs[1] + 4 * pollMs < end) {
          down.add(d);
          outages++;
          const length = options.outageMs[0] + rand() * (options.outageMs[1] - options.outageMs[0]);
          void d.offline().then(() => letTimePass(length, 'the outage')).then(() => d.online()).then(() => {
            down.delete(d);
            quietUntil.set(d, Date.now() + 3 * pollMs);
          });
        }
      }
      if (now >= nextReport) {
        nextReport += 10_000;
        forgetRecordedCalls();
        log(`  ${Math.round((now - started) / 1000)} s: ${[...switches.values()].reduce((n, l) => n + l.length, 0)} switches, ${stateMessages} state messages, ${outages} outages, ${down.size} down, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`);
      }
      await letTimePass(tickMs, 'the pace of switches and outages');
    }
    // Let the last switches be polled: every outage over, then three polls after the end of the run.
    await waitFor('every outage over', () => down.size === 0, 4 * pollMs + 5000).catch(() => undefined);
    await letTimePass(started + options.durationMs + 3 * pollMs - Date.now(), 'three polls after the last switch');

    const missed: PollingSoakReport['missed'] = [];
    let explained = 0;
    for (const [alias, list] of switches) {
      const states = seen.get(alias) ?? [];
      list.forEach((s, i) => {
        const until = list[i + 1]?.at ?? Infinity;
        if (!states.some((m) => m.on === s.on && m.at >= s.at && m.at < until)) missed.push({ alias, ...s });
      });
    }
    for (const [alias, states] of seen) {
      const list = switches.get(alias) ?? [];
      for (const m of states) {
        // The first state message reports the initial state (off); later ones must follow a switch to that value.
        const last = [...list].reverse().find((s) => s.at <= m.at);
        if ((last === undefined && m.on === false) || (last !== undefined && last.on === m.on)) explained++;
      }
    }
    const rssAfterMB = process.memoryUsage().rss / 2 ** 20;
    await helper.unload();
    forgetRecordedCalls();
    const leftoverHandles = await handlesBackTo(handlesBefore, 5000);
    const heapAfter = heapMB();
    return {
      devices: options.devices,
      seconds: Math.round((Date.now() - started) / 1000),
      switches: [...switches.values()].reduce((n, l) => n + l.length, 0),
      missed,
      unexplained: stateMessages - explained,
      stateMessages,
      outages,
      leftoverHandles,
      heapBeforeMB: heapBefore,
      heapAfterMB: heapAfter,
      rssAfterMB,
    };
  } finally {
    await helper.unload().catch(() => undefined);
    await helper.stopServer().catch(() => undefined);
    await fleet.close();
  }
}

export interface DeployCyclesReport {
  cycles: number;
  nodes: number;
  /** Handles open after the last cycle that were not before the first. */
  leftoverHandles: Record<string, number>;
  /** The largest number of leftover sockets seen after any one cycle (settled). */
  worstCycle: Record<string, number>;
  heapBeforeMB: number;
  heapAfterMB: number;
  seconds: number;
}

export async function runDeployCycles(cycles: number, nodes: number, progress?: (line: string) => void): Promise<DeployCyclesReport> {
  const fleet = await startFleet({ devices: fleetLayout({ count: nodes, model: 'HS110', alias: 'Deploy', seed: 'deploy' }) });
  const started = Date.now();
  let worstCycle: Record<string, number> = {};
  try {
    await helper.startServer();
    // One cycle first, so that the runtime's own one-time allocations are in the baseline.
    const idle = openHandles();
    await helper.load(NODES, pollingFlow(fleet.devices, 1));
    await letTimePass(200, 'a warm-up deploy that connects and polls');
    await helper.unload();
    await handlesBackTo(idle);
    const before = openHandles();
    const heapBefore = heapMB();
    for (let i = 0; i < cycles; i++) {
      await helper.load(NODES, pollingFlow(fleet.devices, 1));
      // Long enough for every node to connect and poll at least once.
      await letTimePass(150 + (i % 5) * 60, 'a deploy that lives long enough for every node to connect and poll');
      await helper.unload();
      const left = await handlesBackTo(before, 2000);
      if (Object.values(left).reduce((a, b) => a + b, 0) > Object.values(worstCycle).reduce((a, b) => a + b, 0)) worstCycle = left;
      if (progress && (i + 1) % 20 === 0) progress(`  ${i + 1} deploy cycles, ${JSON.stringify(openHandles())}`);
    }
    const leftoverHandles = await handlesBackTo(before, 5000);
    return { cycles, nodes, leftoverHandles, worstCycle, heapBeforeMB: heapBefore, heapAfterMB: heapMB(), seconds: Math.round((Date.now() - started) / 1000) };
  } finally {
    await helper.unload().catch(() => undefined);
    await helper.stopServer().catch(() => undefined);
    await fleet.close();
  }
}
