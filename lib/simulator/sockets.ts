/**
 * Promise wrappers for listening and closing, with errors that name the
 * address, so a port clash in a fleet of hundreds says which one clashed.
 */
import * as dgram from 'dgram';
import * as net from 'net';

export class SimulatorError extends Error {
  readonly host: string;
  readonly port: number;
  constructor(message: string, host: string, port: number, options?: { cause?: unknown }) {
    super(`${host}:${port}: ${message}`, options);
    this.name = 'SimulatorError';
    this.host = host;
    this.port = port;
  }
}

export function listenTcp(host: string, port: number, onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer(onConnection);
    const onError = (error: Error): void => reject(new SimulatorError(`TCP listen failed: ${error.message}`, host, port, { cause: error }));
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      server.on('error', () => undefined);
      resolve(server);
    });
  });
}

export function bindUdp(host: string, port: number, reuseAddr: boolean): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4', reuseAddr });
    const onError = (error: Error): void => {
      socket.close();
      reject(new SimulatorError(`UDP bind failed: ${error.message}`, host, port, { cause: error }));
    };
    socket.once('error', onError);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', onError);
      // A send to a vanished client can fail; a device does not care.
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

export function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export function closeUdp(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // Already closed.
    }
  });
}
