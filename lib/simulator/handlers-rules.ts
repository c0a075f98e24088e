/**
 * emeter and the rule modules (schedule, count_down, anti_theft). All of
 * them follow `context.child_ids` on a power strip.
 */
import { ok, targetOutlet, targetOutlets, type MethodContext, type MethodHandler, type MethodTable } from './method-table';
import type { Outlet } from './outlet';
import { asParams, invalidArgument, ReplyError, requireNumber, type Params } from './reply-errors';
import type { RuleKind, RuleTable } from './rules';
import { nextScheduleAction } from './scheduler';

function metered(ctx: MethodContext): Outlet[] {
  const outlets = ctx.children || ctx.childError ? [targetOutlet(ctx)] : ctx.device.outlets;
  if (outlets.some((o) => !o.meter)) throw new ReplyError(-1, 'module not support');
  return outlets;
}

export function emeterMethods(): MethodTable {
  const m = new Map<string, MethodHandler>();
  m.set('get_realtime', (_p, ctx) => {
    const readings = metered(ctx).map((o) => o.meter?.realtime(ctx.now, ctx.device.localOffsetMs) ?? {});
    // A strip asked without a context reports its outlets together.
    return readings.length === 1 ? readings[0] : sumRealtime(readings);
  });
  m.set('get_daystat', (p, ctx) => {
    const params = asParams(p);
    const year = requireNumber(params, 'year');
    const month = requireNumber(params, 'month');
    if (month < 1 || month > 12) throw invalidArgument();
    const lists = metered(ctx).map((o) => o.meter?.dayStats(ctx.now, ctx.device.localOffsetMs, year, month) ?? {});
    return mergeStats(lists, 'day_list', 'day');
  });
  m.set('get_monthstat', (p, ctx) => {
    const year = requireNumber(asParams(p), 'year');
    const lists = metered(ctx).map((o) => o.meter?.monthStats(ctx.now, ctx.device.localOffsetMs, year) ?? {});
    return mergeStats(lists, 'month_list', 'month');
  });
  m.set('erase_emeter_stat', (_p, ctx) => {
    for (const o of metered(ctx)) o.meter?.erase(ctx.now, ctx.device.localOffsetMs);
    return ok();
  });
  m.set('get_vgain_igain', (_p, ctx) => {
    const meter = metered(ctx)[0].meter;
    return { vgain: meter?.vgain ?? 0, igain: meter?.igain ?? 0, err_code: 0 };
  });
  m.set('set_vgain_igain', (p, ctx) => {
    const params = asParams(p);
    const vgain = requireNumber(params, 'vgain');
    const igain = requireNumber(params, 'igain');
    for (const o of metered(ctx)) {
      if (o.meter) Object.assign(o.meter, { vgain, igain });
    }
    return ok();
  });
  m.set('start_calibration', (p, ctx) => {
    const params = asParams(p);
    requireNumber(params, 'vtarget');
    requireNumber(params, 'itarget');
    metered(ctx);
    return ok();
  });
  return m;
}

function sumRealtime(readings: Record<string, number>[]): Params {
  const sum: Record<string, number> = {};
  for (const reading of readings) {
    for (const [key, value] of Object.entries(reading)) {
      if (key === 'err_code') continue;
      sum[key] = (sum[key] ?? 0) + value;
    }
  }
  // Outlets share the mains: voltage is common, not additive.
  if ('voltage_mv' in sum) sum.voltage_mv = readings[0].voltage_mv;
  if ('voltage' in sum) sum.voltage = readings[0].voltage;
  return { ...sum, err_code: 0 };
}

function mergeStats(replies: Params[], listKey: string, by: 'day' | 'month'): Params {
  if (replies.length === 1) return replies[0];
  const merged = new Map<string, Record<string, number>>();
  for (const reply of replies) {
    for (const entry of (reply[listKey] ?? []) as Record<string, number>[]) {
      const key = `${entry.year}-${entry.month}-${by === 'day' ? entry.day : 0}`;
      const prior = merged.get(key);
      if (!prior) merged.set(key, { ...entry });
      else for (const field of ['energy', 'energy_wh']) if (field in entry) prior[field] += entry[field];
    }
  }
  return { [listKey]: [...merged.values()], err_code: 0 };
}

function tableOf(outlet: Outlet, kind: RuleKind): RuleTable {
  if (kind === 'schedule') return outlet.schedule;
  return kind === 'count_down' ? outlet.countDown : outlet.antiTheft;
}

export function ruleMethods(kind: RuleKind): MethodTable {
  const m = new Map<string, MethodHandler>();
  // Reads follow the first named child; writes go to every named child.
  const one = (ctx: MethodContext): RuleTable => tableOf(targetOutlet(ctx), kind);
  const all = (ctx: MethodContext): RuleTable[] =>
    ctx.children || ctx.childError ? targetOutlets(ctx).map((o) => tableOf(o, kind)) : [tableOf(ctx.device.main, kind)];
  m.set('get_rules', (_p, ctx) => one(ctx).getRules(ctx.now));
  m.set('add_rule', (p, ctx) => {
    const params = asParams(p);
    let reply: Params = ok();
    for (const table of all(ctx)) reply = table.add(params, ctx.now);
    return reply;
  });
  m.set('edit_rule', (p, ctx) => {
    for (const table of all(ctx)) table.edit(asParams(p), ctx.now);
    return ok();
  });
  m.set('delete_rule', (p, ctx) => {
    for (const table of all(ctx)) table.delete(asParams(p));
    return ok();
  });
  m.set('delete_all_rules', (_p, ctx) => {
    for (const table of all(ctx)) table.deleteAll();
    return ok();
  });
  if (kind === 'count_down') return m;
  m.set('set_overall_enable', (p, ctx) => {
    const params = typeof p === 'number' ? p : asParams(p);
    for (const table of all(ctx)) table.setOverallEnable(params);
    return ok();
  });
  if (kind === 'anti_theft') return m;
  m.set('get_next_action', (_p, ctx) => nextScheduleAction(one(ctx), ctx.now, ctx.device.scheduleEnv()));
  // Runtime statistics: firmware lists minutes on per day; the simulator keeps none.
  m.set('get_daystat', (p) => {
    const params = asParams(p);
    requireNumber(params, 'year');
    requireNumber(params, 'month');
    return { day_list: [], err_code: 0 };
  });
  m.set('get_monthstat', (p) => {
    requireNumber(asParams(p), 'year');
    return { month_list: [], err_code: 0 };
  });
  m.set('erase_runtime_stat', () => ok());
  return m;
}
