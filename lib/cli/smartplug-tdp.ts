/**
 * tplink-smartplug -b's second half: Tapo devices and newer Kasa firmware
 * never answer get_sysinfo on 9999, only the UDP 20002/20004 discovery
 * probe. With the info command (the default) -b sends that probe to the
 * same address in the same window and prints each device that answers
 * once: its reply as it came, then (unless -q) what it is and how to reach
 * it, the transport and login version to use.
 */
import { probeTdpDevices, type DiscoveredDevice } from '../discovery/index';
import type { JsonObject } from '../json';

export interface TdpListing {
  /** Where the probe goes: -b's address. */
  destination: string;
  sourceAddress: string | undefined;
  /** Milliseconds, -T. */
  timeout: number;
  quiet: boolean;
  /** 20002 and 20004 unless a test says otherwise. */
  ports?: readonly number[];
}

/** Prints every device that answers; resolves to how many did. Rejects only when no probe could be sent. */
export async function listTdpDevices(listing: TdpListing, stdout: NodeJS.WritableStream): Promise<number> {
  const found = await probeTdpDevices({
    destination: listing.destination,
    sourceAddress: listing.sourceAddress,
    timeout: listing.timeout,
    ...(listing.ports ? { ports: listing.ports } : {}),
    onDevice: (device, reply) => stdout.write(formatTdpDevice(device, reply, listing.quiet)),
  });
  return found.length;
}

export function formatTdpDevice(device: DiscoveredDevice, reply: JsonObject, quiet: boolean): string {
  const json = JSON.stringify(reply);
  if (quiet) return `${json}\n`;
  const family = device.family === 'smart' ? 'SMART' : 'Smart Home protocol';
  const version = device.loginVersion === undefined ? '' : `, login version ${device.loginVersion}`;
  return `Received from ${device.host}:${device.klap?.port ?? ''}:  ${json}\n`
    + `    ${device.state.model} ${device.state.kind} (${family}): transport ${device.protocol} on HTTP port ${device.port}${version}, `
    + 'takes the TP-Link account it is bound to\n';
}
