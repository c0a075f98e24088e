#!/usr/bin/env node
/**
 * tddp-client: send one TDDP request and print the request and reply
 * headers and the decrypted data, like softScheck's tddp-client.py.
 *
 * Exit codes: 0 ok, 1 the device replied with a non-zero status, 2 usage
 * error, 3 timeout or device unreachable, 4 malformed reply, digest
 * mismatch or data that does not decrypt.
 */
import { parseArgs } from 'util';
import { deriveKey, TddpClient, TddpError, TddpHeader, TddpType, TDDP_PORT, TDDP_REPLY_PORT } from '../tddp';

const USAGE = 'Usage: tddp-client -t <host> [-u <user>] [-p <password>] -c <subtype hex> [--type <n>] [--data <hex>] '
  + '[--port 1040] [--reply-port 61000] [--bind <address>] [-T <seconds>] [-v] [--help]';

const HELP = `${USAGE}

Sends one TP-Link Device Debug Protocol (TDDP v2) request and prints the reply.

  -t, --target <host>      device address
  -u, --username <user>    username for the DES key (default admin)
  -p, --password <pass>    password for the DES key (default admin)
  -c, --command <hex>      subtype, one or two hex digits, e.g. 0e
      --type <n>           packet type (default 3, special command)
      --data <hex>         data to send, as hex (encrypted before sending)
      --port <n>           device port (default ${TDDP_PORT})
      --reply-port <n>     local port the reply comes back to (default ${TDDP_REPLY_PORT};
                           0: any free port, for a simulator that replies to the source port)
      --bind <address>     local address to send from and listen on (default all)
  -T, --timeout <s>        seconds to wait for the reply (default 5)
  -v, --verbose            print the key and the raw packets
  -h, --help               print this help

Exit status: 0 ok, 1 device returned a non-zero status, 2 usage error,
3 timeout or unreachable, 4 malformed reply, digest or decryption error.`;

export const EXIT = { OK: 0, STATUS: 1, USAGE: 2, UNREACHABLE: 3, BAD_REPLY: 4 } as const;

class UsageError extends Error {}

interface Settings {
  host: string;
  username: string;
  password: string;
  subtype: number;
  type: number;
  data: Buffer;
  port: number;
  replyPort: number;
  bindAddress: string | undefined;
  timeout: number;
  verbose: boolean;
}

function parseSettings(argv: string[]): Settings | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        target: { type: 'string', short: 't' },
        username: { type: 'string', short: 'u', default: 'admin' },
        password: { type: 'string', short: 'p', default: 'admin' },
        command: { type: 'string', short: 'c' },
        type: { type: 'string', default: String(TddpType.SPECIAL_COMMAND) },
        data: { type: 'string', default: '' },
        port: { type: 'string', default: String(TDDP_PORT) },
        'reply-port': { type: 'string', default: String(TDDP_REPLY_PORT) },
        bind: { type: 'string' },
        timeout: { type: 'string', short: 'T', default: '5' },
        verbose: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';
  if (!values.target) throw new UsageError('missing -t <host>');
  if (values.command === undefined) throw new UsageError('missing -c <subtype hex>');
  if (!/^(0x)?[0-9a-f]{1,2}$/i.test(values.command)) throw new UsageError(`-c takes one or two hex digits, e.g. 0e (got "${values.command}")`);
  if (!/^([0-9a-f]{2})*$/i.test(values.data)) throw new UsageError(`--data takes an even number of hex digits (got "${values.data}")`);
  const seconds = Number(values.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`-T takes a positive number of seconds (got "${values.timeout}")`);
  return {
    host: values.target,
    username: values.username,
    password: values.password,
    subtype: parseInt(values.command.replace(/^0x/i, ''), 16),
    type: parseInteger('--type', values.type, 0, 0xff),
    data: Buffer.from(values.data, 'hex'),
    port: parseInteger('--port', values.port, 1, 0xffff),
    replyPort: parseInteger('--reply-port', values['reply-port'], 0, 0xffff),
    bindAddress: values.bind,
    timeout: Math.round(seconds * 1000),
    verbose: values.verbose,
  };
}

function parseInteger(flag: string, text: string, min: number, max: number): number {
  const value = /^(\d+|0x[0-9a-f]+)$/i.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`${flag} takes an integer from ${min} to ${max} (got "${text}")`);
  return value;
}

function formatHeader(header: TddpHeader): string {
  const hex = (value: number, digits: number): string => value.toString(16).padStart(digits, '0');
  return `Version ${hex(header.version, 2)} Type ${hex(header.type, 2)} Status ${hex(header.status, 2)} `
    + `Length ${hex(header.length, 8)} ID ${hex(header.id, 4)} Subtype ${hex(header.subtype, 2)}`;
}

/** Printable ASCII as is, anything else as \xNN, so binary replies stay on one line. */
function formatData(data: Buffer): string {
  let out = '';
  for (const byte of data) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function exitCodeFor(error: unknown): number {
  if (!(error instanceof TddpError)) return EXIT.BAD_REPLY;
  switch (error.code) {
    case 'ESTATUS': return EXIT.STATUS;
    case 'ETIMEDOUT':
    case 'ECONNECTION': return EXIT.UNREACHABLE;
    default: return EXIT.BAD_REPLY;
  }
}

async function run(settings: Settings): Promise<number> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const client = new TddpClient({
    host: settings.host,
    username: settings.username,
    password: settings.password,
    port: settings.port,
    replyPort: settings.replyPort,
    bindAddress: settings.bindAddress,
    timeout: settings.timeout,
  });
  if (settings.verbose) out(`TDDP Key:     ${deriveKey(settings.username, settings.password).toString('hex')} (${settings.username}:${'*'.repeat(settings.password.length)})`);
  client.on('request', (header, packet) => {
    if (settings.verbose) out(`Raw Request:  ${packet.toString('hex')}`);
    out(`Request Data: ${formatHeader(header)}`);
  });
  client.on('reply', (header, packet) => {
    if (settings.verbose) out(`Raw Reply:    ${packet.toString('hex')}`);
    if (header) out(`Reply Data:   ${formatHeader(header)}`);
  });
  client.on('ignored', (reason, _packet, from) => {
    if (settings.verbose) out(`Ignored:      datagram from ${from.address}:${from.port} (${reason})`);
  });
  try {
    const reply = await client.request({ type: settings.type, subtype: settings.subtype, data: settings.data });
    if (settings.verbose && reply.header.version === 2) out('Digest:       ok');
    if (reply.data.length > 0) out(`Decrypted:    ${formatData(reply.data)}`);
    return EXIT.OK;
  } catch (error) {
    process.stderr.write(`tddp-client: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodeFor(error);
  } finally {
    await client.close();
  }
}

async function main(argv: string[]): Promise<number> {
  let settings: Settings | 'help';
  try {
    settings = parseSettings(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`tddp-client: ${error.message}\n${USAGE}\n`);
    return EXIT.USAGE;
  }
  if (settings === 'help') {
    process.stdout.write(`${HELP}\n`);
    return EXIT.OK;
  }
  return run(settings);
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, (error: unknown) => {
    process.stderr.write(`tddp-client: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.BAD_REPLY;
  });
}
