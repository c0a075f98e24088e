/**
 * What discovery is asked for and what it returns, shared by the one-shot
 * `discover()` and the continuous `DiscoveryScanner`.
 */
import type { SysInfo } from '../classic/replies';
import type { DeviceFamily, DeviceState, FoundDeviceState } from '../device/types';

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
  /**
   * Device families by type: 'plug' (plugs, strips, switches, dimmers: IOT.SMARTPLUGSWITCH,
   * SMART.TAPOPLUG, SMART.KASAPLUG, SMART.KASASWITCH, SMART.TAPOSWITCH), 'bulb' (bulbs and
   * light strips: IOT.SMARTBULB, SMART.TAPOBULB). Default plug only.
   */
  kinds?: readonly DiscoveredKind[];
  /**
   * Also probe UDP 20002 and 20004, where newer Kasa firmware (KLAP) and
   * every SMART device (Tapo, newer Kasa models) answer (default false).
   */
  includeKlap?: boolean;
  /** One port for the 20002 probe instead of 20002 and 20004 (tests). */
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

/** What the UDP 20002/20004 reply says, as it says it (KLAP and SMART devices). */
export interface KlapInfo {
  /** The UDP port the reply came from. */
  port: number;
  deviceType?: string;
  /** 'KLAP' or 'AES'. */
  encryptType?: string;
  httpPort?: number;
  /** The advertised `lv`; absent on the first firmware of each family (then version 1). */
  loginVersion?: number;
}

export interface DiscoveredDevice {
  host: string;
  /** Where to talk to it: UDP/TCP 9999 for 'xor', the HTTP port for 'klap' and 'aes'. */
  port: number;
  /**
   * How to talk to it: 'xor' it answered get_sysinfo (Smart Home protocol);
   * 'klap' and 'aes' it answered only the UDP 20002/20004 probe and speaks
   * HTTP, encrypted with KLAP or with AES securePassthrough (SMART devices only).
   */
  protocol: 'xor' | 'klap' | 'aes';
  /** 'classic': the Smart Home protocol (on 9999 or inside KLAP); 'smart': TP-Link's SMART protocol (Tapo, newer Kasa). */
  family: DeviceFamily;
  /** 'klap' and 'aes': the login version to use (the reply's `lv`, 1 when it has none). */
  loginVersion?: number;
  /** 'klap' and 'aes': the device asks for the TP-Link account it is bound to. */
  needsCredentials: boolean;
  deviceId: string;
  kind: DiscoveredKind;
  /**
   * The get_sysinfo reply. A device found only on UDP 20002/20004 gets the
   * few fields that reply carries (deviceId, model, mac, type; no alias).
   */
  sysinfo: SysInfo;
  /**
   * The sysinfo read by the device layer: kind (plug, strip, switch, dimmer,
   * bulb, light strip), outlets, light. A device found only on UDP
   * 20002/20004 gets what its type and model say (state.family, kind,
   * model, mac); its alias, whether it is on, its light and its outlets are
   * unknown until it is read (alias and on absent, outlets empty).
   */
  state: DeviceState | FoundDeviceState;
  /** Outlets of a power strip; empty for single devices. */
  children: DiscoveredChild[];
  /** Present when the device answered the UDP 20002/20004 probe. */
  klap?: KlapInfo;
}
