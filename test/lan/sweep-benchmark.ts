/**
 * Sweep time and completeness, ours against tplink-smarthome-api, in the
 * same virtual LAN (needs root):
 *   node dist/test/lan/sweep-benchmark.js [devices=250] [rounds=5] [windowMs=3000]
 * "complete at" is when the last device that was found answered; a sweep
 * always lasts its window, since nobody can know that no one else will answer.
 */
import { createLan } from './lan';

interface Variant {
  name: string;
  tool: 'ours' | 'tplink-smarthome-api';
  options: Record<string, unknown>;
}

async function main(): Promise<void> {
  const devices = Number(process.argv[2] ?? 250);
  const rounds = Number(process.argv[3] ?? 5);
  const window = Number(process.argv[4] ?? 3000);
  const variants: Variant[] = [
    { name: 'ours, defaults (3 probes)', tool: 'ours', options: { timeout: window } },
    { name: 'ours, probes: 1', tool: 'ours', options: { timeout: window, probes: 1 } },
    { name: 'tplink-smarthome-api, defaults (1 probe)', tool: 'tplink-smarthome-api', options: { timeout: window } },
    { name: 'tplink-smarthome-api, discoveryInterval 1000', tool: 'tplink-smarthome-api', options: { timeout: window, interval: 1000 } },
  ];
  const lan = await createLan({ devices, subnet: '192.0.2' });
  try {
    console.log(`${devices} devices, ${rounds} rounds, ${window} ms window, client ${lan.clientNamespace}`);
    for (const variant of variants) {
      const found: number[] = [];
      const complete: number[] = [];
      for (let round = 0; round < rounds; round += 1) {
        const run = await lan.runInClient('discover-client', [variant.tool, JSON.stringify(variant.options)], window + 20_000);
        const result = run.messages[0];
        if (!result || !Array.isArray(result.devices)) throw new Error(`${variant.name}: no result: ${run.stderr}`);
        found.push(result.devices.length);
        complete.push(Number(result.lastReplyMs));
      }
      const mean = (xs: number[]): number => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
      console.log(`${variant.name.padEnd(48)} found ${found.join('/')} of ${devices} (min ${Math.min(...found)}), complete at ${complete.join('/')} ms (mean ${mean(complete)})`);
    }
  } finally {
    await lan.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
