/**
 * Saved flows keep working: a flow as the 0.1.0 editor exported it
 * (test/fixtures/flows/export-0.1.0.json, written from the 0.1.0 node
 * definitions: no settings version, strings from text fields) deploys and
 * runs against simulated devices with only its addresses pointed at them;
 * each node's migrations bring 0.1.0 settings to the current shape; and the
 * editor saves the version the runtime migrates to.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { startFleet, type RunningFleet } from '../../lib/simulator';
import { startTddpResponder, type TddpResponder } from '../../lib/simulator/tddp-responder';
import { addDefaults, migrateSettings, type Migration } from '../../nodes/migrations';
import configNode from '../../nodes/tplink-config/tplink-config';
import * as configMigrations from '../../nodes/tplink-config/migrations';
import discoverNode from '../../nodes/tplink-discover/tplink-discover';
import * as discoverMigrations from '../../nodes/tplink-discover/migrations';
import * as lightMigrations from '../../nodes/tplink-light/migrations';
import plugNode from '../../nodes/tplink-plug/tplink-plug';
import * as plugMigrations from '../../nodes/tplink-plug/migrations';
import tddpNode from '../../nodes/tplink-tddp/tplink-tddp';
import * as tddpMigrations from '../../nodes/tplink-tddp/migrations';
import type { NodeDef } from '../../nodes/types';
import { repoRoot } from '../support/repo';
import { helper, nextMessage, node, statusBecomes } from './support/node-red';

type FlowNode = Record<string, unknown> & { id: string; type: string };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const injectNode = require('@node-red/nodes/core/common/20-inject.js') as unknown;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debugNode = require('@node-red/nodes/core/common/21-debug.js') as unknown;

const FIXTURE = path.join(repoRoot(), 'test', 'fixtures', 'flows', 'export-0.1.0.json');
const readFixture = (): FlowNode[] => JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as FlowNode[];
const ID = (n: number): string => `a1f0c0de000000${n}`;

/** Every migration module, by node type. */
const MIGRATIONS: Record<string, { SETTINGS_VERSION: number; MIGRATIONS: readonly Migration[]; migrate(def: NodeDef): NodeDef & { version: number } }> = {
  'tplink-config': { ...configMigrations, migrate: configMigrations.migrateConfig },
  'tplink-plug': { ...plugMigrations, migrate: plugMigrations.migratePlug },
  'tplink-discover': { ...discoverMigrations, migrate: discoverMigrations.migrateDiscover },
  'tplink-tddp': { ...tddpMigrations, migrate: tddpMigrations.migrateTddp },
  'tplink-light': { ...lightMigrations, migrate: (def) => lightMigrations.migrateLight(def as lightMigrations.TplinkLightDef) },
};

