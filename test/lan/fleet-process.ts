/**
 * The device fleet, run inside the devices' namespace:
 *   node fleet-process.js '<json: {hosts: string[], models: string[], port}>'
 * Every device listens on its own address; one wildcard listener takes the
 * broadcasts and each device answers from its own address (lib/simulator's
 * startFleet). Commands on stdin: {id, cmd: 'stop'|'start', host}, {id, cmd: 'alias', host, alias}.
 */
import { startFleet, type RunningDevice, type StartDeviceOptions } from '../../lib/simulator';
import { emit, exitWhenParentGoes, onCommand } from './channel';

interface FleetSpec {
  hosts: string[];
  models: string[];
  port: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as FleetSpec;
  const devices: StartDeviceOptions[] = spec.hosts.map((host, i) => ({
    model: spec.models[i % spec.models.length] as StartDeviceOptions['model'],
    host,
    port: spec.port,
    seed: host,
    alias: `LAN device ${host}`,
  }));
  const fleet = await startFleet({ devices, broadcastListener: { host: '0.0.0.0', port: spec.port } });
  const byHost = new Map<string, RunningDevice>(fleet.devices.map((d) => [d.host, d]));
  exitWhenParentGoes(() => fleet.close());
  onCommand(async (command) => {
    const device = byHost.get(String(command.host));
    if (!device) throw new Error(`no device at ${String(command.host)}`);
    if (command.cmd === 'stop') await device.offline();
    else if (command.cmd === 'start') await device.online();
    else if (command.cmd === 'alias') device.device.handle({ system: { set_dev_alias: { alias: String(command.alias) } } });
    else throw new Error(`unknown command ${String(command.cmd)}`);
  });
  emit({
    ready: true,
    devices: fleet.devices.map((d) => ({ host: d.host, port: d.port, deviceId: d.deviceId, model: d.model, alias: d.alias })),
  });
}

main().catch((error: unknown) => {
  emit({ ready: false, error: String((error as Error).stack ?? error) });
  process.exit(1);
});
