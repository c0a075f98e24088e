/**
 * Command-line options of the `npm start` demo:
 *   --port 1880              Node-RED's editor and dashboard port (127.0.0.1 only)
 *   --user-dir .node-red-demo  Node-RED user directory (relative to the repo root)
 *   --fleet-base 127.0.0.    first three octets of the simulated devices' addresses
 *   --tddp-reply-port 61040  where the simulated TDDP responder sends its replies
 *                            (0: any free port, the responder answering the request's source)
 *   --reset                  replace a saved flows.json with the example flows
 */
import * as path from 'path';

export interface DemoOptions {
  port: number;
  userDir: string;
  /** "127.0.0." : devices live at <base>11, <base>12, ... */
  fleetBase: string;
  tddpReplyPort: number;
  reset: boolean;
}

export const DEFAULT_FLEET_BASE = '127.0.0.';
/** The reply port the TDDP example names; real devices always reply to 61000. */
export const DEFAULT_TDDP_REPLY_PORT = 61040;

export const USAGE = `Usage: npm start -- [--port 1880] [--user-dir .node-red-demo] [--fleet-base 127.0.0.] [--tddp-reply-port 61040] [--reset]`;

export function parseDemoArgs(argv: readonly string[], repoRoot: string): DemoOptions {
  const options: DemoOptions = {
    port: 1880,
    userDir: path.join(repoRoot, '.node-red-demo'),
    fleetBase: DEFAULT_FLEET_BASE,
    tddpReplyPort: DEFAULT_TDDP_REPLY_PORT,
    reset: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--port': options.port = portNumber(flag, value()); break;
      case '--tddp-reply-port': options.tddpReplyPort = portNumber(flag, value(), 0); break;
      case '--user-dir': options.userDir = path.resolve(repoRoot, value()); break;
      case '--fleet-base': options.fleetBase = fleetBase(value()); break;
      case '--reset': options.reset = true; break;
      case '--help': case '-h': throw new Error(USAGE);
      default: throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  return options;
}

function portNumber(flag: string, text: string, min = 1): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > 65535) throw new Error(`${flag} must be a port number (${min}-65535), not ${text}`);
  return n;
}

/** "127.0.1" or "127.0.1." -> "127.0.1."; loopback only. */
export function fleetBase(text: string): string {
  const base = text.endsWith('.') ? text : `${text}.`;
  const parts = base.slice(0, -1).split('.');
  if (parts.length !== 3 || parts[0] !== '127' || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    throw new Error(`--fleet-base must be the first three octets of a loopback address such as 127.0.0. (got ${text})`);
  }
  return base;
}
