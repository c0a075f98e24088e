/**
 * Ports for tests that need nothing to listen on them. A port found free
 * and released is no such thing: any process binding port 0 may get it a
 * moment later (tests run side by side, and beside other runs), so these
 * are ports that no one else is handed.
 */
import type * as dgram from 'dgram';
import * as net from 'net';
import * as sinon from 'sinon';
import { bindUdp, closeUdp } from '../../lib/simulator/sockets';

/** Port 1 (tcpmux, long unused): nothing listens there, no test binds it and port 0 never hands it out. */
export const CLOSED_PORT = 1;

export interface HeldPort {
  /** A loopback address no other test uses: nothing listens on `port` there until the caller does. */
  host: string;
  port: number;
  /** Ends the hold (after the caller's own server is up, or when the test ends). */
  release(): Promise<void>;
}

const QUIET_HOST = '127.0.0.77';

/**
 * A port for a server that comes up later in the test: refused until then.
 * A listener on 127.0.0.1 holds the number, so no process binding port 0
 * (or all addresses) can take it; the caller connects to, and later
 * listens on, the same number on QUIET_HOST, where nothing listens.
 */
export async function heldPort(): Promise<HeldPort> {
  const holder = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const { port } = holder.address() as net.AddressInfo;
  return { host: QUIET_HOST, port, release: () => new Promise<void>((resolve) => holder.close(() => resolve())) };
}

/**
 * Makes the next `times` port-0 listens on `host` ask for `port` instead, so
 * a test can hand code "the port the OS chose" that it made collide; the
 * returned stub counts them (restore it when done).
 */
export function forceListenPort(host: string, port: number, times: number): sinon.SinonStub {
  const listen = net.Server.prototype.listen;
  let forced = 0;
  const stub = sinon.stub(net.Server.prototype, 'listen');
  stub.callsFake(function (this: net.Server, ...args: unknown[]) {
    const [first, second] = args;
    if (forced < times) {
      if (first === 0 && second === host) {
        forced++;
        args[0] = port;
      } else if (typeof first === 'object' && first !== null && (first as net.ListenOptions).port === 0 && (first as net.ListenOptions).host === host) {
        forced++;
        args[0] = { ...first, port };
      }
    }
    return Reflect.apply(listen, this, args) as net.Server;
  });
  return stub;
}

/** How many port numbers bindUdpOnOnePort tries before giving up. */
export const ONE_PORT_ATTEMPTS = 8;

/**
 * One UDP socket on each of `hosts`, all on the port the OS gave the first
 * (several loopback "devices" answering on one port, as on a LAN). The
 * number was free on the first address only: another process can hold it
 * on one of the others, so start over on a fresh port, closing what the
 * try bound, and finally fail naming the ports tried.
 */
export async function bindUdpOnOnePort(hosts: string[]): Promise<dgram.Socket[]> {
  const tried: number[] = [];
  let lastError: unknown;
  for (let attempt = 1; attempt <= ONE_PORT_ATTEMPTS; attempt++) {
    const sockets = [await bindUdp(hosts[0], 0, false)];
    const port = sockets[0].address().port;
    try {
      for (const host of hosts.slice(1)) sockets.push(await bindUdp(host, port, false));
      return sockets;
    } catch (error) {
      await Promise.all(sockets.map((s) => closeUdp(s)));
      tried.push(port);
      lastError = error;
    }
  }
  const cause = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`no UDP port free on all of ${hosts.join(', ')} in ${ONE_PORT_ATTEMPTS} attempts (${tried.join(', ')}); last: ${cause}`, { cause: lastError });
}
