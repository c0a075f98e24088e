/**
 * A device on 127.0.0.1 answering Smart Home requests over TCP and UDP on the
 * same port number, with each answer chosen by the test: a simulated
 * device's reply, malformed text or bytes, or silence.
 */
import * as dgram from 'dgram';
import * as net from 'net';
import { FrameDecoder, decodeDatagram, encodeDatagram, encodeFrame } from '../../../lib/classic/framing';
import { SimulatedDevice } from '../../../lib/simulator/simulated-device';

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

export async function startScriptedDevice(respond: Responder, host = '127.0.0.1'): Promise<ScriptedDevice> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
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
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as net.AddressInfo).port;
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, host, () => resolve());
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
      await Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        new Promise<void>((resolve) => udp.close(() => resolve())),
      ]);
    },
  };
}

/** Answers as the simulator's model would. */
export function simulated(device: SimulatedDevice): Responder {
  return (request) => ({ reply: device.handle(request) });
}

export { SimulatedDevice };
