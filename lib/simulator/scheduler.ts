/**
 * When schedule and anti_theft rules act. One function, `ruleEventsOnDay`,
 * says what a rule does on a local calendar day; firing (`eventsBetween`)
 * and `get_next_action` (`nextScheduleAction`) both ask it, so the action a
 * client is told about is the one that happens.
 */
import type { Params } from './reply-errors';
import type { Rule, RuleTable } from './rules';
import { sunEventUtcMinutes, type SunEvent } from './sun';
import { hashUnit } from './energy-meter';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Without a location, firmware-like defaults for "sunrise" and "sunset". */
const DEFAULT_SUNRISE_MIN = 6 * 60;
const DEFAULT_SUNSET_MIN = 18 * 60;
/** A clock jump longer than this replays only its last year; older actions are long overridden. */
const MAX_CATCH_UP_DAYS = 366;
/** Weekly rules repeat within 7 days; one more covers an end time past midnight. */
const LOOKAHEAD_DAYS = 8;
/** Away mode: about one random toggle per this many minutes of the window, at most MAX_TOGGLES. */
const MINUTES_PER_TOGGLE = 40;
const MAX_TOGGLES = 24;

export interface ScheduleEnv {
  /** Local time minus clock time, ms. */
  offsetMs: number;
  /** The device's location (set_dev_location); undefined when never set. */
  place: { latitude: number; longitude: number } | undefined;
}

export interface RuleEvent {
  /** Clock time, ms. */
  at: number;
  /** 1 on, 0 off; 2 applies `light` (bulbs). */
  action: number;
  light?: Params;
  /** The rule that acts; undefined for a count_down timer. */
  rule?: Rule;
  /** A one-time rule's last action: the rule is disarmed after it. */
  disarm?: boolean;
}

/** What `rule` of a `kind` table does on local day `day` (days since the epoch). */
export function ruleEventsOnDay(kind: 'schedule' | 'anti_theft', rule: Rule, day: number, env: ScheduleEnv): RuleEvent[] {
  if (!rule.enable || !firesOnDay(rule, day)) return [];
  const dayStart = day * DAY_MS - env.offsetMs;
  const at = (minute: number): number => dayStart + minute * MINUTE_MS;
  const start = minuteOf(rule.stime_opt, rule.smin, rule, day, env);
  const endOpt = typeof rule.etime_opt === 'number' ? rule.etime_opt : kind === 'anti_theft' ? 0 : -1;
  let end = endOpt === -1 ? undefined : minuteOf(endOpt, rule.emin, rule, day, env);
  if (start === undefined) return [];
  // An end at or before the start is the next morning: 22:00 on, 06:00 off.
  if (end !== undefined && end <= start) end += 1440;
  const actions = kind === 'anti_theft' ? awayEvents(rule, day, start, end ?? start + 1440) : scheduleEvents(rule, start, end);
  const once = isOneTime(rule);
  return actions.map(({ minute, action, light }, i) => ({
    at: at(minute), action, rule, ...(light ? { light } : {}), ...(once && i === actions.length - 1 ? { disarm: true } : {}),
  }));
}

type DayAction = { minute: number; action: number; light?: Params };

function scheduleEvents(rule: Rule, start: number, end: number | undefined): DayAction[] {
  const out: DayAction[] = [];
  const startAction = actionOf(rule.sact, rule.s_light);
  if (startAction) out.push({ minute: start, ...startAction });
  const endAction = end === undefined ? undefined : actionOf(rule.eact, rule.e_light);
  if (end !== undefined && endAction) out.push({ minute: end, ...endAction });
  return out;
}

/**
 * Away mode: on at the start, off at the end, and in between the relay
 * toggles at random minutes, seeded by the rule and the day so that a run
 * can be replayed.
 */
function awayEvents(rule: Rule, day: number, start: number, end: number): DayAction[] {
  const span = end - start;
  const seed = ruleSeed(rule.id) + day * 7919;
  const wanted = Math.min(MAX_TOGGLES, Math.floor(span / MINUTES_PER_TOGGLE));
  const minutes = new Set<number>();
  for (let i = 0; i < wanted && span > 1; i++) minutes.add(start + 1 + Math.floor(hashUnit(seed, i) * (span - 1)));
  const toggles = [...minutes].sort((a, b) => a - b);
  const out: DayAction[] = [{ minute: start, action: 1 }];
  toggles.forEach((minute, i) => out.push({ minute, action: i % 2 === 0 ? 0 : 1 }));
  out.push({ minute: end, action: 0 });
  return out;
}

function actionOf(act: unknown, light: unknown): { action: number; light?: Params } | undefined {
  if (act === 0 || act === 1) return { action: act };
  // Bulbs schedule a light state (sact 2, s_light) rather than on/off.
  if (act === 2 && typeof light === 'object' && light !== null) return { action: 2, light: light as Params };
  return undefined;
}

