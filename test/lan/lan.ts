/**
 * A virtual LAN of simulated Kasa devices made of network namespaces, for
 * discovery tests that need real broadcasts without sending any on the
 * machine's own network.
 *
 *   client namespace            device namespace (one per network)
 *   lan0 192.0.2.1/24  <-veth->  dev0 192.0.2.2 ... 192.0.2.(N+1)  + fleet process
 *   lan1 198.51.100.1/24 <-veth-> dev1 ...                          + fleet process
 *
 * The client namespace has a default route via lan0, as a host usually
 * has one; code under test runs there with `runInClient` / `startInClient`
 * / `exec`. Everything is removed by `destroy()`, and by an exit or signal
 * hook if the run dies first. See README.md.
 */
import * as path from 'path';
import { runnable } from '../support/repo';
import { LineChannel, type Message } from './channel';
import { addNamespace, deleteNamespace, ip, removeStaleNamespaces, uniqueName } from './netns';

export const LAN_PORT = 9999;
/** A mix of plugs, switches, a dimmer and strips (all IOT.SMARTPLUGSWITCH). */
export const DEFAULT_MODELS = ['HS100', 'HS105', 'HS110', 'HS110v2', 'KP115', 'HS200', 'HS220', 'HS300'];

export interface LanNetworkOptions {
  /** First three octets of a /24, e.g. '192.0.2' (documentation ranges only). */
  subnet: string;
  /** Simulated devices on it, at .2, .3, ... (at most 253). */
  devices: number;
  models?: string[];
}

export interface CreateLanOptions {
  /** Shorthand for one network: `{ devices: 50, subnet: '192.0.2' }`. */
  devices?: number;
  subnet?: string;
  networks?: LanNetworkOptions[];
  models?: string[];
}

export interface LanDevice {
  host: string;
  port: number;
  deviceId: string;
  model: string;
  alias: string;
}

export interface LanNetwork {
  subnet: string;
  /** The client's interface on this network ('lan0', 'lan1', ...). */
  interface: string;
  clientAddress: string;
  broadcast: string;
  devices: LanDevice[];
  namespace: string;
}

export interface ExecResult {
  code: number | null;
  /** JSON lines the command printed. */
  messages: Message[];
  stderr: string;
}

export interface Lan {
  clientNamespace: string;
  networks: LanNetwork[];
  /** Every device's address, all networks. */
  deviceAddresses: string[];
  devices: LanDevice[];
  /** Runs a script of dist/test/lan (by name, without .js) or any .js path under node in the client namespace, to its end. */
  runInClient(script: string, args?: string[], timeout?: number): Promise<ExecResult>;
  /** Starts a long-running script in the client namespace; close it (or destroy the LAN) when done. */
  startInClient(script: string, args?: string[]): LineChannel;
  /** Runs any command in the client namespace (e.g. the CLI) to its end. */
  exec(argv: string[], timeout?: number): Promise<ExecResult & { stdout: string }>;
  stopDevice(host: string): Promise<void>;
  startDevice(host: string): Promise<void>;
  setAlias(host: string, alias: string): Promise<void>;
  destroy(): Promise<void>;
}

export function lanScript(name: string): string {
  return name.endsWith('.js') ? path.resolve(name) : runnable(`test/lan/${name}`);
}

