/**
 * The package in a real Node-RED runtime with adminAuth: it loads as an
 * installed package, the admin endpoints refuse a request without a token,
 * a deployed flow switches a simulated plug, and the exported flow carries
 * no credentials.
 *
 * KASA_RED_NODE_RED (a node-red package folder) and KASA_RED_NODE (a node
 * binary) run the same checks on another Node-RED, e.g. 5.x on Node 22
 * (support/runtime.ts).
 *
 * test:one builds first: Node-RED loads the node files package.json names, in dist/.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startDevice, type RunningDevice } from '../../lib/simulator';
import { repoRoot } from '../support/repo';
import { waitFor } from '../support/wait';
import { call, startRuntime, stopRuntime, type Runtime } from './support/runtime';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const bcrypt = require('bcryptjs') as { hashSync(text: string, rounds: number): string };

function writeUserDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kasa-red-runtime-'));
  fs.mkdirSync(path.join(dir, 'node_modules', '@kasa-red'), { recursive: true });
  fs.symlinkSync(repoRoot(), path.join(dir, 'node_modules', '@kasa-red', 'node-red-tplink-kasa'), 'dir');
  const settings = {
    uiPort: 0, httpAdminRoot: '/', credentialSecret: 'test-secret', flowFile: 'flows.json',
    logging: { console: { level: 'warn' } },
    // Only our package and the core nodes: nothing else in node_modules is scanned.
    adminAuth: { type: 'credentials', users: [
      { username: 'admin', password: bcrypt.hashSync('letmein', 4), permissions: '*' },
      { username: 'viewer', password: bcrypt.hashSync('lookonly', 4), permissions: 'read' },
    ] },
  };
  fs.writeFileSync(path.join(dir, 'settings.js'), `module.exports = ${JSON.stringify(settings)};\n`);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'user', dependencies: { '@kasa-red/node-red-tplink-kasa': '*' } }));
  return dir;
}

describe('the package in a real Node-RED runtime with adminAuth', function () {
  this.timeout(60_000);
  let runtime: Runtime;
  let device: RunningDevice;
  let token: string;
  let userDir: string;

  before(async () => {
    device = await startDevice({ model: 'HS110', alias: 'Lamp', on: false });
    userDir = writeUserDir();
    runtime = await startRuntime(userDir);
    const auth = await call(runtime, 'POST', '/auth/token', undefined, {
      client_id: 'node-red-admin', grant_type: 'password', scope: '*', username: 'admin', password: 'letmein',
    });
    token = (auth.body as { access_token: string }).access_token;
    assert.ok(token, JSON.stringify(auth.body));
  });
  after(async () => {
    await stopRuntime(runtime);
    await device?.close();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('loads the five node types from the installed package', async () => {
    console.log(`      (Node-RED ${runtime.version})`);
    const res = await call(runtime, 'GET', '/nodes', token);
    assert.equal(res.status, 200);
    const sets = res.body as Array<{ module: string; types: string[]; enabled: boolean; err?: string }>;
    const ours = sets.filter((s) => s.module === '@kasa-red/node-red-tplink-kasa');
    assert.deepEqual(ours.flatMap((s) => s.types).sort(), ['tplink-config', 'tplink-discover', 'tplink-light', 'tplink-plug', 'tplink-tddp']);
    assert.ok(ours.every((s) => s.enabled && !s.err), JSON.stringify(ours));
  });

  it('serves the editor templates, help and messages', async () => {
    const html = await fetch(`http://127.0.0.1:${runtime.port}/nodes`, { headers: { accept: 'text/html', authorization: `Bearer ${token}` } });
    const text = await html.text();
    for (const type of ['tplink-config', 'tplink-plug', 'tplink-light', 'tplink-discover', 'tplink-tddp']) {
      assert.ok(text.includes(`data-template-name="${type}"`), `${type} template`);
      assert.ok(text.includes(`data-help-name="${type}"`), `${type} help`);
    }
    const messages = await call(runtime, 'GET', '/nodes/messages?lng=en-US', token);
    const catalog = messages.body as Record<string, { [type: string]: { status?: Record<string, string> } }>;
    assert.equal(catalog['@kasa-red/node-red-tplink-kasa/tplink-plug']['tplink-plug'].status?.on, 'on');
    assert.equal(catalog['@kasa-red/node-red-tplink-kasa/tplink-light']['tplink-light'].status?.refused, 'message refused');
    for (const type of ['tplink-plug', 'tplink-light']) {
      const icon = await fetch(`http://127.0.0.1:${runtime.port}/icons/@kasa-red/node-red-tplink-kasa/${type}.svg`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(icon.status, 200, `${type} icon`);
    }
  });

  it('refuses the admin endpoints without a token and answers with one', async () => {
    const query = `?host=127.0.0.1&port=${device.port}`;
    assert.equal((await call(runtime, 'GET', `/tplink-kasa/outlets${query}`)).status, 401);
    assert.equal((await call(runtime, 'GET', '/tplink-kasa/discover?target=127.0.0.1&timeout=200')).status, 401);
    const ok = await call(runtime, 'GET', `/tplink-kasa/outlets${query}`, token);
    assert.equal(ok.status, 200);
    assert.equal((ok.body as { alias: string }).alias, 'Lamp');
  });

  it('refuses the admin endpoints to a read-only user: they send packets to the LAN', async () => {
    const auth = await call(runtime, 'POST', '/auth/token', undefined, {
      client_id: 'node-red-admin', grant_type: 'password', scope: 'read', username: 'viewer', password: 'lookonly',
    });
    const viewer = (auth.body as { access_token: string }).access_token;
    assert.ok(viewer, JSON.stringify(auth.body));
    assert.equal((await call(runtime, 'GET', '/flows', viewer)).status, 200, 'the viewer can read flows');
    assert.equal((await call(runtime, 'GET', `/tplink-kasa/outlets?host=127.0.0.1&port=${device.port}`, viewer)).status, 401);
    assert.equal((await call(runtime, 'GET', '/tplink-kasa/discover?target=127.0.0.1&timeout=200', viewer)).status, 401);
  });

  it('runs a deployed flow and exports it without the credentials', async () => {
    const flows = [
      { id: 'tab1', type: 'tab', label: 'Kasa' },
      {
        id: 'cfg1', type: 'tplink-config', host: '127.0.0.1', port: device.port, transport: 'tcp', timeout: 2,
        credentials: { username: 'me@example.com', password: 'hunter2' },
      },
      { id: 'plug1', type: 'tplink-plug', z: 'tab1', device: 'cfg1', outlet: '', interval: '', allowAdmin: false, wires: [[]] },
      { id: 'inj1', type: 'inject', z: 'tab1', props: [{ p: 'payload' }], payload: 'true', payloadType: 'bool', repeat: '', once: false, wires: [['plug1']] },
    ];
    const deployed = await call(runtime, 'POST', '/flows', token, flows);
    assert.ok(deployed.status === 200 || deployed.status === 204, JSON.stringify(deployed.body));
    // The runtime starts the flows node by node after answering the deploy: a press before the plug node
    // exists is lost, so press again until one switches the plug (each press waits for that, at most 100 ms).
    for (let i = 0; i < 50 && !device.device.main.isOn; i++) {
      await call(runtime, 'POST', '/inject/inj1', token);
      await waitFor('the plug switched on', () => device.device.main.isOn, 100).catch(() => undefined);
    }
    assert.equal(device.device.main.isOn, true);
    const exported = await call(runtime, 'GET', '/flows', token);
    const text = JSON.stringify(exported.body);
    assert.ok(text.includes('tplink-config'));
    assert.ok(!text.includes('hunter2') && !text.includes('me@example.com'), text);
    const stored = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
    assert.ok(!stored.includes('hunter2') && !stored.includes('me@example.com'));
    const creds = fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8');
    assert.ok(!creds.includes('hunter2'), 'credentials file is encrypted');
  });
});