function isOneTime(rule: Rule): boolean {
  return rule.repeat === 0 || rule.repeat === false;
}

function datedDay(rule: Rule): number | undefined {
  const { year, month, day } = rule;
  if (!isOneTime(rule) || typeof year !== 'number' || typeof month !== 'number' || typeof day !== 'number' || year <= 0) return undefined;
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

function firesOnDay(rule: Rule, day: number): boolean {
  const dated = datedDay(rule);
  if (dated !== undefined) return dated === day;
  // wday flags start on Sunday; 1970-01-01 (day 0) was a Thursday.
  const weekday = (day + 4) % 7;
  return Array.isArray(rule.wday) ? Boolean(rule.wday[weekday]) : true;
}

/** Minute after local midnight: fixed (opt 0), sunrise (1) or sunset (2); undefined when unusable. */
function minuteOf(opt: unknown, min: unknown, rule: Rule, day: number, env: ScheduleEnv): number | undefined {
  if (opt === 1 || opt === 2) return sunMinute(opt === 1 ? 'sunrise' : 'sunset', rule, day, env);
  return typeof min === 'number' && min >= 0 && min < 1440 ? Math.floor(min) : undefined;
}

function sunMinute(event: SunEvent, rule: Rule, day: number, env: ScheduleEnv): number {
  const fallback = event === 'sunrise' ? DEFAULT_SUNRISE_MIN : DEFAULT_SUNSET_MIN;
  // The app writes the location into the rule too; a rule without one uses the device's.
  const own = typeof rule.latitude === 'number' && typeof rule.longitude === 'number' && (rule.latitude !== 0 || rule.longitude !== 0)
    ? { latitude: rule.latitude, longitude: rule.longitude }
    : undefined;
  const place = own ?? env.place;
  if (!place) return fallback;
  const date = new Date(day * DAY_MS);
  const utc = sunEventUtcMinutes(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), place.latitude, place.longitude, event);
  // Midnight sun or polar night: act at the default time rather than never.
  if (utc === undefined) return fallback;
  const local = Math.round(utc + env.offsetMs / MINUTE_MS);
  return ((local % 1440) + 1440) % 1440;
}

function ruleSeed(id: string): number {
  const n = parseInt(id.slice(0, 8), 16);
  return Number.isFinite(n) ? n % 1_000_003 : 0;
}

/** Local days a rule can act on between clock times `from` and `to`. */
function candidateDays(rule: Rule, from: number, to: number, env: ScheduleEnv): number[] {
  const dated = datedDay(rule);
  if (dated !== undefined) return [dated];
  // The day before may still have an end time after midnight to come.
  const first = Math.floor((from + env.offsetMs) / DAY_MS) - 1;
  const last = Math.floor((to + env.offsetMs) / DAY_MS);
  const days: number[] = [];
  for (let d = first; d <= last; d++) days.push(d);
  return days;
}

/** Rule actions with `from < at <= to`, in time order. */
export function eventsBetween(table: RuleTable, from: number, to: number, env: ScheduleEnv): RuleEvent[] {
  if (table.kind === 'count_down' || !table.enabled || to <= from) return [];
  const start = Math.max(from, to - MAX_CATCH_UP_DAYS * DAY_MS);
  const events: RuleEvent[] = [];
  for (const rule of table.list()) {
    if (!rule.enable) continue;
    for (const day of candidateDays(rule, start, to, env)) {
      for (const event of ruleEventsOnDay(table.kind, rule, day, env)) {
        if (event.at > start && event.at <= to) events.push(event);
      }
    }
  }
  return events.sort((a, b) => a.at - b.at);
}

/** The first schedule action after `now`, if any. */
export function nextScheduleEvent(table: RuleTable, now: number, env: ScheduleEnv): RuleEvent | undefined {
  if (table.kind !== 'schedule' || !table.enabled) return undefined;
  let best: RuleEvent | undefined;
  for (const rule of table.list()) {
    if (!rule.enable) continue;
    for (const day of candidateDays(rule, now, now + LOOKAHEAD_DAYS * DAY_MS, env)) {
      for (const event of ruleEventsOnDay('schedule', rule, day, env)) {
        if (event.at > now && (!best || event.at < best.at)) best = event;
      }
    }
  }
  return best;
}

/**
 * `get_next_action` as firmware answers it: `{type: 1, schd_sec, action, id}`
 * (seconds after local midnight of the day it fires) or `{type: -1}`.
 */
export function nextScheduleAction(table: RuleTable, now: number, env: ScheduleEnv): Params {
  const next = nextScheduleEvent(table, now, env);
  if (!next?.rule) return { type: -1, err_code: 0 };
  const local = next.at + env.offsetMs;
  const schdSec = Math.round((local - Math.floor(local / DAY_MS) * DAY_MS) / 1000);
  return { type: 1, schd_sec: schdSec, action: next.action, id: next.rule.id, err_code: 0 };
}
