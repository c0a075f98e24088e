/**
 * What a SMART device is asked when it is dumped: component_nego first,
 * then the getters its components imply (the same for each child, through
 * control_child, after the child's own component_nego). Which getter
 * belongs to which component is what the Tapo app and python-kasa's
 * dumps show real firmware answering; a getter a device refuses is kept
 * with its error_code, which is part of what the device is.
 *
 * A meter's daily and monthly statistics (get_energy_data) take the
 * device's local midnights: they are asked once the device told its time,
 * for its own today, with the params the device layer sends
 * (energy-stats.ts), so that a fixture finds the request dayStats and
 * monthStats make for that month and year.
 */
import { dayStatsParams, monthStatsParams, type DeviceClock } from '../device/smart/energy-stats';
import type { JsonObject } from '../json';

export interface SmartQuery {
  method: string;
  params?: JsonObject;
}

/** Unknown to any firmware: the answer records how this one refuses a method. */
export const UNKNOWN_SMART_METHOD_PROBE = 'kasa_dump_unknown_method';

const FIRST_PAGE = { start_index: 0 };

/** Component id → the getters a device with it answers. */
const GETTERS: Readonly<Record<string, readonly SmartQuery[]>> = {
  time: [{ method: 'get_device_time' }],
  energy_monitoring: [{ method: 'get_energy_usage' }, { method: 'get_current_power' }, { method: 'get_emeter_data' }],
  led: [{ method: 'get_led_info' }],
  schedule: [{ method: 'get_schedule_rules', params: FIRST_PAGE }, { method: 'get_next_event' }],
  countdown: [{ method: 'get_countdown_rules', params: FIRST_PAGE }],
  antitheft: [{ method: 'get_antitheft_rules', params: FIRST_PAGE }],
  auto_off: [{ method: 'get_auto_off_config' }],
  firmware: [{ method: 'get_auto_update_info' }, { method: 'get_fw_download_state' }],
  cloud_connect: [{ method: 'get_connect_cloud_state' }],
  preset: [{ method: 'get_preset_rules' }],
  on_off_gradually: [{ method: 'get_on_off_gradually_info' }],
  light_effect: [{ method: 'get_dynamic_light_effect_rules', params: FIRST_PAGE }],
  light_strip_lighting_effect: [{ method: 'get_lighting_effect' }],
  auto_light: [{ method: 'get_auto_light_info' }],
  power_protection: [{ method: 'get_protection_power' }, { method: 'get_max_power' }],
  child_device: [
    { method: 'get_child_device_list', params: FIRST_PAGE },
    { method: 'get_child_device_component_list', params: FIRST_PAGE },
  ],
};

/** The getters for a device (or child) with these components, after component_nego. */
export function smartQueries(components: ReadonlyMap<string, number>, options: { wifiScan: boolean; child: boolean }): SmartQuery[] {
  const list: SmartQuery[] = [{ method: 'get_device_info' }, { method: 'get_device_usage' }];
  for (const [component, getters] of Object.entries(GETTERS)) {
    if (!components.has(component) || (options.child && component === 'child_device')) continue;
    list.push(...getters);
  }
  if (options.wifiScan && components.has('wireless') && !options.child) list.push({ method: 'get_wireless_scan_info', params: FIRST_PAGE });
  if (!options.child) list.push({ method: UNKNOWN_SMART_METHOD_PROBE });
  return list;
}

/**
 * The statistics requests for a meter (or a strip's metering outlet) on a
 * device whose clock reads `clock`: the days of its month and the months
 * of its year, as dayStats and monthStats ask them. None without
 * energy_monitoring, or when the device did not tell its time (the device
 * layer cannot place the request either).
 */
export function smartEnergyStatsQueries(components: ReadonlyMap<string, number>, clock: DeviceClock | undefined): SmartQuery[] {
  if (!components.has('energy_monitoring') || clock === undefined) return [];
  const { year, month } = clock.today;
  return [
    { method: 'get_energy_data', params: { ...dayStatsParams(clock, year, month) } },
    { method: 'get_energy_data', params: { ...monthStatsParams(clock, year) } },
  ];
}
