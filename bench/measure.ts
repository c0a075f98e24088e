/**
 * Measurement helpers shared by the benches: interleaved rounds, medians and
 * percentiles. Every loop is bounded by an iteration count and a time budget.
 */

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile of `values` (0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function nowNs(): bigint {
  return process.hrtime.bigint();
}

export function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** A result consumer the optimiser cannot see through. */
export const sink = { value: 0 };

/**
 * How many calls of `fn` take about `targetMs`: grows the count until one
 * batch is long enough to time reliably (bounded to 2^26 calls).
 */
export function calibrate(fn: () => void, targetMs: number): number {
  let count = 16;
  for (;;) {
    const start = nowNs();
    for (let i = 0; i < count; i++) fn();
    const ms = elapsedMs(start);
    if (ms >= targetMs / 4 || count >= 1 << 26) return Math.max(1, Math.round((count * targetMs) / Math.max(ms, 0.001)));
    count *= 4;
  }
}

/** Calls per second of `fn` over `count` calls. */
export function timeBatch(fn: () => void, count: number): number {
  const start = nowNs();
  for (let i = 0; i < count; i++) fn();
  return count / (elapsedMs(start) / 1000);
}

export interface PairResult {
  ours: number;
  baseline: number;
  /** Median over rounds of ours/baseline, each round measured back to back. */
  ratio: number;
  rounds: number;
}

/**
 * Rates (calls/s) of two synchronous functions, interleaved over `rounds`
 * rounds with the order alternating, after a warm-up of both.
 */
export function compareSync(ours: () => void, baseline: () => void, rounds: number, batchMs: number): PairResult {
  const nOurs = calibrate(ours, batchMs);
  const nBase = calibrate(baseline, batchMs);
  timeBatch(ours, nOurs);
  timeBatch(baseline, nBase);
  const oursRates: number[] = [];
  const baseRates: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let a: number;
    let b: number;
    if (r % 2 === 0) {
      a = timeBatch(ours, nOurs);
      b = timeBatch(baseline, nBase);
    } else {
      b = timeBatch(baseline, nBase);
      a = timeBatch(ours, nOurs);
    }
    oursRates.push(a);
    baseRates.push(b);
    ratios.push(a / b);
  }
  return { ours: median(oursRates), baseline: median(baseRates), ratio: median(ratios), rounds };
}

export function formatNumber(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(digits);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
