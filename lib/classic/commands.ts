/**
 * Typed builders for every command of the Smart Home protocol (the HS100 /
 * HS110 command list), plus helpers to address child outlets by their full
 * id and to combine several modules into one request. Which outlet a user
 * means is lib/device's to find (outlets.ts).
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A request: module -> method -> arguments (plus an optional `context`). */
export type SmartHomeRequest = { [module: string]: JsonValue } & { context?: { child_ids: string[] } };

function call(module: string, method: string, args: JsonObject | null = {}): SmartHomeRequest {
  return { [module]: { [method]: args } };
}

export interface RuleTime {
  /** Minutes after midnight (start). */
  smin: number;
  /** 0 = at smin, 1 = sunrise, 2 = sunset. */
  stime_opt?: number;
  emin?: number;
  etime_opt?: number;
  /** Sunday first: seven 0/1 flags. */
  wday?: number[];
  repeat?: number;
  year?: number;
  month?: number;
  day?: number;
  longitude?: number;
  latitude?: number;
  force?: number;
}

export interface ScheduleRule extends RuleTime {
  id?: string;
  name?: string;
  enable?: number;
  /** Start action: 1 on, 0 off, -1 none. */
  sact: number;
  eact?: number;
}

export interface CountdownRule {
  id?: string;
  name?: string;
  enable?: number;
  /** Seconds until the action. */
  delay: number;
  /** 1 turn on, 0 turn off. */
  act: number;
}

export interface AntiTheftRule extends RuleTime {
  id?: string;
  name?: string;
  enable?: number;
  frequency?: number;
  duration?: number;
  lastfor?: number;
}

export interface TimezoneSetting {
  year: number;
  month: number;
  mday: number;
  hour: number;
  min: number;
  sec: number;
  /** The firmware's timezone table index. */
  index: number;
}

function ruleDefaults<T extends RuleTime>(rule: T): JsonObject {
  return {
    stime_opt: 0, wday: [1, 1, 1, 1, 1, 1, 1], enable: 1, repeat: 1, etime_opt: -1, emin: 0,
    month: 0, year: 0, day: 0, longitude: 0, latitude: 0, force: 0,
    ...(rule as unknown as JsonObject),
  };
}

export const system = {
  getSysinfo: (): SmartHomeRequest => call('system', 'get_sysinfo'),
  reboot: (delay = 1): SmartHomeRequest => call('system', 'reboot', { delay }),
  reset: (delay = 1): SmartHomeRequest => call('system', 'reset', { delay }),
  setRelayState: (on: boolean): SmartHomeRequest => call('system', 'set_relay_state', { state: on ? 1 : 0 }),
  /** The LED is on when `off` is 0 ("night mode" turns it off). */
  setLed: (on: boolean): SmartHomeRequest => call('system', 'set_led_off', { off: on ? 0 : 1 }),
  setAlias: (alias: string): SmartHomeRequest => call('system', 'set_dev_alias', { alias }),
  setMacAddress: (mac: string): SmartHomeRequest => call('system', 'set_mac_addr', { mac }),
  setDeviceId: (deviceId: string): SmartHomeRequest => call('system', 'set_device_id', { deviceId }),
  setHardwareId: (hwId: string): SmartHomeRequest => call('system', 'set_hw_id', { hwId }),
  setLocation: (longitude: number, latitude: number): SmartHomeRequest =>
    call('system', 'set_dev_location', { longitude, latitude }),
  checkUboot: (): SmartHomeRequest => call('system', 'test_check_uboot'),
  getIcon: (): SmartHomeRequest => call('system', 'get_dev_icon'),
  setIcon: (icon: string, hash: string): SmartHomeRequest => call('system', 'set_dev_icon', { icon, hash }),
  setTestMode: (enable: boolean): SmartHomeRequest => call('system', 'set_test_mode', { enable: enable ? 1 : 0 }),
  downloadFirmware: (url: string): SmartHomeRequest => call('system', 'download_firmware', { url }),
  getDownloadState: (): SmartHomeRequest => call('system', 'get_download_state'),
  flashFirmware: (): SmartHomeRequest => call('system', 'flash_firmware'),
  checkNewConfig: (): SmartHomeRequest => call('system', 'check_new_config'),
};

export const netif = {
  getScanInfo: (refresh = true): SmartHomeRequest => call('netif', 'get_scaninfo', { refresh: refresh ? 1 : 0 }),
  /** key_type 3 is WPA2. */
  setStaInfo: (ssid: string, password: string, keyType = 3): SmartHomeRequest =>
    call('netif', 'set_stainfo', { ssid, password, key_type: keyType }),
};

