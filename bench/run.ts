/**
 * `npm run bench`: every bench, a table on stdout and bench/results.json.
 * `node dist/bench/run.js codec roundtrip` runs a subset; `--quick` shortens each.
 */
import * as path from 'path';
import { runCodecBench } from './codec';
import { runRoundTripBench } from './roundtrip';
import { formatTable, writeResults, type Figure } from './report';

const ALL = ['codec', 'roundtrip'] as const;
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
