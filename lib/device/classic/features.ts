/**
 * The classic family's features other than the light: the energy meter,
 * the three rule tables (schedule, countdown, anti-theft: one RuleTable
 * over three modules), time, LED, alias, cloud, Wi-Fi and system, each
 * speaking to the module its kind uses (modules.ts).
 */
import * as cmd from '../../classic/commands';
import type { AntiTheftRule, CountdownRule, ScheduleRule, SmartHomeRequest } from '../../classic/commands';
import { readAddedRule, readAnyResult, readDayStats, readMonthStats, readRealtime, readRules, readScanInfo } from '../../classic/replies';
import { normalizeEnergy, normalizeStats } from '../../classic/response';
import type { EnergyMeter, FeatureContext } from '../family';
import type {
  AliasFeature, CloudFeature, LedFeature, OutletOption, RuleFeature, RuleList, ScheduleFeature, SystemFeature, TimeFeature, WifiFeature,
} from '../types';
import type { JsonObject } from '../../json';
import { inModule, type ClassicCalls } from './calls';

export function energyMeter(calls: ClassicCalls, module: string): EnergyMeter {
  return {
    read: async (outlet, options) =>
      normalizeEnergy(await calls.call(module, 'get_realtime', {}, readRealtime, { outlet, ifIdle: options.ifIdle })),
    dayStats: async (year, month, outlet) =>
      normalizeStats((await calls.call(module, 'get_daystat', { year, month }, readDayStats, { outlet })).day_list),
    monthStats: async (year, outlet) => normalizeStats((await calls.call(module, 'get_monthstat', { year }, readMonthStats, { outlet })).month_list),
    erase: async (outlet) => {
      await calls.send({ [module]: { erase_emeter_stat: {} } }, { outlet });
    },
  };
}

/** The builders of one rule table in lib/classic/commands.ts, written for the plug module `builtFor`. */
interface RuleBuilders<Rule> {
  builtFor: string;
  getRules(): SmartHomeRequest;
  addRule(rule: Rule): SmartHomeRequest;
  editRule(rule: Rule & { id: string }): SmartHomeRequest;
  deleteRule(id: string): SmartHomeRequest;
  deleteAllRules(): SmartHomeRequest;
}

/** One rule table (schedule, count_down or anti_theft, or a light's smartlife.iot.common.* one): list, add, edit, delete. */
class RuleTable<Rule> implements RuleFeature<Rule> {
  constructor(
    protected readonly calls: ClassicCalls,
    protected readonly context: FeatureContext,
    protected readonly module: string,
    private readonly builders: RuleBuilders<Rule>,
  ) {}

  list(options?: OutletOption): Promise<RuleList> {
    return this.calls.read(this.build(this.builders.getRules()), this.module, 'get_rules', readRules, this.target(options));
  }

  async add(rule: Rule, options?: OutletOption): Promise<string> {
    const added = await this.calls.read(this.build(this.builders.addRule(rule)), this.module, 'add_rule', readAddedRule, this.target(options));
    return added.id;
  }

  async edit(rule: Rule & { id: string }, options?: OutletOption): Promise<void> {
    await this.calls.send(this.build(this.builders.editRule(rule)), this.target(options));
  }

  async delete(id: string, options?: OutletOption): Promise<void> {
    await this.calls.send(this.build(this.builders.deleteRule(id)), this.target(options));
  }

  async clear(options?: OutletOption): Promise<void> {
    await this.calls.send(this.build(this.builders.deleteAllRules()), this.target(options));
  }

  async replace(rule: Rule, options?: OutletOption): Promise<string> {
    await this.clear(options);
    return this.add(rule, options);
  }

  protected target(options: OutletOption | undefined): { outlet: ReturnType<FeatureContext['outlet']> } {
    return { outlet: this.context.outlet(options) };
  }

  private build(request: SmartHomeRequest): SmartHomeRequest {
    return inModule(request, this.builders.builtFor, this.module);
  }
}

class ScheduleTable extends RuleTable<ScheduleRule> implements ScheduleFeature {
  nextAction(options?: OutletOption): Promise<JsonObject> {
    return this.calls.read(inModule(cmd.schedule.getNextAction(), 'schedule', this.module), this.module, 'get_next_action', readAnyResult, this.target(options));
  }
}

export function scheduleFeature(calls: ClassicCalls, context: FeatureContext, module: string): ScheduleFeature {
  return new ScheduleTable(calls, context, module, { builtFor: 'schedule', ...cmd.schedule });
}

export function countdownFeature(calls: ClassicCalls, context: FeatureContext, module: string): RuleFeature<CountdownRule> {
  return new RuleTable(calls, context, module, { builtFor: 'count_down', ...cmd.countdown });
}

export function antiTheftFeature(calls: ClassicCalls, context: FeatureContext, module: string): RuleFeature<AntiTheftRule> {
  return new RuleTable(calls, context, module, { builtFor: 'anti_theft', ...cmd.antiTheft });
}

export function timeFeature(calls: ClassicCalls, module: string): TimeFeature {
  return {
    get: () => calls.read(inModule(cmd.time.getTime(), 'time', module), module, 'get_time', readAnyResult),
    timezone: () => calls.read(inModule(cmd.time.getTimezone(), 'time', module), module, 'get_timezone', readAnyResult),
    setTimezone: async (setting) => {
      await calls.send(inModule(cmd.time.setTimezone(setting), 'time', module));
    },
  };
}

export function ledFeature(calls: ClassicCalls): LedFeature {
  return {
    set: async (on) => {
      await calls.send(cmd.system.setLed(on));
    },
  };
}

/** Renames the device or an outlet, and the state with it. */
export function aliasFeature(calls: ClassicCalls, context: FeatureContext, module: string): AliasFeature {
  return {
    set: async (alias, options) => {
      const outlet = context.outlet(options);
      await calls.send(inModule(cmd.system.setAlias(alias), 'system', module), { outlet });
      context.update((state) => outlet === undefined
        ? { ...state, alias }
        : { ...state, outlets: state.outlets.map((o) => (o.index === outlet.index ? { ...o, alias } : o)) });
    },
  };
}

export function cloudFeature(calls: ClassicCalls, module: string): CloudFeature {
  return {
    info: () => calls.read(inModule(cmd.cloud.getInfo(), 'cnCloud', module), module, 'get_info', readAnyResult),
    bind: async (username, password) => {
      await calls.send(inModule(cmd.cloud.bind(username, password), 'cnCloud', module));
    },
    unbind: async () => {
      await calls.send(inModule(cmd.cloud.unbind(), 'cnCloud', module));
    },
  };
}

export function wifiFeature(calls: ClassicCalls, module: string): WifiFeature {
  return {
    // A fresh scan takes the device several seconds.
    scan: async (options = {}) => {
      const timeout = options.timeout ?? Math.max(calls.client.timeout, 10_000);
      const result = await calls.read(inModule(cmd.netif.getScanInfo(true), 'netif', module), module, 'get_scaninfo', readScanInfo, { timeout });
      return result.ap_list;
    },
    join: async (ssid, password, keyType = 3) => {
      await calls.send(inModule(cmd.netif.setStaInfo(ssid, password, keyType), 'netif', module));
    },
  };
}

export function systemFeature(calls: ClassicCalls, module: string): SystemFeature {
  return {
    reboot: async (delay = 1) => {
      await calls.send(inModule(cmd.system.reboot(delay), 'system', module));
    },
    factoryReset: async (delay = 1) => {
      await calls.send(inModule(cmd.system.reset(delay), 'system', module));
    },
  };
}

