/**
 * No private value survives scrubbing: simulated devices are given
 * recognisable private data (names, network, account, place), dumped over
 * each transport, scrubbed, and the file's text is searched for every
 * private value as written, in upper and lower case, in base64 and in hex
 * (MACs in every separator form). Then the properties that make the fakes
 * useful: stable, consistent inside ids that embed others, idempotent.
 */
import { strict as assert } from 'assert';
import { dumpSimulated } from '../../scripts/device-fixtures';
import { dumpDevice, formatDump, scrubDump, type DeviceDump } from '../../lib/dump';
import { probeDiscovery20002 } from '../../lib/dump/discovery';
import type { SimulatedDevice } from '../../lib/simulator/simulated-device';
import { startSmartDevice } from '../../lib/simulator/smart/server';
import type { ClassicDump, SmartDump } from '../../lib/dump/format';

const ALIAS = 'Kitchen Kettle Ünïcode';
const SSID = 'HomeNet-5G Secret';
const OWNER = 'owner.person@example.org';
const OUTLETS = ['Toaster Oven', 'Aquarium Pump', 'Desk Lamp Left', 'Router Upstairs', 'Coffee Machine', 'Fridge Garage'];

/** Every way a value could be written into the file. */
function variants(value: string): string[] {
  const forms = new Set([value, value.toUpperCase(), value.toLowerCase()]);
  for (const form of [...forms]) {
    forms.add(Buffer.from(form, 'utf8').toString('base64'));
    forms.add(Buffer.from(form, 'utf8').toString('hex'));
    forms.add(Buffer.from(form, 'utf8').toString('hex').toUpperCase());
  }
  const digits = value.replace(/[-:]/g, '');
  if (/^[0-9A-Fa-f]{12}$/.test(digits)) {
    for (const sep of [':', '-', '']) {
      const mac = (digits.match(/../g) ?? []).join(sep);
      forms.add(mac.toUpperCase());
      forms.add(mac.toLowerCase());
    }
  }
  return [...forms];
}

function assertNoneSurvives(text: string, privateValues: readonly string[]): void {
  for (const value of privateValues) {
    for (const form of variants(value)) assert.ok(!text.includes(form), `${JSON.stringify(value)} survives as ${JSON.stringify(form)}`);
  }
}

function prepareClassic(device: unknown): void {
  const d = device as SimulatedDevice;
  d.alias = ALIAS;
  d.children.forEach((outlet, i) => { outlet.alias = OUTLETS[i] as string; });
  d.ssid = SSID;
  d.cloud.username = OWNER;
  d.cloud.binded = 1;
  d.latitude = 52.5163;
  d.longitude = 13.3777;
}

/** The private values a classic simulated device holds, read from the device itself. */
function classicPrivates(dump: ClassicDump): string[] {
  const sysinfo = (dump.exchanges[0].reply.system as { get_sysinfo: Record<string, unknown> }).get_sysinfo;
  const children = (sysinfo.children as Array<{ id: string }> | undefined) ?? [];
  const ids = ['deviceId', 'hwId', 'oemId', 'mac', 'mic_mac'].map((key) => sysinfo[key]).filter((v): v is string => typeof v === 'string');
  return [ALIAS, SSID, OWNER, ...ids, ...children.map((c) => c.id), ...OUTLETS.slice(0, children.length)];
}

