import { strict as assert } from 'assert';
import { DiscoveryScanner, type DeviceChange, type DiscoveredDevice } from '../../lib/discovery/index';
import { ConnectionError } from '../../lib/errors';
import { plug, startPeer, waitFor, type FakePeer } from './fake-devices';
import { ProbeSocket } from '../../lib/discovery/probe-socket';
import { provesNothingHappensFor, waitFor as waitUntil } from '../support/wait';

function handles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap' || r === 'Timeout').length;
}

describe('DiscoveryScanner', function () {
  let peer: FakePeer | undefined;
  let scanner: DiscoveryScanner | undefined;
  afterEach(async () => {
    await scanner?.stop();
    await peer?.close();
    scanner = undefined;
    peer = undefined;
  });

  it('reports new, offline after the missed sweeps, online again, and changes of alias, relay and IP', async () => {
    let alive = true;
    let fields: Record<string, unknown> = {};
    peer = await startPeer(() => (alive ? [plug('SCAN1', fields)] : undefined), '127.0.0.1', 0, '127.0.0.2');
    scanner = new DiscoveryScanner({ target: '127.0.0.1', port: peer.port, interval: 120, timeout: 100, offlineAfter: 2 });
    const newDevice = waitFor<DiscoveredDevice>(scanner, 'device-new');
    await scanner.start();
    const [found] = await newDevice;
    assert.equal(found.deviceId, 'SCAN1');

    alive = false;
    const offlineAt = Date.now();
    const [gone] = await waitFor<DiscoveredDevice>(scanner, 'device-offline');
    assert.equal(gone.deviceId, 'SCAN1');
    assert.ok(Date.now() - offlineAt >= 120, 'not before the missed sweeps');
    assert.equal(scanner.isOnline('SCAN1'), false);

    alive = true;
    await waitFor(scanner, 'device-online');
    assert.equal(scanner.isOnline('SCAN1'), true);

    fields = { alias: 'Kettle', relay_state: 1 };
    const [, changes] = await waitFor<unknown>(scanner, 'device-changed');
    assert.deepEqual((changes as DeviceChange[]).map((c) => [c.field, c.current]), [['alias', 'Kettle'], ['relay_state', 1]]);

    peer.move();
    const [moved, moveChanges] = await waitFor<unknown>(scanner, 'device-changed');
    assert.equal((moved as DiscoveredDevice).host, '127.0.0.2');
    assert.deepEqual(moveChanges, [{ field: 'host', previous: '127.0.0.1', current: '127.0.0.2' }]);
    assert.equal(scanner.devices.length, 1);
  });

  it('emits device-new once per deviceId however many sweeps see it', async () => {
    peer = await startPeer(() => [plug('ONCE'), plug('ONCE')]);
    scanner = new DiscoveryScanner({ target: '127.0.0.1', port: peer.port, interval: 60, timeout: 50 });
    let news = 0;
    scanner.on('device-new', () => (news += 1));
    await scanner.start();
    for (let i = 0; i < 4; i += 1) await waitFor(scanner, 'sweep');
    assert.equal(news, 1);
  });

  it('stops cleanly: socket and timers released, no event afterwards, stop twice is fine', async () => {
    peer = await startPeer(() => [plug('STOP')]);
    const withPeer = handles();
    scanner = new DiscoveryScanner({ target: '127.0.0.1', port: peer.port, interval: 50, timeout: 50 });
    await scanner.start();
    await waitFor(scanner, 'sweep');
    assert.ok(handles() > withPeer);
    await scanner.stop();
    await scanner.stop();
    assert.equal(scanner.isRunning, false);
    let events = 0;
    scanner.on('sweep', () => (events += 1));
    scanner.on('device-new', () => (events += 1));
    await provesNothingHappensFor(120, 'a sweep or device event after stop() (it swept every 50 ms with a 50 ms window)');
    assert.equal(events, 0);
    assert.equal(handles(), withPeer, JSON.stringify(process.getActiveResourcesInfo()));
  });

  it('start() rejects for an address that is not local and stays stopped', async () => {
    scanner = new DiscoveryScanner({ sourceAddress: '192.0.2.77', target: '127.0.0.1', port: 9 });
    await assert.rejects(scanner.start(), ConnectionError);
    assert.equal(scanner.isRunning, false);
  });

  it('a send error with no error listener is kept in lastError and does not crash', async () => {
    scanner = new DiscoveryScanner({ target: '127.0.0.1', port: 0, interval: 50, timeout: 50 });
    await scanner.start();
    const kept = await waitUntil('the send error kept in lastError', () => scanner?.lastError, 2000);
    assert.ok(kept instanceof ConnectionError);
    assert.equal(scanner.isRunning, true);
  });

  it('a send error goes to the error listener when there is one', async () => {
    scanner = new DiscoveryScanner({ target: '127.0.0.1', port: 0, interval: 50, timeout: 50 });
    const error = waitFor<Error>(scanner, 'error');
    await scanner.start();
    const [e] = await error;
    assert.ok(e instanceof ConnectionError);
    assert.match(e.message, /cannot send the discovery probe/);
  });
});

describe('DiscoveryScanner stopped while a sweep reopens its socket', function () {
  const original = ProbeSocket.open;
  afterEach(() => {
    ProbeSocket.open = original;
  });

  it('closes the socket that finished binding after stop()', async () => {
    const opened: ProbeSocket[] = [];
    let release: (() => void) | undefined;
    ProbeSocket.open = async (options) => {
      const socket = await original.call(ProbeSocket, options);
      opened.push(socket);
      if (opened.length === 2) await new Promise<void>((resolve) => (release = resolve));
      return socket;
    };
    // Port 0 cannot be sent to: every sweep fails, and the next one opens a new socket.
    const scanner = new DiscoveryScanner({ target: '127.0.0.1', port: 0, interval: 50, timeout: 50, probes: 1 });
    await scanner.start();
    const reopened = await waitUntil('the second sweep reopening the socket', () => release, 1000);
    await scanner.stop();
    reopened();
    await waitUntil('the socket opened during stop() closed', () => opened[1]['closed'], 500).catch(() => undefined);
    assert.equal(opened[1]['closed'], true, 'the socket opened during stop() was leaked');
  });
});
