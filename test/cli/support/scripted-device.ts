/**
 * A device on 127.0.0.1 answering Smart Home requests over TCP and UDP on the
 * same port number, with each answer chosen by the test: a simulated
 * device's reply, malformed text or bytes, or silence.
 */
import * as dgram from 'dgram';
import * as net from 'net';
import { FrameDecoder, decodeDatagram, encodeDatagram, encodeFrame } from '../../../lib/classic/framing';
import { SimulatedDevice } from '../../../lib/simulator/simulated-device';
import { bindUdp, closeServer, closeUdp, listenTcp } from '../../../lib/simulator/sockets';

export type Answer = { reply: object } | { text: string } | { bytes: Buffer } | { silent: true };
export type Responder = (request: Record<string, unknown>, via: 'tcp' | 'udp') => Answer;

export interface ReceivedRequest {
  via: 'tcp' | 'udp';
  /** The request exactly as it came off the wire, decrypted. */
  text: string;
  from: string;
}

export interface ScriptedDevice {
  host: string;
  port: number;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * How many TCP+UDP pairs a start tries before giving up: each collision
 * needs another process on the very UDP port TCP was just given, so a
 * second one in a row is already rare.
 */
export const PORT_ATTEMPTS = 8;

export async function startScriptedDevice(respond: Responder, host = '127.0.0.1'): Promise<ScriptedDevice> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<net.Socket>();
  const { server, udp, port } = await listenOnOnePort(host, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      for (const frame of decoder.push(chunk).frames) {
        const text = frame.toString('utf8');
        requests.push({ via: 'tcp', text, from: socket.remoteAddress ?? '' });
        const answer = respond(JSON.parse(text) as Record<string, unknown>, 'tcp');
        if ('reply' in answer) socket.write(encodeFrame(JSON.stringify(answer.reply)));
        else if ('text' in answer) socket.write(encodeFrame(answer.text));
        else if ('bytes' in answer) socket.write(answer.bytes);
      }
    });
  });
  udp.on('message', (message, rinfo) => {
    const text = decodeDatagram(message).toString('utf8');
    requests.push({ via: 'udp', text, from: rinfo.address });
    const answer = respond(JSON.parse(text) as Record<string, unknown>, 'udp');
    let out: Buffer | undefined;
    if ('reply' in answer) out = encodeDatagram(JSON.stringify(answer.reply));
    else if ('text' in answer) out = encodeDatagram(answer.text);
    else if ('bytes' in answer) out = answer.bytes;
    if (out) udp.send(out, rinfo.port, rinfo.address);
  });
  return {
    host,
    port,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([closeServer(server), closeUdp(udp)]);
    },
  };
}

/**
 * The CLI's -p names one port for TCP and UDP (-u), as a real device
 * answers both on 9999, so UDP binds the number the OS gave TCP. UDP
 * clients take their ports from the same ephemeral range, so that number
 * can already be taken for UDP: then start over with a fresh pair, closing
 * what the failed attempt opened (a server left listening kept mocha alive).
 */
async function listenOnOnePort(
  host: string,
  onConnection: (socket: net.Socket) => void,
): Promise<{ server: net.Server; udp: dgram.Socket; port: number }> {
  const taken: number[] = [];
  let lastError: unknown;
  for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
    const server = await listenTcp(host, 0, onConnection);
    const port = (server.address() as net.AddressInfo).port;
    try {
      return { server, udp: await bindUdp(host, port, false), port };
    } catch (error) {
      await closeServer(server);
      taken.push(port);
      lastError = error;
    }
  }
  const cause = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`scripted device: UDP ${host} was taken on each of the ${PORT_ATTEMPTS} ports TCP was given (${taken.join(', ')}); last: ${cause}`, { cause: lastError });
}

/** Answers as the simulator's model would. */
export function simulated(device: SimulatedDevice): Responder {
  return (request) => ({ reply: device.handle(request) });
}

export { SimulatedDevice };
