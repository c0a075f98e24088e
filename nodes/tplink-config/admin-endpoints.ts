/**
 * Editor helpers behind Node-RED's admin authentication:
 *   GET /tplink-kasa/discover?broadcast=&port=&interface=&sourceAddress=&target=&timeout=  -> DeviceSummary[] (every kind, classic and SMART)
 *   GET /tplink-kasa/outlets?config=<id> | ?host=&port=&transport=  -> { alias, model, kind, outlets }
 * Both send packets to the LAN, so both need `tplink-config.write` (a
 * read-only editor user must not be able to scan hosts and ports through
 * them); every query value is checked first, and a bad one is a 400. No
 * throw escapes: any other failure is a JSON { error } with 500 (discover)
 * or 502 (outlets: the device failed).
 */
import { discover, outletSummaries, summarizeDevice, type DiscoverOptions } from '../../lib/discovery/index';
import { connect } from '../../lib/device/connect';
import type { DeviceState } from '../../lib/device/types';
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
    // New Kasa firmware and every Tapo device answer only the UDP 20002/20004 probe; the user must see those too.
    includeKlap: true,
    // Bulbs and light strips too (IOT.SMARTBULB, SMART.TAPOBULB), not only plugs, strips, switches and dimmers.
    kinds: ['plug', 'bulb'],
  };
}

/** The device of a deployed config node, read now, or a short-lived one for settings not deployed yet. */
async function readState(RED: NodeAPI, req: AdminRequest): Promise<DeviceState> {
  const id = queryString(req, 'config');
  const node = id === undefined ? undefined : (RED.nodes.getNode(id) as TplinkConfigNode | null);
  if (node?.connection) {
    const known = node.connection.device;
    return known ? known.refresh() : (await node.connection.get()).state;
  }
  const host = queryHost(req, 'host');
  if (host === undefined) throw new BadQueryError(RED._('tplink-config.errors.no-host'));
  const transport = queryTransport(req, 'transport');
  const port = portFor(transport, queryInteger(req, 'port', 1, 65535) ?? 0);
  const device = await connect({ host, port, transport, timeout: 3000, retries: 0 });
  await device.close();
  return device.state;
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
      const state = await readState(RED, req);
      return { alias: state.alias, model: state.model, kind: state.kind, outlets: outletSummaries(state) };
    });
  });
}
