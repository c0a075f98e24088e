/**
 * Runs a DiscoveryScanner inside the client namespace and prints every
 * event as a JSON line: node scanner-client.js '<DiscoveryScannerOptions json>'.
 * Stops (and says so) when stdin closes.
 */
import { DiscoveryScanner, type DiscoveryScannerOptions, type DiscoveredDevice } from '../../lib/discovery/index';
import { emit, exitWhenParentGoes } from './channel';

const brief = (d: DiscoveredDevice): Record<string, unknown> => ({ host: d.host, deviceId: d.deviceId, alias: d.sysinfo.alias });

async function main(): Promise<void> {
  const scanner = new DiscoveryScanner(JSON.parse(process.argv[2] ?? '{}') as DiscoveryScannerOptions);
  for (const event of ['device-new', 'device-online', 'device-offline'] as const) {
    scanner.on(event, (device: DiscoveredDevice) => emit({ event, at: Date.now(), ...brief(device) }));
  }
  scanner.on('device-changed', (device: DiscoveredDevice, changes: unknown) => emit({ event: 'device-changed', at: Date.now(), ...brief(device), changes }));
  scanner.on('sweep', (summary: Record<string, unknown>) => emit({ event: 'sweep', at: Date.now(), ...summary }));
  scanner.on('error', (error: Error) => emit({ event: 'error', message: error.message }));
  exitWhenParentGoes(async () => {
    await scanner.stop();
    emit({ event: 'stopped' });
  });
  await scanner.start();
  emit({ event: 'started' });
}

main().catch((error: unknown) => {
  emit({ event: 'error', message: String(error) });
  process.exitCode = 1;
});
