/**
 * Several devices on one port the OS chose, when another process holds
 * that number on one of their addresses: a CI run failed so with
 * EADDRINUSE, in the tests that start a samePort fleet on 127.0.N.1..n; the
 * test support's loopback peers bind the same way. The collision is forced:
 * the OS's choice on the first address is replaced by a port this test
 * holds (UDP) on the second. Addresses 127.0.5.x are this file's alone.
 */
import { strict as assert } from 'assert';
import * as dgram from 'dgram';
import * as net from 'net';
import * as sinon from 'sinon';
import { fleetLayout, SAME_PORT_ATTEMPTS, startFleet, type RunningFleet } from '../../lib/simulator/fleet';
import { bindUdpOnOnePort, forceListenPort, heldPort, ONE_PORT_ATTEMPTS } from '../support/ports';
import { tcpRequest } from './wire';

const FIRST = '127.0.5.1';
const SECOND = '127.0.5.2';
const SYSINFO = { system: { get_sysinfo: {} } };

function bindUdp(host: string, port: number): Promise<dgram.Socket | undefined> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', () => resolve(undefined));
    socket.bind({ address: host, port, exclusive: true }, () => resolve(socket));
  });
}

function listenTcp(host: string, port: number): Promise<net.Server | undefined> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}

async function release(held: Array<dgram.Socket | net.Server | undefined>): Promise<void> {
  for (const h of held) if (h) await new Promise<void>((resolve) => h.close(() => resolve()));
}

/** Whether TCP and UDP `port` are both free on every one of `hosts` (nothing the fleet bound is left open). */
async function freeOnAll(hosts: string[], port: number): Promise<boolean> {
  const held = [];
  for (const host of hosts) held.push(await listenTcp(host, port), await bindUdp(host, port));
  await release(held);
  return held.every((h) => h !== undefined);
}

/** A UDP socket on SECOND at a port that is free for TCP and UDP on FIRST: the first device gets it, the second collides. */
async function squatSecond(): Promise<dgram.Socket> {
  for (let tries = 0; tries < 20; tries++) {
    const squatter = await bindUdp(SECOND, 0);
    if (!squatter) break;
    if (await freeOnAll([FIRST], squatter.address().port)) return squatter;
    await release([squatter]);
  }
  throw new Error(`no UDP port on ${SECOND} whose number is free on ${FIRST} in 20 tries`);
}

