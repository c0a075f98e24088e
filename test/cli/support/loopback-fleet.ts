/**
 * Several "devices" answering one datagram on loopback, without any
 * broadcast: a listener on 127.0.0.1 hands each request to sockets bound to
 * 127.0.0.<n> on the same port, and each of them answers, as several
 * devices would answer one broadcast.
 */
import * as dgram from 'dgram';
import { decodeDatagram, encodeDatagram } from '../../../lib/classic/framing';
import { bindUdp, closeUdp } from '../../../lib/simulator/sockets';

export type FleetAnswer = { reply: object } | { text: string } | { silent: true };

export interface LoopbackFleet {
  port: number;
  /** Requests received (decrypted text) and the address they came from. */
  requests: Array<{ text: string; from: string }>;
  close(): Promise<void>;
}

/** `answers[i]` is what 127.0.0.(i+1) says to each request. */
export async function startLoopbackFleet(answers: Array<(request: Record<string, unknown>) => FleetAnswer>): Promise<LoopbackFleet> {
  const sockets = await bindOnOnePort(answers.length);
  const port = sockets[0].address().port;
  const requests: Array<{ text: string; from: string }> = [];
  sockets[0].on('message', (message, rinfo) => {
    const text = decodeDatagram(message).toString('utf8');
    requests.push({ text, from: rinfo.address });
    const request = JSON.parse(text) as Record<string, unknown>;
    answers.forEach((answer, i) => {
      const out = answer(request);
      if ('silent' in out) return;
      const body = 'reply' in out ? JSON.stringify(out.reply) : out.text;
      sockets[i].send(encodeDatagram(body), rinfo.port, rinfo.address);
    });
  });
  return {
    port,
    requests,
    close: () => Promise.all(sockets.map((s) => closeUdp(s))).then(() => undefined),
  };
}

/** How many port numbers a start tries before giving up. */
const PORT_ATTEMPTS = 8;

/**
 * One socket on each of 127.0.0.1..n, all on the port the OS gave the
 * first. Another process can hold that number on one of the other
 * addresses: then start over on a fresh port, closing what was bound.
 */
async function bindOnOnePort(count: number): Promise<dgram.Socket[]> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
    const sockets = [await bindUdp('127.0.0.1', 0, false)];
    try {
      for (let i = 1; i < count; i++) sockets.push(await bindUdp(`127.0.0.${i + 1}`, sockets[0].address().port, false));
      return sockets;
    } catch (error) {
      await Promise.all(sockets.map((s) => closeUdp(s)));
      lastError = error;
    }
  }
  const cause = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`loopback fleet: no port free on all of 127.0.0.1-${count} in ${PORT_ATTEMPTS} attempts; last: ${cause}`, { cause: lastError });
}
