/**
 * `npm run fuzz`: every target for 1,000,000 generated inputs (each bounded
 * by a time limit), a summary table, and failing inputs saved under
 * test/artifacts/fuzz/ with the seed and index that reproduce them.
 *
 *   node dist/test/fuzz/run.js [--count N] [--seed S] [--minutes M] [--only substring]
 */
import * as fs from 'fs';
import * as path from 'path';
import { runTarget, type FuzzReport } from './runner';
import { TARGETS } from './targets';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(value) ? value : fallback;
}

async function main(): Promise<void> {
  const count = option('count', 1_000_000);
  const seed = option('seed', Date.now() % 0x7fffffff);
  const minutes = option('minutes', 10);
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
  const targets = TARGETS.filter((t) => !only || t.name.includes(only));
  const reports: FuzzReport[] = [];
  console.log(`fuzz: ${count} inputs per target, seed ${seed}, at most ${minutes} min per target`);
  for (const target of targets) {
    const report = await runTarget(target, { count, seed, timeLimitMs: minutes * 60_000 });
    reports.push(report);
    const rate = Math.round(report.inputs / (report.ms / 1000));
    console.log(`  ${target.name}: ${report.inputs} inputs, ${report.failures} failures, ${(report.ms / 1000).toFixed(1)} s (${rate}/s)${report.timedOut ? ', TIME LIMIT' : ''}`);
    for (const failure of report.firstFailures) {
      const dir = path.resolve(__dirname, '..', '..', '..', 'test', 'artifacts', 'fuzz');
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${target.name.split(' ')[0]}-${failure.seed}-${failure.index}.bin`);
      fs.writeFileSync(file, failure.input);
      console.log(`    input ${failure.index} (saved to ${path.relative(process.cwd(), file)}):\n      ${failure.error.split('\n').slice(0, 4).join('\n      ')}`);
    }
  }
  for (const target of targets) await target.teardown?.();
  const failed = reports.reduce((n, r) => n + r.failures, 0);
  const short = reports.filter((r) => r.inputs < count).length;
  console.log(`${reports.length - reports.filter((r) => r.failures > 0).length} passed, ${reports.filter((r) => r.failures > 0).length} failed`);
  if (failed > 0 || short > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
