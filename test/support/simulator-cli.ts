/**
 * tplink-simulator as a user starts it: a child process that prints one
 * line per device it serves. Shared by the simulator's own CLI tests and the
 * dump tests that serve fixtures through it.
 */
import { spawn, type ChildProcess } from 'child_process';
import { runnable } from './repo';

export interface SimulatorRun {
  child: ChildProcess;
  /** The lines printed by the time `expected` of them were there. */
  lines: string[];
  stderr: () => string;
}

/** Starts tplink-simulator and resolves once it has printed `expected` lines (rejects if it exits first or within 10 s). */
export function startSimulatorCli(args: readonly string[], expected: number): Promise<SimulatorRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runnable('lib/cli/tplink-simulator'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no output in time: ${out} ${err}`));
    }, 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split('\n').filter(Boolean);
      if (lines.length >= expected) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, lines, stderr: () => err });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}: ${out} ${err}`));
    });
  });
}

/** Sends `signal` and resolves to the exit code (SIGKILL after 5 s). */
export function stopSimulatorCli(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill(signal);
  });
}
