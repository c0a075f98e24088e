/**
 * Network namespace plumbing for the LAN test bed: `ip` commands, names
 * unique to this process, removal of what crashed runs left, and removal on
 * exit or signal of what this process made.
 */
import { execFile, execFileSync } from 'child_process';

export const PREFIX = 'kasa-';
const made = new Set<string>();
const children = new Set<number>();
let hooked = false;
let counter = 0;

export class NamespaceUnavailableError extends Error {
  constructor(detail: string) {
    super(`network namespaces cannot be created here (${detail}); the LAN tests need Linux, root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2`);
    this.name = 'NamespaceUnavailableError';
  }
}

/** Runs `ip` with the arguments; rejects with its stderr. `input` goes to its stdin (for -batch). */
export function ip(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('ip', args, { timeout: 20_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** A namespace name unique to this process: kasa-<pid>-<n>-<role>. */
export function uniqueName(role: string): string {
  counter += 1;
  return `${PREFIX}${process.pid}-${counter}-${role}`;
}

export async function addNamespace(name: string): Promise<void> {
  installExitHooks();
  try {
    await ip(['netns', 'add', name]);
  } catch (error) {
    throw new NamespaceUnavailableError((error as Error).message);
  }
  made.add(name);
  await ip(['-n', name, 'link', 'set', 'lo', 'up']);
}

export async function deleteNamespace(name: string): Promise<void> {
  made.delete(name);
  await ip(['netns', 'del', name]).catch(() => undefined);
}

/** Children started inside namespaces, killed by pid on exit if still running. */
export function trackChild(pid: number | undefined): void {
  if (pid !== undefined) children.add(pid);
}
export function untrackChild(pid: number | undefined): void {
  if (pid !== undefined) children.delete(pid);
}

/** Removes kasa-<pid>-... namespaces whose process is gone (a crashed run). */
export async function removeStaleNamespaces(): Promise<string[]> {
  let listing: string;
  try {
    listing = await ip(['netns', 'list']);
  } catch (error) {
    throw new NamespaceUnavailableError((error as Error).message);
  }
  const stale: string[] = [];
  for (const line of listing.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = /^kasa-(\d+)-/.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid && !alive(pid)) stale.push(name);
  }
  for (const name of stale) await ip(['netns', 'del', name]).catch(() => undefined);
  return stale;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Synchronous: runs from 'exit', where nothing asynchronous completes. */
export function removeEverythingNow(): void {
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  children.clear();
  for (const name of made) {
    try {
      execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore', timeout: 5000 });
    } catch {
      // Already gone.
    }
  }
  made.clear();
}

function installExitHooks(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', removeEverythingNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      removeEverythingNow();
      process.kill(process.pid, signal);
    });
  }
}