/** The editor's `defaults` of a node type: each setting's name and the `version` default, read from its .html. */
function editorDefaults(type: string): { names: string[]; version: number | undefined } {
  const html = fs.readFileSync(path.join(repoRoot(), 'nodes', type, `${type}.html`), 'utf8');
  const block = /defaults:\s*\{([\s\S]*?)\n\s*\},\n/.exec(html)?.[1] ?? '';
  const names = [...block.matchAll(/^\s*(\w+):\s*\{/gm)].map((m) => m[1]);
  const constant = /var SETTINGS_VERSION = (\d+);/.exec(html)?.[1];
  const literal = /version:\s*\{\s*value:\s*(\w+)/.exec(block)?.[1];
  const version = literal === 'SETTINGS_VERSION' ? Number(constant) : literal === undefined ? undefined : Number(literal);
  return { names, version };
}

describe('a flow exported from 0.1.0', function () {
  let fleet: RunningFleet;
  let tddp: TddpResponder;

  before(async () => {
    await helper.startServer();
    fleet = await startFleet({
      devices: [
        { model: 'HS110', host: '127.0.4.11', port: 0, alias: 'Desk plug', on: false },
        { model: 'HS300', host: '127.0.4.14', port: 0, alias: 'Power strip', childAliases: ['TV', 'Game console', 'Speakers', 'Router', 'Fan', 'Charger'] },
      ],
      samePort: true,
      broadcastListener: { host: '127.255.255.255' },
    });
    // Reply port 0 on both sides: the node takes any free port, the responder answers the request's source port.
    tddp = await startTddpResponder({ host: '127.0.0.1', port: 0, replyPort: 0 });
  });
  after(async () => {
    await helper.unload();
    await Promise.all([fleet.close(), tddp.close()]);
    await helper.stopServer();
  });

  /** The fixture with its addresses (and nothing else) pointed at the simulators. */
  function pointedAtSimulators(): FlowNode[] {
    const port = fleet.devices[0].port;
    return readFixture().map((n) => {
      if (n.id === ID(10)) return { ...n, host: '127.0.4.11', port: String(port) };
      if (n.id === ID(11)) return { ...n, host: '127.0.4.14', port };
      if (n.type === 'tplink-discover') return { ...n, port: String(port) };
      if (n.type === 'tplink-tddp') return { ...n, host: '127.0.0.1', port: String(tddp.port), replyPort: '0' };
      return n;
    });
  }

  it('deploys and runs: switches the plug, two strip outlets (by alias and by number), discovers, reads TDDP', async () => {
    await helper.load([configNode, plugNode, discoverNode, tddpNode, injectNode, debugNode], pointedAtSimulators());
    const [desk, strip] = fleet.devices.map((d) => d.device);

    const deskAnswer = nextMessage(ID(40));
    node(ID(20)).receive({});
    assert.equal((await deskAnswer).payload, true);
    assert.equal(desk.main.isOn, true);

    const before = strip.children.map((c) => c.isOn);
    let answer = nextMessage(ID(41), (m) => m.topic === 'Router' && m.command === 'power');
    node(ID(31)).receive({ payload: false });
    assert.equal((await answer).payload, false);
    assert.deepEqual(strip.children.map((c) => c.isOn), before.map((on, i) => (i === 3 ? false : on)), 'outlet "Router" (index 3) alone');

    answer = nextMessage(ID(41), (m) => m.topic === 'Speakers' && m.command === 'power');
    node(ID(32)).receive({ payload: 'toggle' });
    assert.equal((await answer).payload, !before[2]);
    assert.equal(strip.children[2].isOn, !before[2], 'outlet "2" is the third outlet');

    const found = nextMessage(ID(41), (m) => m.topic === 'found', 5000);
    node(ID(33)).receive({ payload: 'go' });
    assert.equal((await found).count, 2);

    const reply = nextMessage(ID(41), (m) => typeof m.text === 'string');
    node(ID(34)).receive({ payload: 1 });
    assert.equal((await reply).text, 'ABCD0110');

    // Polling as 0.1.0 set it ("1" second, a string): the outlet's node shows the outlet's state.
    await statusBecomes(ID(31), (s) => s.fill === 'grey', 5000);
  });

  it('every 0.1.0 setting is still a setting of its node, or a migration step takes it', () => {
    for (const saved of readFixture().filter((n) => n.type.startsWith('tplink-'))) {
      const { names } = editorDefaults(saved.type);
      const settings = Object.keys(saved).filter((k) => !['id', 'type', 'z', 'x', 'y', 'wires', 'g'].includes(k));
      for (const key of settings) assert.ok(names.includes(key), `${saved.type}.${key} from 0.1.0 is no longer a setting`);
    }
  });

  it('migrates 0.1.0 settings to the current version, changing nothing a 0.1.0 flow relies on', () => {
    for (const saved of readFixture().filter((n) => n.type.startsWith('tplink-'))) {
      const { migrate, SETTINGS_VERSION } = MIGRATIONS[saved.type];
      const def = saved as unknown as NodeDef;
      const migrated = migrate(def) as unknown as Record<string, unknown>;
      assert.equal(migrated.version, SETTINGS_VERSION, saved.type);
      for (const [key, value] of Object.entries(saved)) assert.deepEqual(migrated[key], value, `${saved.type}.${key}`);
      assert.equal((saved as { version?: number }).version, undefined, 'the input is left alone');
      assert.deepEqual(migrate(migrated as unknown as NodeDef), migrated, 'current settings pass through unchanged');
    }
    const config = MIGRATIONS['tplink-config'].migrate(readFixture()[1] as unknown as NodeDef) as unknown as { logTraffic: boolean };
    assert.equal(config.logTraffic, false, 'traffic logging, new since 0.1.0, stays off');
  });

  it('has one migration step per version, in order, for every node type; the editor saves the version the runtime migrates to', () => {
    for (const [type, { SETTINGS_VERSION, MIGRATIONS: steps }] of Object.entries(MIGRATIONS)) {
      const firstVersion = type === 'tplink-light' ? 1 : 0;
      assert.deepEqual(steps.map((s) => s.from), Array.from({ length: SETTINGS_VERSION - firstVersion }, (_, i) => firstVersion + i), type);
      const editor = editorDefaults(type);
      assert.equal(editor.version, SETTINGS_VERSION, `${type}.html saves version ${editor.version}, the runtime migrates to ${SETTINGS_VERSION}`);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
    assert.deepEqual(Object.keys(MIGRATIONS).sort(), Object.keys(pkg['node-red'].nodes).sort(), 'every node type has migrations');
  });

  it('leaves settings from a newer pack as they are, and refuses a gap in the steps', () => {
    const newer = { id: 'n', type: 'tplink-plug', version: 99, outlet: '1' };
    assert.deepEqual(plugMigrations.migratePlug(newer), newer);
    assert.equal(configMigrations.migrateConfig({ id: 'n', type: 'tplink-config', version: -3 } as NodeDef).version, 1, 'a nonsense version counts as 0.1.0');
    assert.throws(() => migrateSettings({ id: 'n', type: 'x' }, 2, [addDefaults(0, 'first', {})]), /x: no migration of settings from version 1/);
  });
});
