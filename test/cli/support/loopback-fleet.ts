/**
 * Several "devices" answering one datagram on loopback, without any
 * broadcast: a listener on 127.0.0.1 hands each request to sockets bound to
 * 127.0.0.<n> on the same port, and each of them answers, as several
 * devices would answer one broadcast.
 */
import { decodeDatagram, encodeDatagram } from '../../../lib/classic/framing';
import { closeUdp } from '../../../lib/simulator/sockets';
import { bindUdpOnOnePort } from '../../support/ports';

export type FleetAnswer = { reply: object } | { text: string } | { silent: true };

export interface LoopbackFleet {
  port: number;
  /** Requests received (decrypted text) and the address they came from. */
  requests: Array<{ text: string; from: string }>;
  close(): Promise<void>;
}

/** `answers[i]` is what 127.0.0.(i+1) says to each request. */
export async function startLoopbackFleet(answers: Array<(request: Record<string, unknown>) => FleetAnswer>): Promise<LoopbackFleet> {
  const sockets = await bindUdpOnOnePort(answers.map((_a, i) => `127.0.0.${i + 1}`));
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
