/**
 * The package as a user gets it from the registry: `npm pack` holds only
 * what a user needs (built library and nodes, examples, icons, Wireshark
 * dissectors, README, LICENSE, CHANGELOG) within a size bound; installed
 * from the tarball into a fresh Node-RED user directory with npm, every node
 * type loads with its editor and help; the library's entry loads no
 * simulator, which has an entry of its own.
 *
 * test:one builds first: the tarball holds dist/.
 */
import { strict as assert } from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from '../support/repo';
import { call, startRuntime, stopRuntime, type Runtime } from '../nodes/support/runtime';

const PACKAGE = '@kasa-red/node-red-tplink-kasa';
const NODE_TYPES = ['tplink-config', 'tplink-discover', 'tplink-light', 'tplink-plug', 'tplink-tddp'];
// 0.1.0 packed to 217 KB; with the SMART protocol, the device layer and the simulator's model files it was
// 375 KB (1231 KB unpacked, 326 files). The bounds leave room for what is still coming, not for a stray
// folder of tests, sources or modules (which SHIPPED catches by name anyway).
const MAX_TARBALL_BYTES = 600 * 1024;
const MAX_UNPACKED_BYTES = 2048 * 1024;
/** Every path a user needs falls under one of these; anything else (tests, bench, scripts, maps, sources) must not ship. */
const SHIPPED = [
  /^(package\.json|README\.md|LICENSE|CHANGELOG\.md)$/,
  /^dist\/lib\/.+\.(js|d\.ts)$/,
  /^dist\/lib\/simulator\/(.+\/)?models\/[^/]+\.json$/,
  /^dist\/nodes\/.+\.(js|html|json|svg|png)$/,
  /^examples\/[^/]+\.json$/,
  /^icons\/[^/]+\.(svg|png)$/,
  /^wireshark\/[^/]+\.(lua|md|png)$/,
];

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string }>;
}

interface Manifest {
  bin: Record<string, string>;
  exports: Record<string, string | { default: string; types: string }>;
  'node-red': { nodes: Record<string, string> };
}

