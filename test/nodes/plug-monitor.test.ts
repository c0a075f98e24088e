/**
 * PlugMonitor, what a tplink-plug node reports of its device on top of
 * DeviceWatch's timing: a poll whose meter read fails still reports the
 * on/off change it read (a change must not wait for a meter that may never
 * answer), and then shows the failure.
 */
import { strict as assert } from 'assert';
import * as sinon from 'sinon';
import { DeviceConnection } from '../../lib/device';
import { PlugMonitor } from '../../lib/node-support/plug-monitor';
import { startDevice, type RunningDevice } from '../../lib/simulator';
import { waitFor } from '../support/wait';

describe('PlugMonitor', function () {
  let sim: RunningDevice;
  let connection: DeviceConnection;
  let monitor: PlugMonitor | undefined;

  beforeEach(async () => {
    sim = await startDevice({ model: 'HS110', seed: 'monitor', on: false });
    connection = new DeviceConnection({ host: sim.host, port: sim.port, timeout: 1000, retries: 0 });
  });
  afterEach(async () => {
    monitor?.stop();
    monitor = undefined;
    sinon.restore();
    await connection.close();
    await sim.close();
  });

  it('reports a change seen by a poll whose meter read fails, then the failure', async () => {
    const device = await connection.get();
    assert.ok(device.energy);
    sinon.stub(device.energy, 'read').rejects(new Error('the meter did not answer'));
    monitor = new PlugMonitor({ connection, outlet: '', pollInterval: 20 });
    const events: string[] = [];
    monitor.on('state', (state) => events.push(`message ${state.on}`));
    monitor.on('view', (view) => events.push(view.kind === 'offline' ? `status: ${view.error.message}` : `status ${view.kind === 'state' ? view.on : view.kind}`));
    monitor.on('unreachable', (error) => events.push(`unreachable: ${error.message}`));
    monitor.start();
    await waitFor('a first poll', () => events.includes('status: the meter did not answer'));
    sim.handle({ system: { set_relay_state: { state: 1 } } });
    await waitFor(() => `the change, in ${events.join(', ')}`, () => events.includes('message true'));
    const change = events.indexOf('message true');
    assert.deepEqual(events.slice(change - 1, change + 2), ['status true', 'message true', 'status: the meter did not answer'],
      'the state shown, the change reported, then the meter failure shown');
    await waitFor('two more polls', () => events.filter((e) => e === 'status true').length >= 3);
    assert.deepEqual(events.filter((e) => e.startsWith('unreachable')), ['unreachable: the meter did not answer'], 'warned once while it fails');
  });
});
