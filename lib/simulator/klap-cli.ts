/**
 * The simulator CLI's KLAP options, kept here so that tplink-simulator only
 * spreads them in: `--klap v1|v2 --username U --password P [--klap-port N]
 * [--discovery-20002]`. With --klap the device closes TCP 9999 as new
 * firmware does. The password is never printed.
 */
import { startKlapDevice, type RunningKlapDevice } from './klap-device';
import type { StartDeviceOptions } from './device-server';

export const KLAP_CLI_OPTIONS = {
  klap: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'klap-port': { type: 'string' },
  'discovery-20002': { type: 'boolean' },
} as const;

export const KLAP_CLI_HELP = `      --klap <v1|v2>        new firmware: TCP 9999 closed, Smart Home JSON over KLAP only
      --username <email>    the cloud account the device is bound to (default: blank, unbound)
      --password <text>     its password
      --klap-port <n>       KLAP HTTP port; 0 picks a free one (default 80)
      --discovery-20002     also answer UDP 20002 discovery probes`;

export interface KlapCliValues {
  klap?: string;
  username?: string;
  password?: string;
  'klap-port'?: string;
  'discovery-20002'?: boolean;
}

/** Starts a KLAP-only device when --klap is given; undefined otherwise. Throws a RangeError on bad values. */
export async function startKlapFromCli(values: KlapCliValues, device: StartDeviceOptions): Promise<RunningKlapDevice | undefined> {
  if (values.klap === undefined) {
    if (values.username !== undefined || values.password !== undefined) throw new RangeError('--username and --password need --klap');
    return undefined;
  }
  const version = ({ v1: 1, '1': 1, v2: 2, '2': 2 } as const)[values.klap.toLowerCase() as 'v1' | '1' | 'v2' | '2'];
  if (version === undefined) throw new RangeError(`--klap must be v1 or v2, not "${values.klap}"`);
  const portText = values['klap-port'] ?? '80';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`--klap-port must be an integer from 0 to 65535, not "${portText}"`);
  return startKlapDevice({
    ...device,
    klap: { version, port, username: values.username ?? '', password: values.password ?? '' },
    discovery20002: values['discovery-20002'] === true,
  });
}

/** One line for the console, like the CLI prints for classic devices. */
export function describeKlapDevice(d: RunningKlapDevice, username: string | undefined): string {
  const account = username ? `bound to ${username}` : 'unbound (blank credentials)';
  const discovery = d.discoveryPort === undefined ? '' : `, UDP ${d.discoveryPort} discovery`;
  return `${d.running.model} hw ${d.running.device.spec.hwVer} ${d.host} KLAP v${d.klapVersion} on HTTP ${d.klapPort}${discovery}, ` +
    `${account} "${d.running.alias}" ${d.running.deviceId}`;
}
