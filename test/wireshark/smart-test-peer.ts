/**
 * A scripted SMART test peer for the dissector tests, until the project's
 * simulated SMART devices exist: canned SMART replies (a P110-like plug with
 * one child) served by the simulator's KLAP server and AES endpoint, and a
 * fixed script of requests sent by the project's KLAP and AES transports.
 * Test code only: nothing in lib/ uses it.
 *
 * Each capture function returns the file and the preferences the dissector
 * needs, so the tests stay the same when these captures are replaced by the
 * real client and simulator.
 */
import path from 'path';
import { KlapTransport } from '../../lib/klap/transport';
import { startKlapServer } from '../../lib/simulator/klap-server';
import { startAesServer } from '../../lib/simulator/smart/aes-server';
import { AesTransport, type AesSessionKeys } from '../../lib/smart/aes/transport';
import { captureOnLoopback } from './live';

export const PEER_ACCOUNT = { username: 'tapo-owner@example.com', password: 'tapo secret' };
export const PEER_DEVICE_ID = '802D1B5C2A7E4F06B1A3C9D8E7F6A5B4C3D2E1F0';
export const PEER_CHILD_ID = `${PEER_DEVICE_ID}01`;
export const PEER_NICKNAME = 'Kitchen "P110" \u00e9';

type Json = Record<string, unknown>;

/** The script both transports send, in order. */
export const SMART_SCRIPT: Json[] = [
  { method: 'multipleRequest', params: { requests: [{ method: 'get_device_info' }, { method: 'get_energy_usage' }, { method: 'get_emeter_data' }] } },
  { method: 'control_child', params: { device_id: PEER_CHILD_ID, requestData: { method: 'set_device_info', params: { device_on: false } } } },
  { method: 'get_current_power', params: {} },
  { method: 'set_device_info', params: { nickname: Buffer.from('Renamed').toString('base64'), bogus: 1 } },
];

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function answer(request: Json): Json {
  switch (request.method) {
    case 'get_device_info':
      return { device_id: PEER_DEVICE_ID, model: 'P110', nickname: b64(PEER_NICKNAME), device_on: true };
    case 'get_energy_usage':
      return { today_energy: 120, month_energy: 3400, current_power: 12345 };
    case 'get_emeter_data':
      return { power_mw: 12345, voltage_mv: 230100, current_ma: 54, energy_wh: 5678 };
    case 'get_current_power':
      return { current_power: 12 };
    default:
      return {};
  }
}

/** The canned reply to one SMART request: batches answer each, children answer inside responseData, bad params -1008. */
export function smartReply(request: Json): Json {
  const params = (request.params ?? {}) as Json;
  if (request.method === 'multipleRequest') {
    const requests = (params.requests ?? []) as Json[];
    return { error_code: 0, result: { responses: requests.map((r) => ({ method: r.method, result: answer(r), error_code: 0 })) } };
  }
  if (request.method === 'control_child') {
    return { error_code: 0, result: { responseData: smartReply(params.requestData as Json) } };
  }
  if ('bogus' in params) return { error_code: -1008 };
  return { error_code: 0, result: answer(request) };
}

export interface SmartCapture {
  file: string;
  prefs: Record<string, string>;
}

/** SMART over KLAP v2: lib/klap's client and the KLAP simulator's server, with the canned replies. */
export async function captureSmartOverKlap(dir: string): Promise<SmartCapture> {
  const server = await startKlapServer({
    version: 2, ...PEER_ACCOUNT, handler: (text) => JSON.stringify(smartReply(JSON.parse(text) as Json)),
  });
  const file = path.join(dir, 'smart-klap.pcapng');
  try {
    await captureOnLoopback({ file, filter: `tcp port ${server.port}` }, async () => {
      const client = new KlapTransport({ host: '127.0.0.1', port: server.port, ...PEER_ACCOUNT });
      try {
        for (const request of SMART_SCRIPT) await client.send(Buffer.from(JSON.stringify(request)), 5000);
      } finally {
        await client.close();
      }
    });
  } finally {
    await server.close();
  }
  return { file, prefs: { 'tplink_klap.ports': String(server.port), ...klapAccountPrefs() } };
}

export function klapAccountPrefs(): Record<string, string> {
  return { 'tplink_klap.username': PEER_ACCOUNT.username, 'tplink_klap.password': PEER_ACCOUNT.password };
}

/**
 * SMART over AES securePassthrough: the project's AES transport against the
 * simulator's AES endpoint, with the canned replies. The transport's debug
 * hook hands over the session key and IV, as a user debugging would take them.
 */
export async function captureSmartOverAes(dir: string): Promise<SmartCapture & { keyHex: string; ivHex: string }> {
  const server = await startAesServer({ loginVersion: 2, ...PEER_ACCOUNT, handler: (text) => JSON.stringify(smartReply(JSON.parse(text) as Json)) });
  const file = path.join(dir, 'smart-aes.pcapng');
  const sessions: AesSessionKeys[] = [];
  try {
    await captureOnLoopback({ file, filter: `tcp port ${server.port}` }, async () => {
      const client = new AesTransport({ host: '127.0.0.1', port: server.port, ...PEER_ACCOUNT, onSessionKeys: (keys) => sessions.push(keys) });
      try {
        for (const request of SMART_SCRIPT) await client.send(Buffer.from(JSON.stringify(request)), 5000);
      } finally {
        await client.close();
      }
    });
  } finally {
    await server.close();
  }
  if (sessions.length !== 1) throw new Error(`expected one AES session, the client opened ${sessions.length}`);
  const keyHex = sessions[0].key.toString('hex');
  const ivHex = sessions[0].iv.toString('hex');
  return { file, keyHex, ivHex, prefs: { 'tplink_aes.ports': String(server.port), 'tplink_aes.keys': `${keyHex}:${ivHex}` } };
}
