/**
 * A scripted SMART test peer for the dissector tests, until the project's
 * SMART client and simulator exist: canned SMART replies (a P110-like plug
 * with one child), served over KLAP by the KLAP simulator's server and over
 * AES securePassthrough by a minimal HTTP peer written here with Node's
 * crypto, and a fixed script of requests sent by lib/klap's transport or by
 * the AES peer's client. Test code only: nothing in lib/ uses it.
 *
 * Each capture function returns the file and the preferences the dissector
 * needs, so the tests stay the same when these captures are replaced by the
 * real client and simulator.
 */
import { createCipheriv, createDecipheriv, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, constants } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import path from 'path';
import { KlapTransport } from '../../lib/klap/transport';
import { startKlapServer } from '../../lib/simulator/klap-server';
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

interface AesSession {
  key: Buffer;
  iv: Buffer;
}

function aesEncrypt(session: AesSession, text: string): string {
  const cipher = createCipheriv('aes-128-cbc', session.key, session.iv);
  return Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]).toString('base64');
}

function aesDecrypt(session: AesSession, b64text: string): string {
  const decipher = createDecipheriv('aes-128-cbc', session.key, session.iv);
  return Buffer.concat([decipher.update(Buffer.from(b64text, 'base64')), decipher.final()]).toString('utf8');
}

/** The device side of AES securePassthrough, answering with the canned replies. */
async function startAesPeerDevice(): Promise<{ port: number; close(): Promise<void> }> {
  const sessions = new Map<string, AesSession>();
  const reply = (res: http.ServerResponse, body: Json, headers: http.OutgoingHttpHeaders = {}): void => {
    res.writeHead(200, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const outer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { method: string; params: Json };
      if (outer.method === 'handshake') {
        const session = { key: randomBytes(16), iv: randomBytes(16) };
        const id = randomBytes(16).toString('hex').toUpperCase();
        sessions.set(id, session);
        const key = publicEncrypt({ key: String(outer.params.key), padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([session.key, session.iv]));
        reply(res, { error_code: 0, result: { key: key.toString('base64') } }, { 'Set-Cookie': `TP_SESSIONID=${id};TIMEOUT=86400` });
        return;
      }
      const session = sessions.get(/TP_SESSIONID=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? '');
      if (!session || outer.method !== 'securePassthrough') return reply(res, { error_code: 9999 });
      const inner = JSON.parse(aesDecrypt(session, String(outer.params.request))) as Json;
      const answerJson = inner.method === 'login_device' ? { error_code: 0, result: { token: 'PEERTOKEN0123456789' } } : smartReply(inner);
      reply(res, { error_code: 0, result: { response: aesEncrypt(session, JSON.stringify(answerJson)) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function postJson(agent: http.Agent, port: number, pathname: string, body: Json, cookie?: string): Promise<{ json: Json; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json', 'Content-Length': data.length };
    if (cookie) headers.Cookie = cookie;
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: pathname, agent, headers, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json, setCookie: res.headers['set-cookie'] ?? [] }));
    });
    req.on('timeout', () => req.destroy(new Error(`no reply to ${pathname}`)));
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * RSA PKCS#1 v1.5 decryption by hand: Node 20 refuses that padding in
 * privateDecrypt (CVE-2023-46809), and a test peer needs no protection
 * against padding oracles.
 */
function rsaPkcs1Decrypt(privateKey: string, data: Buffer): Buffer {
  const block = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, data);
  const separator = block.indexOf(0, 2);
  if (block[0] !== 0 || block[1] !== 2 || separator < 10) throw new Error('bad PKCS#1 v1.5 padding');
  return block.subarray(separator + 1);
}

/** The client side: handshake, login_device, then the script; returns the session key and IV it learnt. */
async function runAesPeerClient(port: number): Promise<AesSession> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const hello = await postJson(agent, port, '/app', { method: 'handshake', params: { key: pem } });
    const keyAndIv = rsaPkcs1Decrypt(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      Buffer.from(String((hello.json.result as Json).key), 'base64'));
    const session = { key: keyAndIv.subarray(0, 16), iv: keyAndIv.subarray(16, 32) };
    const cookie = hello.setCookie[0]?.split(';')[0];
    const passthrough = async (pathname: string, request: Json): Promise<Json> => {
      const { json } = await postJson(agent, port, pathname, { method: 'securePassthrough', params: { request: aesEncrypt(session, JSON.stringify(request)) } }, cookie);
      return JSON.parse(aesDecrypt(session, String((json.result as Json).response))) as Json;
    };
    const login = await passthrough('/app', { method: 'login_device', params: { username: b64('x'), password: b64('y') } });
    const token = String((login.result as Json).token);
    for (const request of SMART_SCRIPT) await passthrough(`/app?token=${token}`, request);
    return session;
  } finally {
    agent.destroy();
  }
}

/** SMART over AES securePassthrough between the two halves of the peer; the preferences carry the session's key and IV. */
export async function captureSmartOverAes(dir: string): Promise<SmartCapture & { keyHex: string; ivHex: string }> {
  const device = await startAesPeerDevice();
  const file = path.join(dir, 'smart-aes.pcapng');
  let session: AesSession;
  try {
    session = await captureOnLoopback({ file, filter: `tcp port ${device.port}` }, () => runAesPeerClient(device.port));
  } finally {
    await device.close();
  }
  const keyHex = session.key.toString('hex');
  const ivHex = session.iv.toString('hex');
  return { file, keyHex, ivHex, prefs: { 'tplink_aes.ports': String(device.port), 'tplink_aes.keys': `${keyHex}:${ivHex}` } };
}
