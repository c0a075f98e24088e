import { strict as assert } from 'assert';
import { startDevice, type RunningDevice } from '../../lib/simulator/device-server';
import { parseFault } from '../../lib/simulator/faults';
import { recordRequests } from '../reliability/support';
import { waitFor } from '../support/wait';
import { connectionRefused, tcpExchange, tcpRequest, udpExchange } from './wire';

const SYSINFO = { system: { get_sysinfo: {} } };

describe('simulator faults on the wire', () => {
  let device: RunningDevice;

  before(async () => {
    device = await startDevice({ model: 'HS110', seed: 'faults' });
  });
  afterEach(async () => {
    await device.clearFault();
  });
  after(async () => {
    await device.close();
  });

  it('split: the frame arrives in many tiny writes and still decodes', async () => {
    await device.setFault({ kind: 'split', chunkSize: 3, intervalMs: 2 });
    const reply = await tcpExchange(device.host, device.port, SYSINFO);
    assert.equal(reply.outcome, 'frame');
    assert.ok(reply.chunks.length > 20, `${reply.chunks.length} chunks`);
    assert.ok(reply.chunks.every((c) => c.length <= 3 * 2), 'chunks stay tiny');
    assert.equal(JSON.parse(reply.frames[0].toString()).system.get_sysinfo.model, 'HS110(EU)');
  });

  it('slow: TCP and UDP replies wait', async () => {
    await device.setFault({ kind: 'slow', delayMs: 300 });
    let started = Date.now();
    await tcpRequest(device.host, device.port, SYSINFO);
    assert.ok(Date.now() - started >= 280);
    started = Date.now();
    const early = await udpExchange(device.host, device.udpPort, SYSINFO, 150);
    assert.equal(early.length, 0, 'nothing before the delay');
    const late = await udpExchange(device.host, device.udpPort, SYSINFO, 600);
    assert.equal(late.length, 1);
  });

  it('no-reply: the request is applied, nothing comes back', async () => {
    await device.setFault({ kind: 'no-reply' });
    const reply = await tcpExchange(device.host, device.port, { system: { set_dev_alias: { alias: 'silent' } } }, 300);
    assert.equal(reply.outcome, 'timeout');
    assert.equal(reply.bytes.length, 0);
    assert.equal(device.alias, 'silent');
    assert.equal((await udpExchange(device.host, device.udpPort, SYSINFO, 200)).length, 0);
  });

  it('close-mid-frame: part of a frame, then the connection ends', async () => {
    await device.setFault({ kind: 'close-mid-frame', bytes: 10 });
    const reply = await tcpExchange(device.host, device.port, SYSINFO);
    assert.equal(reply.outcome, 'end');
    assert.equal(reply.bytes.length, 10);
    assert.ok(reply.bytes.readUInt32BE(0) > 6, 'the header announced more');
  });

  it('garbage: a valid frame whose payload is not JSON; raw noise when unframed', async () => {
    await device.setFault({ kind: 'garbage', length: 40 });
    const reply = await tcpExchange(device.host, device.port, SYSINFO);
    assert.equal(reply.frames[0].length, 40);
    assert.throws(() => JSON.parse(reply.frames[0].toString('utf8')));
    await device.setFault({ kind: 'garbage', length: 7, framed: false });
    const raw = await tcpExchange(device.host, device.port, SYSINFO, 300);
    assert.equal(raw.bytes.length, 7);
    assert.equal(raw.frames.length, 0);
    const udp = await udpExchange(device.host, device.udpPort, SYSINFO);
    assert.equal(udp.length, 1);
    assert.throws(() => JSON.parse(udp[0].payload));
  });

  it('oversize-length: the prefix announces far more than is sent', async () => {
    await device.setFault({ kind: 'oversize-length' });
    const reply = await tcpExchange(device.host, device.port, SYSINFO, 300);
    assert.equal(reply.bytes.readUInt32BE(0), 0x7fff_ffff);
    assert.ok(reply.bytes.length < 4096);
    assert.equal(reply.frames.length, 0);
  });

  it('udp-drop: UDP ignored, TCP still answers', async () => {
    await device.setFault({ kind: 'udp-drop' });
    assert.equal((await udpExchange(device.host, device.udpPort, SYSINFO, 200)).length, 0);
    assert.equal((await tcpRequest(device.host, device.port, SYSINFO)).system !== undefined, true);
  });

  it('err-code: every method answers the error, on TCP, UDP and handle()', async () => {
    await device.setFault({ kind: 'err-code', errCode: -3, errMsg: 'invalid argument' });
    const reply = await tcpRequest(device.host, device.port, { system: { get_sysinfo: {} }, emeter: { get_realtime: {} } });
    assert.deepEqual(reply, {
      system: { get_sysinfo: { err_code: -3, err_msg: 'invalid argument' } },
      emeter: { get_realtime: { err_code: -3, err_msg: 'invalid argument' } },
    });
    const udp = await udpExchange(device.host, device.udpPort, SYSINFO);
    assert.equal(JSON.parse(udp[0].payload).system.get_sysinfo.err_code, -3);
    assert.equal(JSON.parse(device.handleJson('{"time":{"get_time":{}}}')).time.get_time.err_code, -3);
  });

  it('offline: existing connections dropped, new ones refused, back on the same port', async () => {
    const { port, udpPort } = device;
    const log = recordRequests(device);
    const pending = tcpExchange(device.host, port, SYSINFO, 2000);
    await device.setFault({ kind: 'no-reply' });
    const hanging = tcpExchange(device.host, port, SYSINFO, 2000);
    await waitFor('both requests at the device', () => log.requests.length === 2);
    await device.setFault({ kind: 'offline' });
    assert.equal((await hanging).outcome, 'end', 'an open connection is closed');
    await pending;
    assert.equal(device.isOnline, false);
    assert.ok(await connectionRefused(device.host, port));
    assert.equal((await udpExchange(device.host, udpPort, SYSINFO, 150)).length, 0);
    await device.clearFault();
    assert.equal(device.port, port);
    assert.equal(device.udpPort, udpPort);
    assert.ok((await tcpRequest(device.host, port, SYSINFO)).system);
    assert.equal((await udpExchange(device.host, udpPort, SYSINFO)).length, 1);
  });

  it('offline with a duration comes back by itself', async () => {
    let cameBack = false;
    device.on('online', () => { cameBack = true; });
    await device.setFault({ kind: 'offline', durationMs: 150 });
    assert.ok(await connectionRefused(device.host, device.port));
    await waitFor('the device back online', () => cameBack, 1000);
    assert.ok(device.isOnline);
    assert.equal(device.fault, undefined);
    assert.ok((await tcpRequest(device.host, device.port, SYSINFO)).system);
  });

  it('a fault can be given at start', async () => {
    const slow = await startDevice({ model: 'HS100', fault: { kind: 'offline' } });
    try {
      assert.ok(await connectionRefused(slow.host, slow.port));
      await slow.online();
      assert.ok((await tcpRequest(slow.host, slow.port, SYSINFO)).system);
    } finally {
      await slow.close();
    }
  });

  it('parses the CLI form of every fault', () => {
    assert.deepEqual(parseFault('slow:500'), { kind: 'slow', delayMs: 500 });
    assert.deepEqual(parseFault('split'), { kind: 'split', chunkSize: undefined });
    assert.deepEqual(parseFault('err-code:-3'), { kind: 'err-code', errCode: -3 });
    assert.deepEqual(parseFault('offline:5000'), { kind: 'offline', durationMs: 5000 });
    for (const kind of ['no-reply', 'close-mid-frame', 'garbage', 'oversize-length', 'udp-drop']) assert.equal(parseFault(kind).kind, kind);
    assert.throws(() => parseFault('melt'), /unknown fault "melt"/);
    assert.throws(() => parseFault('slow:abc'), /not a number/);
  });
});
