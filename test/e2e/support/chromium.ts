/**
 * Debian's Chromium for the browser tests: /usr/bin/chromium, installed with
 * apt-get when missing and the tests run as root; otherwise the tests fail
 * saying what to install.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const CHROMIUM = '/usr/bin/chromium';
const INSTALL_TIMEOUT_MS = 15 * 60_000;

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: INSTALL_TIMEOUT_MS, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new Error(`${command} ${args.join(' ')}: ${error.message}\n${stderr.slice(-2000)}`)) : resolve(stdout)));
  });
}

/** The Chromium executable; installs it when missing and running as root. */
export async function ensureChromium(log: (line: string) => void = () => undefined): Promise<string> {
  if (fs.existsSync(CHROMIUM)) return CHROMIUM;
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  if (uid !== 0) {
    throw new Error(`${CHROMIUM} is missing and the tests do not run as root, so they cannot install it: ` +
      'run `sudo DEBIAN_FRONTEND=noninteractive apt-get install -y chromium` (Debian\'s chromium package) and run the tests again');
  }
  if (!fs.existsSync('/usr/bin/apt-get')) throw new Error(`${CHROMIUM} is missing and there is no apt-get to install Debian's chromium package`);
  log(`${CHROMIUM} is missing: installing Debian's chromium package (apt-get)...`);
  try {
    await run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium']);
  } catch {
    // Package lists may be missing or stale in a fresh container.
    await run('apt-get', ['update']);
    await run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium']);
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error(`apt-get install chromium finished but ${CHROMIUM} is still missing`);
  return CHROMIUM;
}

/** Headless, no sandbox (containers), no GPU, no network chatter, a fresh profile. */
export function chromiumArgs(): { args: string[]; profileDir: string } {
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kasa-chromium-'));
  return {
    profileDir,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', `--user-data-dir=${profileDir}`, '--disable-dev-shm-usage',
    ],
  };
}
