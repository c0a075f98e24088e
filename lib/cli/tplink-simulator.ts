#!/usr/bin/env node
/**
 * tplink-simulator: run simulated Kasa devices (one, a fleet, or a fleet
 * file) until SIGINT / SIGTERM. Prints one line per device.
 *
 * Exit codes: 0 stopped by a signal, 1 could not start (port in use, bad
 * address), 2 usage error.
 */
import { readFileSync } from 'fs';
import { parseArgs } from 'util';
import {
  DEVICE_KINDS, FAULT_KINDS, fleetLayout, HOSTILE_MODES, isHostileMode, MODEL_NAMES, parseFault, parseFleetFile, resolveModel, startFleet,
  startHostileDevice, type DeviceKind, type RunningFleet, type StartFleetOptions,
} from '../simulator';
import { startTddpResponder, type TddpResponder } from '../simulator/tddp-responder';
import { describeKlapDevice, KLAP_CLI_HELP, KLAP_CLI_OPTIONS, startKlapFromCli } from '../simulator/klap-cli';
import type { RunningKlapDevice } from '../simulator/klap-device';
import { describeSmartDevice, isSmartModel, startSmartFromCli } from '../simulator/smart/cli';
import { smartModelNames } from '../simulator/smart/models';
import type { RunningSmartDevice } from '../simulator/smart/server';
import { describeFixture, startFixtureFromCli } from '../simulator/fixture/cli';
import type { RunningFixture } from '../simulator/fixture/serve';

const USAGE = 'Usage: tplink-simulator [--model HS110 | --fixture DUMP.json] [--host 127.0.0.1] [--port 9999] [--count N [--layout ports|hosts]] '
  + '[--alias NAME] [--fault KIND[:N]] [--fleet FILE.json] [--broadcast-listener HOST] [--tddp ...] '
  + '[--klap v1|v2 [--username U --password P]] [--hostile MODE] [--help]';

const KIND_TITLES: Record<DeviceKind, string> = {
  plug: 'plugs', strip: 'power strips', switch: 'wall switches', dimmer: 'dimmers', bulb: 'bulbs', lightstrip: 'light strips',
};

/** The models, one line per kind, for --help. */
function modelList(): string {
  return DEVICE_KINDS
    .map((kind) => ({ kind, names: MODEL_NAMES.filter((name) => resolveModel(name).kind === kind) }))
    .filter(({ names }) => names.length > 0)
    .map(({ kind, names }) => `                              ${`${KIND_TITLES[kind]}:`.padEnd(15)}${names.join(', ')}`)
    .join('\n');
}

const HELP = `${USAGE}

Runs simulated TP-Link Kasa devices speaking the Smart Home protocol on
TCP and UDP (same port), until interrupted.

  -m, --model <name>        the model to simulate (default HS110):
${modelList()}
                            SMART (Tapo, new Kasa): ${smartModelNames().join(', ')}, one device
                            on HTTP (--port, default 80) with its model's AES or KLAP
                            transport, bound to --username/--password
      --fixture <dump.json> serve a device dump (tplink-smartplug --dump) as a device,
                            over the transport it was dumped over (TCP/UDP; KLAP or
                            AES on --port, default 80, bound to --username/--password)
      --host <address>      address to listen on (default 127.0.0.1)
  -p, --port <n>            TCP and UDP port; 0 picks a free one (default 9999)
  -n, --count <n>           number of devices (default 1)
      --layout <how>        ports: consecutive ports on one host (default);
                            hosts: consecutive addresses (127.0.1.1, 127.0.1.2, ...), one port
  -a, --alias <name>        device alias (numbered when --count > 1)
      --seed <text>         seed for deviceId / MAC (same seed, same devices)
  -f, --fault <kind[:n]>    start with a fault: ${FAULT_KINDS.join(', ')}
                            e.g. slow:1500, split:1, err-code:-3, offline:5000
      --fleet <file.json>   devices from a file: [{"model":"HS300","port":9999,...}, ...]
      --broadcast-listener <host>
                            also listen on <host> (e.g. 0.0.0.0 in a network
                            namespace, 127.255.255.255 on loopback) for broadcast
                            discovery, answered by every device from its own address
      --tddp                also run a TDDP responder
      --tddp-port <n>       its port (default 1040)
      --tddp-username <u>   (default admin)
      --tddp-password <p>   (default admin)
      --tddp-reply-port <n> port replies go to (default 61000; 0: the request's source port)
      --hostile <mode>      one hostile device instead, answering as an attacker on the LAN
                            might, to try that nothing it sends stops a client:
                            ${HOSTILE_MODES.join(', ')}
${KLAP_CLI_HELP}
  -h, --help                print this help

Exit status: 0 stopped by SIGINT/SIGTERM, 1 could not start, 2 usage error.`;

