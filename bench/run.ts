/**
 * `npm run bench`: every bench, a table on stdout and bench/results.json.
 * `node dist/bench/run.js codec roundtrip` runs a subset; `--quick` shortens each.
 */
import * as path from 'path';
import { runCodecBench } from './codec';
import { runRoundTripBench } from './roundtrip';
import { runScaleBench } from './scale';
import { runDiscoveryBench } from './discovery';
import { runSmartRoundTripBench } from './smart-roundtrip';
import { formatTable, writeResults, type Figure } from './report';

const ALL = ['codec', 'roundtrip', 'smart', 'scale', 'discovery'] as const;
type BenchName = (typeof ALL)[number];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const chosen = args.filter((a) => !a.startsWith('--')) as BenchName[];
  const names = chosen.length > 0 ? chosen : [...ALL];
  const figures: Figure[] = [];
  for (const name of names) {
    const started = Date.now();
    console.error(`bench: ${name}...`);
    switch (name) {
      case 'codec':
        figures.push(...runCodecBench({ rounds: quick ? 3 : 9, batchMs: quick ? 20 : 100 }));
        break;
      case 'roundtrip':
        figures.push(...(await runRoundTripBench({ rounds: quick ? 3 : 7, requests: quick ? 1000 : 4000, roundMs: quick ? 2000 : 8000 })));
        break;
      case 'smart':
        figures.push(...(await runSmartRoundTripBench({ rounds: quick ? 5 : 15, requests: quick ? 1000 : 2000, roundMs: quick ? 2000 : 8000 })));
        break;
      case 'scale':
        figures.push(...(await runScaleBench({
          devices: 1000, pollSeconds: 5, warmupMs: quick ? 10_000 : 20_000, windowMs: quick ? 20_000 : 60_000, log: (line) => console.error(line),
        })));
        break;
      case 'discovery':
        figures.push(...(await runDiscoveryBench({ devices: 250, rounds: quick ? 2 : 5, windowMs: 3000, log: (line) => console.error(line) })));
        break;
      default:
        throw new Error(`unknown bench '${String(name)}' (known: ${ALL.join(', ')})`);
    }
    console.error(`bench: ${name} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  console.log(formatTable(figures));
  // dist/bench/run.js -> bench/results.json in the source tree.
  const file = path.resolve(__dirname, '..', '..', 'bench', 'results.json');
  writeResults(file, figures, `node dist/bench/run.js ${args.join(' ')}`.trim());
  console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
