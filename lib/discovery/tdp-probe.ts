/**
 * The UDP 20002/20004 probe on its own, to one address exactly as given (a
 * broadcast address or a host), for `tplink-smartplug -b`: the tool sends
 * its own get_sysinfo broadcast and prints those replies as they come, and
 * beside them lists what answers this probe (KLAP firmware and SMART
 * devices), each once, with the reply it sent.
 */
import { isJsonObject, parseBoundedJson, type JsonObject } from '../json';
import { FoundDeviceIndex } from './found-index';
import { ProbeSocket } from './probe-socket';
import { DISCOVERY_20004_PORT } from './smart-reply';
import { DISCOVERY_20002_PORT, TDP_HEADER_LENGTH } from './tdp';
import type { DiscoveredDevice, DiscoveredKind } from './types';

export interface TdpProbeOptions {
  /** Where the probe goes, and nowhere else. */
  destination: string;
  /** Local address to send from. */
  sourceAddress?: string;
  /** Milliseconds to collect replies. */
  timeout: number;
  /** Default 20002 and 20004. */
  ports?: readonly number[];
  /** Default every kind: plugs and bulbs. */
  kinds?: readonly DiscoveredKind[];
  /** Each device once, when it first answers, with the JSON its reply carried. */
  onDevice?: (device: DiscoveredDevice, reply: JsonObject) => void;
}

/** Resolves to the devices that answered within the timeout; rejects with a ConnectionError when nothing could be sent. */
export async function probeTdpDevices(options: TdpProbeOptions): Promise<DiscoveredDevice[]> {
  const found = new Map<string, DiscoveredDevice>();
  const index = new FoundDeviceIndex();
  let failure: Error | undefined;
  const socket = await ProbeSocket.open({
    bindAddress: options.sourceAddress,
    port: DISCOVERY_20002_PORT,
    classic: false,
    kinds: options.kinds ?? ['plug', 'bulb'],
    tdpPorts: options.ports ?? [DISCOVERY_20002_PORT, DISCOVERY_20004_PORT],
    onDevice: (device, datagram) => {
      const key = index.keyOf(device);
      if (found.has(key)) return;
      found.set(key, device);
      report(options.onDevice, device, datagram);
    },
    onError: (error) => {
      failure ??= error;
    },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const window = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.timeout);
    });
    const sent = await socket.probe([options.destination], 1, 0);
    if (sent.sent === 0 && sent.errors.length > 0) throw sent.errors[0];
    await window;
    if (failure) throw failure;
    return [...found.values()];
  } finally {
    clearTimeout(timer);
    await socket.close();
  }
}

function report(callback: TdpProbeOptions['onDevice'], device: DiscoveredDevice, datagram: Buffer): void {
  if (!callback) return;
  try {
    // Already read once by the shape reader: parsing the body again cannot fail on a device that got this far.
    const body = parseBoundedJson(datagram.subarray(TDP_HEADER_LENGTH).toString('utf8'));
    callback(device, isJsonObject(body) ? body : {});
  } catch {
    // The caller's bug; the device is still in the result.
  }
}
