/**
 * tplink-plug asked for a brightness on a device with outlets: a node for a
 * KS240's fan refuses it through done(err) and a red status, sending
 * nothing (it used to dim the light and answer with the fan's state); a
 * node for the dimmer, or for the whole switch, dims the dimmer and answers
 * with the dimmer's state; a node for an HS300 outlet refuses it too.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DeviceConnection } from '../../lib/device/connection';
import { runPlugCommand } from '../../lib/node-support/plug-actions';
import { PlugInputError } from '../../lib/node-support/plug-command';
import { startDevice } from '../../lib/simulator';
import { startSmartDevice, type RunningSmartDevice } from '../../lib/simulator/smart/server';
import configNode from '../../nodes/tplink-config/tplink-config';
import plugNode from '../../nodes/tplink-plug/tplink-plug';
import { repoRoot } from '../support/repo';
import { caughtError, exchange, helper, nodeRedPerTest, plugFlow, sentBy, statusBecomes, statuses, TAB } from './support/node-red';

const NODES = [configNode, plugNode];
const ACCOUNT = { username: 'ks240@example.com', password: 'Fan and light 2' };

function ks240Flow(sim: RunningSmartDevice, outlet: string): object[] {
  const [, , ...rest] = plugFlow(sim.port, { outlet });
  return [TAB, { id: 'cfg', type: 'tplink-config', z: 'f1', host: sim.host, port: sim.port, transport: 'auto', timeout: 3 }, ...rest];
}

/** The en-US text of a plug refusal, filled as RED._ fills it. */
function inEnglish(error: PlugInputError): string {
  const file = path.join(repoRoot(), 'nodes', 'tplink-plug', 'locales', 'en-US', 'tplink-plug.json');
  const catalog = JSON.parse(fs.readFileSync(file, 'utf8')) as { 'tplink-plug': { errors: Record<string, string> } };
  const template = catalog['tplink-plug'].errors[error.key];
  assert.ok(template, `no en-US text for tplink-plug.errors.${error.key}`);
  return template.replace(/__(\w+)__/g, (_, name: string) => {
    assert.ok(name in error.params, `${error.key} needs ${name}, the error has ${Object.keys(error.params).join(', ')}`);
    return error.params[name];
  });
}

