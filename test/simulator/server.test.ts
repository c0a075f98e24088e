import { strict as assert } from 'assert';
import * as net from 'net';
import { encodeFrame, FrameDecoder } from '../../lib/classic/framing';
import { startDevice, type RunningDevice } from '../../lib/simulator/device-server';
import { addIPv4, fleetLayout, parseFleetFile, startFleet, type RunningFleet } from '../../lib/simulator/fleet';
import { waitFor } from '../support/wait';
import { connectionRefused, tcpExchange, tcpRequest, udpExchange } from './wire';

const SYSINFO = { system: { get_sysinfo: {} } };

function sysinfoOf(reply: Record<string, unknown>): Record<string, unknown> {
  return (reply.system as Record<string, Record<string, unknown>>).get_sysinfo;
}

describe('simulator server', () => {
  describe('one device', () => {
    let device: RunningDevice;
    before(async () => {
      device = await startDevice({ model: 'HS110v2', seed: 'server', alias: 'Kettle' });
    });
    after(async () => {
      await device.close();
    });

    it('listens on 127.0.0.1, TCP and UDP on the same port', async () => {
      assert.equal(device.host, '127.0.0.1');
      assert.ok(device.port > 0);
      assert.equal(device.udpPort, device.port);
      assert.equal(sysinfoOf(await tcpRequest(device.host, device.port, SYSINFO)).alias, 'Kettle');
      const [reply] = await udpExchange(device.host, device.udpPort, { system: { get_sysinfo: {} }, emeter: { get_realtime: {} } });
      assert.equal(reply.from.port, device.port);
      const parsed = JSON.parse(reply.payload);
      assert.equal(parsed.system.get_sysinfo.alias, 'Kettle');
      assert.equal(parsed.emeter.get_realtime.err_code, 0);
    });

    it('answers several requests on one connection, in order', async () => {
      const socket = net.connect({ host: device.host, port: device.port });
      const decoder = new FrameDecoder();
      const frames: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no replies')), 2000);
        socket.on('connect', () => {
          // Both requests in one write: the server must split them.
          socket.write(Buffer.concat([encodeFrame('{"system":{"set_dev_alias":{"alias":"A"}}}'), encodeFrame(JSON.stringify(SYSINFO))]));
        });
        socket.on('data', (chunk: Buffer) => {
          frames.push(...decoder.push(chunk).frames.map((f) => f.toString()));
          if (frames.length === 2) {
            clearTimeout(timer);
            resolve();
          }
        });
        socket.on('error', reject);
      });
      socket.destroy();
      assert.equal(JSON.parse(frames[0]).system.set_dev_alias.err_code, 0);
      assert.equal(JSON.parse(frames[1]).system.get_sysinfo.alias, 'A');
      await tcpRequest(device.host, device.port, { system: { set_dev_alias: { alias: 'Kettle' } } });
    });

    it('drops a connection that sends non-JSON or an oversize frame', async () => {
      assert.equal((await tcpExchange(device.host, device.port, 'not json')).outcome, 'end');
      const huge = await new Promise<string>((resolve) => {
        const socket = net.connect({ host: device.host, port: device.port }, () => {
          const header = Buffer.alloc(4);
          header.writeUInt32BE(50 * 1024 * 1024);
          socket.write(header);
        });
        socket.on('close', () => resolve('closed'));
        socket.on('error', () => undefined);
        setTimeout(() => { socket.destroy(); resolve('open'); }, 1000).unref();
      });
      assert.equal(huge, 'closed');
    });

    it('handle() and handleJson() answer without the network', () => {
      assert.equal(sysinfoOf(device.handle(SYSINFO)).alias, 'Kettle');
      assert.equal(JSON.parse(device.handleJson('{"system":{"get_sysinfo":{}}}')).system.get_sysinfo.model, 'HS110(EU)');
    });
  });

  it('tcp: false keeps TCP closed and UDP open', async () => {
    const device = await startDevice({ model: 'KP115', tcp: false });
    try {
      assert.ok(await connectionRefused(device.host, device.port));
      assert.equal((await udpExchange(device.host, device.udpPort, SYSINFO)).length, 1);
    } finally {
      await device.close();
    }
  });

  it('reboot: replies, goes away, comes back on the same port', async () => {
    const device = await startDevice({ model: 'HS100', restartDurationMs: 150 });
    try {
      const events: string[] = [];
      device.on('offline', () => events.push('offline'));
      device.on('online', () => events.push('online'));
      const reply = await tcpRequest(device.host, device.port, { system: { reboot: { delay: 0 } } });
      assert.deepEqual(reply, { system: { reboot: { err_code: 0 } } });
      await waitFor(() => `offline then online, saw ${events.join(', ') || 'nothing'}`, () => events.length >= 2, 1000);
      assert.deepEqual(events, ['offline', 'online']);
      assert.ok(sysinfoOf(await tcpRequest(device.host, device.port, SYSINFO)));
    } finally {
      await device.close();
    }
  });

  it('names the address when a port is taken', async () => {
    const first = await startDevice({ model: 'HS100' });
    try {
      await assert.rejects(startDevice({ model: 'HS100', port: first.port }), (error: Error) => error.message.includes(`127.0.0.1:${first.port}`));
    } finally {
      await first.close();
    }
  });

  describe('fleets', () => {
    let fleet: RunningFleet | undefined;
    afterEach(async () => {
      await fleet?.close();
      fleet = undefined;
    });

    it('lays out consecutive ports or consecutive addresses', () => {
      const ports = fleetLayout({ model: 'HS100', count: 3, port: 10000 });
      assert.deepEqual(ports.map((d) => `${d.host}:${d.port}`), ['127.0.0.1:10000', '127.0.0.1:10001', '127.0.0.1:10002']);
      const hosts = fleetLayout({ model: 'HS100', count: 3, host: '127.0.1.254', port: 9999, layout: 'hosts' });
      assert.deepEqual(hosts.map((d) => `${d.host}:${d.port}`), ['127.0.1.254:9999', '127.0.1.255:9999', '127.0.2.0:9999']);
      assert.equal(addIPv4('127.0.0.1', 256), '127.0.1.1');
      assert.throws(() => fleetLayout({ model: 'HS100', count: 0 }));
    });

    it('parses a fleet file with counts and CLI-style faults', () => {
      const options = parseFleetFile(JSON.stringify({
        devices: [{ model: 'HS300', alias: 'Strip' }, { model: 'HS100', count: 2, fault: 'slow:100' }],
        broadcastListener: { host: '127.255.255.255' },
      }));
      assert.equal(options.devices.length, 3);
      assert.deepEqual(options.devices[1].fault, { kind: 'slow', delayMs: 100 });
      assert.deepEqual(options.broadcastListener, { host: '127.255.255.255' });
      assert.throws(() => parseFleetFile('[{"alias":"no model"}]'), /device 0 needs a "model"/);
      assert.throws(() => parseFleetFile('{'), /not JSON/);
    });

    it('answers a broadcast from every device, each from its own address', async () => {
      fleet = await startFleet({
        devices: fleetLayout({ model: 'HS110', count: 4, host: '127.0.1.1', port: 0, layout: 'hosts' }),
        samePort: true,
        broadcastListener: { host: '127.255.255.255' },
      });
      const port = fleet.devices[0].port;
      assert.ok(fleet.devices.every((d) => d.port === port && d.udpPort === port));
      assert.deepEqual(fleet.broadcast, { host: '127.255.255.255', port });
      const replies = await udpExchange('127.255.255.255', port, SYSINFO, 400, true);
      assert.deepEqual(replies.map((r) => r.from.address).sort(), ['127.0.1.1', '127.0.1.2', '127.0.1.3', '127.0.1.4']);
      assert.ok(replies.every((r) => r.from.port === port));
      const ids = new Set(replies.map((r) => JSON.parse(r.payload).system.get_sysinfo.deviceId));
      assert.equal(ids.size, 4);
      // Unicast to one device still reaches only that one.
      const unicast = await udpExchange('127.0.1.3', port, SYSINFO, 200);
      assert.deepEqual(unicast.map((r) => r.from.address), ['127.0.1.3']);
    });

    it('runs 1000 devices in well under 300 MB', async function () {
      this.timeout(30_000);
      global.gc?.();
      const before = process.memoryUsage().rss;
      const started = Date.now();
      fleet = await startFleet({ devices: fleetLayout({ model: 'HS110', count: 1000, port: 0 }) });
      const startMs = Date.now() - started;
      // Talk to a sample so that every code path has allocated what it needs.
      for (const d of fleet.devices.filter((_d, i) => i % 100 === 0)) {
        assert.ok(sysinfoOf(await tcpRequest(d.host, d.port, SYSINFO)));
      }
      const deltaMb = (process.memoryUsage().rss - before) / 1024 / 1024;
      assert.equal(fleet.devices.length, 1000);
      assert.equal(new Set(fleet.devices.map((d) => d.port)).size, 1000);
      assert.ok(deltaMb < 300, `RSS grew by ${deltaMb.toFixed(1)} MB`);
      console.log(`      1000 devices: RSS +${deltaMb.toFixed(1)} MB, started in ${startMs} ms`);
    });
  });
});
