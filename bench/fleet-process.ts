/**
 * The scale bench's devices, in their own process: a fleet on 127.0.0.1
 * that records when each device was asked for its sysinfo. IPC in:
 * {cmd:'window', from, to} -> {gaps} ; out: {ready, devices:[{host,port,alias}]}.
 */
import { fleetLayout, startFleet } from '../lib/simulator';

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 1000);
  const fleet = await startFleet({ devices: fleetLayout({ count, model: 'HS105', alias: 'Scale', seed: 'scale' }), concurrency: 50 });
  const asked = new Map<string, number[]>();
  for (const d of fleet.devices) {
    const times: number[] = [];
    asked.set(d.alias, times);
    const original = d.device.handle.bind(d.device);
    d.device.handle = (request: object) => {
      if ('system' in request) times.push(Date.now());
      return original(request);
    };
  }
  process.on('message', (m: { cmd: string; from: number; to: number; period: number }) => {
    if (m.cmd !== 'window') return;
    // A poll is missed when a device goes more than 1.5 periods without being asked.
    let missed = 0;
    let polls = 0;
    for (const times of asked.values()) {
      const inside = times.filter((t) => t >= m.from && t <= m.to);
      polls += inside.length;
      const edges = [m.from, ...inside, m.to];
      for (let i = 1; i < edges.length; i++) missed += Math.max(0, Math.ceil((edges[i] - edges[i - 1]) / m.period - 1.5));
    }
    process.send?.({ cmd: 'window', missed, polls, devices: asked.size });
  });
  process.on('disconnect', () => {
    void fleet.close().then(() => process.exit(0));
  });
  process.send?.({ cmd: 'ready', devices: fleet.devices.map((d) => ({ host: d.host, port: d.port, alias: d.alias })) });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
