import { strict as assert } from 'assert';
import { randomBytes } from 'crypto';
import { Socket } from 'dgram';
import {
  deriveKey, encodePacket, encryptData, TddpClient, TddpClientOptions, TddpClosedError, TddpCode,
  TddpConnectionError, TddpDecryptionError, TddpDigestError, TddpOversizePacketError, TddpShortPacketError,
  TddpStatus, TddpStatusError, TddpTimeoutError, TddpType,
} from '../../lib/tddp';
import { startTddpResponder, TddpResponder, TddpResponderOptions } from '../../lib/simulator/tddp-responder';
import {
  boundSocket, closeQuietly, eventually, LOOPBACK, rejectionOf, udpHandleCount,
} from './support';
import { loopTurns, waitFor } from '../support/wait';

describe('TddpClient against the simulated responder', () => {
  let responders: TddpResponder[] = [];
  let clients: TddpClient[] = [];
  let sockets: Socket[] = [];

  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(responders.map((r) => r.close()));
    await Promise.all(sockets.map((s) => closeQuietly(s)));
    clients = [];
    responders = [];
    sockets = [];
  });

  /**
   * A responder and a client on reply port 0: the client's one socket takes
   * any free port and the responder answers the port a request came from, so
   * no test guesses a free port that another process may take meanwhile.
   */
  async function setup(responderOptions: TddpResponderOptions = {}, clientOptions: Partial<TddpClientOptions> = {}) {
    const responder = await startTddpResponder({ replyPort: 0, ...responderOptions });
    responders.push(responder);
    const client = makeClient(responder, clientOptions);
    return { responder, client };
  }

  function makeClient(responder: TddpResponder, options: Partial<TddpClientOptions> = {}): TddpClient {
    const client = new TddpClient({ host: LOOPBACK, port: responder.port, replyPort: 0, bindAddress: LOOPBACK, timeout: 1000, ...options });
    clients.push(client);
    return client;
  }

  describe('replies', () => {
    it('reads the WAN link status, decrypted, with the reply header', async () => {
      const { client } = await setup();
      const reply = await client.request({ type: TddpType.SPECIAL_COMMAND, subtype: 0x0e });
      assert.equal(reply.data.toString(), 'wan_ph_link 1 0');
      assert.equal(reply.padded.toString('hex'), '77616e5f70685f6c696e6b2031203000');
      const { header } = reply;
      assert.deepEqual(
        [header.version, header.type, header.code, header.status, header.length, header.id, header.subtype],
        [2, 3, TddpCode.REPLY, 0, 16, 1, 0x0e],
      );
    });

    it('defaults to a special command and increments the packet id', async () => {
      const { client, responder } = await setup();
      const seen: number[] = [];
      responder.on('request', ({ header }) => seen.push(header.type, header.id));
      await client.request({ subtype: 0x0a });
      const second = await client.request({ subtype: 0x0a });
      assert.equal(second.data.toString(), 'ABCD0110');
      assert.deepEqual(seen, [3, 1, 3, 2]);
    });

    it('sends data encrypted: what SET_CONFIG writes, GET_SYSTEM_INFO reads back', async () => {
      const { client, responder } = await setup({ username: 'root', password: 'secret' }, { username: 'root', password: 'secret' });
      const received: string[] = [];
      responder.on('request', ({ data }) => received.push(data.toString()));
      const set = await client.request({ type: TddpType.SET_CONFIG, subtype: 0, data: 'wan_type dhcp' });
      assert.equal(set.header.length, 0);
      assert.equal((await client.request({ type: TddpType.GET_SYSTEM_INFO, subtype: 0 })).data.toString(), 'wan_type dhcp');
      assert.deepEqual(received, ['wan_type dhcp', '']);
    });

    it('speaks version 1: no digest, no encryption', async () => {
      const { client, responder } = await setup({}, { version: 1 });
      responder.setReply(3, 0x30, 'plain text');
      const reply = await client.request({ subtype: 0x30 });
      assert.equal(reply.header.version, 1);
      assert.equal(reply.header.digest, undefined);
      assert.equal(reply.data.toString(), 'plain text');
      assert.equal(reply.header.length, 'plain text'.length);
    });

    it('resolves a host name', async () => {
      const { responder } = await setup();
      const client = makeClient(responder, { host: 'localhost' });
      assert.equal((await client.request({ subtype: 0x0e })).data.toString(), 'wan_ph_link 1 0');
    });

    it('returns binary data without its zero padding, and the padded form', async () => {
      const { client, responder } = await setup();
      responder.setReply(3, 0x15, Buffer.from([1, 0, 0, 9, 0xff]));
      const reply = await client.request({ subtype: 0x15 });
      assert.equal(reply.data.toString('hex'), '01000009ff');
      assert.equal(reply.padded.toString('hex'), '01000009ff000000');
    });
  });

  describe('errors', () => {
    it('reports an unsupported subtype as a status error (the device answers with packet id 0)', async () => {
      const { client, responder } = await setup();
      const error = await rejectionOf(client.request({ subtype: 0x17 }));
      assert.ok(error instanceof TddpStatusError);
      assert.equal(error.code, 'ESTATUS');
      assert.equal(error.status, TddpStatus.UNSUPPORTED);
      assert.equal(error.header?.id, 0);
      assert.match(error.message, new RegExp(`^127\\.0\\.0\\.1:${responder.port}: device replied with status 03 .*subtype 17`));
    });

    it('reports any non-zero status', async () => {
      const { client, responder } = await setup();
      responder.setReply(3, 0x20, TddpStatus.ERROR);
      const error = await rejectionOf(client.request({ subtype: 0x20 }));
      assert.ok(error instanceof TddpStatusError);
      assert.equal(error.status, 9);
      assert.equal(error.header?.id, 1);
    });

    it('times out naming host, port, subtype and reply port', async () => {
      const { client, responder } = await setup();
      responder.setReply(3, 0x0e, { fault: 'drop' });
      let replyPort = 0;
      responder.once('request', ({ from }) => (replyPort = from.port));
      const started = Date.now();
      const error = await rejectionOf(client.request({ subtype: 0x0e, timeout: 150 }));
      assert.ok(error instanceof TddpTimeoutError);
      assert.equal(error.code, 'ETIMEDOUT');
      assert.equal(error.timeout, 150);
      assert.ok(Date.now() - started >= 140);
      assert.equal(error.message,
        `127.0.0.1:${responder.port}: no reply to type 03 subtype 0e (packet id 0001) on reply port ${replyPort} within 150 ms`);
    });

    it('says wrong credentials when the data does not decrypt cleanly', async () => {
      const { client } = await setup({}, { password: 'not-admin' });
      const error = await rejectionOf(client.request({ subtype: 0x0e }));
      assert.ok(error instanceof TddpDecryptionError);
      assert.equal(error.code, 'EDECRYPT');
      assert.match(error.message, /data did not decrypt cleanly with these credentials \(wrong username\/password\?\)/);
      assert.equal(error.decrypted?.length, 16);
    });

    it('hands over the garbage when asked not to check decryption', async () => {
      const { client } = await setup({}, { password: 'not-admin', checkDecryption: false });
      const reply = await client.request({ subtype: 0x0e });
      assert.notEqual(reply.data.toString(), 'wan_ph_link 1 0');
    });

    it('reports a reply cut short', async () => {
      const { client, responder } = await setup();
      responder.setReply(3, 0x0e, { data: 'wan_ph_link 1 0', fault: 'truncate' });
      const error = await rejectionOf(client.request({ subtype: 0x0e }));
      assert.ok(error instanceof TddpShortPacketError);
      assert.equal(error.code, 'ESHORT');
      assert.match(error.message, /cut short: 36 bytes, header declares 44/);
    });

    it('reports a reply shorter than its header', async () => {
      const { client, responder } = await setup();
      responder.setReply(3, 0x0e, { fault: 'truncate' });
      const error = await rejectionOf(client.request({ subtype: 0x0e }));
      assert.ok(error instanceof TddpShortPacketError);
      assert.match(error.message, /20 bytes, shorter than the 28-byte version 2 header/);
      assert.equal(error.header, undefined);
    });

    it('reports an oversize reply', async () => {
      const { client, responder } = await setup();
      responder.setReply(3, 0x0e, { data: 'wan_ph_link 1 0', fault: 'oversize' });
      const error = await rejectionOf(client.request({ subtype: 0x0e }));
      assert.ok(error instanceof TddpOversizePacketError);
      assert.equal(error.code, 'EOVERSIZE');
      assert.match(error.message, /too long: 52 bytes, header declares 44/);
    });

    it('reports a digest mismatch', async () => {
      const { client, responder } = await setup();
      responder.setReply(3, 0x0e, { data: 'wan_ph_link 1 0', fault: 'bad-digest' });
      const error = await rejectionOf(client.request({ subtype: 0x0e }));
      assert.ok(error instanceof TddpDigestError);
      assert.equal(error.code, 'EDIGEST');
      assert.match(error.message, /digest mismatch/);
    });

    it('reports a reply port in use by another program', async () => {
      const squatter = await boundSocket(LOOPBACK);
      sockets.push(squatter);
      const { client, responder } = await setup({}, { replyPort: squatter.address().port });
      const error = await rejectionOf(client.request({ subtype: 0x0e }));
      assert.ok(error instanceof TddpConnectionError);
      assert.equal(error.code, 'ECONNECTION');
      assert.equal(error.syscallCode, 'EADDRINUSE');
      assert.match(error.message, new RegExp(`^127\\.0\\.0\\.1:${responder.port}: cannot listen for replies on UDP 127\\.0\\.0\\.1:${squatter.address().port}`));
    });
  });

  describe('unsolicited datagrams on the reply port', () => {
    it('ignores a flood of garbage, wrong ids, requests and wrong sources while a request is outstanding', async () => {
      const { client, responder } = await setup();
      responder.setReply(3, 0x0e, { data: 'wan_ph_link 1 1', delayMs: 150 });
      const key = deriveKey('admin', 'admin');
      const sender = await boundSocket(LOOPBACK);
      sockets.push(sender);
      // Linux routes all of 127/8 to loopback: a second local address stands for "another host".
      const otherHost = await boundSocket('127.0.0.2').catch(() => undefined);
      if (otherHost) sockets.push(otherHost);
      let ignored = 0;
      client.on('ignored', () => ignored++);
      const fakeReply = (id: number, subtype = 0x0e): Buffer => encodePacket({
        type: 3, code: TddpCode.REPLY, id, subtype, data: encryptData(key, 'forged'),
      });
      const flood = [
        ...Array.from({ length: 100 }, (_, i) => randomBytes(i % 60)),
        ...Array.from({ length: 100 }, (_, i) => fakeReply(2 + i)),
        fakeReply(0, 0x0f),
        encodePacket({ type: 3, code: TddpCode.REQUEST, id: 1, subtype: 0x0e }),
      ];
      // The request comes from the client's one socket: its port is the reply port.
      responder.once('request', ({ from }) => {
        for (const datagram of flood) sender.send(datagram, from.port, LOOPBACK);
        otherHost?.send(fakeReply(1), from.port, LOOPBACK);
      });
      const reply = await client.request({ subtype: 0x0e });
      assert.equal(reply.data.toString(), 'wan_ph_link 1 1');
      assert.ok(ignored >= flood.length - 10, `ignored ${ignored} of ${flood.length}`); // UDP on loopback may drop a few
    });

    it('does not take a late reply to a timed-out request for the next one', async () => {
      const { client, responder } = await setup();
      responder.setReply(3, 0x0e, { data: 'late', delayMs: 200 });
      responder.setReply(3, 0x0f, { data: 'on time', delayMs: 300 });
      await rejectionOf(client.request({ subtype: 0x0e, timeout: 50 }));
      const ignoredIds: string[] = [];
      client.on('ignored', (reason) => ignoredIds.push(reason));
      const reply = await client.request({ subtype: 0x0f });
      assert.equal(reply.data.toString(), 'on time');
      assert.deepEqual(ignoredIds, ['packet id 0001, expected 0002']);
    });
  });

  describe('sharing the reply port', () => {
    it('queues concurrent requests of two clients on one reply port', async () => {
      const { client, responder } = await setup();
      responder.setReply(3, 0x0e, { data: 'wan_ph_link 1 0', delayMs: 10 });
      const other = makeClient(responder);
      const sources = new Set<number>();
      responder.on('request', ({ from }) => sources.add(from.port));
      const subtypes = [0x0e, 0x0f, 0x0a, 0x0e, 0x0f];
      const expected = { 0x0e: 'wan_ph_link 1 0', 0x0f: 'wan_logic_link 1 0', 0x0a: 'ABCD0110' } as Record<number, string>;
      const replies = await Promise.all(subtypes.flatMap((subtype) => [client, other].map((c) => c.request({ subtype }))));
      assert.deepEqual(replies.map((r) => r.data.toString()), subtypes.flatMap((s) => [expected[s], expected[s]]));
      assert.equal(new Set(replies.map((r) => r.header.id)).size, replies.length, 'packet ids are unique per reply port');
      assert.equal(sources.size, 1, 'both clients on one socket');
    });

    it('keeps the shared reply socket while another client uses it', async () => {
      const { client, responder } = await setup();
      const other = makeClient(responder);
      await Promise.all([client.request({ subtype: 0x0e }), other.request({ subtype: 0x0e })]);
      await client.close();
      assert.equal((await other.request({ subtype: 0x0f })).data.toString(), 'wan_logic_link 1 0');
    });
  });

  describe('close()', () => {
    it('releases its socket', async () => {
      const { client } = await setup();
      await loopTurns(); // handles closed by earlier tests leave one loop turn after their callbacks
      const idle = udpHandleCount();
      await client.request({ subtype: 0x0e });
      assert.equal(udpHandleCount(), idle + 1, 'one socket: requests go out from the reply socket');
      await client.close();
      assert.ok(await eventually(() => udpHandleCount() === idle), `${udpHandleCount() - idle} UDP handles left`);
    });

    it('closes the shared reply socket only when its last client closes', async () => {
      const { client, responder } = await setup();
      const other = makeClient(responder);
      await loopTurns();
      const idle = udpHandleCount();
      await Promise.all([client.request({ subtype: 0x0e }), other.request({ subtype: 0x0e })]);
      assert.equal(udpHandleCount(), idle + 1, 'one shared reply socket');
      await client.close();
      await loopTurns();
      assert.equal(udpHandleCount(), idle + 1, 'kept for the other client');
      await other.close();
      assert.ok(await eventually(() => udpHandleCount() === idle), `${udpHandleCount() - idle} UDP handles left`);
    });

    it('fails the request in flight and any later one', async () => {
      const { client, responder } = await setup();
      responder.setReply(3, 0x0e, { fault: 'drop' });
      const pending = client.request({ subtype: 0x0e, timeout: 5000 });
      await new Promise<void>((resolve) => client.once('request', () => resolve()));
      await client.close();
      const error = await rejectionOf(pending);
      assert.ok(error instanceof TddpClosedError);
      assert.equal(error.code, 'ECLOSED');
      assert.ok((await rejectionOf(client.request({ subtype: 0x0e }))) instanceof TddpClosedError);
    });

    it('fails a queued request of a closed client without sending it', async () => {
      const { client, responder } = await setup();
      responder.setReply(3, 0x0e, { data: 'slow', delayMs: 100 });
      const other = makeClient(responder);
      let sent = 0;
      responder.on('request', () => sent++);
      const first = other.request({ subtype: 0x0e });
      const queued = client.request({ subtype: 0x0e });
      await waitFor('the first request at the responder', () => sent === 1);
      await client.close();
      assert.ok((await rejectionOf(queued)) instanceof TddpClosedError);
      assert.equal((await first).data.toString(), 'slow');
      assert.equal(sent, 1);
    });
  });
});
