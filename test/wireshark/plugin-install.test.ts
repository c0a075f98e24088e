/**
 * The ways users load the dissectors, on the tshark installed here, each with
 * a HOME of its own (the machine's plugin folders left out): the four files in
 * the personal plugin folder or a subfolder of it, -X lua_script: with the
 * README's relative paths, and dofile() from a script in another folder (an
 * init.lua). The three dissectors find their shared tplink-common.lua by
 * require() in all of them, and each then dissects a Smart Home, a TDDP and
 * a discovery packet through it. Without the module each dissector stops with
 * a line that names it; the module alone registers nothing.
 */
import assert from 'assert';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import path from 'path';
import { encodeDatagram } from '../../lib/classic/framing';
import { encodeDiscovery20002Reply } from '../../lib/discovery/tdp';
import { klapDiscoveryResult } from '../../lib/simulator/klap-server';
import { PcapWriter, type Endpoint } from './pcap';
import {
  ALL_LUA, COMMON_LUA, dissect, PLUGIN_FILES, REPO_ROOT, runTsharkWith, tsharkPerSuite, values,
} from './tshark';

const CLIENT: Endpoint = { ip: '127.0.0.1', port: 40100 };
const KASA: Endpoint = { ip: '127.0.0.2', port: 9999 };
const TDDP_DEVICE: Endpoint = { ip: '127.0.0.3', port: 1040 };
const TAPO: Endpoint = { ip: '127.0.0.4', port: 20002 };
const FIELDS = ['kasa_smarthome.method', 'tddp.digest.status', 'tddp.text', 'tplink_tdp.crc.status', 'tplink_tdp.device_model'];

interface Vectors {
  packets: { hex: string; decrypted_ascii?: string }[];
}

