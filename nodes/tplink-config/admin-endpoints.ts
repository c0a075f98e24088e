/**
 * Editor helpers behind Node-RED's admin authentication:
 *   GET /tplink-kasa/discover?broadcast=&port=&interface=&timeout=  -> DeviceSummary[]
 *   GET /tplink-kasa/outlets?config=<id> | ?host=&port=&transport=  -> { alias, model, outlets }
 * Both need the `tplink-config.read` permission when adminAuth is on.
 */
import { discover } from '../../lib/discovery/index';
import { SmartHomeClient, type SysInfo } from '../../lib/classic/client';
import { outletsOf, summarizeDevice } from '../../lib/node-support/device-view';
import type { AdminRequest, AdminResponse, NodeAPI } from '../types';
import { portFor, transportOf, type TplinkConfigNode } from './device-config';

const MAX_DISCOVERY_MS = 10_000;

function queryString(req: AdminRequest, name: string): string | undefined {
  const value = req.query[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

function queryNumber(req: AdminRequest, name: string, fallback: number, max: number): number {
  const n = Number(queryString(req, name));
  return Number.isFinite(n) && n > 0 ? Math.min(n, max) : fallback;
}

function fail(res: AdminResponse, status: number, error: unknown): void {
  res.status(status).json({ error: error instanceof Error ? error.message : String(error) });
}

/** A deployed config node's client, or a short-lived one for settings not deployed yet. */
async function readSysInfo(RED: NodeAPI, req: AdminRequest): Promise<SysInfo> {
  const id = queryString(req, 'config');
  const node = id === undefined ? undefined : (RED.nodes.getNode(id) as TplinkConfigNode | null);
  if (node?.client) return node.client.getSysInfo();
  const host = queryString(req, 'host');
  if (host === undefined) throw new Error(RED._('tplink-config.errors.no-host'));
  const transport = transportOf(queryString(req, 'transport'));
  const client = new SmartHomeClient({ host, port: portFor(transport, queryNumber(req, 'port', 0, 65535)), transport, timeout: 3000, retries: 0 });
  try {
    return await client.getSysInfo();
  } finally {
    await client.close();
  }
}

export function registerAdminEndpoints(RED: NodeAPI): void {
  const canRead = RED.auth.needsPermission('tplink-config.read');

  RED.httpAdmin.get('/tplink-kasa/discover', canRead, (req, res) => {
    const options = {
      broadcast: queryString(req, 'broadcast'),
      port: queryNumber(req, 'port', 9999, 65535),
      interface: queryString(req, 'interface'),
      sourceAddress: queryString(req, 'sourceAddress'),
      target: queryString(req, 'target'),
      timeout: queryNumber(req, 'timeout', 3000, MAX_DISCOVERY_MS),
      // New firmware answers only the UDP 20002 probe; the user must see those plugs too.
      includeKlap: true,
    };
    discover(options).then(
      (devices) => res.json(devices.map((d) => summarizeDevice(d))),
      (error: unknown) => fail(res, 500, error),
    );
  });

  RED.httpAdmin.get('/tplink-kasa/outlets', canRead, (req, res) => {
    readSysInfo(RED, req).then(
      (sysinfo) => res.json({ alias: sysinfo.alias ?? '', model: sysinfo.model ?? '', outlets: outletsOf(sysinfo) }),
      (error: unknown) => fail(res, 502, error),
    );
  });
}
