/**
 * SMART energy statistics: get_energy_data, the SMART counterpart of the
 * classic get_daystat/get_monthstat. Facts (from the Tapo apps' protocol as
 * the tapo client library documents it; python-kasa does not ask it):
 *   params  start_timestamp, end_timestamp (epoch seconds of local
 *           midnights), interval in minutes: 60 hourly, 1440 daily (start
 *           on the first day of a quarter: the reply lists that quarter's
 *           days), 43200 monthly (start on 1 January: twelve months)
 *   result  data (Wh per interval, in order from the start),
 *           start_timestamp and end_timestamp passed through, interval,
 *           local_time
 * A device without it answers -1002 (unknown method).
 */
import { shape } from '../json';
import type { DeviceAddress } from '../errors';
import { readShape } from './envelope';

export const ENERGY_DATA_INTERVAL = { daily: 1440, monthly: 43200 } as const;

const energyDataShape = shape.object({
  /** A quarter has at most 92 days; a year twelve months; a week of hours 192. */
  data: shape.arrayOf(shape.numberIn(0, 1e12), { maxLength: 400 }),
  start_timestamp: shape.integerIn(0, 1e11),
  interval: shape.integerIn(1, 1e6),
});

export type EnergyData = shape.ReadResult<typeof energyDataShape>;

export const readEnergyData = (result: unknown, address?: DeviceAddress): EnergyData =>
  readShape(energyDataShape, result, 'get_energy_data result', address);

const deviceTimeShape = shape.object({
  timestamp: shape.integerIn(0, 1e11),
  /** Minutes from UTC to the device's local time. */
  time_diff: shape.integerIn(-24 * 60, 24 * 60),
});

export type DeviceTime = shape.ReadResult<typeof deviceTimeShape>;

export const readDeviceTime = (result: unknown, address?: DeviceAddress): DeviceTime =>
  readShape(deviceTimeShape, result, 'get_device_time result', address);
