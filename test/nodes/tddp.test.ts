import { strict as assert } from 'assert';
import { startTddpResponder, type TddpResponder } from '../../lib/simulator/tddp-responder';
import tddpNode from '../../nodes/tplink-tddp/tplink-tddp';
import { caughtError, exchange, helper, statusBecomes, TAB } from './support/node-red';

/** Reply port 0: the node's socket takes any free port and the responder answers the request's source port. */
function tddpFlow(port: number, extra: Record<string, unknown> = {}): object[] {
  return [
    TAB,
    { id: 'tddp', type: 'tplink-tddp', z: 'f1', host: '127.0.0.1', port, replyPort: 0, timeout: 1, packetType: '0x03', subtype: '0x0a', wires: [['out']], ...extra },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1' },
  ];
}

describe('tplink-tddp against a simulated responder', function () {
  let responder: TddpResponder;
  const credentials = { tddp: { username: 'owner', password: 'pa55' } };

  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    responder = await startTddpResponder({ host: '127.0.0.1', port: 0, username: 'owner', password: 'pa55', replyPort: 0, replies: { '3:0e': 'from msg' } });
  });
  afterEach(async () => {
    await helper.unload();
    await responder.close();
  });

  it('sends the node\'s type and subtype and outputs the decrypted reply as a Buffer, a string and the header', async () => {
    await helper.load([tddpNode], tddpFlow(responder.port), credentials);
    const msg = await exchange('tddp', { payload: 1700000000000 });
    assert.ok(Buffer.isBuffer(msg.payload));
    assert.equal((msg.payload as Buffer).toString(), 'ABCD0110');
    assert.equal(msg.text, 'ABCD0110');
    const header = msg.header as { type: number; subtype: number; status: number; digest: string };
    assert.equal(header.type, 3);
    assert.equal(header.subtype, 0x0a);
    assert.equal(header.status, 0);
    assert.match(header.digest, /^[0-9a-f]{32}$/);
    await statusBecomes('tddp', (s) => s.fill === 'green');
  });

  it('takes msg.subtype and msg.type over the node\'s, and msg.payload as the data', async () => {
    await helper.load([tddpNode], tddpFlow(responder.port), credentials);
    const seen = new Promise<Buffer>((resolve) => responder.once('request', (r) => resolve(r.data)));
    const msg = await exchange('tddp', { payload: 'hello', type: 3, subtype: '0x0e' });
    assert.equal(msg.text, 'from msg');
    assert.equal((await seen).toString(), 'hello');
  });

  it('reports a bad subtype, wrong credentials and no reply to a Catch node', async () => {
    await helper.load([tddpNode], tddpFlow(responder.port), credentials);
    assert.match(await caughtError('tddp', { subtype: 'zz' }), /tplink-tddp\.errors\.bad-byte/);
    await helper.unload();
    await helper.load([tddpNode], tddpFlow(responder.port), { tddp: { username: 'owner', password: 'wrong' } });
    assert.notEqual(await caughtError('tddp', { payload: '' }), '');
    await statusBecomes('tddp', (s) => s.fill === 'red');
    await helper.unload();
    const port = responder.port;
    await responder.close();
    await helper.load([tddpNode], tddpFlow(port, { timeout: 0.3 }), credentials);
    assert.match(await caughtError('tddp', { payload: '' }), /no reply|timed? ?out/i);
  });

  it('keeps the credentials out of the exported flow', async () => {
    await helper.load([tddpNode], tddpFlow(responder.port), credentials);
    const exported = JSON.stringify(helper._redNodes.getFlows().flows);
    assert.ok(!exported.includes('pa55'));
    assert.equal(helper.getNode('tddp')?.credentials.password, 'pa55');
  });
});
