/**
 * Editor helpers behind Node-RED's admin authentication:
 *   GET /tplink-kasa/discover?broadcast=&port=&interface=&sourceAddress=&target=&timeout=  -> DeviceSummary[]
 *   GET /tplink-kasa/outlets?config=<id> | ?host=&port=&transport=  -> { alias, model, outlets }
 * Both send packets to the LAN, so both need `tplink-config.write` (a
 * read-only editor user must not be able to scan hosts and ports through
 * them); every query value is checked first, and a bad one is a 400. No
 * throw escapes: any other failure is a JSON { error } with 500 (discover)
 * or 502 (outlets: the device failed).
 */
import { discover, type DiscoverOptions } from '../../lib/discovery/index';
import { SmartHomeClient, type SysInfo } from '../../lib/classic/client';
import { outletsOf, summarizeDevice } from '../../lib/node-support/device-view';
import type { AdminRequest, AdminResponse, NodeAPI } from '../types';
import { asError } from '../settle';
import { portFor, type TplinkConfigNode } from './device-config';
import { BadQueryError, queryHost, queryInteger, queryIpv4, queryInterface, queryString, queryTransport } from './admin-query';

const MAX_DISCOVERY_MS = 10_000;

/**
 * Answers with what `work` resolves to, or with an error status: 400 for
 * bad input, `failStatus` otherwise. Never throws, never rejects.
 */
function respond(res: AdminResponse, failStatus: number, work: () => Promise<unknown>): void {
  new Promise<unknown>((resolve) => resolve(work()))
    .then((body) => res.json(body))
    .catch((error: unknown) => {
      const status = error instanceof BadQueryError ? 400 : failStatus;
      res.status(status).json({ error: asError(error).message });
    })
    .catch(() => {
      // The response could not be written (the client went away): nothing left to do.
    });
}

function discoverOptions(req: AdminRequest): DiscoverOptions {
  return {
    broadcast: queryIpv4(req, 'broadcast'),
    port: queryInteger(req, 'port', 1, 65535) ?? 9999,
    interface: queryInterface(req, 'interface'),
    sourceAddress: queryIpv4(req, 'sourceAddress'),
    target: queryHost(req, 'target'),
    timeout: queryInteger(req, 'timeout', 1, MAX_DISCOVERY_MS) ?? 3000,
    // New firmware answers only the UDP 20002 probe; the user must see those plugs too.
    includeKlap: true,
  };
}

/** A deployed config node's client, or a short-lived one for settings not deployed yet. */
async function readSysInfo(RED: NodeAPI, req: AdminRequest): Promise<SysInfo> {
  const id = queryString(req, 'config');
  const node = id === undefined ? undefined : (RED.nodes.getNode(id) as TplinkConfigNode | null);
  if (node?.client) return node.client.getSysInfo();
  const host = queryHost(req, 'host');
  if (host === undefined) throw new BadQueryError(RED._('tplink-config.errors.no-host'));
  const transport = queryTransport(req, 'transport');
  const port = portFor(transport, queryInteger(req, 'port', 1, 65535) ?? 0);
  const client = new SmartHomeClient({ host, port, transport, timeout: 3000, retries: 0 });
  try {
    return await client.getSysInfo();
  } finally {
    await client.close();
  }
}

export function registerAdminEndpoints(RED: NodeAPI): void {
  const canWrite = RED.auth.needsPermission('tplink-config.write');

  RED.httpAdmin.get('/tplink-kasa/discover', canWrite, (req, res) => {
    respond(res, 500, async () => {
      const devices = await discover(discoverOptions(req));
      return devices.map((d) => summarizeDevice(d));
    });
  });

  RED.httpAdmin.get('/tplink-kasa/outlets', canWrite, (req, res) => {
    respond(res, 502, async () => {
      const sysinfo = await readSysInfo(RED, req);
      return { alias: sysinfo.alias ?? '', model: sysinfo.model ?? '', outlets: outletsOf(sysinfo) };
    });
  });
}
