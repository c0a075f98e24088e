/**
 * Fuzz target for the HTTP/1.1 reply reader under KLAP and SMART AES:
 * replies in every framing, mutated or not, fed in random pieces. The
 * contract: never a throw, a body never over the cap, and an unmutated
 * reply read back exactly however it is cut.
 */
import { strict as assert } from 'assert';
import { HttpReplyReader, type ReplyProgress } from '../../lib/klap/http-reply';
import { mutateBytes } from './mutate';
import type { Rng } from './rng';
import type { FuzzTarget } from './targets';

const MAX_BODY = 4096;

interface HttpExtra {
  /** The body a reader must return: set only for unmutated replies. */
  body?: string;
  cuts: number[];
  closeAtEnd: boolean;
}

function framed(rng: Rng, body: Buffer): { bytes: Buffer; closeAtEnd: boolean } {
  const status = rng.pick(['200 OK', '403 Forbidden', '500 Internal Server Error', '100 Continue']);
  const cookie = rng.chance(0.5) ? `Set-Cookie: TP_SESSIONID=${rng.bytes(8).toString('hex')};TIMEOUT=86400\r\n` : '';
  switch (rng.below(3)) {
    case 0:
      return { bytes: Buffer.concat([Buffer.from(`HTTP/1.1 ${status}\r\n${cookie}Content-Length: ${body.length}\r\n\r\n`), body]), closeAtEnd: false };
    case 1: {
      const parts: Buffer[] = [Buffer.from(`HTTP/1.1 ${status}\r\n${cookie}Transfer-Encoding: chunked\r\n\r\n`)];
      for (let i = 0; i < body.length;) {
        const size = 1 + rng.below(Math.max(1, body.length - i));
        const piece = body.subarray(i, i + size);
        parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
        i += size;
      }
      parts.push(Buffer.from('0\r\n\r\n'));
      return { bytes: Buffer.concat(parts), closeAtEnd: false };
    }
    default:
      return { bytes: Buffer.concat([Buffer.from(`HTTP/1.0 ${status}\r\n${cookie}\r\n`), body]), closeAtEnd: true };
  }
}

export const httpReplyTarget: FuzzTarget = {
  name: 'HTTP reply reader (KLAP and SMART AES transports)',
  generate(rng) {
    const body = rng.bytes(rng.below(2) === 0 ? rng.below(64) : rng.length(6000));
    const { bytes, closeAtEnd } = framed(rng, body);
    const keep = rng.chance(0.3) && !bytes.subarray(9, 12).equals(Buffer.from('100'));
    const input = keep ? bytes : mutateBytes(rng, bytes, 16_384);
    const cuts = Array.from({ length: rng.below(6) }, () => rng.below(input.length + 1)).sort((a, b) => a - b);
    const extra: HttpExtra = { cuts, closeAtEnd };
    if (keep && body.length <= MAX_BODY) extra.body = body.toString('hex');
    return { input, extra };
  },
  check({ input, extra }) {
    const { body, cuts, closeAtEnd } = extra as HttpExtra;
    const reader = new HttpReplyReader(MAX_BODY);
    let last: ReplyProgress = { state: 'more' };
    let at = 0;
    for (const cut of [...cuts, input.length]) {
      if (last.state !== 'more') break;
      if (cut > at) last = reader.push(input.subarray(at, cut));
      at = Math.max(at, cut);
    }
    if (last.state === 'more' && closeAtEnd) last = reader.end();
    if (last.state === 'done') assert.ok(last.reply.body.length <= MAX_BODY, 'body over the cap');
    if (last.state === 'failed') assert.equal(typeof last.reason, 'string');
    if (body !== undefined) {
      assert.equal(last.state, 'done', JSON.stringify(last));
      if (last.state === 'done') assert.equal(last.reply.body.toString('hex'), body);
    }
  },
};