class UsageError extends Error {}

const OPTIONS = {
  model: { type: 'string', short: 'm' },
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  count: { type: 'string', short: 'n' },
  layout: { type: 'string' },
  alias: { type: 'string', short: 'a' },
  seed: { type: 'string' },
  fault: { type: 'string', short: 'f' },
  fleet: { type: 'string' },
  fixture: { type: 'string' },
  'broadcast-listener': { type: 'string' },
  tddp: { type: 'boolean' },
  'tddp-port': { type: 'string' },
  'tddp-username': { type: 'string' },
  'tddp-password': { type: 'string' },
  'tddp-reply-port': { type: 'string' },
  hostile: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...KLAP_CLI_OPTIONS,
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

function integer(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not "${value}"`);
  return n;
}

function fleetOptions(values: Values): StartFleetOptions {
  let options: StartFleetOptions;
  if (values.fleet !== undefined) {
    let text: string;
    try {
      text = readFileSync(values.fleet, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${values.fleet}: ${(error as Error).message}`);
    }
    try {
      options = parseFleetFile(text, values.fleet);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  } else {
    const model = values.model ?? 'HS110';
    try {
      resolveModel(model);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const layout = values.layout ?? 'ports';
    if (layout !== 'ports' && layout !== 'hosts') throw new UsageError(`--layout must be ports or hosts, not "${layout}"`);
    let fault;
    try {
      fault = values.fault === undefined ? undefined : parseFault(values.fault);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    options = {
      samePort: layout === 'hosts',
      devices: fleetLayout({
        model, layout, fault,
        count: integer(values.count, 'count', 1, 1, 100_000),
        host: values.host ?? '127.0.0.1',
        port: integer(values.port, 'port', 9999, 0, 65535),
        alias: values.alias,
        seed: values.seed,
      }),
    };
  }
  const listener = values['broadcast-listener'];
  if (listener !== undefined) options = { ...options, broadcastListener: { host: listener } };
  return options;
}

async function main(argv: string[]): Promise<number> {
  let values: Values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.fixture !== undefined) return runFixture(values);
  if (isSmartModel(values.model)) return runSmart(values);
  if (values.hostile !== undefined) return runHostile(values);
  let options: StartFleetOptions;
  try {
    options = fleetOptions(values);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`tplink-simulator: ${error.message}\n${USAGE}`);
    return 2;
  }

  let fleet: RunningFleet | undefined;
  let tddp: TddpResponder | undefined;
  let klap: RunningKlapDevice | undefined;
  const stop = async (): Promise<void> => {
    await tddp?.close();
    await klap?.close();
    await fleet?.close();
  };
  // Handlers go in before anything is printed: whoever reads our first line may signal at once.
  let signalled: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => { signalled = resolve; });
  let signals = 0;
  const onSignal = (): void => {
    signals += 1;
    if (signals > 1) process.exit(130); // A second Ctrl-C: do not wait for sockets to close.
    signalled();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // --klap: one device on new firmware (KLAP only) instead of the classic fleet.
    klap = await startKlapFromCli(values, options.devices[0] ?? { model: 'HS110' });
    if (!klap) fleet = await startFleet(options);
    if (values.tddp) {
      tddp = await startTddpResponder({
        host: values.host ?? '127.0.0.1',
        port: integer(values['tddp-port'], 'tddp-port', 1040, 0, 65535),
        username: values['tddp-username'] ?? 'admin',
        password: values['tddp-password'] ?? 'admin',
        replyPort: integer(values['tddp-reply-port'], 'tddp-reply-port', 61000, 0, 65535),
      });
    }
  } catch (error) {
    await stop();
    console.error(`tplink-simulator: ${error instanceof UsageError ? error.message : (error as Error).message}`);
    return error instanceof UsageError || error instanceof RangeError ? 2 : 1;
  }

  if (klap) console.log(describeKlapDevice(klap, values.username));
  for (const d of fleet?.devices ?? []) {
    const udp = d.udpPort === d.port ? '' : ` (udp ${d.udpPort})`;
    console.log(`${d.model} hw ${d.device.spec.hwVer} ${d.host}:${d.port}${udp} "${d.alias}" ${d.deviceId}`);
  }
  for (const f of fleet?.fixtures ?? []) console.log(describeFixture(f));
  if (fleet?.broadcast) console.log(`broadcast listener ${fleet.broadcast.host}:${fleet.broadcast.port}`);
  if (tddp) console.log(`TDDP responder ${tddp.address().address}:${tddp.port}`);

  await stopped;
  try {
    await stop();
    return 0;
  } catch {
    return 1;
  }
}