export const cloud = {
  getInfo: (): SmartHomeRequest => call('cnCloud', 'get_info'),
  getFirmwareList: (): SmartHomeRequest => call('cnCloud', 'get_intl_fw_list'),
  setServerUrl: (server: string): SmartHomeRequest => call('cnCloud', 'set_server_url', { server }),
  bind: (username: string, password: string): SmartHomeRequest => call('cnCloud', 'bind', { username, password }),
  unbind: (): SmartHomeRequest => call('cnCloud', 'unbind'),
};

export const time = {
  getTime: (): SmartHomeRequest => call('time', 'get_time'),
  getTimezone: (): SmartHomeRequest => call('time', 'get_timezone'),
  setTimezone: (setting: TimezoneSetting): SmartHomeRequest => call('time', 'set_timezone', { ...setting }),
};

export const emeter = {
  getRealtime: (): SmartHomeRequest => call('emeter', 'get_realtime'),
  getGain: (): SmartHomeRequest => call('emeter', 'get_vgain_igain'),
  setGain: (vgain: number, igain: number): SmartHomeRequest => call('emeter', 'set_vgain_igain', { vgain, igain }),
  startCalibration: (vtarget: number, itarget: number): SmartHomeRequest =>
    call('emeter', 'start_calibration', { vtarget, itarget }),
  getDayStats: (year: number, month: number): SmartHomeRequest => call('emeter', 'get_daystat', { month, year }),
  getMonthStats: (year: number): SmartHomeRequest => call('emeter', 'get_monthstat', { year }),
  eraseStats: (): SmartHomeRequest => call('emeter', 'erase_emeter_stat'),
};

export const schedule = {
  getNextAction: (): SmartHomeRequest => call('schedule', 'get_next_action'),
  getRules: (): SmartHomeRequest => call('schedule', 'get_rules'),
  addRule: (rule: ScheduleRule): SmartHomeRequest => ({
    schedule: { add_rule: ruleDefaults({ eact: -1, ...rule }), set_overall_enable: { enable: 1 } },
  }),
  editRule: (rule: ScheduleRule & { id: string }): SmartHomeRequest => call('schedule', 'edit_rule', ruleDefaults({ eact: -1, ...rule })),
  deleteRule: (id: string): SmartHomeRequest => call('schedule', 'delete_rule', { id }),
  deleteAllRules: (): SmartHomeRequest => ({ schedule: { delete_all_rules: null, erase_runtime_stat: null } }),
  eraseRuntimeStats: (): SmartHomeRequest => call('schedule', 'erase_runtime_stat', null),
  getDayStats: (year: number, month: number): SmartHomeRequest => call('schedule', 'get_daystat', { year, month }),
  getMonthStats: (year: number): SmartHomeRequest => call('schedule', 'get_monthstat', { year }),
};

export const countdown = {
  getRules: (): SmartHomeRequest => call('count_down', 'get_rules'),
  addRule: (rule: CountdownRule): SmartHomeRequest => call('count_down', 'add_rule', { enable: 1, name: 'countdown', ...rule }),
  editRule: (rule: CountdownRule & { id: string }): SmartHomeRequest => call('count_down', 'edit_rule', { enable: 1, name: 'countdown', ...rule }),
  deleteRule: (id: string): SmartHomeRequest => call('count_down', 'delete_rule', { id }),
  deleteAllRules: (): SmartHomeRequest => call('count_down', 'delete_all_rules', null),
};

export const antiTheft = {
  getRules: (): SmartHomeRequest => call('anti_theft', 'get_rules'),
  addRule: (rule: AntiTheftRule): SmartHomeRequest => ({
    anti_theft: { add_rule: ruleDefaults({ frequency: 5, duration: 2, lastfor: 1, ...rule }), set_overall_enable: 1 },
  }),
  editRule: (rule: AntiTheftRule & { id: string }): SmartHomeRequest => ({
    anti_theft: { edit_rule: ruleDefaults({ frequency: 5, duration: 2, lastfor: 1, ...rule }), set_overall_enable: 1 },
  }),
  deleteRule: (id: string): SmartHomeRequest => call('anti_theft', 'delete_rule', { id }),
  deleteAllRules: (): SmartHomeRequest => call('anti_theft', 'delete_all_rules', null),
};

/** Merges several requests into one message (the device answers each module). */
export function combine(...requests: SmartHomeRequest[]): SmartHomeRequest {
  const out: SmartHomeRequest = {};
  for (const request of requests) {
    for (const [module, methods] of Object.entries(request)) {
      if (module === 'context') {
        out.context = request.context;
        continue;
      }
      const existing = out[module];
      out[module] = isObject(existing) && isObject(methods) ? { ...existing, ...methods } : methods;
    }
  }
  return out;
}

/** Addresses a request to child outlets of a power strip (`context.child_ids`). */
export function forChildren(request: SmartHomeRequest, childIds: readonly string[]): SmartHomeRequest {
  if (childIds.length === 0) return request;
  return { context: { child_ids: [...childIds] }, ...request };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
