/**
 * Which found device a reply belongs to. A device answers every probe of a
 * sweep, and a SMART device both 20002 and 20004, each under its deviceId.
 * The 9999 reply and the 20002/20004 reply of one device need not share
 * an id (20002 carries a 32-digit hash where sysinfo has the 40-digit
 * deviceId), so a reply to the other probe from the same address with the
 * same MAC is that device too. Replies to the same probe never merge by
 * address: separate devices behind one address (a simulator, a NAT) stay
 * apart. The id a device was first seen under stays its key.
 */
import type { DiscoveredDevice } from './types';

export class FoundDeviceIndex {
  private readonly byId = new Map<string, string>();
  private readonly byPlace = new Map<string, string>();

  /** The key of the device this reply comes from: a known one's, or its own deviceId. */
  keyOf(device: DiscoveredDevice): string {
    const known = this.byId.get(device.deviceId);
    if (known !== undefined) return known;
    const mac = normalizedMac(device.state.mac);
    const probe = device.protocol === 'xor' ? 'classic' : 'tdp';
    const other = probe === 'classic' ? 'tdp' : 'classic';
    const key = (mac === '' ? undefined : this.byPlace.get(`${other} ${device.host} ${mac}`)) ?? device.deviceId;
    this.byId.set(device.deviceId, key);
    const place = `${probe} ${device.host} ${mac}`;
    if (mac !== '' && !this.byPlace.has(place)) this.byPlace.set(place, key);
    return key;
  }

  /** The key a deviceId was filed under, when it was seen. */
  find(deviceId: string): string | undefined {
    return this.byId.get(deviceId);
  }
}

/** "50-c7-bf-01-02-03" and "50:C7:BF:01:02:03" are one MAC; anything else compares as written. */
function normalizedMac(mac: string): string {
  return mac.trim().toUpperCase().replace(/-/g, ':');
}