describe('samePort fleet when its port is taken on another address', function () {
  let squatter: dgram.Socket;
  let stub: sinon.SinonStub | undefined;
  let fleet: RunningFleet | undefined;

  beforeEach(async function () {
    squatter = await squatSecond();
  });

  afterEach(async function () {
    stub?.restore();
    stub = undefined;
    await fleet?.close();
    fleet = undefined;
    await release([squatter]);
  });

  const hosts = (): ReturnType<typeof fleetLayout> => fleetLayout({ model: 'HS110', count: 3, host: FIRST, port: 0, layout: 'hosts' });

  it('starts over on a fresh port, which every device then answers on', async function () {
    const taken = squatter.address().port;
    stub = forceListenPort(FIRST, taken, 1);
    fleet = await startFleet({ devices: hosts(), samePort: true });
    stub.restore();
    stub = undefined;
    const port = fleet.devices[0].port;
    assert.notEqual(port, taken);
    assert.deepEqual(fleet.devices.map((d) => [d.host, d.port, d.udpPort]), [1, 2, 3].map((n) => [`127.0.5.${n}`, port, port]));
    for (const device of fleet.devices) assert.ok(await tcpRequest(device.host, port, SYSINFO));
  });

  it(`gives up after ${SAME_PORT_ATTEMPTS} taken ports with an error naming them, closing everything it bound`, async function () {
    const taken = squatter.address().port;
    stub = forceListenPort(FIRST, taken, Infinity);
    await assert.rejects(
      startFleet({ devices: hosts(), samePort: true }),
      new RegExp(`^Error: samePort fleet: each of the ${SAME_PORT_ATTEMPTS} ports the OS gave ${FIRST} was taken on another fleet address \\((${taken}, ){${SAME_PORT_ATTEMPTS - 1}}${taken}\\); last: ${SECOND}:${taken}: UDP bind failed: .*EADDRINUSE`),
    );
    stub.restore();
    stub = undefined;
    assert.ok(await freeOnAll([FIRST, '127.0.5.3'], taken), 'a failed try left a socket open');
  });

  it('fails at once on a port the caller chose', async function () {
    const taken = squatter.address().port;
    const devices = hosts().map((d, i) => (i === 0 ? { ...d, port: taken } : d));
    await assert.rejects(startFleet({ devices, samePort: true }), new RegExp(`^SimulatorError: ${SECOND}:${taken}: UDP bind failed: .*EADDRINUSE`));
    assert.ok(await freeOnAll([FIRST, '127.0.5.3'], taken), 'the failed start left a socket open');
  });

  it('keeps a device with its own port beside the followers, in the order given', async function () {
    const own = await heldPort();
    try {
      const [a, b, c] = hosts();
      fleet = await startFleet({ devices: [a, { ...b, host: own.host, port: own.port }, c], samePort: true });
      const port = fleet.devices[0].port;
      assert.deepEqual(fleet.devices.map((d) => [d.host, d.port]), [[FIRST, port], [own.host, own.port], ['127.0.5.3', port]]);
    } finally {
      await own.release();
    }
  });
});

/** Makes the next `times` UDP binds of port 0 on `host` ask for `port` instead. */
function forceBindPort(host: string, port: number, times: number): sinon.SinonStub {
  const bind = dgram.Socket.prototype.bind;
  let forced = 0;
  const stub = sinon.stub(dgram.Socket.prototype, 'bind');
  stub.callsFake(function (this: dgram.Socket, ...args: unknown[]) {
    const [first] = args;
    if (forced < times && typeof first === 'object' && first !== null && (first as dgram.BindOptions).port === 0 && (first as dgram.BindOptions).address === host) {
      forced++;
      args[0] = { ...first, port };
    }
    return Reflect.apply(bind, this, args) as dgram.Socket;
  });
  return stub;
}

describe('bindUdpOnOnePort (test support) when its port is taken on another address', function () {
  let squatter: dgram.Socket;
  let stub: sinon.SinonStub | undefined;

  beforeEach(async function () {
    squatter = await squatSecond();
  });

  afterEach(async function () {
    stub?.restore();
    stub = undefined;
    await release([squatter]);
  });

  it('starts over on a fresh port', async function () {
    const taken = squatter.address().port;
    stub = forceBindPort(FIRST, taken, 1);
    const sockets = await bindUdpOnOnePort([FIRST, SECOND]);
    stub.restore();
    stub = undefined;
    try {
      const port = sockets[0].address().port;
      assert.notEqual(port, taken);
      assert.deepEqual(sockets.map((s) => [s.address().address, s.address().port]), [[FIRST, port], [SECOND, port]]);
    } finally {
      await release(sockets);
    }
  });

  it(`gives up after ${ONE_PORT_ATTEMPTS} taken ports with an error naming them, closing what it bound`, async function () {
    const taken = squatter.address().port;
    stub = forceBindPort(FIRST, taken, Infinity);
    await assert.rejects(
      bindUdpOnOnePort([FIRST, SECOND]),
      new RegExp(`^Error: no UDP port free on all of ${FIRST}, ${SECOND} in ${ONE_PORT_ATTEMPTS} attempts \\((${taken}, ){${ONE_PORT_ATTEMPTS - 1}}${taken}\\); last: .*EADDRINUSE`),
    );
    stub.restore();
    stub = undefined;
    assert.ok(await freeOnAll([FIRST], taken), 'a failed try left a socket open');
  });
});
