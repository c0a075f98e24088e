/**
 * Runs a fuzz target for a bounded number of inputs and a bounded time,
 * collecting the first failures with the seed and index that reproduce them.
 */
import { Rng } from './rng';
import type { FuzzTarget } from './targets';

export interface FuzzFailure {
  target: string;
  seed: number;
  index: number;
  input: Buffer;
  error: string;
}

export interface FuzzReport {
  target: string;
  seed: number;
  inputs: number;
  failures: number;
  firstFailures: FuzzFailure[];
  ms: number;
  /** The time limit ended the run before `count` inputs. */
  timedOut: boolean;
}

export interface FuzzRunOptions {
  count: number;
  seed: number;
  timeLimitMs: number;
  keepFailures?: number;
}

export async function runTarget(target: FuzzTarget, options: FuzzRunOptions): Promise<FuzzReport> {
  const rng = new Rng(options.seed);
  const keep = options.keepFailures ?? 5;
  const started = Date.now();
  const report: FuzzReport = {
    target: target.name, seed: options.seed, inputs: 0, failures: 0, firstFailures: [], ms: 0, timedOut: false,
  };
  for (let index = 0; index < options.count; index++) {
    if ((index & 1023) === 0 && Date.now() - started > options.timeLimitMs) {
      report.timedOut = true;
      break;
    }
    const fuzzCase = target.generate(rng);
    try {
      const pending = target.check(fuzzCase);
      if (pending) await pending;
    } catch (error) {
      report.failures++;
      if (report.firstFailures.length < keep) {
        report.firstFailures.push({
          target: target.name, seed: options.seed, index, input: fuzzCase.input,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
      }
    }
    report.inputs++;
  }
  report.ms = Date.now() - started;
  return report;
}
