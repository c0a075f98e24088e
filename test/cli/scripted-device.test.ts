/**
 * The CLI tests' scripted device when the UDP port matching its TCP port is
 * already taken by another process: a full-suite run once failed with
 * `bind EADDRINUSE` there, and the TCP server it left listening held mocha
 * 60 s past the end. The collision is forced: the OS's TCP port choice is
 * replaced by a port whose UDP side this test holds.
 */
import { strict as assert } from 'assert';
import * as dgram from 'dgram';
import * as net from 'net';
import type * as sinon from 'sinon';
import { forceListenPort } from '../support/ports';
import { smartplugHere } from './support/in-process';
import { PORT_ATTEMPTS, SimulatedDevice, simulated, startScriptedDevice } from './support/scripted-device';

const HOST = '127.0.0.1';

/** A UDP socket on a port whose TCP side was free a moment ago, so that a TCP listen there collides only on UDP. */
async function squatUdp(): Promise<dgram.Socket> {
  for (let tries = 0; tries < 20; tries++) {
    const squatter = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(0, HOST, resolve));
    const probe = net.createServer();
    const tcpFree = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen({ port: squatter.address().port, host: HOST, exclusive: true }, () => resolve(true));
    });
    if (tcpFree) {
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      return squatter;
    }
    await new Promise<void>((resolve) => squatter.close(resolve));
  }
  throw new Error('no loopback port free for TCP and bindable for UDP in 20 tries');
}

describe('scripted device (test support) when its UDP port is taken', function () {
  let squatter: dgram.Socket;
  let stub: sinon.SinonStub | undefined;

  beforeEach(async function () {
    squatter = await squatUdp();
  });

  afterEach(async function () {
    stub?.restore();
    stub = undefined;
    await new Promise<void>((resolve) => squatter.close(resolve));
  });

  it('starts on a fresh pair and answers TCP and UDP on one port number', async function () {
    const taken = squatter.address().port;
    stub = forceListenPort(HOST, taken, 1);
    const peer = await startScriptedDevice(simulated(new SimulatedDevice({ model: 'HS110', seed: 'scripted-udp-taken' })));
    stub.restore();
    stub = undefined;
    try {
      assert.notEqual(peer.port, taken);
      for (const transport of [[], ['-u']]) {
        const result = await smartplugHere(['-t', HOST, '-p', String(peer.port), '-q', ...transport]);
        assert.equal(result.code, 0, result.stderr);
      }
      assert.deepEqual(peer.requests.map((r) => r.via), ['tcp', 'udp']);
    } finally {
      await peer.close();
    }
  });

  it(`gives up after ${PORT_ATTEMPTS} taken ports with an error naming them, closing every server it opened`, async function () {
    const taken = squatter.address().port;
    stub = forceListenPort(HOST, taken, Infinity);
    await assert.rejects(
      startScriptedDevice(simulated(new SimulatedDevice({ model: 'HS110', seed: 'scripted-udp-taken' }))),
      new RegExp(`^Error: scripted device: UDP ${HOST} was taken on each of the ${PORT_ATTEMPTS} ports TCP was given \\((${taken}, ){${PORT_ATTEMPTS - 1}}${taken}\\); last: .*EADDRINUSE`),
    );
    assert.equal(stub.callCount, PORT_ATTEMPTS);
    stub.restore();
    stub = undefined;
    // Every attempt's TCP server was closed (the one left listening kept mocha alive): the port listens again.
    const again = net.createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen({ port: taken, host: HOST, exclusive: true }, resolve);
    });
    await new Promise<void>((resolve) => again.close(() => resolve()));
  });
});