describe('Wireshark dissectors installed as users install them, with their shared module (tshark)', function () {
  this.timeout(60_000);
  const suite = tsharkPerSuite('kasa-ws-install-');
  let sample = '';
  let tddpText = '';

  before(() => {
    const vectors = JSON.parse(readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'tddp-vectors.json'), 'utf8')) as Vectors;
    const encrypted = vectors.packets.find((p) => p.decrypted_ascii !== undefined);
    assert.ok(encrypted?.decrypted_ascii, 'the fixtures hold an encrypted TDDP reply');
    tddpText = encrypted.decrypted_ascii;
    const pcap = new PcapWriter();
    pcap.udp(CLIENT, KASA, encodeDatagram('{"system":{"get_sysinfo":null}}'));
    pcap.udp(TDDP_DEVICE, CLIENT, Buffer.from(encrypted.hex, 'hex'));
    const result = klapDiscoveryResult({ deviceId: '8006AB', model: 'P110(EU)', mac: 'AA-BB-CC-DD-EE-FF', ip: TAPO.ip, httpPort: 80, version: 2 });
    pcap.udp(TAPO, CLIENT, encodeDiscovery20002Reply(result, 7));
    sample = pcap.write(suite.file('sample.pcap'));
  });

  /** A fresh home; its personal Lua plugin folder (created) and the environment that points tshark at it. */
  function home(name: string): { plugins: string; env: Record<string, string> } {
    const dir = suite.file(name);
    const plugins = path.join(dir, '.local', 'lib', 'wireshark', 'plugins');
    mkdirSync(plugins, { recursive: true });
    return { plugins, env: { HOME: dir, XDG_CONFIG_HOME: path.join(dir, '.config') } };
  }

  function install(folder: string, files: string[]): void {
    mkdirSync(folder, { recursive: true });
    for (const file of files) copyFileSync(file, path.join(folder, path.basename(file)));
  }

  /** Dissects the sample with what `env` and `scripts` load: every dissector must have read its packet. */
  async function assertDissects(env: Record<string, string>, scripts: string[] = []): Promise<void> {
    const rows = await dissect(sample, FIELDS, { env, scripts });
    assert.deepStrictEqual(values(rows, 'kasa_smarthome.method'), ['get_sysinfo'], 'the Smart Home request (cipher, JSON reader)');
    assert.deepStrictEqual(values(rows, 'tddp.digest.status'), ['1'], 'the TDDP digest (MD5)');
    assert.deepStrictEqual(values(rows, 'tddp.text'), [tddpText], 'the TDDP data (DES with the MD5 key)');
    assert.deepStrictEqual(values(rows, 'tplink_tdp.crc.status'), ['1'], 'the discovery CRC (CRC-32)');
    assert.deepStrictEqual(values(rows, 'tplink_tdp.device_model'), ['P110(EU)'], 'the discovery reply (JSON reader)');
  }

  it('installs in the personal plugin folder and loads beside the built-in tplink-smarthome', async () => {
    // The README's Linux install: copy the four files to ~/.local/lib/wireshark/plugins/.
    const { plugins, env } = home('personal');
    install(plugins, PLUGIN_FILES);
    const { stdout, stderr } = await runTsharkWith(['-G', 'protocols'], env);
    assert.doesNotMatch(stderr, /error/i, `loading the scripts printed: ${stderr}`);
    const filters = stdout.split('\n').map((line) => line.split('\t')[2]);
    assert.ok(filters.includes('kasa_smarthome'), `kasa_smarthome not registered on ${suite.version}`);
    assert.ok(filters.includes('tddp'), 'tddp not registered');
    for (const name of ['tplink_klap', 'tplink_smart', 'kasa_smarthome_json']) assert.ok(filters.includes(name), `${name} not registered`);
    assert.ok(filters.includes('tplink-smarthome'), 'the built-in dissector is still there');
    const fields = (await runTsharkWith(['-G', 'fields'], env)).stdout;
    for (const name of ['length', 'type', 'module', 'method', 'err_code', 'alias', 'deviceId', 'relay_state',
      'power', 'power_mw', 'voltage', 'voltage_mv', 'current', 'current_ma', 'total', 'total_wh']) {
      assert.match(fields, new RegExp(`\\tkasa_smarthome\\.${name}\\t`), `field kasa_smarthome.${name} missing`);
    }
    await assertDissects(env);
  });

  it('loads from a subfolder of the plugin folder', async () => {
    const { plugins, env } = home('subfolder');
    install(path.join(plugins, 'tplink-kasa'), PLUGIN_FILES);
    await assertDissects(env);
  });

  it("loads with -X lua_script: and the README's relative paths, the module found beside the scripts", async () => {
    const { env } = home('command-line');
    await assertDissects(env, ALL_LUA.map((file) => path.relative(REPO_ROOT, file)));
  });

  it('loads each dissector through dofile() from a script in another folder, as an init.lua may', async () => {
    // Wireshark puts only the loading script's folder on require's path: each dissector adds its own, so each is run alone.
    const { env } = home('dofile');
    const read: Record<string, [string, string]> = {
      'tddp.lua': ['tddp.digest.status', '1'],
      'tplink-smarthome.lua': ['kasa_smarthome.method', 'get_sysinfo'],
      'tplink-smart.lua': ['tplink_tdp.crc.status', '1'],
    };
    for (const file of ALL_LUA) {
      const loader = path.join(suite.dir, 'elsewhere', `load-${path.basename(file)}`);
      mkdirSync(path.dirname(loader), { recursive: true });
      writeFileSync(loader, `dofile(${JSON.stringify(file)})\n`);
      const [field, value] = read[path.basename(file)];
      const rows = await dissect(sample, [field], { env, scripts: [loader] });
      assert.deepStrictEqual(values(rows, field), [value], `${path.basename(file)} through dofile()`);
    }
  });

  it('stops each dissector with one line naming tplink-common.lua when the module is missing', async () => {
    const { plugins, env } = home('no-module');
    install(plugins, ALL_LUA);
    await assert.rejects(runTsharkWith(['-G', 'protocols'], env), (error: Error) => {
      for (const file of ALL_LUA) {
        const line = `${path.basename(file)} needs tplink-common.lua in its folder: module 'tplink-common' not found\n`;
        assert.ok(error.message.includes(line), `${path.basename(file)}'s error in: ${error.message}`);
      }
      assert.doesNotMatch(error.message, /no file/, 'the searched paths are left out');
      return true;
    });
  });

  it('registers nothing from the module alone in a plugin folder', async () => {
    const bare = home('bare');
    const alone = home('module-alone');
    install(alone.plugins, [COMMON_LUA]);
    // As sets of lines: tshark lists some fields in an order that changes from run to run.
    for (const list of ['protocols', 'fields', 'dissector-tables']) {
      const [without, withModule] = [await runTsharkWith(['-G', list], bare.env), await runTsharkWith(['-G', list], alone.env)];
      assert.doesNotMatch(withModule.stderr, /error/i, `loading the module printed: ${withModule.stderr}`);
      const [before, after] = [without.stdout.split('\n'), withModule.stdout.split('\n')];
      const known = new Set(before);
      assert.deepStrictEqual(after.filter((line) => !known.has(line)), [], `-G ${list}: what the module added`);
      assert.strictEqual(after.length, before.length, `-G ${list}: as many lines`);
    }
  });
});
