/**
 * What the SMART round-trip bench asks and as whom: one get_device_info
 * per round trip (the SMART counterpart of the classic bench's sysinfo),
 * to devices bound to a bench-only account.
 */
export const SMART_BENCH_ACCOUNT = { username: 'bench@example.com', password: 'bench password' } as const;

export const SMART_BENCH_METHOD = 'get_device_info';

export type SmartBenchTransport = 'klap' | 'aes';
/** 'floor-read': the floor that also decrypts and parses each reply (smart-floor.ts). */
export type SmartBenchClient = 'ours' | 'tapo-connect' | 'floor' | 'floor-read';

/** Parent to client process: run one round; the answer is one RoundResult. */
export interface RoundCommand {
  cmd: 'round';
  requests: number;
  roundMs: number;
}

export interface RoundResult {
  cmd: 'round';
  /** Microseconds per round trip, in order. */
  latencies: number[];
  seconds: number;
  /** The client process's CPU time (user + system) over the timed requests, µs. */
  cpuMicros: number;
}

/** Parent to device process: its CPU time so far (µs, user + system), answered as {cmd:'cpu', micros}. */
export interface CpuQuery {
  cmd: 'cpu';
}
