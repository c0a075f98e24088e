/**
 * Runs tshark with the project's Lua dissectors loaded and returns field
 * values, failing on anything that says the dissectors broke: a Lua error on
 * stderr (tshark still exits 0), `_ws.lua.error` or `_ws.malformed` items.
 */
import { execFile, execFileSync, type ChildProcess } from 'child_process';
import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';

/** The repository root: the nearest ancestor holding package.json and wireshark/. */
export function findRepoRoot(start: string = __dirname): string {
  let dir = start;
  for (let i = 0; i < 12; i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'wireshark'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`no package.json with a wireshark/ folder above ${start}`);
}

export const REPO_ROOT = findRepoRoot();
export const SMARTHOME_LUA = path.join(REPO_ROOT, 'wireshark', 'tplink-smarthome.lua');
export const TDDP_LUA = path.join(REPO_ROOT, 'wireshark', 'tddp.lua');
export const SMART_LUA = path.join(REPO_ROOT, 'wireshark', 'tplink-smart.lua');
/** The code the dissectors share; they require() it from their own folder. */
export const COMMON_LUA = path.join(REPO_ROOT, 'wireshark', 'tplink-common.lua');
/** Every dissector script, in the order a plugin folder loads them: what -X lua_script: names. */
export const ALL_LUA = [TDDP_LUA, SMARTHOME_LUA, SMART_LUA];
/** What a plugin folder needs: the dissectors and their shared module. */
export const PLUGIN_FILES = [TDDP_LUA, COMMON_LUA, SMART_LUA, SMARTHOME_LUA];

const children = new Set<ChildProcess>();

/** Kills every tshark this module started and that is still running. */
export function killChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

/** Has killChildren() kill `child` too while it is still running. */
export function registerChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

function which(cmd: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes sure tshark is there, installing Debian's package when running as
 * root; throws (never skips) with what is missing otherwise. Returns the
 * version line.
 */
export function ensureTshark(): string {
  if (!which('tshark')) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!isRoot || !which('apt-get')) {
      throw new Error('tshark is not installed and cannot be installed here (needs root and apt-get): '
        + 'install the Debian package "tshark" to run the Wireshark dissector tests');
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    // The capture tests run side by side: one installs while the others wait for it (apt-get itself gives up on a held lock).
    const aptGet = (args: string[], timeout: number): void => {
      execFileSync('flock', [path.join(tmpdir(), 'kasa-tshark-install.lock'), 'apt-get', ...args], { env, stdio: 'pipe', timeout });
    };
    const install = (): void => aptGet(['install', '-y', '-q', 'tshark'], 540_000);
    try {
      install();
    } catch {
      // A fresh machine may not have package lists yet.
      aptGet(['update', '-q'], 300_000);
      try {
        install();
      } catch (error) {
        throw new Error(`tshark is missing and "apt-get install -y tshark" failed: ${String(error)}`);
      }
    }
    if (!which('tshark')) throw new Error('tshark is still missing after apt-get install tshark');
  }
  const version = execFileSync('tshark', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return version.split('\n')[0];
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs tshark with `args` (every Lua script added), bounded by `timeoutMs`. */
export function runTshark(args: string[], timeoutMs = 30_000): Promise<RunResult> {
  return runTsharkWith([...ALL_LUA.flatMap((script) => ['-X', `lua_script:${script}`]), ...args], {}, timeoutMs);
}

/**
 * Runs tshark with exactly `full` as arguments and `env` added to the
 * environment (e.g. a HOME whose plugin folder holds the scripts).
 */
export function runTsharkWith(full: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile('tshark', full, {
      cwd: REPO_ROOT, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 32 * 1024 * 1024, env: { ...process.env, ...env },
    },
      (error, stdout, stderr) => {
        children.delete(child);
        if (error) {
          reject(new Error(`tshark ${full.join(' ')} failed: ${error.message}\n${stderr}`));
          return;
        }
        const luaError = stderr.split('\n').find((line) => /\bLua\b.*error|Error during loading/i.test(line));
        if (luaError) {
          reject(new Error(`tshark reported a Lua error: ${luaError}\n${stderr}`));
          return;
        }
        resolve({ stdout, stderr });
      });
    children.add(child);
  });
}

export type Row = Record<string, string[]>;

