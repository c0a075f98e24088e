/**
 * One client of the SMART round-trip bench, in a process of its own: ours
 * (SmartClient), tp-link-tapo-connect, or the floor. Every client runs in
 * the same kind of process so that none has an edge from where it runs;
 * tapo-connect's is started with --security-revert=CVE-2023-46809 because
 * its AES login decrypts with PKCS#1 v1.5 (a flag for that peer only; it
 * touches nothing but the one login, outside the timed rounds).
 *
 *   node smart-client-process.js CLIENT TRANSPORT PORT
 * IPC in: {cmd:'round', requests, roundMs} -> out: {cmd:'round', latencies, seconds}; first out: {cmd:'ready'}.
 */
import { loginDeviceByIp } from 'tp-link-tapo-connect';
import { SmartClient } from '../lib/smart/client';
import { startFloor } from './smart-floor';
import { SMART_BENCH_ACCOUNT, type RoundCommand, type RoundResult, type SmartBenchClient, type SmartBenchTransport } from './smart-payloads';

interface Requester {
  prepare(count: number): Promise<void>;
  once(): Promise<unknown>;
  close(): Promise<void> | void;
}

async function requester(client: SmartBenchClient, transport: SmartBenchTransport, port: number): Promise<Requester> {
  const host = '127.0.0.1';
  const { username, password } = SMART_BENCH_ACCOUNT;
  switch (client) {
    case 'ours': {
      const smart = new SmartClient({ host, port, transport, username, password, timeout: 5000 });
      return { prepare: async () => undefined, once: () => smart.getDeviceInfo(), close: () => smart.close() };
    }
    case 'tapo-connect': {
      const device = await loginDeviceByIp(username, password, `${host}:${port}`);
      return { prepare: async () => undefined, once: () => device.getDeviceInfo(), close: () => undefined };
    }
    case 'floor':
    case 'floor-read':
      return startFloor(transport, { host, port }, { username, password }, { read: client === 'floor-read' });
  }
}

async function round(r: Requester, command: RoundCommand): Promise<RoundResult> {
  // One untimed exchange first: it logs in the first time and reopens a connection the device closed while idle.
  await r.prepare(command.requests + 1);
  await r.once();
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = Date.now() + command.roundMs;
  for (let i = 0; i < command.requests && Date.now() < deadline; i++) {
    const t0 = process.hrtime.bigint();
    await r.once();
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  return { cmd: 'round', latencies, seconds, cpuMicros: cpu.user + cpu.system };
}

async function main(): Promise<void> {
  const [client, transport, port] = process.argv.slice(2) as [SmartBenchClient, SmartBenchTransport, string];
  const r = await requester(client, transport, Number(port));
  let busy = Promise.resolve();
  process.on('message', (m: RoundCommand) => {
    if (m.cmd !== 'round') return;
    busy = busy.then(async () => {
      process.send?.(await round(r, m));
    }).catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
  process.on('disconnect', () => {
    void busy.then(() => r.close()).then(() => process.exit(0));
  });
  process.send?.({ cmd: 'ready' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
