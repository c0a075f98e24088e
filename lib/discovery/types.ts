/**
 * What discovery is asked for and what it returns, shared by the one-shot
 * `discover()` and the continuous `DiscoveryScanner`.
 */
import type { SysInfo } from '../classic/replies';
import type { DeviceState } from '../device/types';

export type DiscoveredKind = 'plug' | 'bulb';

export interface DiscoverOptions {
  /**
   * Where the probe goes. Left at its default (the limited broadcast), the
   * probe goes to 255.255.255.255 and also to the directed broadcast of every
   * IPv4 interface (or of the chosen one), because a limited broadcast leaves
   * by one interface only: the one the routing table picks.
   */
  broadcast?: string;
  /** UDP port of the Smart Home protocol (default 9999). */
  port?: number;
  /** Milliseconds to collect replies for (default 3000; a `target` resolves as soon as it answers). */
  timeout?: number;
  /** Local IPv4 address to send from: picks the network on a host with several. */
  sourceAddress?: string;
  /** OS interface name ('eth1', 'br0'): send from its IPv4 address to its broadcast address. */
  interface?: string;
  /** Probe one host by unicast instead of broadcasting. */
  target?: string;
  /** Probes per sweep, spread over the first half of the window against packet loss (default 3). */
  probes?: number;
  /** Device families by sysinfo type: 'plug' (plugs, strips, switches, dimmers), 'bulb' (bulbs, light strips). Default plug only. */
  kinds?: readonly DiscoveredKind[];
  /** Also probe UDP 20002, where KLAP firmware answers (default false). */
  includeKlap?: boolean;
  /** Port for the 20002 probe (tests). */
  klapPort?: number;
}

export interface DiscoverCallbacks {
  /** Called as each device first answers, before `discover()` resolves (progress in a UI). */
  onDevice?: (device: DiscoveredDevice) => void;
}

export interface DiscoveredChild {
  /** Full child id (the strip's deviceId followed by the outlet's two digits). */
  id: string;
  alias: string;
  /** Relay state: 1 on, 0 off. */
  state: number;
}

/** What the UDP 20002 reply says about a KLAP device. */
export interface KlapInfo {
  port: number;
  deviceType?: string;
  encryptType?: string;
  httpPort?: number;
  loginVersion?: number;
}

export interface DiscoveredDevice {
  host: string;
  /** Where to talk to it: UDP/TCP 9999 for 'xor', the HTTP port for 'klap'. */
  port: number;
  /** 'xor': it answered get_sysinfo (Smart Home protocol); 'klap': it answered only the UDP 20002 probe. */
  protocol: 'xor' | 'klap';
  deviceId: string;
  kind: DiscoveredKind;
  /**
   * The get_sysinfo reply. A device found only on UDP 20002 gets the few
   * fields that reply carries (deviceId, model, mac, alias empty).
   */
  sysinfo: SysInfo;
  /** The sysinfo read by the device layer: kind (plug, strip, switch, dimmer, bulb, light strip), outlets, light. */
  state: DeviceState;
  /** Outlets of a power strip; empty for single devices. */
  children: DiscoveredChild[];
  /** Present when the device answered the UDP 20002 probe. */
  klap?: KlapInfo;
}
