/**
 * `npm run soak`: 200 simulated plugs polled every second by plug nodes for
 * several minutes with random switches and outages, then 100 deploy cycles
 * of 20 polling plug nodes, then the hostile-device soak in a real Node-RED
 * process (hostile-soak.ts). Prints a report; exits non-zero on a missed
 * state change, a leaked handle, heap that did not come back, or any
 * problem of the hostile soak.
 *
 *   node dist/test/soak/run.js [--devices 200] [--minutes 3] [--cycles 100] [--nodes 20]
 *                              [--hostile-minutes 3] [--silence 10] [--only polling|hostile]
 */
import { runDeployCycles, runPollingSoak } from './soak';
import { hostileSoakProblems, runHostileSoak } from './hostile-soak';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(value) ? value : fallback;
}

/** Heap may stay a little above the baseline (JIT code, caches); a leak per poll would not. */
const HEAP_SLACK_MB = 8;

async function main(): Promise<void> {
  const devices = option('devices', 200);
  const minutes = option('minutes', 3);
  const cycles = option('cycles', 100);
  const nodes = option('nodes', 20);
  const problems: string[] = [];
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  if (only !== 'hostile') await pollingAndDeploys(devices, minutes, cycles, nodes, problems);
  if (only !== 'polling') await hostile(option('hostile-minutes', 3), option('silence', 10), problems);

  const runs = (only !== 'hostile' ? 2 : 0) + (only !== 'polling' ? 1 : 0);
  console.log(problems.length === 0 ? `\n${runs} passed, 0 failed` : `\nproblems:\n  ${problems.join('\n  ')}`);
  if (problems.length > 0) process.exitCode = 1;
}

async function hostile(minutes: number, silenceSeconds: number, problems: string[]): Promise<void> {
  console.log(`\nsoak: one device per hostile mode in a real Node-RED, polled every 1 s, toggled every 0.5 s, for ${minutes} min; a ${silenceSeconds} s silence`);
  const options = { durationMs: minutes * 60_000, silenceAtMs: Math.min(60_000, minutes * 20_000), silenceMs: silenceSeconds * 1000, progress: (line: string) => console.log(line) };
  const report = await runHostileSoak(options);
  console.log(JSON.stringify(report, null, 2));
  problems.push(...hostileSoakProblems(report, options).map((p) => `hostile: ${p}`));
}

async function pollingAndDeploys(devices: number, minutes: number, cycles: number, nodes: number, problems: string[]): Promise<void> {
  console.log(`soak: ${devices} devices polled every 1 s for ${minutes} min, random switches and outages`);
  const soak = await runPollingSoak({
    devices, durationMs: minutes * 60_000, pollSeconds: 1, switchEveryMs: 20_000, outageEveryMs: 60_000, outageMs: [1000, 5000],
    seed: option('seed', 1), progress: (line) => console.log(line),
  });
  console.log(JSON.stringify({ ...soak, missed: soak.missed.slice(0, 10) }, null, 2));
  if (soak.missed.length > 0) problems.push(`${soak.missed.length} state changes missed`);
  if (soak.unexplained > 0) problems.push(`${soak.unexplained} state messages no switch explains`);
  if (Object.keys(soak.leftoverHandles).length > 0) problems.push(`handles left after the soak: ${JSON.stringify(soak.leftoverHandles)}`);
  if (soak.heapAfterMB > soak.heapBeforeMB + HEAP_SLACK_MB) problems.push(`heap ${soak.heapAfterMB.toFixed(1)} MB after, ${soak.heapBeforeMB.toFixed(1)} MB before`);

  console.log(`\nsoak: ${cycles} deploy cycles of ${nodes} polling plug nodes`);
  const deploys = await runDeployCycles(cycles, nodes, (line) => console.log(line));
  console.log(JSON.stringify(deploys, null, 2));
  if (Object.keys(deploys.leftoverHandles).length > 0) problems.push(`handles left after deploy cycles: ${JSON.stringify(deploys.leftoverHandles)}`);
  if (deploys.heapAfterMB > deploys.heapBeforeMB + HEAP_SLACK_MB) problems.push(`heap ${deploys.heapAfterMB.toFixed(1)} MB after deploy cycles, ${deploys.heapBeforeMB.toFixed(1)} MB before`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
