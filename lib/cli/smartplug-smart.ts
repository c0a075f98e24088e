/**
 * tplink-smartplug on SMART devices (Tapo, and Kasa on firmware since about
 * 2023): on, off and energy already go through the device layer for every
 * family; this is what -c info and -j mean there. The classic tool's
 * predefined commands are Smart Home protocol requests such a device does
 * not take, so -c info becomes get_device_info and the other commands are
 * a usage error naming what works; -j takes a SMART request as written.
 * The reply is printed as the device sent it, and a non-zero error_code is
 * the typed SMART error (exit 1, or 5 for a refused login).
 */
import type { Device } from '../device/device';
import type { OutletOption } from '../device/types';
import { isSmartRequest } from '../device/smart/raw-request';
import type { JsonObject } from '../json';
import { smartErrorFor } from '../smart/errors';
import type { SmartRequest } from '../smart/envelope';
import { UsageError } from './exit-status';
import type { SmartplugOptions } from './smartplug-options';

/** The predefined commands that have a SMART meaning besides on, off and energy. */
const SMART_COMMANDS: Readonly<Record<string, SmartRequest>> = {
  info: { method: 'get_device_info' },
};

const WHAT_WORKS = 'SMART devices (Tapo, newer Kasa firmware) take -c on, off, info or energy, or -j with a SMART request such as {"method":"get_device_info"}';

/** The request -c or -j asks of a SMART device, or a UsageError saying what it takes. */
export function smartRequestOf(options: Pick<SmartplugOptions, 'command' | 'json'>): SmartRequest {
  if (options.command !== undefined) {
    const request = SMART_COMMANDS[options.command];
    if (request === undefined) throw new UsageError(`-c ${options.command} is a classic Kasa request; ${WHAT_WORKS}`);
    return request;
  }
  // The command line already checked that -j is a JSON object.
  const value = JSON.parse(options.json) as unknown;
  if (!isSmartRequest(value)) throw new UsageError(`-j ${options.json} is not a SMART request; ${WHAT_WORKS}`);
  return value.params === undefined ? { method: value.method } : { method: value.method, params: value.params };
}

/** Sends -c info or -j to a SMART device (an outlet of a strip with -o, through control_child) and prints the exchange. */
export async function sendSmart(
  device: Device, options: SmartplugOptions, stdout: NodeJS.WritableStream, outlet: OutletOption,
): Promise<void> {
  const request = smartRequestOf(options);
  const sent = JSON.stringify(request);
  const reply: JsonObject = await device.request(sent, { ...outlet, timeout: options.timeout });
  stdout.write(options.quiet ? `${JSON.stringify(reply)}\n` : `Sent:      ${sent}\nReceived:  ${JSON.stringify(reply)}\n`);
  const code = reply.error_code;
  if (typeof code === 'number' && code !== 0) {
    const childId = outlet.outlet === undefined ? undefined : device.outlet(outlet.outlet).id;
    throw smartErrorFor(code, { method: request.method, address: device.address, childId });
  }
}
