import { strict as assert } from 'assert';
import { commands, combine, forChildren } from '../../lib';

describe('command builders', () => {
  const { system, netif, cloud, time, emeter, schedule, countdown, antiTheft } = commands;
  const cases: Array<[string, unknown, unknown]> = [
    ['get_sysinfo', system.getSysinfo(), { system: { get_sysinfo: {} } }],
    ['reboot', system.reboot(1), { system: { reboot: { delay: 1 } } }],
    ['reset', system.reset(1), { system: { reset: { delay: 1 } } }],
    ['on', system.setRelayState(true), { system: { set_relay_state: { state: 1 } } }],
    ['off', system.setRelayState(false), { system: { set_relay_state: { state: 0 } } }],
    ['led on', system.setLed(true), { system: { set_led_off: { off: 0 } } }],
    ['led off', system.setLed(false), { system: { set_led_off: { off: 1 } } }],
    ['alias', system.setAlias('supercool plug'), { system: { set_dev_alias: { alias: 'supercool plug' } } }],
    ['mac', system.setMacAddress('50-C7-BF-01-02-03'), { system: { set_mac_addr: { mac: '50-C7-BF-01-02-03' } } }],
    ['device id', system.setDeviceId('01'), { system: { set_device_id: { deviceId: '01' } } }],
    ['hw id', system.setHardwareId('02'), { system: { set_hw_id: { hwId: '02' } } }],
    ['location', system.setLocation(6.95, 50.94), { system: { set_dev_location: { longitude: 6.95, latitude: 50.94 } } }],
    ['uboot', system.checkUboot(), { system: { test_check_uboot: {} } }],
    ['icon', system.getIcon(), { system: { get_dev_icon: {} } }],
    ['set icon', system.setIcon('xxxx', 'ABCD'), { system: { set_dev_icon: { icon: 'xxxx', hash: 'ABCD' } } }],
    ['test mode', system.setTestMode(true), { system: { set_test_mode: { enable: 1 } } }],
    ['download', system.downloadFirmware('http://x'), { system: { download_firmware: { url: 'http://x' } } }],
    ['download state', system.getDownloadState(), { system: { get_download_state: {} } }],
    ['flash', system.flashFirmware(), { system: { flash_firmware: {} } }],
    ['config', system.checkNewConfig(), { system: { check_new_config: {} } }],
    ['scan', netif.getScanInfo(), { netif: { get_scaninfo: { refresh: 1 } } }],
    ['sta', netif.setStaInfo('WiFi', 'secret'), { netif: { set_stainfo: { ssid: 'WiFi', password: 'secret', key_type: 3 } } }],
    ['cloud info', cloud.getInfo(), { cnCloud: { get_info: {} } }],
    ['fw list', cloud.getFirmwareList(), { cnCloud: { get_intl_fw_list: {} } }],
    ['server', cloud.setServerUrl('devs.tplinkcloud.com'), { cnCloud: { set_server_url: { server: 'devs.tplinkcloud.com' } } }],
    ['bind', cloud.bind('a@b.c', 's'), { cnCloud: { bind: { username: 'a@b.c', password: 's' } } }],
    ['unbind', cloud.unbind(), { cnCloud: { unbind: {} } }],
    ['time', time.getTime(), { time: { get_time: {} } }],
    ['timezone', time.getTimezone(), { time: { get_timezone: {} } }],
    ['set tz', time.setTimezone({ year: 2016, month: 1, mday: 1, hour: 10, min: 10, sec: 10, index: 42 }),
      { time: { set_timezone: { year: 2016, month: 1, mday: 1, hour: 10, min: 10, sec: 10, index: 42 } } }],
    ['realtime', emeter.getRealtime(), { emeter: { get_realtime: {} } }],
    ['gain', emeter.getGain(), { emeter: { get_vgain_igain: {} } }],
    ['set gain', emeter.setGain(13462, 16835), { emeter: { set_vgain_igain: { vgain: 13462, igain: 16835 } } }],
    ['calibrate', emeter.startCalibration(13462, 16835), { emeter: { start_calibration: { vtarget: 13462, itarget: 16835 } } }],
    ['daystat', emeter.getDayStats(2016, 1), { emeter: { get_daystat: { month: 1, year: 2016 } } }],
    ['monthstat', emeter.getMonthStats(2016), { emeter: { get_monthstat: { year: 2016 } } }],
    ['erase', emeter.eraseStats(), { emeter: { erase_emeter_stat: {} } }],
    ['next action', schedule.getNextAction(), { schedule: { get_next_action: {} } }],
    ['schedule rules', schedule.getRules(), { schedule: { get_rules: {} } }],
    ['delete schedule', schedule.deleteRule('4B'), { schedule: { delete_rule: { id: '4B' } } }],
    ['delete all schedule', schedule.deleteAllRules(), { schedule: { delete_all_rules: null, erase_runtime_stat: null } }],
    ['countdown rules', countdown.getRules(), { count_down: { get_rules: {} } }],
    ['delete countdown', countdown.deleteRule('7C'), { count_down: { delete_rule: { id: '7C' } } }],
    ['delete all countdown', countdown.deleteAllRules(), { count_down: { delete_all_rules: null } }],
    ['antitheft rules', antiTheft.getRules(), { anti_theft: { get_rules: {} } }],
    ['delete antitheft', antiTheft.deleteRule('E3'), { anti_theft: { delete_rule: { id: 'E3' } } }],
    ['delete all antitheft', antiTheft.deleteAllRules(), { anti_theft: { delete_all_rules: null } }],
  ];
  for (const [name, actual, expected] of cases) {
    it(`builds ${name}`, () => assert.deepEqual(actual, expected));
  }

  it('builds the reference schedule add_rule', () => {
    const rule = { stime_opt: 0, wday: [1, 0, 0, 1, 1, 0, 0], smin: 1014, enable: 1, repeat: 1, etime_opt: -1, name: 'lights on', eact: -1, month: 0, sact: 1, year: 0, longitude: 0, day: 0, force: 0, latitude: 0, emin: 0 };
    assert.deepEqual(schedule.addRule({ smin: 1014, sact: 1, name: 'lights on', wday: [1, 0, 0, 1, 1, 0, 0] }),
      { schedule: { add_rule: rule, set_overall_enable: { enable: 1 } } });
    assert.deepEqual(schedule.editRule({ id: '4B', smin: 1014, sact: 1, name: 'lights on', wday: [1, 0, 0, 1, 1, 0, 0] }),
      { schedule: { edit_rule: { ...rule, id: '4B' } } });
  });

  it('builds the reference countdown and anti-theft rules', () => {
    assert.deepEqual(countdown.addRule({ delay: 1800, act: 1, name: 'turn on' }),
      { count_down: { add_rule: { enable: 1, delay: 1800, act: 1, name: 'turn on' } } });
    assert.deepEqual(countdown.editRule({ id: '7C', delay: 1800, act: 1, name: 'turn on' }),
      { count_down: { edit_rule: { enable: 1, id: '7C', delay: 1800, act: 1, name: 'turn on' } } });
    const at = antiTheft.addRule({ smin: 987, emin: 1047, etime_opt: 0, name: 'test', wday: [0, 0, 0, 1, 0, 1, 0] });
    assert.deepEqual(at, { anti_theft: { add_rule: { stime_opt: 0, wday: [0, 0, 0, 1, 0, 1, 0], smin: 987, enable: 1, frequency: 5, repeat: 1, etime_opt: 0, duration: 2, name: 'test', lastfor: 1, month: 0, year: 0, longitude: 0, day: 0, latitude: 0, force: 0, emin: 1047 }, set_overall_enable: 1 } });
    const edited = antiTheft.editRule({ id: 'E3', smin: 987, name: 'test' }) as { anti_theft: { edit_rule: { id: string } } };
    assert.equal(edited.anti_theft.edit_rule.id, 'E3');
  });

  it('combines modules and methods into one request', () => {
    assert.deepEqual(combine(system.getSysinfo(), time.getTime(), emeter.getRealtime(), system.setLed(true)), {
      system: { get_sysinfo: {}, set_led_off: { off: 0 } }, time: { get_time: {} }, emeter: { get_realtime: {} },
    });
  });

  it('addresses child outlets through context.child_ids', () => {
    assert.deepEqual(forChildren(system.setRelayState(true), ['ABC00']), {
      context: { child_ids: ['ABC00'] }, system: { set_relay_state: { state: 1 } },
    });
    assert.deepEqual(forChildren(system.getSysinfo(), []), system.getSysinfo());
  });
});