describe('tplink-plug: a brightness on a device with outlets', function () {
  const devices = nodeRedPerTest();

  /** A KS240 with its fan on and its light off, and a plug node for `outlet` that has shown its first state (on or off). */
  async function loadKs240(outlet: string): Promise<RunningSmartDevice> {
    const ks240 = devices.use(await startSmartDevice({ model: 'KS240', seed: `plug-brightness-${outlet}`, nickname: 'Hall', on: true, ...ACCOUNT }));
    ks240.device.children[1].set(false, Date.now());
    await helper.load(NODES, ks240Flow(ks240, outlet), { cfg: ACCOUNT });
    await statusBecomes('plug', (s) => s.fill === 'green' || s.fill === 'grey');
    return ks240;
  }

  it('KS240 fan (outlet 0): refused through the node\'s error and a red status; nothing is sent, nothing comes out', async () => {
    const ks240 = await loadKs240('0');
    const requests = ks240.stats.requests;
    assert.match(await caughtError('plug', { payload: { brightness: 40 } }), /tplink-plug\.errors\.outlet-not-dimmable/);
    await statusBecomes('plug', (s) => s.fill === 'red' && s.text === 'tplink-plug.status.refused');
    assert.match(await caughtError('plug', { command: 'brightness', payload: 40 }), /outlet-not-dimmable/);
    assert.deepEqual([ks240.stats.requests, ks240.device.children.map((c) => c.on), ks240.device.light?.brightness], [requests, [true, false], 100]);
    assert.deepEqual(sentBy('plug'), []);
    // The fan still switches.
    assert.equal((await exchange('plug', { payload: false })).payload, false);
    assert.equal(ks240.device.children[0].on, false);
    assert.ok(ks240.stats.requests > requests, 'the count sees what is sent');
  });

  it('KS240 dimmer (outlet 1): dims it and answers with its state; 0 switches it off and leaves the fan', async () => {
    const ks240 = await loadKs240('1');
    const dimmed = await exchange('plug', { payload: { brightness: 40 } });
    assert.deepEqual([dimmed.payload, dimmed.topic, dimmed.command], [true, 'Outlet 2', 'brightness']);
    assert.deepEqual([ks240.device.children.map((c) => c.on), ks240.device.light?.brightness], [[true, true], 40]);
    await statusBecomes('plug', (s) => s.fill === 'green');
    const off = await exchange('plug', { command: 'brightness', payload: 0 });
    assert.equal(off.payload, false);
    assert.deepEqual(ks240.device.children.map((c) => c.on), [true, false]);
    await statusBecomes('plug', (s) => s.fill === 'grey');
  });

  it('the whole KS240: dims the dimmer and answers with the dimmer\'s state; the status stays the switch\'s', async () => {
    const ks240 = await loadKs240('');
    const dimmed = await exchange('plug', { payload: { brightness: 55 } });
    assert.deepEqual([dimmed.payload, dimmed.topic], [true, 'Outlet 2']);
    assert.deepEqual([ks240.device.children.map((c) => c.on), ks240.device.light?.brightness], [[true, true], 55]);
    const off = await exchange('plug', { payload: { brightness: 0 } });
    assert.deepEqual([off.payload, off.topic], [false, 'Outlet 2'], 'the dimmer went off');
    assert.deepEqual(ks240.device.children.map((c) => c.on), [true, false]);
    // The node shows the whole switch, which is on while the fan is.
    assert.equal(statuses('plug').at(-1)?.fill, 'green');
    assert.equal((await exchange('plug', { command: 'info' })).payload, true);
  });

  it('the whole KS240\'s status shows the light\'s brightness only while the light is on, not while only the fan runs', async () => {
    const ks240 = await loadKs240('');
    const fanOnly = 'tplink-plug.status.on';
    assert.equal(statuses('plug').at(-1)?.text, fanOnly, 'read at start: the fan is on, the light off');
    await exchange('plug', { payload: { brightness: 55 } });
    await statusBecomes('plug', (s) => s.text === `${fanOnly} · 55 %`);
    await exchange('plug', { payload: { brightness: 0 } });
    assert.deepEqual(ks240.device.children.map((c) => c.on), [true, false]);
    assert.equal(statuses('plug').at(-1)?.text, fanOnly, 'the light went off through the node');
  });

  it('an HS300 outlet: refused, nothing switched', async () => {
    const strip = devices.use(await startDevice({ model: 'HS300', on: true }));
    await helper.load(NODES, plugFlow(strip.port, { outlet: '2' }));
    assert.match(await caughtError('plug', { payload: { brightness: 40 } }), /tplink-plug\.errors\.unsupported/);
    await statusBecomes('plug', (s) => s.fill === 'red' && s.text === 'tplink-plug.status.refused');
    assert.equal(strip.device.children[2].isOn, true);
  });

  it('says in en-US where a brightness belongs and that a strip\'s outlets do not dim', async () => {
    const ks240 = devices.use(await startSmartDevice({ model: 'KS240', seed: 'plug-brightness-words', on: true, ...ACCOUNT }));
    const strip = await startDevice({ model: 'HS300', on: true });
    const connections = [
      new DeviceConnection({ host: ks240.host, port: ks240.port, transport: 'auto', timeout: 3000, ...ACCOUNT }),
      new DeviceConnection({ host: strip.host, port: strip.port, timeout: 3000 }),
    ];
    const refusal = async (connection: DeviceConnection, outlet: string): Promise<string> => {
      const error = await runPlugCommand({ connection, outlet }, { kind: 'action', action: 'brightness', argument: 40 }).then(
        () => assert.fail('not refused'), (e: unknown) => e);
      assert.ok(error instanceof PlugInputError, String(error));
      return inEnglish(error);
    };
    try {
      assert.equal(await refusal(connections[0], '0'), 'Outlet 0 ("Outlet 1") of KS240 has no brightness: outlet 1 ("Outlet 2") is its dimmer. '
        + 'Send the brightness to a tplink-plug node for outlet 1 or for the whole device, or to a tplink-light node');
      assert.equal(await refusal(connections[1], '2'), 'HS300(US) has no outlet that dims');
    } finally {
      for (const connection of connections) await connection.close();
      await strip.close();
    }
  });
});
