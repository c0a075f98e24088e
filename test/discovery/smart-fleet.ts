/**
 * Simulated SMART devices answering UDP 20002 and 20004 on loopback without
 * any broadcast: a listener on one address per port (the "broadcast"
 * address a test aims at, e.g. 127.0.19.255) hands each probe to every
 * device, and each answers from its own address, as several devices answer
 * one broadcast (the demo fleet relays the same way). Each test file takes
 * its own 127.0.N.0/24 so files running side by side never share a port.
 */
import * as dgram from 'dgram';
import { DISCOVERY_20004_PORT } from '../../lib/discovery/smart-reply';
import { DISCOVERY_20002_PORT } from '../../lib/discovery/tdp';
import { startSmartDevice, type RunningSmartDevice, type StartSmartDeviceOptions } from '../../lib/simulator/smart/server';

export interface SmartLoopbackFleet {
  devices: RunningSmartDevice[];
  /** Where probes are taken: address and ports. */
  address: string;
  ports: number[];
  /** Probes each listener received, by port. */
  probes: Map<number, number>;
  close(): Promise<void>;
}

export interface SmartLoopbackFleetOptions {
  /** The address the test sends its probes to. */
  address: string;
  /** Default 20002 and 20004: only this fleet's address listens there. */
  ports?: number[];
  devices: StartSmartDeviceOptions[];
}

export async function startSmartLoopbackFleet(options: SmartLoopbackFleetOptions): Promise<SmartLoopbackFleet> {
  const devices: RunningSmartDevice[] = [];
  const listeners: dgram.Socket[] = [];
  const probes = new Map<number, number>();
  const close = async (): Promise<void> => {
    await Promise.all(listeners.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    await Promise.all(devices.map((d) => d.close()));
  };
  try {
    for (const spec of options.devices) devices.push(await startSmartDevice({ discovery20002: 0, ...spec }));
    for (const port of options.ports ?? [DISCOVERY_20002_PORT, DISCOVERY_20004_PORT]) {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, options.address, () => resolve());
      });
      listeners.push(socket);
      socket.on('message', (packet, peer) => {
        probes.set(port, (probes.get(port) ?? 0) + 1);
        for (const device of devices) device.answerDiscovery(packet, peer);
      });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { devices, address: options.address, ports: listeners.map((s) => s.address().port), probes, close };
}

/** P110 (KLAP, energy), P300 (KLAP strip), L530 (KLAP colour bulb), P100 (AES, no lv), KP125M (AES, lv 2) on `subnet`.1 to .5. */
export function smartModels(subnet: string): StartSmartDeviceOptions[] {
  return [
    { model: 'P110', host: `${subnet}.1`, seed: 'p110', nickname: 'Kettle' },
    { model: 'P300', host: `${subnet}.2`, seed: 'p300' },
    { model: 'L530', host: `${subnet}.3`, seed: 'l530' },
    { model: 'P100', host: `${subnet}.4`, seed: 'p100' },
    { model: 'KP125M', host: `${subnet}.5`, seed: 'kp125m' },
  ];
}
