/**
 * A timeout names the request's own setting. The transport is handed what is
 * left of it, which on a busy event loop is a few ms less even when nothing
 * waited ahead: a user who set 400 ms must read "400 ms", not "396 ms".
 */
import { strict as assert } from 'assert';
import { SmartHomeClient, TimeoutError } from '../../lib';
import type { Transport } from '../../lib/transport';

/** Fails every send the way the UDP transport does, naming the budget it was given. */
class ShortChangedTransport implements Transport {
  readonly host = '127.0.0.1';
  readonly port = 9999;
  readonly kind = 'udp' as const;
  budgets: number[] = [];
  send(_request: Buffer, timeout: number): Promise<Buffer> {
    this.budgets.push(timeout);
    // As if the event loop had been busy for 4 ms before the socket was armed.
    const left = timeout - 4;
    return Promise.reject(new TimeoutError(`no UDP reply within ${left} ms`, left, { host: this.host, port: this.port }));
  }
  async close(): Promise<void> {}
}

describe('SmartHomeClient timeout wording', () => {
  it('reports the configured timeout when the transport saw a few ms less', async () => {
    const transport = new ShortChangedTransport();
    const client = new SmartHomeClient({ host: '127.0.0.1', transportInstance: transport, timeout: 400 });
    try {
      await assert.rejects(client.getSysInfo(), (e: unknown) => {
        assert.ok(e instanceof TimeoutError);
        assert.equal(e.message, '127.0.0.1:9999: no UDP reply within 400 ms');
        assert.equal(e.timeout, 400);
        return true;
      });
      assert.equal(transport.budgets.length, 1);
    } finally {
      await client.close();
    }
  });
});