describe('scrubbing a device dump', function () {
  for (const source of [
    { file: 'HS300 over TCP', family: 'classic' as const, model: 'HS300' },
    { file: 'KL430 over TCP', family: 'classic' as const, model: 'KL430' },
    { file: 'KP115 over KLAP', family: 'classic' as const, model: 'KP115', klap: true },
  ]) {
    it(`leaves no private value of a classic ${source.file} in the file, in any encoding`, async function () {
      const raw = await dumpSimulated(source, { prepare: prepareClassic }) as ClassicDump;
      const privates = classicPrivates(raw);
      const text = formatDump(scrubDump(raw));
      assert.ok(formatDump(raw).includes(ALIAS), 'the raw dump carries the alias');
      if (source.klap) privates.push(...['device_id', 'mac', 'ip'].map((k) => String(raw.discovery?.reply[k])));
      assertNoneSurvives(text, privates);
      assert.ok(!/"l(atitude|ongitude)(_i)?":(?!0[,}])/.test(JSON.stringify(scrubDump(raw).exchanges)), 'coordinates are 0');
      const scrubbed = scrubDump(raw).scrubbed ?? {};
      for (const field of ['alias', 'deviceId', 'hwId', 'oemId', 'ssid', 'username']) assert.ok((scrubbed[field] ?? 0) > 0, `${field} listed`);
      assert.ok((scrubbed.latitude_i ?? 0) > 0 && (scrubbed.longitude_i ?? 0) > 0, 'coordinates listed');
    });
  }

  for (const model of ['P300', 'P100']) {
    it(`leaves no private value of a SMART ${model} (${model === 'P100' ? 'AES' : 'KLAP'}, bound to an account) in the file`, async function () {
      const running = await startSmartDevice({ model, seed: 'scrub', nickname: ALIAS, ssid: SSID, username: OWNER, password: 'pw', discovery20002: 0 });
      running.device.children.forEach((outlet, i) => { outlet.nickname = OUTLETS[i] as string; });
      let raw: SmartDump;
      try {
        const discovery = await probeDiscovery20002({ host: running.host, port: running.discoveryPort });
        raw = await dumpDevice({ host: running.host, port: running.port, transport: running.transport, username: OWNER, password: 'pw', discovery }) as SmartDump;
      } finally {
        await running.close();
      }
      const device = running.device;
      const reply = raw.discovery?.reply ?? {};
      assert.ok(typeof reply.owner === 'string' && reply.owner.length === 32, 'discovery names the owner');
      const privates = [
        ALIAS, SSID, device.deviceId, device.mac, device.hwId, device.oemId, '127.0.0.1', String(reply.device_id), String(reply.owner),
        ...device.children.flatMap((outlet, i) => [outlet.id, OUTLETS[i] as string]),
      ];
      assertNoneSurvives(formatDump(scrubDump(raw)), privates);
      const scrubbed = scrubDump(raw).scrubbed ?? {};
      for (const field of ['device_id', 'hw_id', 'oem_id', 'mac', 'nickname', 'ssid', 'ip', 'owner']) assert.ok((scrubbed[field] ?? 0) > 0, `${field} listed`);
    });
  }

  it('gives each real value one fake everywhere, outlets keeping their strip\'s fake id, and changes nothing the second time', async function () {
    const raw = await dumpSimulated({ file: '', family: 'classic', model: 'HS300' }) as ClassicDump;
    const once = scrubDump(raw);
    const sysinfo = (once.exchanges[0].reply.system as { get_sysinfo: { deviceId: string; children: Array<{ id: string }> } }).get_sysinfo;
    assert.match(sysinfo.deviceId, /^0{30}[0-9A-F]{10}$/);
    sysinfo.children.forEach((child, i) => assert.equal(child.id, `${sysinfo.deviceId}0${i}`));
    // Each outlet's queries name it by the same fake id its sysinfo entry has.
    const asked = new Set(once.exchanges.flatMap((e) => ((e.request.context as { child_ids?: string[] } | undefined)?.child_ids ?? [])));
    assert.deepEqual([...asked].sort(), sysinfo.children.map((c) => c.id).sort());
    assert.equal(formatDump(scrubDump(once)), formatDump(once));
  });

  it('replaces coordinates, setup codes, short names only as whole fields, and a name copied into a field it does not know', function () {
    const dump: DeviceDump = {
      format: 'kasa-device-dump', version: 1, dumpedAt: '2026-01-15T09:30:00.000Z', tool: 'test', family: 'smart', model: 'P110', kind: 'plug',
      hardware: '1.0', firmware: '1.0.0', transport: 'klap',
      exchanges: [
        {
          request: { method: 'get_device_info' },
          reply: { error_code: 0, result: { device_id: 'AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12', nickname: Buffer.from('TV').toString('base64'), latitude: 525163, longitude: 133777, specs: 'TV' } },
        },
        { request: { method: 'get_homekit_info' }, reply: { error_code: 0, result: { mfi_setup_code: '123-45-678', note: `remember AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12` } } },
      ],
    };
    const scrubbed = scrubDump(dump);
    const info = scrubbed.exchanges[0].reply.result as Record<string, unknown>;
    assert.equal(info.latitude, 0);
    assert.equal(info.longitude, 0);
    assert.equal(Buffer.from(String(info.nickname), 'base64').toString('utf8'), 'Alias 1');
    assert.equal(info.specs, 'TV', '"TV" elsewhere is not the alias');
    const homekit = scrubbed.exchanges[1].reply.result as Record<string, unknown>;
    assert.equal(homekit.mfi_setup_code, '000-00-000');
    assert.equal(homekit.note, `remember ${String(info.device_id)}`);
    assert.deepEqual(scrubbed.scrubbed, { device_id: 1, latitude: 1, longitude: 1, mfi_setup_code: 1, nickname: 1, note: 1 });
  });
});
