/**
 * Switching a plug's relay through the raw request client, for the tests
 * that are about the channel (retries, timeouts, transports, captures)
 * rather than about what a device is: those go through lib/device.
 */
import type { SmartHomeClient } from '../../lib/classic/client';
import { system } from '../../lib/classic/commands';

export async function setRelay(client: SmartHomeClient, on: boolean): Promise<void> {
  await client.send(system.setRelayState(on));
}

export async function relayIsOn(client: SmartHomeClient): Promise<boolean> {
  return (await client.getSysInfo()).relay_state === 1;
}
