/**
 * Live captures on lo of SMART exchanges for the dissector tests: the
 * project's SmartClient against simulated SMART devices (a P304M strip over
 * KLAP, a KP125M plug over AES with the session key and IV from the
 * client's debug hook), and the third-party tp-link-tapo-connect against a
 * simulated P110 over KLAP; and the tplink-smartplug tool dumping a P100
 * over AES with --print-session-keys. Each returns the file, the
 * preferences the dissector needs and what the client itself read, so that
 * the tests hold the dissector to the client's view of the same exchange.
 */
import { spawn } from 'child_process';
import path from 'path';
import { startSmartDevice, type RunningSmartDevice } from '../../lib/simulator/smart/server';
import type { AesSessionKeys } from '../../lib/smart/aes/transport';
import { SmartClient } from '../../lib/smart/client';
import { runCli, type CliResult } from '../cli/support/run-cli';
import { runnable } from '../support/repo';
import { captureOnLoopback } from './live';

export const SMART_ACCOUNT = { username: 'tapo-owner@example.com', password: 'tapo secret; with:colons' };

/** What the client read during the capture. */
export interface SmartSeen {
  deviceId: string;
  nickname: string;
  /** The outlet switched through control_child (strips). */
  childId?: string;
  /** W, from the client's energy reading. */
  power?: number;
}

export interface SmartCapture {
  file: string;
  prefs: Record<string, string>;
  seen: SmartSeen;
}

export function klapPrefs(port: number): Record<string, string> {
  return { 'tplink_klap.ports': String(port), 'tplink_klap.username': SMART_ACCOUNT.username, 'tplink_klap.password': SMART_ACCOUNT.password };
}

async function withDevice<T>(model: string, run: (device: RunningSmartDevice) => Promise<T>): Promise<T> {
  const device = await startSmartDevice({ model, seed: `wireshark-${model}`, ...SMART_ACCOUNT });
  try {
    return await run(device);
  } finally {
    await device.close();
  }
}

/** A method no device knows: its reply carries a non-zero error_code. */
async function askUnknownMethod(client: SmartClient): Promise<void> {
  await client.call('get_no_such_thing').then(() => {
    throw new Error('the simulator accepted an unknown method');
  }, () => undefined);
}

/**
 * SMART over KLAP with a P304M strip: device info, a multipleRequest, the
 * outlets, one outlet's energy (a batch inside control_child), that outlet
 * switched off through control_child, and an unknown method.
 */
export function captureSmartOverKlap(dir: string): Promise<SmartCapture> {
  return withDevice('P304M', async (device) => {
    const file = path.join(dir, 'smart-klap.pcapng');
    const seen = await captureOnLoopback({ file, filter: `tcp port ${device.port}` }, async () => {
      const client = new SmartClient({ host: '127.0.0.1', port: device.port, transport: 'klap', ...SMART_ACCOUNT });
      try {
        const info = await client.getDeviceInfo();
        await client.callMany([{ method: 'get_device_info' }, { method: 'get_device_time' }]);
        const [outlet] = await client.getChildren();
        const energy = await client.getEnergy({ childId: outlet.deviceId });
        await client.setDeviceOn(false, { childId: outlet.deviceId });
        await askUnknownMethod(client);
        return { deviceId: info.deviceId, nickname: info.nickname ?? '', childId: outlet.deviceId, power: energy.power };
      } finally {
        await client.close();
      }
    });
    return { file, prefs: klapPrefs(device.port), seen };
  });
}

