import { strict as assert } from 'assert';
import * as dgram from 'dgram';
import * as net from 'net';
import { connect, SmartHomeClient, encodeFrame, encodeDatagram, decodeDatagram, TimeoutError, ConnectionError, ProtocolError, DeviceError, ClientClosedError } from '../../lib';
import { startFrameServer, reply, SYSINFO, type FrameServer } from '../support/frame-server';
import { CLOSED_PORT, heldPort } from '../support/ports';
import { waitFor } from '../support/wait';
import * as sinon from 'sinon';


describe('SmartHomeClient over TCP', () => {
  let server: FrameServer | undefined;
  let client: SmartHomeClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.close();
    client = undefined;
    server = undefined;
  });

  it('sends a request and parses the reply on one persistent connection', async () => {
    server = await startFrameServer((_req, socket) => reply(socket, SYSINFO));
    client = new SmartHomeClient({ host: '127.0.0.1', port: server.port });
    const info = await client.getSysInfo();
    assert.equal(info.alias, 'Test plug');
    await client.getSysInfo();
    await client.getSysInfo();
    assert.equal(server.connections, 1);
    assert.deepEqual(server.requests[0], { system: { get_sysinfo: {} } });
  });

  it('reassembles a reply split into one-byte writes', async () => {
    server = await startFrameServer((_req, socket) => {
      const frame = encodeFrame(JSON.stringify(SYSINFO));
      let i = 0;
      const tick = setInterval(() => {
        if (i >= frame.length || socket.destroyed) return clearInterval(tick);
        socket.write(frame.subarray(i, i + 1));
        i++;
      }, 0);
    });
    client = new SmartHomeClient({ host: '127.0.0.1', port: server.port });
    assert.equal((await client.getSysInfo()).model, 'HS110(EU)');
  });

  it('takes the first of two frames that arrive in one read, and drops the stray one', async () => {
    server = await startFrameServer((_req, socket) => {
      socket.write(Buffer.concat([encodeFrame(JSON.stringify(SYSINFO)), encodeFrame('{"stray":{}}')]));
    });
    client = new SmartHomeClient({ host: '127.0.0.1', port: server.port });
    assert.equal((await client.getSysInfo()).alias, 'Test plug');
  });

  it('rejects with ConnectionError when the device closes without replying, and reconnects next time', async () => {
    server = await startFrameServer((_req, socket, index) => {
      if (index === 0) socket.destroy();
      else reply(socket, SYSINFO);
    });
    client = new SmartHomeClient({ host: '127.0.0.1', port: server.port });
    await assert.rejects(client.getSysInfo(), (e: unknown) => e instanceof ConnectionError && /closed by the device/.test(e.message));
    assert.equal((await client.getSysInfo()).alias, 'Test plug');
    assert.equal(server.connections, 2);
  });

  it('rejects with ProtocolError when the connection closes mid-frame', async () => {
    server = await startFrameServer((_req, socket) => {
      socket.end(encodeFrame(JSON.stringify(SYSINFO)).subarray(0, 20));
    });
    client = new SmartHomeClient({ host: '127.0.0.1', port: server.port });
    await assert.rejects(client.getSysInfo(), (e: unknown) => e instanceof ProtocolError && /middle of a reply/.test(e.message));
  });

  it('times out a device that never answers, naming host and port', async () => {
    server = await startFrameServer(() => undefined);
    client = new SmartHomeClient({ host: '127.0.0.1', port: server.port, timeout: 150 });
    await assert.rejects(client.getSysInfo(), (e: unknown) => e instanceof TimeoutError
      && e.message === `127.0.0.1:${server?.port}: no reply within 150 ms`);
    assert.equal(client.online, false);
  });

  it('refuses an oversize length prefix without buffering it', async () => {
    server = await startFrameServer((_req, socket) => {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(50 * 1024 * 1024);
      socket.write(header);
    });
    client = new SmartHomeClient({ host: '127.0.0.1', port: server.port });
    await assert.rejects(client.getSysInfo(), (e: unknown) => e instanceof ProtocolError && /exceeds the limit/.test(e.message));
  });

  it('honours maxResponseSize', async () => {
    server = await startFrameServer((_req, socket) => reply(socket, { system: { get_sysinfo: { pad: 'x'.repeat(5000), err_code: 0 } } }));
    client = new SmartHomeClient({ host: '127.0.0.1', port: server.port, maxResponseSize: 1024 });
    await assert.rejects(client.getSysInfo(), ProtocolError);
  });

  it('reports garbage that is not JSON as ProtocolError', async () => {
    server = await startFrameServer((_req, socket) => socket.write(encodeFrame('\u0000\u0001garbage')));
    client = new SmartHomeClient({ host: '127.0.0.1', port: server.port });
    await assert.rejects(client.getSysInfo(), (e: unknown) => e instanceof ProtocolError && /not JSON/.test(e.message));
  });

  it('turns an err_code into a DeviceError', async () => {
    server = await startFrameServer((_req, socket) => reply(socket, { emeter: { err_code: -1, err_msg: 'module not support' } }));
    client = new SmartHomeClient({ host: '127.0.0.1', port: server.port });
    await assert.rejects(client.send({ emeter: { get_realtime: {} } }), (e: unknown) => e instanceof DeviceError && e.module === 'emeter' && e.errCode === -1);
  });

  it('sends one request at a time, in order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    server = await startFrameServer((req, socket) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        reply(socket, { system: { set_dev_alias: { err_code: 0 } }, echo: req });
      }, 5);
    });
    client = new SmartHomeClient({ host: '127.0.0.1', port: server.port });
    const c = client;
    await Promise.all(Array.from({ length: 10 }, (_, i) => c.sendUnchecked({ system: { set_dev_alias: { alias: `a${i}` } } })));
    assert.equal(maxInFlight, 1);
    assert.deepEqual(server.requests.map((r) => (r.system as { set_dev_alias: { alias: string } }).set_dev_alias.alias),
      Array.from({ length: 10 }, (_, i) => `a${i}`));
  });

  it('retries a refused connection a bounded number of times, then reports it', async () => {
    const port = CLOSED_PORT;
    client = new SmartHomeClient({ host: '127.0.0.1', port, retries: 2, retryDelay: 10 });
    const offline: unknown[] = [];
    client.on('offline', (e) => offline.push(e));
    const started = Date.now();
    await assert.rejects(client.getSysInfo(), (e: unknown) => e instanceof ConnectionError && e.syscallCode === 'ECONNREFUSED'
      && e.message.startsWith(`127.0.0.1:${port}: cannot connect`));
    assert.ok(Date.now() - started >= 30, 'backs off between attempts');
    assert.equal(offline.length, 1);
  });

  it('recovers when the device comes up during the retries', async () => {
    const { host, port, release } = await heldPort();
    const attempts = sinon.spy(net.Socket.prototype, 'connect');
    client = new SmartHomeClient({ host, port, retries: 5, retryDelay: 40 });
    const pending = client.getSysInfo();
    // The device comes up once its absence was seen: the first attempt refused, the client retrying.
    await waitFor('a second connection attempt', () => attempts.callCount >= 2).finally(() => attempts.restore());
    const late = net.createServer((socket) => socket.on('data', () => reply(socket, SYSINFO)));
    try {
      await new Promise<void>((resolve) => late.listen(port, host, resolve));
      assert.equal((await pending).alias, 'Test plug');
      assert.equal(client.online, true);
    } finally {
      await client.close();
      await new Promise<void>((resolve) => late.close(() => resolve()));
      await release();
    }
  });

  it('rejects queued requests when closed, and later requests at once', async () => {
    const silent = await startFrameServer(() => undefined);
    server = silent;
    client = new SmartHomeClient({ host: '127.0.0.1', port: silent.port, timeout: 2000 });
    const first = client.getSysInfo();
    const second = client.getSysInfo();
    await waitFor('the first request at the device', () => silent.requests.length === 1);
    await client.close();
    await assert.rejects(first, ClientClosedError);
    await assert.rejects(second, ClientClosedError);
    await assert.rejects(client.getSysInfo(), ClientClosedError);
  });

  it('addresses child outlets through the device layer: toggles and normalises energy', async () => {
    let state = 0;
    server = await startFrameServer((req, socket) => {
      const system = req.system as Record<string, { state?: number }> | undefined;
      if (system?.set_relay_state) {
        assert.deepEqual(req.context, { child_ids: ['DEV01'] });
        state = system.set_relay_state.state ?? 0;
        reply(socket, { system: { set_relay_state: { err_code: 0 } } });
      } else if (system?.get_sysinfo) {
        const children = [{ id: '00', state: 0 }, { id: '01', state }];
        reply(socket, { system: { get_sysinfo: { deviceId: 'DEV', feature: 'TIM:ENE', children, err_code: 0 } } });
      } else {
        reply(socket, { emeter: { get_realtime: { power_mw: 2500, voltage_mv: 230000, current_ma: 11, total_wh: 42, err_code: 0 } } });
      }
    });
    const device = await connect({ host: '127.0.0.1', port: server.port });
    try {
      assert.equal((await device.toggle({ outlet: 'DEV01' })).outlets[1].on, true);
      assert.equal(state, 1);
      await device.refresh();
      assert.equal(device.isOn({ outlet: '01' }), true);
      const energy = await device.energy?.read({ outlet: 1 });
      assert.equal(energy?.power, 2.5);
      assert.equal(energy?.total, 0.042);
    } finally {
      await device.close();
    }
  });
});

