/**
 * system, netif, cloud and time modules. Plugs, switches, dimmers and
 * strips answer the whole `system` family; bulbs and light strips only its
 * common part (they have no relay, LED switch or identity setters).
 */
import { ok, targetOutlets, type MethodHandler, type MethodTable } from './method-table';
import { asParams, invalidArgument, requireNumber, requireString } from './reply-errors';
import { buildSysinfo } from './sysinfo';

/** What every device's system module answers. */
export function lightSystemMethods(): MethodTable {
  const m = new Map<string, MethodHandler>();
  m.set('get_sysinfo', (_p, ctx) => buildSysinfo(ctx.device, ctx.now));
  m.set('set_dev_alias', (p, ctx) => {
    const alias = requireString(asParams(p), 'alias');
    if (alias.length > 31) throw invalidArgument();
    if (ctx.children || ctx.childError) for (const outlet of targetOutlets(ctx)) outlet.alias = alias;
    else ctx.device.alias = alias;
    return ok();
  });
  m.set('set_dev_location', (p, ctx) => {
    const params = asParams(p);
    const lat = typeof params.latitude === 'number' ? params.latitude : requireNumber(params, 'latitude_i') / 10_000;
    const lon = typeof params.longitude === 'number' ? params.longitude : requireNumber(params, 'longitude_i') / 10_000;
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) throw invalidArgument();
    ctx.device.latitude = lat;
    ctx.device.longitude = lon;
    return ok();
  });
  const restart = (reset: boolean): MethodHandler => (p, ctx) => {
    const params = asParams(p);
    const delay = typeof params.delay === 'number' ? params.delay : 1;
    if (reset) ctx.device.reset(ctx.now);
    ctx.device.onRestart?.(delay);
    return ok();
  };
  m.set('reboot', restart(false));
  m.set('reset', restart(true));
  return m;
}

/** The plug family's system module: the common part, the relay, the LED and the identity setters. */
export function systemMethods(): MethodTable {
  const m = lightSystemMethods();
  m.set('set_relay_state', (p, ctx) => {
    const state = requireNumber(asParams(p), 'state');
    if (state !== 0 && state !== 1) throw invalidArgument();
    for (const outlet of targetOutlets(ctx)) outlet.setRelay(state === 1, ctx.now, ctx.device.localOffsetMs);
    return ok();
  });
  m.set('set_led_off', (p, ctx) => {
    ctx.device.ledOff = requireNumber(asParams(p), 'off') === 1;
    return ok();
  });
  m.set('set_mac_addr', (p, ctx) => {
    const mac = requireString(asParams(p), 'mac');
    if (!/^[0-9A-F]{2}([-:][0-9A-F]{2}){5}$/i.test(mac)) throw invalidArgument();
    ctx.device.identity.mac = mac.replace(/-/g, ':').toUpperCase();
    return ok();
  });
  m.set('set_device_id', (p, ctx) => {
    const id = requireString(asParams(p), 'deviceId');
    if (!/^[0-9A-F]{40}$/i.test(id)) throw invalidArgument();
    ctx.device.identity.deviceId = id.toUpperCase();
    return ok();
  });
  m.set('set_hw_id', (p, ctx) => {
    const id = requireString(asParams(p), 'hwId');
    if (!/^[0-9A-F]{32}$/i.test(id)) throw invalidArgument();
    ctx.device.identity.hwId = id.toUpperCase();
    return ok();
  });
  m.set('test_check_uboot', () => ({ uboot_status: 0, err_code: 0 }));
  m.set('get_dev_icon', () => ({ icon: '', hash: '', err_code: 0 }));
  m.set('set_dev_icon', (p) => {
    requireString(asParams(p), 'icon');
    return ok();
  });
  m.set('set_test_mode', () => ok());
  // Firmware updates are accepted and never progress: nothing is flashed.
  m.set('download_firmware', (p) => {
    requireString(asParams(p), 'url');
    return ok();
  });
  m.set('get_download_state', () => ({ status: 0, ratio: 0, reboot_time: 0, flash_time: 0, err_code: 0 }));
  m.set('flash_firmware', () => ok());
  m.set('check_new_config', () => ok());
  return m;
}

export function netifMethods(): MethodTable {
  const m = new Map<string, MethodHandler>();
  m.set('get_scaninfo', () => ({
    ap_list: [
      { ssid: 'SimulatedWiFi', key_type: 3 },
      { ssid: 'Neighbour', key_type: 3 },
      { ssid: 'Guest', key_type: 0 },
    ],
    wpa_ver: 0,
    err_code: 0,
  }));
  m.set('set_stainfo', (p, ctx) => {
    const params = asParams(p);
    ctx.device.ssid = requireString(params, 'ssid');
    requireNumber(params, 'key_type');
    return ok();
  });
  m.set('get_stainfo', (_p, ctx) => ({ ssid: ctx.device.ssid, key_type: 3, rssi: ctx.device.rssi, err_code: 0 }));
  return m;
}

export function cloudMethods(): MethodTable {
  const m = new Map<string, MethodHandler>();
  m.set('get_info', (_p, ctx) => {
    const c = ctx.device.cloud;
    return {
      username: c.username, server: c.server, binded: c.binded, cld_connection: c.binded,
      illegalType: 0, stopConnect: 0, tcspStatus: c.binded, fwDlPage: '', tcspInfo: '', fwNotifyType: 0, err_code: 0,
    };
  });
  m.set('get_intl_fw_list', () => ({ fw_list: [], err_code: 0 }));
  m.set('set_server_url', (p, ctx) => {
    ctx.device.cloud.server = requireString(asParams(p), 'server');
    return ok();
  });
  m.set('bind', (p, ctx) => {
    const params = asParams(p);
    ctx.device.cloud.username = requireString(params, 'username');
    requireString(params, 'password');
    ctx.device.cloud.binded = 1;
    return ok();
  });
  m.set('unbind', (_p, ctx) => {
    ctx.device.cloud.username = '';
    ctx.device.cloud.binded = 0;
    return ok();
  });
  return m;
}

export function timeMethods(): MethodTable {
  const m = new Map<string, MethodHandler>();
  m.set('get_time', (_p, ctx) => {
    const d = new Date(ctx.device.localTime(ctx.now));
    return {
      year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, mday: d.getUTCDate(), wday: d.getUTCDay(),
      hour: d.getUTCHours(), min: d.getUTCMinutes(), sec: d.getUTCSeconds(), err_code: 0,
    };
  });
  m.set('get_timezone', (_p, ctx) => ({ index: ctx.device.timezoneIndex, err_code: 0 }));
  m.set('set_timezone', (p, ctx) => {
    const params = asParams(p);
    const index = requireNumber(params, 'index');
    if (!Number.isInteger(index) || index < 0 || index > 109) throw invalidArgument();
    if ('year' in params) {
      // The app sends the local wall-clock time with the zone; the device keeps the offset.
      const local = Date.UTC(
        requireNumber(params, 'year'), requireNumber(params, 'month') - 1, requireNumber(params, 'mday'),
        requireNumber(params, 'hour'), requireNumber(params, 'min'), requireNumber(params, 'sec'),
      );
      if (!Number.isFinite(local)) throw invalidArgument();
      ctx.device.localOffsetMs = local - ctx.now;
    }
    ctx.device.timezoneIndex = index;
    return ok();
  });
  return m;
}