/** SMART over AES with a KP125M plug: device info, energy (a multipleRequest), switching and an unknown method. */
export function captureSmartOverAes(dir: string): Promise<SmartCapture & { keyHex: string; ivHex: string }> {
  return withDevice('KP125M', async (device) => {
    const file = path.join(dir, 'smart-aes.pcapng');
    const sessions: AesSessionKeys[] = [];
    const seen = await captureOnLoopback({ file, filter: `tcp port ${device.port}` }, async () => {
      const client = new SmartClient({
        host: '127.0.0.1', port: device.port, transport: 'aes', ...SMART_ACCOUNT, onAesSessionKeys: (keys) => sessions.push(keys),
      });
      try {
        const info = await client.getDeviceInfo();
        const energy = await client.getEnergy();
        await client.setDeviceOn(false);
        await askUnknownMethod(client);
        return { deviceId: info.deviceId, nickname: info.nickname ?? '', power: energy.power };
      } finally {
        await client.close();
      }
    });
    if (sessions.length !== 1) throw new Error(`expected one AES session, the client opened ${sessions.length}`);
    const keyHex = sessions[0].key.toString('hex');
    const ivHex = sessions[0].iv.toString('hex');
    return { file, keyHex, ivHex, seen, prefs: { 'tplink_aes.ports': String(device.port), 'tplink_aes.keys': `${keyHex}:${ivHex}` } };
  });
}

const TAPO_CONNECT_PEER = runnable('test/smart/support/tapo-connect-peer');

/** Runs test/smart's tp-link-tapo-connect peer (its own child process, bounded) and returns its JSON line. */
function runTapoConnect(args: string[]): Promise<{ ok: boolean; result?: unknown; error?: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_PROXY: '*', no_proxy: '*' };
  for (const name of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy']) delete env[name];
  return new Promise((resolve, reject) => {
    // The flag is for the third-party client's own AES code, as in test/smart/tapo-connect.test.ts.
    const child = spawn(process.execPath, ['--security-revert=CVE-2023-46809', TAPO_CONNECT_PEER, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as { ok: boolean; result?: unknown; error?: string });
      } catch {
        reject(new Error(`tp-link-tapo-connect peer exited ${code} without a result: ${out}`));
      }
    });
  });
}

/** tp-link-tapo-connect reading, switching and metering a simulated P110 over KLAP. */
export function captureTapoConnect(dir: string): Promise<SmartCapture> {
  return withDevice('P110', async (device) => {
    const file = path.join(dir, 'tapo-connect.pcapng');
    const address = `127.0.0.1:${device.port}`;
    const seen = await captureOnLoopback({ file, filter: `tcp port ${device.port}` }, async () => {
      const switched = await runTapoConnect(['switch', SMART_ACCOUNT.username, SMART_ACCOUNT.password, address]);
      const energy = await runTapoConnect(['energy', SMART_ACCOUNT.username, SMART_ACCOUNT.password, address]);
      if (!switched.ok || !energy.ok) throw new Error(`tp-link-tapo-connect failed: ${switched.error ?? energy.error}`);
      const result = switched.result as { nickname: string };
      return { deviceId: device.device.deviceId, nickname: result.nickname };
    });
    return { file, prefs: klapPrefs(device.port), seen };
  });
}

/** What tplink-smartplug printed while captured, and the device it talked to (nothing decrypted: the test takes the key from `run`). */
export interface SmartplugCapture {
  file: string;
  /** The AES port, the only preference the dissector needs before it has a key. */
  port: number;
  run: CliResult;
  seen: SmartSeen;
}

/** tplink-smartplug --dump --aes of a simulated P100 (a child process, as a user runs it), with `extra` flags, captured on lo. */
export function captureSmartplugOverAes(dir: string, name: string, extra: readonly string[]): Promise<SmartplugCapture> {
  return withDevice('P100', async (device) => {
    const file = path.join(dir, `${name}.pcapng`);
    const run = await captureOnLoopback({ file, filter: `tcp port ${device.port}` }, () => runCli('tplink-smartplug', [
      '-t', '127.0.0.1', '-p', String(device.port), '--aes', '--username', SMART_ACCOUNT.username, '--password', SMART_ACCOUNT.password,
      '--dump', path.join(dir, `${name}.json`), '-q', ...extra,
    ], { timeout: 30_000 }));
    return { file, port: device.port, run, seen: { deviceId: device.device.deviceId, nickname: device.device.nickname } };
  });
}