/** Resolves when SIGINT or SIGTERM arrives; a second one exits at once. */
function untilSignalled(): Promise<void> {
  let signals = 0;
  return new Promise<void>((resolve) => {
    const onSignal = (): void => {
      signals += 1;
      if (signals > 1) process.exit(130);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** One SMART device (Tapo, new Kasa) until interrupted. */
async function runSmart(values: Values): Promise<number> {
  const stopped = untilSignalled();
  let device: RunningSmartDevice;
  try {
    device = await startSmartFromCli(values, values.fault === undefined ? undefined : parseFault(values.fault));
  } catch (error) {
    console.error(`tplink-simulator: ${(error as Error).message}`);
    return error instanceof RangeError || /unknown fault|is not a number/.test((error as Error).message) ? 2 : 1;
  }
  console.log(describeSmartDevice(device, values.username));
  await stopped;
  await device.close();
  return 0;
}

/** One hostile device (lib/simulator/hostile-replies.ts says what each mode sends) until interrupted. */
async function runHostile(values: Values): Promise<number> {
  const mode = values.hostile;
  let port: number;
  try {
    if (!isHostileMode(mode)) throw new UsageError(`unknown hostile mode "${mode}"; modes: ${HOSTILE_MODES.join(', ')}`);
    port = integer(values.port, 'port', 9999, 0, 65535);
  } catch (error) {
    console.error(`tplink-simulator: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const stopped = untilSignalled();
  let device;
  try {
    device = await startHostileDevice({ mode, port, host: values.host ?? '127.0.0.1', ...(values.alias === undefined ? {} : { alias: values.alias }) });
  } catch (error) {
    console.error(`tplink-simulator: ${(error as Error).message}`);
    return 1;
  }
  console.log(`hostile ${mode} ${device.host}:${device.port} "${device.device.alias}" ${device.device.deviceId}`);
  await stopped;
  await device.close();
  return 0;
}

/** One device dump served as a device until interrupted. */
async function runFixture(values: Values): Promise<number> {
  const conflicting = (['model', 'fleet', 'count', 'klap', 'hostile'] as const).filter((name) => values[name] !== undefined);
  if (conflicting.length > 0) {
    console.error(`tplink-simulator: --fixture serves one dump: it cannot be used with --${conflicting.join(', --')}\n${USAGE}`);
    return 2;
  }
  const stopped = untilSignalled();
  let running: RunningFixture;
  try {
    running = await startFixtureFromCli(values, values.fault === undefined ? undefined : parseFault(values.fault));
  } catch (error) {
    console.error(`tplink-simulator: ${(error as Error).message}`);
    return error instanceof RangeError || /unknown fault|is not a number/.test((error as Error).message) ? 2 : 1;
  }
  console.log(describeFixture(running));
  await stopped;
  await running.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`tplink-simulator: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 70;
  },
);
