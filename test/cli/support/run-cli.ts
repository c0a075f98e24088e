/**
 * Runs a command-line tool as a child process, as a user would, and collects
 * what it printed and its exit code (from dist/, or its source under test:one).
 */
import { execFile } from 'child_process';
import { runnable } from '../../support/repo';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Milliseconds the run took. */
  elapsed: number;
}

export function cliPath(name: string): string {
  return runnable(`lib/cli/${name}`);
}

export function runCli(name: string, args: readonly string[], options: { timeout?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cliPath(name), ...args],
      { timeout: options.timeout ?? 15_000, env: { ...process.env, ...options.env }, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr, elapsed: Date.now() - started });
      },
    );
    // No terminal, no input: what a script or CI job gives the tool.
    child.stdin?.end();
  });
}
