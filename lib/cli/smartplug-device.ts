/**
 * tplink-smartplug's commands that depend on what the device is (on, off,
 * energy, -o on a strip, and the light flags): they go through the device
 * layer, which reads the device first and sends the request its kind takes.
 * What was sent for the command and what came back is printed in the
 * original tool's form, from the traffic hook; -v prints every exchange.
 */
import { connect, type ConnectOptions } from '../device/connect';
import type { Device } from '../device/device';
import { findOutlet } from '../device/outlets';
import type { OutletOption } from '../device/types';
import { formatTrafficEvent, type TrafficEvent } from '../traffic';
import { UsageError } from './exit-status';
import type { LightFlags, SmartplugOptions } from './smartplug-options';

export interface DeviceRunIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Commands whose request depends on the kind of device. */
export const DEVICE_COMMANDS: ReadonlySet<string> = new Set(['on', 'off', 'energy']);

/** Opens the device through the device layer, with -v's printing and the exchanges recorded. */
export async function openForCommand(
  options: SmartplugOptions, port: number, io: DeviceRunIo,
): Promise<{ device: Device; exchanges: TrafficEvent[] }> {
  const exchanges: TrafficEvent[] = [];
  const connectOptions: ConnectOptions = {
    host: options.host, port, transport: options.transport, timeout: options.timeout,
    // No silent retries: -T bounds each request, as in the original.
    retries: 0, localAddress: options.sourceAddress, username: options.username, password: options.password,
    onTraffic: (event) => {
      if (options.verbose) io.stderr.write(`${formatTrafficEvent(event)}\n`);
      exchanges.push(event);
    },
  };
  if (options.transport === 'klap') connectOptions.klapPort = port;
  const device = await connect(connectOptions);
  // What connect read is not the command's: only what follows is printed.
  exchanges.length = 0;
  return { device, exchanges };
}

/** -o: the outlet, or a usage error listing the strip's outlets. */
export function outletOf(device: Device, ref: string | undefined): OutletOption {
  if (ref === undefined) return {};
  const outlets = device.state.outlets;
  if (outlets.length === 0) throw new UsageError(`the device has no outlets to choose with -o (it is not a power strip)`);
  if (!findOutlet(outlets, ref)) {
    const known = outlets.map((o) => `${o.id.slice(-2)} '${o.alias}'`).join(', ');
    throw new UsageError(`the strip has no outlet '${ref}'; its outlets are ${known}`);
  }
  return { outlet: ref };
}

/** Runs on, off, energy or the light flags; resolves when done (rejects with the device's or the layer's error). */
export async function runDeviceCommand(device: Device, options: SmartplugOptions): Promise<void> {
  const outlet = outletOf(device, options.outlet);
  if (options.light) return setLight(device, options.command, options.light, outlet);
  if (options.command === 'energy') {
    if (!device.energy) throw new UsageError(`${device.state.model || 'the device'} has no energy meter`);
    await device.energy.read(outlet);
    return;
  }
  await device.setPower(options.command === 'on', outlet);
}

/** A light takes every flag at once; a dimmer a brightness (and fade); anything with -c on/off a transition. */
async function setLight(device: Device, command: string | undefined, flags: LightFlags, outlet: OutletOption): Promise<void> {
  const on = command === 'on' ? true : command === 'off' ? false : undefined;
  const transition = flags.transition === undefined ? {} : { transition: flags.transition };
  const colour = flags.hue !== undefined || flags.saturation !== undefined || flags.colorTemp !== undefined;
  const lightChange = colour || flags.brightness !== undefined;
  // The light feature drives the device's light whatever -o named: with -o, a brightness or colour goes only where the
  // device layer says the outlet dims (a KS240's fan is refused), and a switch with a transition goes to the outlet named.
  if (outlet.outlet !== undefined && lightChange) device.dimmingTarget(outlet);
  if (device.light && (outlet.outlet === undefined || lightChange)) {
    await device.light.set({ ...flags, ...(on === undefined ? {} : { on }) });
    return;
  }
  if (device.dimmer && !colour && flags.brightness !== undefined) {
    // A dimmer's level is set by switching it on at that level (a light keeps a level while off; a dimmer cannot be told one).
    if (on === false) throw new UsageError('--brightness switches a dimmer on: it cannot go with -c off');
    await device.dimmer.setBrightness(flags.brightness, transition);
    return;
  }
  if (!colour && flags.brightness === undefined && on !== undefined) {
    await device.setPower(on, { ...outlet, ...transition });
    return;
  }
  const what = colour ? 'colour or colour temperature' : flags.brightness !== undefined ? 'brightness' : 'transition without -c on or -c off';
  throw new UsageError(`${device.state.model || 'the device'} (a ${device.kind}) takes no ${what}`);
}

/** The command's exchanges as the original prints them; -q: the replies only. */
export function printExchanges(exchanges: readonly TrafficEvent[], quiet: boolean, stdout: NodeJS.WritableStream): void {
  for (const reply of exchanges.filter((e) => e.direction === 'reply')) {
    const request = exchanges.find((e) => e.direction === 'request' && e.id === reply.id);
    stdout.write(quiet ? `${reply.text}\n` : `Sent:      ${request?.text ?? ''}\nReceived:  ${reply.text}\n`);
  }
}
