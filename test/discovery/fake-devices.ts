/**
 * Scripted UDP peers on loopback for the discovery tests: each answers a
 * probe with whatever the test wants (valid replies, junk, silence).
 */
import * as dgram from 'dgram';
import { decodeDatagram, encodeDatagram } from '../../lib/classic/framing';
import { bindUdpOnOnePort } from '../support/ports';

export interface ProbeSeen {
  text: string;
  from: dgram.RemoteInfo;
}

export type Answer = (probe: ProbeSeen, index: number) => Array<Buffer | string | object> | undefined;

export interface FakePeer {
  port: number;
  address: string;
  probes: ProbeSeen[];
  answer: Answer;
  /** Socket the replies leave from (another loopback address to simulate an IP change). */
  replyFrom: dgram.Socket;
  /** Sends further replies from the address given as `movesTo` at start, same port (an IP change). */
  move(): void;
  close(): Promise<void>;
}

async function bind(address: string, port = 0): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => resolve());
  });
  return socket;
}

/**
 * A peer on `address`; objects are JSON-encoded and encrypted, strings
 * encrypted, Buffers sent raw. `movesTo`, another loopback address, is
 * bound at once on the same port (with a fresh port when another process
 * holds it there), for a later move(); `port` must then be 0.
 */
export async function startPeer(answer: Answer, address = '127.0.0.1', port = 0, movesTo?: string): Promise<FakePeer> {
  if (movesTo !== undefined && port !== 0) throw new Error('startPeer: movesTo takes the port the OS gives, so port must be 0');
  const [socket, moved] = movesTo === undefined ? [await bind(address, port)] : await bindUdpOnOnePort([address, movesTo]);
  const peer: FakePeer = {
    port: socket.address().port,
    address,
    probes: [],
    answer,
    replyFrom: socket,
    move: () => {
      if (!moved) throw new Error('startPeer was given no movesTo address');
      peer.replyFrom = moved;
    },
    close: async () => {
      for (const s of moved ? [socket, moved] : [socket]) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  socket.on('message', (message, from) => {
    const probe = { text: decodeDatagram(message).toString('utf8'), from };
    peer.probes.push(probe);
    for (const reply of peer.answer(probe, peer.probes.length - 1) ?? []) {
      const bytes = Buffer.isBuffer(reply) ? reply : encodeDatagram(Buffer.from(typeof reply === 'string' ? reply : JSON.stringify(reply)));
      peer.replyFrom.send(bytes, from.port, from.address);
    }
  });
  return peer;
}

export function sysinfoReply(fields: Record<string, unknown>): object {
  return { system: { get_sysinfo: { err_code: 0, ...fields } } };
}

export function plug(deviceId: string, extra: Record<string, unknown> = {}): object {
  return sysinfoReply({
    alias: `Plug ${deviceId.slice(-4)}`, model: 'HS100(US)', type: 'IOT.SMARTPLUGSWITCH', deviceId, mac: '50:C7:BF:00:00:01',
    relay_state: 0, ...extra,
  });
}

export function strip(deviceId: string): object {
  return sysinfoReply({
    alias: 'Strip', model: 'HS300(US)', mic_type: 'IOT.SMARTPLUGSWITCH', deviceId, child_num: 2,
    children: [{ id: '00', state: 1, alias: 'Lamp' }, { id: `${deviceId}01`, state: 0, alias: 'Fan' }],
  });
}

export function bulb(deviceId: string): object {
  return sysinfoReply({ alias: 'Bulb', model: 'LB130(US)', mic_type: 'IOT.SMARTBULB', deviceId });
}

export function waitFor<T>(emitter: NodeJS.EventEmitter, event: string, timeout = 3000): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, on);
      reject(new Error(`no '${event}' within ${timeout} ms`));
    }, timeout);
    const on = (...args: T[]): void => {
      clearTimeout(timer);
      resolve(args);
    };
    emitter.once(event, on);
  });
}
