/**
 * Mocha's spec reporter that also names the slowest tests and hooks: the
 * suite has a time budget (npm test on a clean clone under 4 minutes on two
 * cores) and the slow ones are where to look when it grows.
 *
 * scripts/run-tests.js runs several mocha processes and sets
 * KASA_TEST_TIMINGS: each duration and the counts are appended to that file
 * and the runner prints the ten slowest and the totals of the whole run. Without it (npm run test:one) this
 * reporter prints the ten slowest of its own run.
 */
import * as fs from 'fs';
import * as Mocha from 'mocha';

interface Timing {
  title: string;
  file: string;
  ms: number;
}

const { EVENT_TEST_END, EVENT_HOOK_END, EVENT_RUN_END } = Mocha.Runner.constants;

class TimingReporter extends Mocha.reporters.Spec {
  /** The `count` slowest timings as lines of a report (also used by scripts/run-tests.js). */
  static slowestLines(timings: readonly Timing[], count = 10): string[] {
    return [...timings].sort((a, b) => b.ms - a.ms).slice(0, count)
      .map((t) => `${(t.ms / 1000).toFixed(2).padStart(7)} s  ${t.title}  (${t.file})`);
  }

  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const timings: Timing[] = [];
    const record = (runnable: Mocha.Runnable): void => {
      if (typeof runnable.duration !== 'number') return;
      timings.push({ title: runnable.fullTitle(), file: relativeFile(runnable.file), ms: runnable.duration });
    };
    runner.on(EVENT_TEST_END, record);
    runner.on(EVENT_HOOK_END, record);
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.KASA_TEST_TIMINGS;
      if (file) {
        const { passes, failures, pending } = this.stats;
        const lines = [...timings, { stats: { passes, failures, pending } }].map((record) => `${JSON.stringify(record)}\n`);
        fs.appendFileSync(file, lines.join(''));
        return;
      }
      process.stdout.write(`\n  slowest:\n${TimingReporter.slowestLines(timings).map((line) => `  ${line}\n`).join('')}\n`);
    });
  }
}

function relativeFile(file: string | undefined): string {
  if (!file) return '?';
  const at = file.lastIndexOf('/test/');
  return at >= 0 ? file.slice(at + 1) : file;
}

export = TimingReporter;
