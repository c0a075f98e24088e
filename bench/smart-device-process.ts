/**
 * The SMART round-trip bench's devices, in their own process (a real plug
 * is another machine): the simulator's P110 on KLAP and P100 on AES, both
 * bound to one account on 127.0.0.1. Every client of the bench talks to
 * these same two devices, so the device's cost is the same whoever asks.
 * Sends {ready, devices} to the parent and exits when it disconnects.
 */
import { startSmartDevice } from '../lib/simulator/smart/server';
import { SMART_BENCH_ACCOUNT, type CpuQuery } from './smart-payloads';

async function main(): Promise<void> {
  const klap = await startSmartDevice({ model: 'P110', seed: 'bench-klap', ...SMART_BENCH_ACCOUNT });
  const aes = await startSmartDevice({ model: 'P100', seed: 'bench-aes', ...SMART_BENCH_ACCOUNT });
  process.on('message', (m: CpuQuery) => {
    if (m.cmd !== 'cpu') return;
    const cpu = process.cpuUsage();
    process.send?.({ cmd: 'cpu', micros: cpu.user + cpu.system });
  });
  process.on('disconnect', () => {
    void Promise.all([klap.close(), aes.close()]).then(() => process.exit(0));
  });
  process.send?.({ cmd: 'ready', devices: { klap: klap.port, aes: aes.port } });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
