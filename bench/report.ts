/**
 * Bench figures: one row per measurement, printed as a table and written
 * to bench/results.json with the machine and the command that produced it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatNumber } from './measure';

export interface Figure {
  group: string;
  name: string;
  unit: string;
  ours: number;
  /** Absent for absolute figures (scale: CPU share, RSS, missed polls). */
  baseline?: number;
  baselineName?: string;
  /** ours / baseline, or baseline / ours when lower is better: above 1 means we win. */
  ratio?: number;
  better: 'higher' | 'lower';
  /** On the ratio when there is a baseline, else on `ours`. */
  target?: { min?: number; max?: number };
  detail?: Record<string, unknown>;
}

export function meetsTarget(figure: Figure): boolean | undefined {
  if (!figure.target) return undefined;
  const value = figure.ratio ?? figure.ours;
  if (figure.target.min !== undefined && !(value >= figure.target.min)) return false;
  if (figure.target.max !== undefined && !(value <= figure.target.max)) return false;
  return true;
}

function targetText(figure: Figure): string {
  if (!figure.target) return '';
  const parts = [];
  if (figure.target.min !== undefined) parts.push(`>= ${figure.target.min}${figure.ratio !== undefined ? 'x' : ''}`);
  if (figure.target.max !== undefined) parts.push(`<= ${figure.target.max}${figure.ratio !== undefined ? 'x' : ''}`);
  const met = meetsTarget(figure);
  return `${parts.join(' and ')} ${met ? 'met' : 'MISSED'}`;
}

export function formatTable(figures: readonly Figure[]): string {
  const rows = [['group', 'measurement', 'ours', 'baseline', 'ratio', 'target']];
  for (const f of figures) {
    rows.push([
      f.group,
      f.name,
      `${formatNumber(f.ours)} ${f.unit}`,
      f.baseline === undefined ? '' : `${formatNumber(f.baseline)} ${f.unit} (${f.baselineName ?? ''})`,
      f.ratio === undefined ? '' : `${f.ratio.toFixed(2)}x`,
      targetText(f),
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]): string => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function writeResults(file: string, figures: readonly Figure[], command: string): void {
  const body = {
    command,
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    note: 'ratio > 1 means ours is better (faster, lower latency); medians over interleaved rounds',
    figures: figures.map((f) => ({ ...f, met: meetsTarget(f) })),
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
}