function run(command: string, args: string[], cwd: string, timeout = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(new Error(`${command} ${args.join(' ')}: ${error.message}\n${stderr}`));
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/**
 * The npm that comes with this Node, as a user has it: the `npm` first on an npm script's PATH is
 * node_modules/.bin/npm (10.x, a dependency of node-red-dev), which runs `prepare` despite --ignore-scripts.
 */
function npmCli(): string {
  const beside = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  if (fs.existsSync(beside)) return beside;
  if (process.env.npm_execpath?.endsWith('npm-cli.js')) return process.env.npm_execpath;
  throw new Error(`no npm-cli.js beside ${process.execPath}`);
}

async function npm(args: string[], cwd: string): Promise<string> {
  const result = await run(process.execPath, [npmCli(), ...args, '--no-audit', '--no-fund', '--loglevel=error'], cwd);
  assert.equal(result.code, 0, `npm ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

function writeUserDir(dir: string): void {
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'node-red-user-dir', version: '0.0.0', private: true }));
  const settings = { uiPort: 0, httpAdminRoot: '/', flowFile: 'flows.json', credentialSecret: 'test-secret', logging: { console: { level: 'warn' } } };
  fs.writeFileSync(path.join(dir, 'settings.js'), `module.exports = ${JSON.stringify(settings)};\n`);
}

describe('the packed package', function () {
  this.timeout(180_000);
  const root = repoRoot();
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
  let work: string;
  let userDir: string;
  let packed: PackResult;
  let runtime: Runtime | undefined;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'kasa-pack-'));
    // --ignore-scripts: the suite has just built dist/, and a rebuild now would rewrite it under the other tests' feet.
    const out = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], root);
    packed = (JSON.parse(out) as PackResult[])[0];
    userDir = path.join(work, 'user');
    fs.mkdirSync(userDir);
    writeUserDir(userDir);
    // As a user would; --prefer-offline takes des.js from npm's cache when it is there.
    await npm(['install', '--prefer-offline', path.join(work, packed.filename)], userDir);
  });
  after(async () => {
    await stopRuntime(runtime);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('holds only what a user needs', () => {
    const files = packed.files.map((f) => f.path);
    const stray = files.filter((f) => !SHIPPED.some((pattern) => pattern.test(f)));
    assert.deepEqual(stray, [], 'files a user does not need');
    const needed = [
      'README.md', 'LICENSE', 'CHANGELOG.md', 'wireshark/tplink-smarthome.lua', 'wireshark/tddp.lua', 'wireshark/tplink-smart.lua',
      'wireshark/tplink-common.lua',
      ...Object.values(manifest['node-red'].nodes),
      ...Object.values(manifest['node-red'].nodes).map((js) => js.replace(/\.js$/, '.html')),
      ...Object.values(manifest.bin),
      ...Object.values(manifest.exports).flatMap((target) => (typeof target === 'string' ? [target] : [target.default, target.types])),
    ].map((f) => f.replace(/^\.\//, ''));
    assert.deepEqual(needed.filter((f) => !files.includes(f)), [], 'files a user needs');
    assert.ok(files.some((f) => f.startsWith('examples/')), 'the example flows');
  });

  it(`is under ${MAX_TARBALL_BYTES / 1024} KB packed and ${MAX_UNPACKED_BYTES / 1024} KB unpacked`, () => {
    console.log(`      (${packed.filename}: ${(packed.size / 1024).toFixed(1)} KB, ${(packed.unpackedSize / 1024).toFixed(1)} KB unpacked, ${packed.files.length} files)`);
    assert.ok(packed.size <= MAX_TARBALL_BYTES, `${packed.size} bytes`);
    assert.ok(packed.unpackedSize <= MAX_UNPACKED_BYTES, `${packed.unpackedSize} bytes unpacked`);
  });

  it('loads every node type with its editor and help in Node-RED, installed from the tarball', async () => {
    runtime = await startRuntime(userDir);
    const sets = (await call(runtime, 'GET', '/nodes')).body as Array<{ module: string; types: string[]; enabled: boolean; err?: string }>;
    const ours = sets.filter((s) => s.module === PACKAGE);
    assert.deepEqual(ours.flatMap((s) => s.types).sort(), NODE_TYPES);
    assert.ok(ours.every((s) => s.enabled && !s.err), JSON.stringify(ours));
    const html = await (await fetch(`http://127.0.0.1:${runtime.port}/nodes`, { headers: { accept: 'text/html' } })).text();
    for (const type of NODE_TYPES) {
      assert.ok(html.includes(`data-template-name="${type}"`), `${type} editor`);
      assert.ok(html.includes(`data-help-name="${type}"`), `${type} help`);
    }
    const icon = await fetch(`http://127.0.0.1:${runtime.port}/icons/${PACKAGE}/tplink-plug.svg`);
    assert.equal(icon.status, 200);
  });

  it('loads the library without the simulator, which has its own entry, as do the command-line tools', async () => {
    const probe = `
      const library = require('${PACKAGE}');
      const simulatorModules = Object.keys(require.cache).filter((file) => file.includes('/simulator/'));
      const simulator = require('${PACKAGE}/simulator');
      let deep = 'loaded';
      try { require('${PACKAGE}/dist/lib/simulator/fleet'); } catch (error) { deep = error.code; }
      console.log(JSON.stringify({
        client: typeof library.SmartHomeClient, simulatorExport: 'simulator' in library, simulatorModules,
        startDevice: typeof simulator.startDevice, smartplugMain: typeof require('${PACKAGE}/cli/tplink-smartplug').main, deep,
      }));`;
    const result = await run(process.execPath, ['-e', probe], userDir, 20_000);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      client: 'function', simulatorExport: false, simulatorModules: [],
      startDevice: 'function', smartplugMain: 'function', deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
    const help = await run(path.join(userDir, 'node_modules', '.bin', 'tplink-smartplug'), ['--help'], userDir, 20_000);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /tplink-smartplug/);
  });
});
