/**
 * A SMART energy reading in the classic shape, so that a flow charting an
 * HS110 works unchanged for a P110: power, voltage, current and total, each
 * in both unit forms, always numbers. What a SMART device does not measure
 * reads 0, exactly as the classic normalisation fills what a Kasa meter
 * leaves out: voltage and current come only with get_emeter_data, and a
 * lifetime total only from get_emeter_data's energy_wh. What SMART adds
 * (energy used today and this month, minutes on) rides along under its own
 * names: today/today_wh, month/month_wh, today_runtime, month_runtime.
 */
import type { SmartEnergyReading } from '../../smart/energy';
import type { EnergyReading } from '../types';

/** The classic fields plus what SMART meters also report. */
export type SmartEnergyFields = EnergyReading & Pick<SmartEnergyReading, 'today' | 'today_wh' | 'month' | 'month_wh' | 'today_runtime' | 'month_runtime'>;

export function classicEnergyShape(reading: SmartEnergyReading): SmartEnergyFields {
  const out: SmartEnergyFields = {
    power: reading.power,
    power_mw: reading.power_mw,
    voltage: reading.voltage ?? 0,
    voltage_mv: reading.voltage_mv ?? 0,
    current: reading.current ?? 0,
    current_ma: reading.current_ma ?? 0,
    total: reading.total ?? 0,
    total_wh: reading.total_wh ?? 0,
  };
  if (reading.today !== undefined) out.today = reading.today;
  if (reading.today_wh !== undefined) out.today_wh = reading.today_wh;
  if (reading.month !== undefined) out.month = reading.month;
  if (reading.month_wh !== undefined) out.month_wh = reading.month_wh;
  if (reading.today_runtime !== undefined) out.today_runtime = reading.today_runtime;
  if (reading.month_runtime !== undefined) out.month_runtime = reading.month_runtime;
  return out;
}