export interface DissectOptions {
  /** Preferences, e.g. { 'tddp.username': 'x' }. */
  prefs?: Record<string, string>;
  /** Display filter (-Y). */
  filter?: string;
  /** Extra tshark arguments placed before -r. */
  extra?: string[];
  /** Lua scripts to load instead of the project's. */
  scripts?: string[];
  /** Added to tshark's environment with `scripts` (e.g. a HOME whose plugin folder holds the files). */
  env?: Record<string, string>;
}

const AGGREGATOR = '\u001f';
const GUARDS = ['_ws.malformed', '_ws.lua.error', '_ws.expert.message'];

/**
 * One row per shown frame with every occurrence of each requested field.
 * Throws if any frame carries a Lua error or a malformed-packet item.
 */
export async function dissect(pcap: string, fields: string[], options: DissectOptions = {}): Promise<Row[]> {
  const all = ['frame.number', ...fields, ...GUARDS];
  const args = [...(options.extra ?? [])];
  for (const [name, value] of Object.entries(options.prefs ?? {})) args.push('-o', `${name}:${value}`);
  args.push('-r', pcap, '-T', 'fields', '-E', `aggregator=${AGGREGATOR}`, '-E', 'occurrence=a');
  if (options.filter) args.push('-Y', options.filter);
  for (const field of all) args.push('-e', field);
  const { stdout } = options.scripts
    ? await runTsharkWith([...options.scripts.flatMap((script) => ['-X', `lua_script:${script}`]), ...args], options.env ?? {})
    : await runTshark(args);
  const rows = stdout.split('\n').filter((line) => line.length > 0).map((line) => {
    const cells = line.split('\t');
    const row: Row = {};
    all.forEach((field, i) => {
      const cell = cells[i] ?? '';
      row[field] = cell === '' ? [] : cell.split(AGGREGATOR);
    });
    return row;
  });
  for (const row of rows) {
    if (row['_ws.malformed'].length > 0 || row['_ws.lua.error'].length > 0) {
      throw new Error(`frame ${row['frame.number'][0]} of ${pcap} is malformed or hit a Lua error: `
        + row['_ws.expert.message'].join('; '));
    }
  }
  return rows;
}

/** Rows whose `field` has at least one value. */
export function withField(rows: Row[], field: string): Row[] {
  return rows.filter((row) => (row[field] ?? []).length > 0);
}

/** All values of `field` across `rows`, in frame order. */
export function values(rows: Row[], field: string): string[] {
  return rows.flatMap((row) => row[field] ?? []);
}

/** The full tree of `pcap` as text (-V -O protocols). */
export async function verbose(pcap: string, protocols: string, filter?: string, prefs: Record<string, string> = {}): Promise<string> {
  const args = Object.entries(prefs).flatMap(([name, value]) => ['-o', `${name}:${value}`]);
  args.push('-r', pcap, '-V', '-O', protocols);
  if (filter) args.push('-Y', filter);
  return (await runTshark(args)).stdout;
}

export function makeTempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What tsharkPerSuite() gives the tests of its describe(). */
export interface TsharkSuite {
  /** The suite's temporary folder, there from the suite's first before hook on. */
  readonly dir: string;
  /** The path of `name` in that folder. */
  file(name: string): string;
  /** tshark's version line. */
  readonly version: string;
}

/**
 * The hooks every describe() that runs tshark needs, registered on the one it
 * is called in (as test/nodes/support/node-red.ts nodeRedPerTest() does for
 * Node-RED): before, tshark made sure of (a first run may install it) and a
 * temporary folder made; after, every tshark still running killed and the
 * folder removed. A suite's own before and after hooks, registered after this
 * call, run after these.
 */
export function tsharkPerSuite(prefix: string): TsharkSuite {
  let tmp: ReturnType<typeof makeTempDir> | undefined;
  let version = '';
  before(function () {
    this.timeout(900_000);
    version = ensureTshark();
    tmp = makeTempDir(prefix);
  });
  after(() => {
    killChildren();
    tmp?.remove();
  });
  const dir = (): string => {
    if (!tmp) throw new Error(`the ${prefix} folder is made in a before hook; it is not there yet`);
    return tmp.dir;
  };
  return {
    get dir() { return dir(); },
    file: (name) => path.join(dir(), name),
    get version() { return version; },
  };
}

/** Stops a capture and waits until tshark has closed the file. */
export function stopCapture(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      children.delete(child);
      resolve();
    });
    child.kill('SIGINT');
  });
}
