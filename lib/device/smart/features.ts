/**
 * The SMART family's features other than power and light: the energy meter
 * (get_energy_usage, get_current_power, get_emeter_data through
 * SmartClient.getEnergy, in the classic shape; daily and monthly totals
 * from get_energy_data), the clock, the LED, the name (base64 on the wire)
 * and reboot/reset. What SMART firmware has no method for (erasing the
 * meter, setting the time zone) is refused before anything is sent.
 */
import type { SmartClient } from '../../smart/client';
import { isJsonObject, type JsonObject } from '../../json';
import { SmartUnknownMethodError } from '../../smart/errors';
import { checkInteger, unsupported } from '../errors';
import type { EnergyMeter, FeatureContext } from '../family';
import { energyVersionOf, type SmartReading } from '../state/smart';
import type { AliasFeature, LedFeature, OutletState, SystemFeature, TimeFeature } from '../types';
import { classicEnergyShape } from './energy';
import { smartDayStats, smartMonthStats } from './energy-stats';

type Components = Pick<SmartReading, 'components' | 'childComponents'>;

export function energyMeter(client: SmartClient, reading: Components, context: FeatureContext): EnergyMeter {
  const refuse = (what: string): Promise<never> => Promise.reject(unsupported(what, context.state().model, context.address));
  const metered = (outlet: OutletState | undefined): number => {
    const energyVersion = energyVersionOf(reading, outlet?.id);
    if (energyVersion === undefined) throw unsupported('energy meter', context.state().model, context.address);
    return energyVersion;
  };
  /** Firmware that meters but keeps no statistics answers -1002: said as the classic layer says a missing feature. */
  const statistics = async <T>(what: string, ask: () => Promise<T>): Promise<T> => {
    try {
      return await ask();
    } catch (error) {
      if (error instanceof SmartUnknownMethodError) throw unsupported(`${what} (no get_energy_data)`, context.state().model, context.address);
      throw error;
    }
  };
  return {
    read: async (outlet, options) =>
      classicEnergyShape(await client.getEnergy({ childId: outlet?.id, energyVersion: metered(outlet), ifIdle: options.ifIdle })),
    dayStats: async (year, month, outlet) => {
      metered(outlet);
      checkInteger('month', month, 1, 12, context.address);
      checkInteger('year', year, 1970, 9999, context.address);
      return statistics('daily energy totals', () => smartDayStats(client, year, month, outlet?.id));
    },
    monthStats: async (year, outlet) => {
      metered(outlet);
      checkInteger('year', year, 1970, 9999, context.address);
      return statistics('monthly energy totals', () => smartMonthStats(client, year, outlet?.id));
    },
    // Neither the apps nor any client library knows a SMART method that clears the statistics.
    erase: () => refuse('method to erase the energy meter (SMART firmware has no counterpart of erase_emeter_stat)'),
  };
}

export function timeFeature(client: SmartClient, context: FeatureContext): TimeFeature {
  const deviceTime = async (): Promise<JsonObject> => {
    const result = await client.call('get_device_time');
    return isJsonObject(result) ? result : {};
  };
  return {
    get: deviceTime,
    timezone: async () => {
      const time = await deviceTime();
      return { region: time.region ?? null, time_diff: time.time_diff ?? null };
    },
    setTimezone: () => Promise.reject(unsupported('time zone setting', context.state().model, context.address)),
  };
}

/** set_led_info takes the whole LED setting (night mode too): the current one is read and only the rule changed. */
export function ledFeature(client: SmartClient): LedFeature {
  return {
    set: async (on) => {
      const current = await client.call('get_led_info');
      await client.call('set_led_info', { ...(isJsonObject(current) ? current : {}), led_rule: on ? 'always' : 'never' });
    },
  };
}

/** Renames the device or an outlet (the nickname travels as base64), and the state with it. */
export function aliasFeature(client: SmartClient, context: FeatureContext): AliasFeature {
  return {
    set: async (alias, options) => {
      const outlet = context.outlet(options);
      await client.setDeviceInfo({ nickname: Buffer.from(alias, 'utf8').toString('base64') }, { childId: outlet?.id });
      context.update((state) => outlet === undefined
        ? { ...state, alias }
        : { ...state, outlets: state.outlets.map((o) => (o.index === outlet.index ? { ...o, alias } : o)) });
    },
  };
}

export function systemFeature(client: SmartClient): SystemFeature {
  return {
    reboot: async (delay = 1) => {
      await client.call('device_reboot', { delay });
    },
    factoryReset: async () => {
      await client.call('device_reset');
    },
  };
}