describe('SmartHomeClient over UDP', () => {
  let socket: dgram.Socket | undefined;
  afterEach(async () => {
    if (socket) await new Promise<void>((resolve) => socket?.close(() => resolve()));
    socket = undefined;
  });

  async function udpDevice(answer: (request: string) => string | undefined): Promise<number> {
    const s = dgram.createSocket('udp4');
    socket = s;
    s.on('message', (msg, rinfo) => {
      const out = answer(decodeDatagram(msg).toString());
      if (out !== undefined) s.send(encodeDatagram(out), rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
    return s.address().port;
  }

  it('sends a datagram without length prefix and parses the reply', async () => {
    const port = await udpDevice(() => JSON.stringify(SYSINFO));
    const client = new SmartHomeClient({ host: '127.0.0.1', port, transport: 'udp', timeout: 1000 });
    try {
      assert.equal((await client.getSysInfo()).alias, 'Test plug');
      assert.equal((await client.getSysInfo()).alias, 'Test plug');
    } finally {
      await client.close();
    }
  });

  it('times out when the datagram is dropped', async () => {
    const port = await udpDevice(() => undefined);
    const client = new SmartHomeClient({ host: '127.0.0.1', port, transport: 'udp', timeout: 100 });
    try {
      await assert.rejects(client.getSysInfo(), TimeoutError);
    } finally {
      await client.close();
    }
  });
});
