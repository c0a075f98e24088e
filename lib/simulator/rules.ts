/**
 * Rule tables: schedule, count_down (timer) and anti_theft (away mode).
 * All three share add / edit / delete / get; they differ in which fields a
 * rule must carry and in how many rules fit.
 */
import { createHash } from 'crypto';
import { entryNotExist, invalidArgument, requireNumber, tableFull, type Params } from './reply-errors';

export type RuleKind = 'schedule' | 'count_down' | 'anti_theft';

export type Rule = Params & { id: string };

const REQUIRED: Record<RuleKind, readonly string[]> = {
  schedule: ['smin', 'sact'],
  count_down: ['delay', 'act'],
  anti_theft: ['smin', 'emin'],
};

/** Firmware keeps a handful of rules; the timer holds exactly one. */
const CAPACITY: Record<RuleKind, number> = { schedule: 32, count_down: 1, anti_theft: 8 };

export class RuleTable {
  readonly kind: RuleKind;
  private rules: Rule[] = [];
  private overallEnable = 0;
  private idCounter = 0;
  private readonly idSeed: string;
  /** count_down: when each rule was (re)armed, by id. */
  private armedAt = new Map<string, number>();

  constructor(kind: RuleKind, idSeed: string) {
    this.kind = kind;
    this.idSeed = idSeed;
  }

  get enabled(): boolean {
    return this.overallEnable === 1;
  }

  get size(): number {
    return this.rules.length;
  }

  list(): readonly Rule[] {
    return this.rules;
  }

  getRules(now: number): Params {
    if (this.kind === 'count_down') {
      const ruleList = this.rules.map((r) => ({ ...r, remain: this.remaining(r, now) }));
      return { rule_list: ruleList, err_code: 0 };
    }
    return { rule_list: this.rules.map((r) => ({ ...r })), enable: this.overallEnable, version: 2, err_code: 0 };
  }

  /**
   * The rules as a device listed them (get_rules), kept as they came; a
   * running timer keeps the time it had left.
   */
  restore(rules: readonly Rule[], overallEnable: number, now: number): void {
    this.rules = rules.map((rule) => ({ ...rule }));
    this.overallEnable = overallEnable ? 1 : 0;
    this.armedAt.clear();
    for (const rule of this.rules) {
      const delay = typeof rule.delay === 'number' ? rule.delay : 0;
      const remain = typeof rule.remain === 'number' ? rule.remain : delay;
      if (this.kind === 'count_down') delete rule.remain;
      this.armedAt.set(rule.id, now - (delay - remain) * 1000);
    }
  }

  add(params: Params, now: number): Params {
    this.validate(params);
    if (this.rules.length >= CAPACITY[this.kind]) throw tableFull();
    const id = this.nextId();
    const rule: Rule = { ...stripId(params), id };
    this.rules.push(rule);
    if (this.kind !== 'count_down') this.overallEnable = 1;
    this.armedAt.set(id, now);
    return { id, err_code: 0 };
  }

  edit(params: Params, now: number): Params {
    const id = params.id;
    if (typeof id !== 'string') throw invalidArgument();
    const index = this.rules.findIndex((r) => r.id === id);
    if (index < 0) throw entryNotExist();
    this.validate(params);
    this.rules[index] = { ...stripId(params), id };
    this.armedAt.set(id, now);
    return { err_code: 0 };
  }

  delete(params: Params): Params {
    const id = params.id;
    if (typeof id !== 'string') throw invalidArgument();
    const index = this.rules.findIndex((r) => r.id === id);
    if (index < 0) throw entryNotExist();
    this.rules.splice(index, 1);
    this.armedAt.delete(id);
    return { err_code: 0 };
  }

  deleteAll(): Params {
    this.rules = [];
    this.armedAt.clear();
    return { err_code: 0 };
  }

  setOverallEnable(params: Params | number): Params {
    // anti_theft accepts a bare number ("set_overall_enable":1), schedule an object.
    const value = typeof params === 'number' ? params : requireNumber(params, 'enable');
    this.overallEnable = value ? 1 : 0;
    return { err_code: 0 };
  }

  /**
   * The enabled timer that ran out at or before `now`, if any; it is
   * disarmed (enable 0) so that it fires once, as the firmware does.
   */
  takeExpiredTimer(now: number): { act: number; at: number } | undefined {
    if (this.kind !== 'count_down') return undefined;
    for (const rule of this.rules) {
      if (!rule.enable) continue;
      const at = this.firesAt(rule);
      if (at <= now) {
        rule.enable = 0;
        return { act: typeof rule.act === 'number' ? rule.act : 0, at };
      }
    }
    return undefined;
  }

  /** The next enabled timer expiry, for get_next_action and active_mode. */
  pendingTimer(): Rule | undefined {
    return this.kind === 'count_down' ? this.rules.find((r) => r.enable) : undefined;
  }

  remaining(rule: Rule, now: number): number {
    if (!rule.enable) return 0;
    return Math.max(0, Math.ceil((this.firesAt(rule) - now) / 1000));
  }

  private firesAt(rule: Rule): number {
    const delay = typeof rule.delay === 'number' ? rule.delay : 0;
    return (this.armedAt.get(rule.id) ?? 0) + delay * 1000;
  }

  private validate(params: Params): void {
    for (const key of REQUIRED[this.kind]) requireNumber(params, key);
    if ('wday' in params) {
      const wday = params.wday;
      if (!Array.isArray(wday) || wday.length !== 7) throw invalidArgument();
    }
  }

  private nextId(): string {
    this.idCounter += 1;
    return createHash('md5').update(`${this.idSeed}:${this.kind}:${this.idCounter}`).digest('hex').toUpperCase();
  }
}

function stripId(params: Params): Params {
  const copy = { ...params };
  delete copy.id;
  return copy;
}
