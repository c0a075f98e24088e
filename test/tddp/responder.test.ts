import { strict as assert } from 'assert';
import { Socket } from 'dgram';
import { decodePacket, decryptData, deriveKey, encodePacket, TddpClient } from '../../lib/tddp';
import { parseReplyFlag, parseReplyKey, startTddpResponder, TddpResponder } from '../../lib/simulator/tddp-responder';
import { boundSocket, closeQuietly, LOOPBACK } from './support';

describe('simulated TDDP responder', () => {
  let responder: TddpResponder | undefined;
  let socket: Socket | undefined;
  let client: TddpClient | undefined;

  afterEach(async () => {
    await client?.close();
    await responder?.close();
    if (socket) await closeQuietly(socket);
    client = undefined;
    responder = undefined;
    socket = undefined;
  });

  /** A raw socket standing in for the requester's reply port, and one request sent from it. */
  async function exchange(request: Buffer, options: Parameters<typeof startTddpResponder>[0] = {}): Promise<Buffer | undefined> {
    socket = await boundSocket(LOOPBACK);
    responder = await startTddpResponder({ replyPort: socket.address().port, ...options });
    const reply = new Promise<Buffer | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 300);
      socket?.once('message', (message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
    socket.send(request, responder.port, LOOPBACK);
    return reply;
  }

  it('listens on 127.0.0.1 and an ephemeral port by default', async () => {
    responder = await startTddpResponder();
    assert.equal(responder.address().address, LOOPBACK);
    assert.ok(responder.port > 0);
  });

  it('answers the vector request with the vector reply', async () => {
    const reply = await exchange(Buffer.from('020301000000000000010e0070c4363b05aecac95dc931aa11fc1348', 'hex'));
    assert.equal(reply?.toString('hex'),
      '020302000000001000010e00165c017f771505889a9ff2f4e89a7012afb3ffd6684aa4a05ed35893b1553af1');
  });

  it('answers an unknown subtype like the captured device: status 3, packet id 0', async () => {
    const reply = await exchange(encodePacket({ type: 3, id: 7, subtype: 0x17 }));
    assert.equal(reply?.toString('hex'), '02030203000000000000170072a9a232add865ae7840ad6208f93416');
  });

  it('encrypts with its own credentials', async () => {
    const reply = await exchange(encodePacket({ type: 3, id: 1, subtype: 0x0e }), { username: 'u', password: 'p' });
    const parsed = decodePacket(reply ?? Buffer.alloc(0));
    assert.ok(parsed.ok);
    assert.equal(decryptData(deriveKey('u', 'p'), parsed.packet.data).toString(), 'wan_ph_link 1 0');
  });

  it('answers in the version it is told to', async () => {
    const reply = await exchange(encodePacket({ type: 3, id: 1, subtype: 0x0e }), { version: 1 });
    const parsed = decodePacket(reply ?? Buffer.alloc(0));
    assert.ok(parsed.ok);
    assert.equal(parsed.packet.header.version, 1);
    assert.equal(parsed.packet.data.toString(), 'wan_ph_link 1 0');
  });

  it('ignores malformed datagrams and replies, and says why', async () => {
    socket = await boundSocket(LOOPBACK);
    responder = await startTddpResponder({ replyPort: socket.address().port });
    const reasons: string[] = [];
    responder.on('ignored', (reason) => reasons.push(reason));
    let answered = 0;
    socket.on('message', () => answered++);
    const bad = [
      Buffer.from('hello'),
      Buffer.from('020301000000000000010e00ffffffffffffffffffffffffffffffff', 'hex'),
      encodePacket({ type: 3, code: 2, id: 1, subtype: 0x0e }),
      encodePacket({ type: 3, id: 1, subtype: 0x0e, data: Buffer.alloc(5) }),
    ];
    for (const datagram of bad) socket.send(datagram, responder.port, LOOPBACK);
    await new Promise<void>((resolve) => {
      const deadline = setTimeout(resolve, 1000);
      responder?.on('ignored', () => {
        if (reasons.length === bad.length) {
          clearTimeout(deadline);
          resolve();
        }
      });
    });
    assert.equal(reasons.length, bad.length);
    assert.match(reasons.join('\n'), /digest mismatch/);
    assert.equal(answered, 0);
  });

  it('takes replies from options, keyed "type:subtype"', async () => {
    responder = await startTddpResponder({
      replyPort: 0,
      replies: { '3:0e': 'wan_ph_link 1 1', '3:0x21': 9, '0x03:22': { data: Buffer.from([0x41]) } },
    });
    client = new TddpClient({ host: LOOPBACK, port: responder.port, replyPort: 0, bindAddress: LOOPBACK, timeout: 1000 });
    assert.equal((await client.request({ subtype: 0x0e })).data.toString(), 'wan_ph_link 1 1');
    await assert.rejects(client.request({ subtype: 0x21 }), { code: 'ESTATUS', status: 9 });
    assert.equal((await client.request({ subtype: 0x22 })).data.toString(), 'A');
    responder.clearReply(3, 0x0e);
    await assert.rejects(client.request({ subtype: 0x0e }), { code: 'ESTATUS', status: 3 });
  });

  describe('flag parsing for the simulator CLI', () => {
    it('parses reply keys', () => {
      assert.deepEqual(parseReplyKey('3:0e'), { type: 3, subtype: 0x0e });
      assert.deepEqual(parseReplyKey('0x02:0x00'), { type: 2, subtype: 0 });
      for (const bad of ['3', '3:', '3:100', '256:0e', 'a:0e', '3:0g']) {
        assert.throws(() => parseReplyKey(bad), RangeError, bad);
      }
    });

    it('parses text, hex, status and fault values', () => {
      assert.deepEqual(parseReplyFlag('3:0e=wan_ph_link 1 1'), { type: 3, subtype: 0x0e, reply: 'wan_ph_link 1 1' });
      assert.deepEqual(parseReplyFlag('3:0e=a=b:c'), { type: 3, subtype: 0x0e, reply: 'a=b:c' });
      assert.deepEqual(parseReplyFlag('3:15=hex:0100'), { type: 3, subtype: 0x15, reply: Buffer.from([1, 0]) });
      assert.deepEqual(parseReplyFlag('3:17=status:3'), { type: 3, subtype: 0x17, reply: 3 });
      assert.deepEqual(parseReplyFlag('3:0e=fault:drop'), { type: 3, subtype: 0x0e, reply: { data: '', fault: 'drop' } });
      for (const bad of ['3:0e', '3:0e=hex:0', '3:0e=status:999', '3:0e=fault:explode']) {
        assert.throws(() => parseReplyFlag(bad), RangeError, bad);
      }
    });
  });
});
