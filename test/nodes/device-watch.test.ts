/**
 * DeviceWatch, the timing behind a node's view of its device: the first
 * read, polls, a device away at start retried until it answers, a poll
 * that finds the device busy standing aside without calling it offline,
 * and stop() ending every timer.
 */
import { strict as assert } from 'assert';
import { DeviceConnection } from '../../lib/device';
import type { Device } from '../../lib/device';
import { DeviceBusyError } from '../../lib/errors';
import { DeviceWatch, type DeviceWatchOptions } from '../../lib/node-support/device-watch';
import { startDevice, type RunningDevice } from '../../lib/simulator';

/** Collects a watch's events in order. */
function record<R>(watch: DeviceWatch<R>): string[] {
  const events: string[] = [];
  watch.on('connecting', () => events.push('connecting'));
  watch.on('reading', (r) => events.push(`reading ${String(r)}`));
  watch.on('offline', (_e, first) => events.push(first ? 'offline first' : 'offline again'));
  return events;
}

async function until(check: () => boolean, what: string, timeout = 3000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('DeviceWatch', function () {
  let sim: RunningDevice;
  let connection: DeviceConnection;
  let watch: DeviceWatch<string> | undefined;

  beforeEach(async () => {
    sim = await startDevice({ model: 'KL130', seed: 'watch' });
    connection = new DeviceConnection({ host: sim.host, port: sim.port, timeout: 300, retries: 0 });
  });
  afterEach(async () => {
    watch?.stop();
    await connection.close();
    await sim.close();
  });

  /** A watch with `timing` whose first read finds the device busy: it must read again soon, and not call the device offline. */
  async function standsAsideOnce(timing: Pick<DeviceWatchOptions<string>, 'pollInterval' | 'retryMin'>): Promise<void> {
    let reads = 0;
    watch = new DeviceWatch({
      connection, ...timing,
      read: async () => {
        reads++;
        if (reads === 1) throw new DeviceBusyError('busy', { host: sim.host, port: sim.port }, true);
        return 'read';
      },
    });
    const events = record(watch);
    watch.start();
    await until(() => events.includes('reading read'), 'the read after standing aside', 2000);
    assert.deepEqual(events, ['connecting', 'reading read']);
  }

  it('reads once at start from the connect itself, then polls with refreshes', async () => {
    const hows: string[] = [];
    watch = new DeviceWatch({
      connection, pollInterval: 20,
      read: async (device: Device, how) => {
        hows.push(`${how.fresh ? 'fresh' : 'again'} ${how.polling} ${how.ifIdle}`);
        if (!how.fresh) await device.refresh({ ifIdle: how.ifIdle });
        return device.kind;
      },
    });
    const events = record(watch);
    watch.start();
    await until(() => events.length >= 4, 'three readings');
    assert.deepEqual(events.slice(0, 4), ['connecting', 'reading bulb', 'reading bulb', 'reading bulb']);
    assert.deepEqual(hows.slice(0, 2), ['fresh true true', 'again true true']);
  });

  it('retries a device away at start, with growing delays, and says offline once until it is back', async () => {
    await sim.offline();
    let reads = 0;
    watch = new DeviceWatch({ connection, pollInterval: 0, retryMin: 10, retryMax: 40, read: async () => `#${++reads}` });
    const events = record(watch);
    watch.start();
    await until(() => events.filter((e) => e.startsWith('offline')).length >= 3, 'three failed attempts');
    assert.deepEqual(events.slice(0, 3), ['connecting', 'offline first', 'offline again']);
    assert.equal(watch.offline, true);
    await sim.online();
    await until(() => events.includes('reading #1'), 'the reading once the device is back');
    assert.equal(watch.offline, false);
    const count = events.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(events.length, count, 'without polling, nothing more is read once the device answered');
  });

  it('stands aside when a poll finds the device busy, without calling it offline', async () => {
    await standsAsideOnce({ pollInterval: 10_000 });
  });

  it('without polling too, a read that finds the device busy tries again soon, not after the back-off', async () => {
    // The back-off is a minute: a read within the limit below can only be the quick retry.
    await standsAsideOnce({ pollInterval: 0, retryMin: 60_000 });
  });

  it('reads at once when another user of the connection finds the device back', async () => {
    await sim.offline();
    watch = new DeviceWatch({ connection, pollInterval: 0, retryMin: 60_000, read: async (device) => device.state.alias });
    const events = record(watch);
    watch.start();
    await until(() => events.includes('offline first'), 'the failed first read');
    await sim.online();
    // Another node's command reaches the device: the watch does not wait out its minute.
    await connection.get();
    await until(() => events.some((e) => e.startsWith('reading')), 'a reading right after');
  });

  it('stops: no timer left, no listener on the connection', async () => {
    let reads = 0;
    watch = new DeviceWatch({ connection, pollInterval: 5, read: async () => String(++reads) });
    watch.start();
    await until(() => reads >= 2, 'two reads');
    watch.stop();
    const stoppedAt = reads;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(reads <= stoppedAt + 1, `${reads} reads after stopping at ${stoppedAt}`);
    assert.equal(connection.listenerCount('online') + connection.listenerCount('offline'), 0);
  });
});
