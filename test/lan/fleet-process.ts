/**
 * The device fleet, run inside the devices' namespace:
 *   node fleet-process.js '<json: {hosts: string[], models: string[], port}>'
 * Every device listens on its own address; one wildcard listener takes the
 * broadcasts and each device answers from its own address (lib/simulator's
 * startFleet). SMART models (P110, P300, L530, ...) listen on HTTP port 80
 * and answer UDP 20002 and 20004 the same way: wildcard listeners hand each
 * probe to every SMART device, which answers from its own address.
 * Commands on stdin: {id, cmd: 'stop'|'start', host}, {id, cmd: 'alias', host, alias} (classic devices).
 */
import * as dgram from 'dgram';
import { DISCOVERY_20004_PORT } from '../../lib/discovery/smart-reply';
import { DISCOVERY_20002_PORT } from '../../lib/discovery/tdp';
import { findSmartModel, startFleet, startSmartDevice, type RunningDevice, type RunningSmartDevice, type StartDeviceOptions } from '../../lib/simulator';
import { emit, exitWhenParentGoes, onCommand } from './channel';

interface FleetSpec {
  hosts: string[];
  models: string[];
  port: number;
}

const SMART_HTTP_PORT = 80;

async function startSmart(hosts: Array<{ host: string; model: string }>): Promise<{ devices: RunningSmartDevice[]; close(): Promise<void> }> {
  const devices: RunningSmartDevice[] = [];
  const listeners: dgram.Socket[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(listeners.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    await Promise.all(devices.map((d) => d.close()));
  };
  try {
    for (const { host, model } of hosts) {
      devices.push(await startSmartDevice({ model, host, port: SMART_HTTP_PORT, seed: host, nickname: `LAN device ${host}`, discovery20002: 0 }));
    }
    for (const port of devices.length > 0 ? [DISCOVERY_20002_PORT, DISCOVERY_20004_PORT] : []) {
      const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, '0.0.0.0', () => resolve());
      });
      listeners.push(socket);
      socket.on('message', (packet, peer) => {
        for (const device of devices) device.answerDiscovery(packet, peer);
      });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { devices, close };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as FleetSpec;
  const placed = spec.hosts.map((host, i) => ({ host, model: spec.models[i % spec.models.length] as string }));
  const devices: StartDeviceOptions[] = placed.filter((d) => !findSmartModel(d.model)).map(({ host, model }) => ({
    model: model as StartDeviceOptions['model'],
    host,
    port: spec.port,
    seed: host,
    alias: `LAN device ${host}`,
  }));
  const smart = await startSmart(placed.filter((d) => findSmartModel(d.model)));
  const fleet = await startFleet({ devices, broadcastListener: { host: '0.0.0.0', port: spec.port } });
  const byHost = new Map<string, RunningDevice>(fleet.devices.map((d) => [d.host, d]));
  exitWhenParentGoes(() => Promise.all([fleet.close(), smart.close()]).then(() => undefined));
  onCommand(async (command) => {
    const device = byHost.get(String(command.host));
    if (!device) throw new Error(`no classic device at ${String(command.host)}`);
    if (command.cmd === 'stop') await device.offline();
    else if (command.cmd === 'start') await device.online();
    else if (command.cmd === 'alias') device.device.handle({ system: { set_dev_alias: { alias: String(command.alias) } } });
    else throw new Error(`unknown command ${String(command.cmd)}`);
  });
  emit({
    ready: true,
    devices: [
      ...fleet.devices.map((d) => ({ host: d.host, port: d.port, deviceId: d.deviceId, model: d.model, alias: d.alias })),
      ...smart.devices.map((d) => ({
        host: d.host, port: d.port, deviceId: d.device.deviceId, model: `${d.device.spec.model}(${d.device.spec.region})`, alias: d.device.nickname,
      })),
    ].sort((a, b) => placed.findIndex((p) => p.host === a.host) - placed.findIndex((p) => p.host === b.host)),
  });
}

main().catch((error: unknown) => {
  emit({ ready: false, error: String((error as Error).stack ?? error) });
  process.exit(1);
});
