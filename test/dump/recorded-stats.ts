/**
 * The energy statistics a device dump recorded (classic get_daystat and
 * get_monthstat, SMART get_energy_data), read out of the file so that
 * test/dump/fixtures.test.ts can ask a served fixture for the same days and
 * months through the device layer and compare, for any file, without code
 * per device. A stats request the device refused is expected refused.
 */
import { isJsonObject, type JsonObject } from '../../lib/json';
import type { DeviceDump, SmartDump } from '../../lib/dump/format';

export interface RecordedStats {
  /** The outlet's child id (a strip's), or undefined for the device. */
  child: string | undefined;
  /** dayStats(year, month) or monthStats(year). */
  year: number;
  month?: number;
  /** Wh over the asked month's days (or the year's months), as recorded; undefined where the device refused. */
  totalWh: number | undefined;
  /** SMART: entries up to the device's today (firmware fills the rest with 0, the device layer leaves them out). */
  entries?: number;
}

export interface RecordedStatsPlan {
  /** Epoch ms the fixture's clock is frozen at: the device's own time when it was dumped. */
  clock: number;
  stats: RecordedStats[];
}

const DAY_MS = 86_400_000;
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

function whOf(entry: unknown): number {
  if (!isJsonObject(entry)) return 0;
  return typeof entry.energy_wh === 'number' ? entry.energy_wh : typeof entry.energy === 'number' ? entry.energy * 1000 : 0;
}

function classicStats(exchanges: ReadonlyArray<{ request: JsonObject; reply: JsonObject }>): RecordedStats[] {
  const stats: RecordedStats[] = [];
  for (const { request, reply } of exchanges) {
    const context = isJsonObject(request.context) && Array.isArray(request.context.child_ids) ? request.context.child_ids[0] : undefined;
    const child = typeof context === 'string' ? context : undefined;
    for (const [module, methods] of Object.entries(request)) {
      if (!isJsonObject(methods)) continue;
      const answer = isJsonObject(reply[module]) ? reply[module] : {};
      for (const method of ['get_daystat', 'get_monthstat'] as const) {
        const params = methods[method];
        if (!isJsonObject(params) || typeof params.year !== 'number') continue;
        const result = answer[method];
        const list = isJsonObject(result) && result.err_code === 0 ? (method === 'get_daystat' ? result.day_list : result.month_list) : undefined;
        stats.push({
          child, year: params.year, ...(method === 'get_daystat' ? { month: Number(params.month) } : {}),
          totalWh: Array.isArray(list) ? sum(list.map(whOf)) : undefined,
        });
      }
    }
  }
  return stats;
}

/** The device's local date when dumped, from its recorded get_device_time. */
function deviceToday(dump: SmartDump): { clock: number; year: number; month: number; day: number } | undefined {
  const time = dump.exchanges.find((e) => e.child === undefined && e.request.method === 'get_device_time' && e.reply.error_code === 0)?.reply.result;
  if (!isJsonObject(time) || typeof time.timestamp !== 'number' || typeof time.time_diff !== 'number') return undefined;
  const local = new Date(time.timestamp * 1000 + time.time_diff * 60_000);
  return { clock: time.timestamp * 1000, year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

function smartStats(dump: SmartDump): RecordedStatsPlan | undefined {
  const today = deviceToday(dump);
  if (!today) return undefined;
  const stats: RecordedStats[] = [];
  for (const { child, request, reply } of dump.exchanges) {
    if (request.method !== 'get_energy_data') continue;
    const data = isJsonObject(reply.result) && Array.isArray(reply.result.data) ? reply.result.data.map(Number) : undefined;
    if (request.params?.interval === 1440) {
      // The reply lists the quarter's days from its first: the dumped month's are the ones after the quarter's earlier months.
      const quarter = Date.UTC(today.year, 3 * Math.floor((today.month - 1) / 3), 1);
      const from = (Date.UTC(today.year, today.month - 1, 1) - quarter) / DAY_MS;
      stats.push({ child, year: today.year, month: today.month, totalWh: data && sum(data.slice(from, from + today.day)), entries: today.day });
    } else {
      stats.push({ child, year: today.year, totalWh: data && sum(data.slice(0, today.month)), entries: today.month });
    }
  }
  return { clock: today.clock, stats };
}

/** What the file recorded of the statistics; undefined where it recorded none. */
export function recordedStats(dump: DeviceDump): RecordedStatsPlan | undefined {
  const plan = dump.family === 'smart' ? smartStats(dump) : { clock: Date.parse(dump.dumpedAt), stats: classicStats(dump.exchanges) };
  return plan && plan.stats.length > 0 ? plan : undefined;
}
