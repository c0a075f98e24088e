/**
 * Discovery of Smart Home devices on the LAN: a one-shot `discover()` and
 * the continuous `DiscoveryScanner`.
 *
 * Where other tools fail, and what is done here instead:
 * - several interfaces (second NIC, Docker bridges): a limited broadcast
 *   leaves by one interface only, so every interface's directed broadcast is
 *   probed too, and `interface` / `sourceAddress` pick one network;
 * - packet loss: each sweep repeats the probe;
 * - duplicate replies (several probes, several destinations): one device per deviceId;
 * - firmware that resets when a broadcast asks for much: get_sysinfo only;
 * - junk, other kinds of device, socket errors: dropped or reported, never thrown.
 */
import { DEFAULT_PORT, resolveSettings } from './settings';
import { ProbeSocket } from './probe-socket';
import { mergeReplies } from './replies';
import type { DiscoverCallbacks, DiscoverOptions, DiscoveredDevice } from './types';

export { DiscoveryScanner } from './scanner';
export type { DiscoveryScannerOptions, DeviceChange, SweepSummary } from './scanner';
export type { DiscoverCallbacks, DiscoverOptions, DiscoveredDevice, DiscoveredChild, DiscoveredKind, KlapInfo } from './types';
export { directedBroadcast } from './network';
export { summarizeDevice, outletSummaries, type DeviceSummary, type OutletSummary } from './summary';
export { DEFAULT_PORT };

/**
 * Probes the network once and resolves to the devices that answered within
 * `timeout` (a `target` resolves as soon as it answers). Rejects with a
 * ConnectionError when the socket cannot be bound or no probe could be sent.
 */
export async function discover(options: DiscoverOptions & DiscoverCallbacks = {}): Promise<DiscoveredDevice[]> {
  const settings = resolveSettings(options);
  const found = new Map<string, DiscoveredDevice>();
  let answered: (() => void) | undefined;
  let failure: Error | undefined;
  const socket = await ProbeSocket.open({
    ...settings.socket,
    onDevice: (device) => {
      const known = found.get(device.deviceId);
      found.set(device.deviceId, known ? mergeReplies(known, device) : device);
      if (!known) notify(options.onDevice, device);
      if (settings.plan.broadcast === false && !settings.socket.klapPort) answered?.();
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
