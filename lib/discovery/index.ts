/**
 * Discovery of Kasa and Tapo devices on the LAN: a one-shot `discover()` and
 * the continuous `DiscoveryScanner`. The Smart Home probe (get_sysinfo on
 * 9999) finds classic firmware; with `includeKlap` the UDP 20002/20004
 * probe in the same sweep finds KLAP firmware and SMART devices, each with
 * the transport and login version to use.
 *
 * Where other tools fail, and what is done here instead:
 * - several interfaces (second NIC, Docker bridges): a limited broadcast
 *   leaves by one interface only, so every interface's directed broadcast is
 *   probed too, and `interface` / `sourceAddress` pick one network;
 * - packet loss: each sweep repeats the probe;
 * - duplicate replies (several probes, several destinations, 20002 and 20004):
 *   one device per deviceId, or per address and MAC across the two kinds of probe;
 * - firmware that resets when a broadcast asks for much: get_sysinfo only;
 * - junk, other kinds of device, socket errors: dropped or reported, never thrown.
 */
import { DEFAULT_PORT, resolveSettings } from './settings';
import { ProbeSocket } from './probe-socket';
import { mergeReplies } from './replies';
import { FoundDeviceIndex } from './found-index';
import type { DiscoverCallbacks, DiscoverOptions, DiscoveredDevice } from './types';

export { DiscoveryScanner } from './scanner';
export type { DiscoveryScannerOptions, DeviceChange, SweepSummary } from './scanner';
export type { DiscoverCallbacks, DiscoverOptions, DiscoveredDevice, DiscoveredChild, DiscoveredKind, KlapInfo } from './types';
export { directedBroadcast } from './network';
export { summarizeDevice, outletSummaries, type DeviceSummary, type OutletSummary } from './summary';
export { probeTdpDevices, type TdpProbeOptions } from './tdp-probe';
export { DEFAULT_PORT };

/**
 * Probes the network once and resolves to the devices that answered within
 * `timeout` (a `target` resolves as soon as it answers). Rejects with a
 * ConnectionError when the socket cannot be bound or no probe could be sent.
 */
export async function discover(options: DiscoverOptions & DiscoverCallbacks = {}): Promise<DiscoveredDevice[]> {
  const settings = resolveSettings(options);
  const found = new Map<string, DiscoveredDevice>();
  const index = new FoundDeviceIndex();
  let answered: (() => void) | undefined;
  let failure: Error | undefined;
  const socket = await ProbeSocket.open({
    ...settings.socket,
    onDevice: (device) => {
      const key = index.keyOf(device);
      const known = found.get(key);
      found.set(key, known ? mergeReplies(known, device) : device);
      if (!known) notify(options.onDevice, device);
      // A target that may still answer the other probe is waited for, so both replies merge.
      if (settings.plan.broadcast === false && settings.socket.tdpPorts.length === 0) answered?.();
    },
    onError: (error) => {
      failure ??= error;
      answered?.();
    },
  });
  try {
    const window = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, settings.timeout);
      answered = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    const report = await socket.probe(settings.plan.destinations, settings.probes, settings.spacing);
    if (report.sent === 0 && report.errors.length > 0) throw report.errors[0];
    await window;
    if (failure) throw failure;
    return [...found.values()];
  } finally {
    await socket.close();
  }
}

/** A throwing callback must not break the sweep for everyone else. */
function notify(callback: ((device: DiscoveredDevice) => void) | undefined, device: DiscoveredDevice): void {
  if (!callback) return;
  try {
    callback(device);
  } catch {
    // The caller's bug; the device is still in the result.
  }
}
