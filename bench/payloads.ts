/**
 * Realistic Smart Home payloads: the ~30-byte get_sysinfo request, a
 * ~600-byte HS110 sysinfo reply, and a 4 KiB reply (a month of day stats).
 */

export const REQUEST = '{"system":{"get_sysinfo":{}}}';

export const SYSINFO_REPLY = JSON.stringify({
  system: {
    get_sysinfo: {
      sw_ver: '1.5.10 Build 191125 Rel.094314', hw_ver: '2.0', type: 'IOT.SMARTPLUGSWITCH', model: 'HS110(EU)',
      mac: '50:C7:BF:01:02:03', dev_name: 'Smart Wi-Fi Plug With Energy Monitoring',
      alias: 'Living room lamp', relay_state: 1, on_time: 123456, active_mode: 'schedule',
      feature: 'TIM:ENE', updating: 0, rssi: -52, led_off: 0, longitude_i: 0, latitude_i: 0,
      hwId: '044A516EE63C875F9458DA25C2CCC5A0',
      deviceId: '8006ACF1F1D1A1B2C3D4E5F60718293A4B5C6D7E', oemId: '1998A14DAA86E4E001FD7CAF42868B5E',
      next_action: { type: 1, id: '2F3E8C4D5B6A79887766554433221100', schd_sec: 68400, action: 0 },
      err_code: 0,
    },
  },
});

/** A get_daystat reply padded to exactly 4096 bytes. */
export const LARGE_REPLY = (() => {
  const days = [];
  for (let day = 1; day <= 31; day++) days.push({ year: 2024, month: 5, day, energy_wh: 1000 + day * 37 });
  const base = JSON.stringify({ emeter: { get_daystat: { day_list: days, err_code: 0, pad: '' } } });
  return base.replace('"pad":""', `"pad":"${'x'.repeat(4096 - base.length)}"`);
})();

export const PAYLOADS: ReadonlyArray<{ name: string; text: string }> = [
  { name: 'request', text: REQUEST },
  { name: 'sysinfo', text: SYSINFO_REPLY },
  { name: '4KiB', text: LARGE_REPLY },
];
