/**
 * tplink-discover: a sweep on each input (one message per device found) and,
 * with an interval, continuous discovery reporting new / online / offline /
 * changed devices. Discovery itself is lib/discovery.
 */
import { discover, DiscoveryScanner, summarizeDevice, type DeviceChange, type DiscoverOptions, type DiscoveredDevice } from '../../lib/discovery/index';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../types';
import { numberSetting } from '../tplink-config/device-config';
import { guarded, logFailure, settleInput } from '../settle';
import { migrateDiscover } from './migrations';

interface TplinkDiscoverDef extends NodeDef {
  broadcast: string;
  port: string | number;
  /** An interface name ('eth0') or a local IPv4 address. */
  iface: string;
  /** Seconds to collect replies. */
  timeout: string | number;
  /** Seconds between sweeps of continuous discovery; blank or 0: sweep on input only. */
  interval: string | number;
}

const EVENTS = ['new', 'online', 'offline', 'changed'] as const;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function discoverOptions(def: TplinkDiscoverDef, msg: NodeMessage = {}): DiscoverOptions {
  const iface = String(def.iface ?? '').trim();
  const broadcast = typeof msg.broadcast === 'string' && msg.broadcast !== '' ? msg.broadcast : String(def.broadcast ?? '').trim();
  const seconds = typeof msg.timeout === 'number' && msg.timeout > 0 ? Math.min(msg.timeout, 60) : numberSetting(def.timeout, 3);
  // New Kasa firmware and every Tapo device answer only the UDP 20002/20004 probe: found too, with transport 'klap' or 'aes'.
  // Every kind: 'plug' takes plugs, strips, switches and dimmers, 'bulb' bulbs and light strips, classic and SMART alike.
  const options: DiscoverOptions = { port: numberSetting(def.port, 9999), timeout: Math.round(seconds * 1000), includeKlap: true, kinds: ['plug', 'bulb'] };
  if (broadcast !== '') options.broadcast = broadcast;
  if (iface !== '') {
    if (IPV4.test(iface)) options.sourceAddress = iface;
    else options.interface = iface;
  }
  return options;
}

function deviceMessage(device: DiscoveredDevice, topic: string, extra: NodeMessage = {}): NodeMessage {
  return { ...extra, topic, payload: summarizeDevice(device), sysinfo: device.sysinfo };
}

export = function register(RED: NodeAPI): void {
  function TplinkDiscover(this: Node, saved: TplinkDiscoverDef): void {
    RED.nodes.createNode(this, saved);
    const def = migrateDiscover(saved);
    let closed = false;
    let sweeping = 0;
    let scanner: DiscoveryScanner | undefined;

    this.on('input', (msg, send, done) => {
      const options = discoverOptions(def, msg);
      sweeping++;
      this.status({ fill: 'yellow', shape: 'ring', text: RED._('tplink-discover.status.searching') });
      settleInput(this, done, () => discover(options), {
        result: (devices) => {
          sweeping--;
          if (closed) return;
          this.status({ fill: 'green', shape: 'dot', text: RED._('tplink-discover.status.found', { count: devices.length }) });
          for (const device of devices) send(deviceMessage(device, 'found', { ...msg, count: devices.length }));
        },
        failure: (error) => {
          sweeping--;
          if (closed) return undefined;
          this.status({ fill: 'red', shape: 'ring', text: RED._('tplink-discover.status.error') });
          return error;
        },
      });
    });

    const interval = def.interval === '' ? 0 : numberSetting(def.interval, 0);
    if (interval > 0) {
      const options = discoverOptions(def);
      scanner = new DiscoveryScanner({ ...options, interval: Math.max(interval * 1000, options.timeout ?? 0) });
      for (const event of EVENTS) {
        scanner.on(`device-${event}`, guarded(this, (device: DiscoveredDevice, changes?: DeviceChange[]) => {
          this.send(deviceMessage(device, event, changes ? { changes } : {}));
        }));
      }
      scanner.on('sweep', guarded(this, (summary: { online: number }) => {
        if (sweeping === 0) this.status({ fill: 'green', shape: 'dot', text: RED._('tplink-discover.status.online', { count: summary.online }) });
      }));
      const showError = guarded(this, (error: unknown) => {
        // A sweep under way when the node closed may still report its socket's end.
        if (closed) return;
        this.status({ fill: 'red', shape: 'ring', text: RED._('tplink-discover.status.error') });
        this.error(error instanceof Error ? error.message : String(error));
      });
      scanner.on('error', showError);
      scanner.start().catch(showError);
    }

    this.on('close', (_removed, done) => {
      closed = true;
      const stopping = scanner?.stop() ?? Promise.resolve();
      scanner = undefined;
      stopping.then(() => done(), () => done()).catch((error: unknown) => logFailure(this, error));
    });
  }

  RED.nodes.registerType('tplink-discover', TplinkDiscover);
};