export async function createLan(options: CreateLanOptions): Promise<Lan> {
  const specs = options.networks ?? [{ subnet: options.subnet ?? '192.0.2', devices: options.devices ?? 10 }];
  for (const spec of specs) {
    if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(spec.subnet)) throw new Error(`subnet '${spec.subnet}' is not three octets`);
    if (!Number.isInteger(spec.devices) || spec.devices < 1 || spec.devices > 253) throw new Error(`devices must be 1..253 per network, not ${spec.devices}`);
  }
  await removeStaleNamespaces();
  const clientNamespace = uniqueName('client');
  const namespaces = [clientNamespace];
  const channels = new Set<LineChannel>();
  const fleets: LineChannel[] = [];
  const destroy = async (): Promise<void> => {
    await Promise.all([...channels].map((c) => c.close()));
    channels.clear();
    for (const name of namespaces) await deleteNamespace(name);
  };
  try {
    await addNamespace(clientNamespace);
    const networks: LanNetwork[] = [];
    for (const [index, spec] of specs.entries()) {
      const namespace = uniqueName(`dev${index}`);
      namespaces.push(namespace);
      await addNamespace(namespace);
      networks.push(await wireNetwork(clientNamespace, namespace, index, spec));
    }
    await ip(['-n', clientNamespace, 'route', 'add', 'default', 'dev', 'lan0']);
    for (const [index, network] of networks.entries()) {
      const models = specs[index]?.models ?? options.models ?? DEFAULT_MODELS;
      const hosts = network.devices.map((d) => d.host);
      const fleet = new LineChannel(network.namespace, [process.execPath, lanScript('fleet-process'), JSON.stringify({ hosts, models, port: LAN_PORT })]);
      channels.add(fleet);
      fleets.push(fleet);
      const ready = await fleet.next((m) => 'ready' in m, 30_000);
      if (ready.ready !== true) throw new Error(`the fleet in ${network.namespace} did not start: ${String(ready.error)}`);
      network.devices = ready.devices as LanDevice[];
    }
    return buildLan(clientNamespace, networks, fleets, channels, destroy);
  } catch (error) {
    await destroy();
    throw error;
  }
}

async function wireNetwork(client: string, namespace: string, index: number, spec: LanNetworkOptions): Promise<LanNetwork> {
  const lanIf = `lan${index}`;
  const devIf = `dev${index}`;
  await ip(['-n', client, 'link', 'add', lanIf, 'type', 'veth', 'peer', 'name', devIf, 'netns', namespace]);
  await ip(['-n', client, 'addr', 'add', `${spec.subnet}.1/24`, 'dev', lanIf]);
  await ip(['-n', client, 'link', 'set', lanIf, 'up']);
  const hosts = Array.from({ length: spec.devices }, (_, i) => `${spec.subnet}.${i + 2}`);
  await ip(['-n', namespace, '-batch', '-'], hosts.map((h) => `addr add ${h}/24 dev ${devIf}\n`).join(''));
  await ip(['-n', namespace, 'link', 'set', devIf, 'up']);
  return {
    subnet: spec.subnet, interface: lanIf, clientAddress: `${spec.subnet}.1`, broadcast: `${spec.subnet}.255`, namespace,
    devices: hosts.map((host) => ({ host, port: LAN_PORT, deviceId: '', model: '', alias: '' })),
  };
}

function buildLan(clientNamespace: string, networks: LanNetwork[], fleets: LineChannel[], channels: Set<LineChannel>, destroy: () => Promise<void>): Lan {
  let commandId = 0;
  const command = async (host: string, message: Message): Promise<void> => {
    const index = networks.findIndex((n) => n.devices.some((d) => d.host === host));
    const fleet = fleets[index];
    if (!fleet) throw new Error(`no device at ${host} on this LAN`);
    commandId += 1;
    const id = commandId;
    const from = fleet.messages.length;
    fleet.send({ ...message, id, host });
    const reply = await fleet.next((m) => m.reply === id, 10_000, from);
    if (reply.ok !== true) throw new Error(`fleet: ${String(reply.error)}`);
  };
  const startInClient = (script: string, args: string[] = []): LineChannel => {
    const channel = new LineChannel(clientNamespace, [process.execPath, lanScript(script), ...args]);
    channels.add(channel);
    return channel;
  };
  const exec = async (argv: string[], timeout = 30_000): Promise<ExecResult & { stdout: string }> => {
    const channel = new LineChannel(clientNamespace, argv);
    channels.add(channel);
    let stdout = '';
    channel.child.stdout?.on('data', (chunk: string) => (stdout += chunk));
    channel.child.stdin?.end();
    const code = await channel.finished(timeout);
    channels.delete(channel);
    return { code, messages: channel.messages, stderr: channel.stderr, stdout };
  };
  const devices = networks.flatMap((n) => n.devices);
  return {
    clientNamespace,
    networks,
    devices,
    deviceAddresses: devices.map((d) => d.host),
    runInClient: (script, args = [], timeout) => exec([process.execPath, lanScript(script), ...args], timeout),
    startInClient,
    exec,
    stopDevice: (host) => command(host, { cmd: 'stop' }),
    startDevice: (host) => command(host, { cmd: 'start' }),
    setAlias: (host, alias) => command(host, { cmd: 'alias', alias }),
    destroy,
  };
}
