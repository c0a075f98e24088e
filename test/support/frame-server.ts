/**
 * A scripted TCP peer on 127.0.0.1 for client tests: each connection hands
 * decoded requests to `onRequest`, which answers through the socket as it likes.
 */
import * as net from 'net';
import { FrameDecoder, encodeFrame } from '../../lib/classic/framing';

export type RequestHandler = (request: Record<string, unknown>, socket: net.Socket, index: number) => void;

export interface FrameServer {
  port: number;
  connections: number;
  requests: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startFrameServer(onRequest: RequestHandler): Promise<FrameServer> {
  const sockets = new Set<net.Socket>();
  const state = { connections: 0, requests: [] as Array<Record<string, unknown>> };
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      const result = decoder.push(chunk);
      for (const frame of result.frames) {
        const request = JSON.parse(frame.toString('utf8')) as Record<string, unknown>;
        state.requests.push(request);
        onRequest(request, socket, state.requests.length - 1);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get connections() {
      return state.connections;
    },
    requests: state.requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers every request with the given object as one frame. */
export function reply(socket: net.Socket, body: unknown): void {
  socket.write(encodeFrame(JSON.stringify(body)));
}

export const SYSINFO = {
  system: {
    get_sysinfo: {
      alias: 'Test plug', model: 'HS110(EU)', deviceId: '8006AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      relay_state: 0, mic_type: 'IOT.SMARTPLUGSWITCH', err_code: 0,
    },
  },
};
