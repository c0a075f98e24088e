/**
 * connect(): the way in. Reads the device once and returns a Device of the
 * kind it is, so that the first call made on it already knows whether to
 * switch a relay, a bulb's light or a light strip, and which protocol
 * family to speak. Transports: 'tcp' (the default), 'udp', 'klap', 'aes',
 * or 'auto': the classic protocol on 9999, else KLAP or AES on HTTP, found
 * by asking the device (transport-choice.ts).
 */
import { Device } from './device';
import type { FamilyAdapter, FamilyRead } from './family';
import { chooseFamily, type DeviceTransport, type FamilyChoiceOptions } from './transport-choice';

export interface ConnectOptions extends Omit<FamilyChoiceOptions, 'transport'> {
  transport?: DeviceTransport;
}

/** Reads the device and returns it; rejects (and releases every socket) when it cannot be read. */
export async function connect(options: ConnectOptions): Promise<Device> {
  if (!options || typeof options.host !== 'string' || options.host.trim() === '') throw new TypeError('connect() needs a host');
  const choice = await chooseFamily({ ...options, host: options.host.trim(), transport: options.transport ?? 'tcp' });
  return openDevice(choice.family, choice.first);
}

/**
 * A Device over a family adapter made by hand (a custom transport, tests):
 * read once (unless `first` is that reading), closed when it cannot be read.
 */
export async function openDevice(family: FamilyAdapter, first?: FamilyRead): Promise<Device> {
  try {
    return new Device(family, first ?? await family.read());
  } catch (error) {
    await family.close().catch(() => undefined);
    throw error;
  }
}
