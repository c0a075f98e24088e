/**
 * SMART devices found by a real broadcast, on a virtual LAN (network
 * namespaces, see README.md): a classic HS110 beside a Tapo P110, P300,
 * L530 and P100, each on its own address; discover() and tplink-smartplug
 * -b send to 255.255.255.255 (9999, 20002 and 20004) from the client
 * namespace and list each device once, SMART ones with the transport, HTTP
 * port and login version to use.
 */
import { strict as assert } from 'assert';
import { cliPath } from '../cli/support/run-cli';
import { createLan, type Lan } from './lan';

interface Found {
  host: string;
  protocol: string;
  family: string;
  kind: string;
  port: number;
  loginVersion?: number;
}

describe('SMART discovery on a virtual LAN (network namespaces)', function () {
  this.timeout(60_000);
  let lan: Lan | undefined;
  const host = (n: number): string => `198.51.100.${n}`;

  before(async () => {
    lan = await createLan({ devices: 5, subnet: '198.51.100', models: ['HS110', 'P110', 'P300', 'L530', 'P100'] });
  });
  after(async () => {
    await lan?.destroy();
  });

  it('discover() lists the classic plug and the SMART devices from one limited broadcast, each once', async () => {
    const run = await lan!.runInClient('discover-client', ['ours', JSON.stringify({ timeout: 1500, includeKlap: true, kinds: ['plug', 'bulb'] })], 20_000);
    const devices = run.messages[0]?.devices as Found[] | undefined;
    assert.ok(Array.isArray(devices), `no result (exit ${String(run.code)}): ${run.stderr}`);
    const rows = devices.map(({ host: at, protocol, family, kind, port, loginVersion }) => ({ host: at, protocol, family, kind, port, loginVersion }));
    rows.sort((a, b) => a.host.localeCompare(b.host, 'en', { numeric: true }));
    assert.deepEqual(rows, [
      { host: host(2), protocol: 'xor', family: 'classic', kind: 'plug', port: 9999, loginVersion: undefined },
      { host: host(3), protocol: 'klap', family: 'smart', kind: 'plug', port: 80, loginVersion: 2 },
      { host: host(4), protocol: 'klap', family: 'smart', kind: 'strip', port: 80, loginVersion: 2 },
      { host: host(5), protocol: 'klap', family: 'smart', kind: 'bulb', port: 80, loginVersion: 2 },
      { host: host(6), protocol: 'aes', family: 'smart', kind: 'plug', port: 80, loginVersion: 1 },
    ]);
  });

  it('tplink-smartplug -b prints the classic reply and one entry per SMART device', async () => {
    const result = await lan!.exec([process.execPath, cliPath('tplink-smartplug'), '-b', '-T', '1'], 20_000);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines.filter((l) => l.startsWith(`Received from ${host(2)}:9999:  {"system":{"get_sysinfo":`)).length, 1);
    const described = lines.filter((l) => l.startsWith('    ')).map((l) => l.trim()).sort();
    assert.deepEqual(described, [
      'L530(EU) bulb (SMART): transport klap on HTTP port 80, login version 2, takes the TP-Link account it is bound to',
      'P100(US) plug (SMART): transport aes on HTTP port 80, login version 1, takes the TP-Link account it is bound to',
      'P110(EU) plug (SMART): transport klap on HTTP port 80, login version 2, takes the TP-Link account it is bound to',
      'P300(EU) strip (SMART): transport klap on HTTP port 80, login version 2, takes the TP-Link account it is bound to',
    ]);
    for (const n of [3, 4, 5, 6]) assert.equal(lines.filter((l) => l.startsWith(`Received from ${host(n)}:`)).length, 1, host(n));
  });
});
