/**
 * tplink-smartplug --dump FILE: every read-only answer of one device
 * written to a file (lib/dump), scrubbed of private data before it is
 * written, for a bug report or to serve as a simulated device
 * (tplink-simulator --fixture FILE). Its flags and their checks live here
 * so that the rest of the CLI only passes them through.
 */
import { dumpDevice, writeDump } from '../dump/dump';
import { probeDiscovery20002 } from '../dump/discovery';
import type { DeviceDump } from '../dump/format';
import { UsageError, describeFailure, exitCodeFor, EXIT_OK } from './exit-status';

export const DUMP_FLAGS = {
  dump: { type: 'string' },
  'wifi-scan': { type: 'boolean' },
  aes: { type: 'boolean' },
} as const;

export const DUMP_HELP = `      --dump <file>          write every read-only answer of the device to <file> (JSON),
                             private data (MAC, ids, names, SSIDs, places, accounts)
                             replaced by fakes: for a bug report, or for
                             tplink-simulator --fixture <file>
      --wifi-scan            with --dump: also record a fresh Wi-Fi scan (takes seconds)
      --aes                  use AES securePassthrough (Tapo on older firmware); credentials as for --klap
`;

export interface DumpRequest {
  file: string;
  wifiScan: boolean;
  /** SMART over AES (KLAP devices of either family come with --klap). */
  aes: boolean;
}

interface DumpFlagValues {
  dump?: string;
  'wifi-scan'?: boolean;
  aes?: boolean;
  broadcast?: boolean;
  command?: string;
  json?: string;
  outlet?: string;
  klap?: boolean;
  udp?: boolean;
  brightness?: string;
  temperature?: string;
  hsv?: string;
  transition?: string;
}

/** --dump and its companions, checked; undefined without --dump. */
export function dumpRequestOf(values: DumpFlagValues): DumpRequest | undefined {
  if (values.dump === undefined) {
    if (values['wifi-scan']) throw new UsageError('--wifi-scan goes with --dump');
    return undefined;
  }
  if (values.dump.trim() === '') throw new UsageError('--dump needs a file name');
  const clash = [
    ['-b', values.broadcast], ['-c', values.command], ['-j', values.json], ['-o', values.outlet], ['--brightness', values.brightness],
    ['--temperature', values.temperature], ['--hsv', values.hsv], ['--transition', values.transition],
  ].find(([, set]) => set !== undefined && set !== false);
  if (clash) throw new UsageError(`--dump asks the whole device its own questions: it cannot be used with ${String(clash[0])}`);
  if (values.aes && (values.klap || values.udp)) throw new UsageError('--aes is a transport of its own: it cannot be combined with --klap or -u');
  return { file: values.dump, wifiScan: values['wifi-scan'] === true, aes: values.aes === true };
}

export interface DumpTarget {
  host: string;
  port: number | undefined;
  transport: 'tcp' | 'udp' | 'klap';
  timeout: number;
  quiet: boolean;
  username: string | undefined;
  password: string | undefined;
}

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const NAME = 'tplink-smartplug';

export async function runDump(request: DumpRequest, target: DumpTarget, io: Io): Promise<number> {
  const transport = request.aes ? 'aes' : target.transport;
  const port = target.port ?? (transport === 'tcp' || transport === 'udp' ? 9999 : 80);
  try {
    // KLAP and AES devices say in their discovery reply how they want to be spoken to.
    const discovery = transport === 'klap' || transport === 'aes' ? await probeDiscovery20002({ host: target.host }) : undefined;
    const dump = await dumpDevice({
      host: target.host, port, transport, username: target.username, password: target.password, timeout: target.timeout,
      wifiScan: request.wifiScan, discovery, tool: `${NAME} --dump`,
    });
    const written = await writeDump(request.file, dump);
    io.stdout.write(target.quiet ? `${request.file}\n` : summary(request.file, written));
    return EXIT_OK;
  } catch (error) {
    io.stderr.write(`${NAME}: ${describeFailure(error, target.host, port)}\n`);
    return exitCodeFor(error);
  }
}

function summary(file: string, dump: DeviceDump): string {
  const refused = dump.family === 'classic'
    ? dump.exchanges.filter((e) => JSON.stringify(e.reply).includes('"err_code":-')).length
    : dump.exchanges.filter((e) => e.reply.error_code !== 0).length;
  const fields = Object.entries(dump.scrubbed ?? {}).map(([field, count]) => `${field} (${count})`).join(', ');
  return `Wrote ${file}: ${dump.model} hw ${dump.hardware} fw ${dump.firmware}, a ${dump.kind} (${dump.family} over ${dump.transport}), `
    + `${dump.exchanges.length} answers, ${refused} of them refusals.\n`
    + `Replaced by fakes: ${fields || 'nothing'}.\n`
    + `Read the file before you share it: anything else you consider private (schedule names, say) is still in it.\n`;
}
