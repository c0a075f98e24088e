/**
 * The simulator CLI for SMART models: `tplink-simulator --model P110
 * --username U --password P [--port 80] [--fault KIND] [--discovery-20002]`
 * runs one device speaking its model's transport (AES or KLAP). Kept here
 * so that tplink-simulator only dispatches to it. The password is never printed.
 */
import type { FaultSpec } from '../faults';
import { findSmartModel } from './models';
import { startSmartDevice, type RunningSmartDevice } from './server';

export interface SmartCliValues {
  model?: string;
  host?: string;
  port?: string;
  alias?: string;
  seed?: string;
  username?: string;
  password?: string;
  'discovery-20002'?: boolean;
}

export function isSmartModel(name: string | undefined): boolean {
  return name !== undefined && findSmartModel(name) !== undefined;
}

/** Starts the SMART device; throws a RangeError on bad values. */
export function startSmartFromCli(values: SmartCliValues, fault: FaultSpec | undefined): Promise<RunningSmartDevice> {
  const portText = values.port ?? '80';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`--port must be an integer from 0 to 65535, not "${portText}"`);
  return startSmartDevice({
    model: values.model ?? '', host: values.host ?? '127.0.0.1', port, seed: values.seed, nickname: values.alias,
    username: values.username ?? '', password: values.password ?? '', fault, discovery20002: values['discovery-20002'] === true,
  });
}

/** One line for the console, like the CLI prints for classic devices. */
export function describeSmartDevice(d: RunningSmartDevice, username: string | undefined): string {
  const spec = d.device.spec;
  const account = username ? `bound to ${username}` : 'unbound (blank credentials)';
  const login = d.transport === 'aes' ? `login v${d.loginVersion}` : `v${d.loginVersion}`;
  const discovery = d.discoveryPort === undefined ? '' : `, UDP ${d.discoveryPort} discovery`;
  return `${spec.model}(${spec.region}) hw ${spec.hwVer} ${d.host}:${d.port} ${d.transport.toUpperCase()} ${login}${discovery}, ` +
    `${account} "${d.device.nickname}" ${d.device.deviceId}`;
}
