/**
 * The pure parts of the Node-RED 5 compatibility check (scripts/compat/node-red-5.ts):
 * reading mocha's summary, the errors in a Node-RED log, the node sets
 * GET /nodes lists, and the PASS/FAIL summary. Tested in test/compat/.
 */

export const PACKAGE_NAME = '@kasa-red/node-red-tplink-kasa';
export const NODE_TYPES = ['tplink-config', 'tplink-discover', 'tplink-plug', 'tplink-tddp'];

export interface MochaCounts {
  passing: number;
  failing: number;
  pending: number;
}

/** The counts of mocha's spec reporter ("41 passing (8s)", "2 failing", "1 pending"), or undefined without a summary. */
export function parseMochaSummary(text: string): MochaCounts | undefined {
  const count = (word: string): number | undefined => {
    const found = [...text.matchAll(new RegExp(`^\\s*(\\d+) ${word}\\b`, 'gm'))];
    const last = found[found.length - 1];
    return last ? Number(last[1]) : undefined;
  };
  const passing = count('passing');
  const failing = count('failing');
  if (passing === undefined && failing === undefined) return undefined;
  return { passing: passing ?? 0, failing: failing ?? 0, pending: count('pending') ?? 0 };
}

export interface LogProblems {
  errors: string[];
  warnings: string[];
}

/** Error and warning lines of a Node-RED console log ("25 Nov 15:04:21 - [error] ..."), and uncaught exceptions. */
export function logProblems(log: string): LogProblems {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const line of log.split(/\r?\n/)) {
    if (/ - \[error\] /.test(line) || /uncaught exception|unhandled rejection/i.test(line)) errors.push(line.trim());
    else if (/ - \[warn\] /.test(line)) warnings.push(line.trim());
  }
  return { errors, warnings };
}

/** The Node.js and Node-RED versions Node-RED prints when it starts ("Node-RED version: v5.0.7", "Node.js  version: v22.23.3"). */
export function startupVersions(log: string): { nodeRed?: string; node?: string } {
  const nodeRed = /Node-RED version: v?(\S+)/.exec(log)?.[1];
  const node = /Node\.js\s+version: (v\S+)/.exec(log)?.[1];
  return { ...(nodeRed ? { nodeRed } : {}), ...(node ? { node } : {}) };
}

interface NodeSet {
  module?: string;
  types?: string[];
  enabled?: boolean;
  err?: unknown;
}

/** What is wrong with this package's node sets in a GET /nodes answer: every type listed, enabled, without a load error. */
export function nodeSetProblems(body: unknown, packageName = PACKAGE_NAME, types = NODE_TYPES): string[] {
  if (!Array.isArray(body)) return [`GET /nodes did not answer a list: ${JSON.stringify(body).slice(0, 200)}`];
  const ours = (body as NodeSet[]).filter((set) => set && set.module === packageName);
  if (ours.length === 0) return [`no node set of ${packageName} is listed`];
  const problems: string[] = [];
  const listed = ours.flatMap((set) => set.types ?? []);
  for (const type of types) if (!listed.includes(type)) problems.push(`${type} is not listed`);
  for (const set of ours) {
    const name = (set.types ?? []).join(', ') || '(no types)';
    if (set.enabled !== true) problems.push(`${name} is not enabled`);
    if (set.err) problems.push(`${name} failed to load: ${String(set.err)}`);
  }
  return problems;
}

export interface Check {
  name: string;
  ok: boolean;
  /** Counts, versions, or what went wrong. */
  detail: string;
}

/** The closing summary: one line per check, then PASS or FAIL. */
export function formatSummary(title: string, versions: Record<string, string>, checks: Check[]): string {
  const lines = [`=== ${title} ===`];
  for (const [name, version] of Object.entries(versions)) lines.push(`${name}: ${version}`);
  for (const check of checks) lines.push(`${check.ok ? 'PASS' : 'FAIL'}  ${check.name}${check.detail ? ` — ${check.detail}` : ''}`);
  const failed = checks.filter((c) => !c.ok).length;
  lines.push(checks.length > 0 && failed === 0 ? `PASS: ${checks.length} of ${checks.length} checks passed` : `FAIL: ${failed} of ${checks.length} checks failed`);
  return lines.join('\n');
}

export function allPassed(checks: Check[]): boolean {
  return checks.length > 0 && checks.every((c) => c.ok);
}
