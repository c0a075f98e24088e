/**
 * Stand-alone Lua interpreters for running the dissectors' pure-Lua code
 * outside Wireshark: Debian's lua5.1 and lua5.4 are required (installed when
 * missing and running as root), lua5.2 and lua5.3 are used when present.
 */
import { execFileSync } from 'child_process';

const REQUIRED = ['lua5.1', 'lua5.4'];
const OPTIONAL = ['lua5.2', 'lua5.3'];

function which(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** The interpreters to run on; throws naming the packages when the required ones cannot be had. */
export function ensureLuas(): string[] {
  const missing = REQUIRED.filter((lua) => !which(lua));
  if (missing.length > 0) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!isRoot) throw new Error(`missing ${missing.join(', ')}: install the Debian packages ${missing.join(' ')} (needs root)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      execFileSync('apt-get', ['install', '-y', '-q', ...missing], { env, stdio: 'pipe', timeout: 300_000 });
    } catch {
      execFileSync('apt-get', ['update', '-q'], { env, stdio: 'pipe', timeout: 300_000 });
      execFileSync('apt-get', ['install', '-y', '-q', ...missing], { env, stdio: 'pipe', timeout: 300_000 });
    }
    const still = REQUIRED.filter((lua) => !which(lua));
    if (still.length > 0) throw new Error(`could not install ${still.join(', ')}`);
  }
  return [...REQUIRED, ...OPTIONAL.filter(which)];
}
