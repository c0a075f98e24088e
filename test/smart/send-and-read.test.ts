/**
 * sendAndRead() of the KLAP and AES transports (lib/transport.ts) against
 * simulated SMART devices: the reply's plaintext is read by the caller's
 * step within the socket's read, not a promise step later; a failure of
 * the send is seen by the step before the promise rejects with it, a throw
 * of the step's reader is not; and SmartClient, which reads every reply
 * this way, still reports a failed send to its traffic hook and as
 * 'offline' (a listener's throw as a process warning).
 */
import { strict as assert } from 'assert';
import * as net from 'net';
import { ClientClosedError, ConnectionError } from '../../lib/errors';
import { KlapTransport } from '../../lib/klap/transport';
import { AesTransport } from '../../lib/smart/aes/transport';
import { SmartClient } from '../../lib/smart/client';
import { encodeRequest, readReply } from '../../lib/smart/envelope';
import type { PlaintextStep } from '../../lib/transport';
import type { TrafficEvent } from '../../lib/traffic';
import { startSmartDevice, type RunningSmartDevice } from '../../lib/simulator/smart/server';

const USER = { username: 'owner@example.com', password: 'Correct horse 42' };
const REQUEST = encodeRequest({ method: 'get_device_info' }, 'terminal');

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => assert.fail('should reject'), (error: unknown) => error);
}

for (const [model, kind] of [['P110', 'klap'], ['P100', 'aes']] as const) {
  describe(`sendAndRead over ${kind} (${model})`, () => {
    let running: RunningSmartDevice | undefined;
    let transport: KlapTransport | AesTransport | undefined;
    let client: SmartClient | undefined;
    /** True while the transport's socket is inside its read callback. */
    let inRead = false;
    /** Opens the transport's socket as net.connect would, marking the span of each read. */
    const createConnection = (options: net.NetConnectOpts): net.Socket => {
      const onread = (options as net.TcpNetConnectOpts).onread;
      if (!onread) return net.connect(options);
      const marked: net.OnReadOpts = {
        buffer: onread.buffer,
        callback: (length, buffer) => {
          inRead = true;
          try {
            return onread.callback(length, buffer);
          } finally {
            inRead = false;
          }
        },
      };
      return net.connect({ ...options, onread: marked } as net.NetConnectOpts);
    };
    const open = async (): Promise<KlapTransport | AesTransport> => {
      running = await startSmartDevice({ model, ...USER, seed: 'send-and-read' });
      const options = { host: running.host, port: running.port, ...USER, createConnection };
      transport = kind === 'klap' ? new KlapTransport(options) : new AesTransport({ ...options, loginVersion: running.loginVersion });
      return transport;
    };
    afterEach(async () => {
      await client?.close();
      await transport?.close();
      await running?.close();
      client = transport = running = undefined;
    });

    it('hands the plaintext to the step within the socket read once the session is open, as send() gives it', async () => {
      const device = await open();
      const reads: boolean[] = [];
      const failures: unknown[] = [];
      const step: PlaintextStep<string> = {
        replied: (plaintext) => {
          reads.push(inRead);
          return plaintext.toString('utf8');
        },
        failed: (error) => failures.push(error),
      };
      for (let i = 0; i < 3; i++) {
        const text = await device.sendAndRead(REQUEST, 2000, step);
        assert.equal(readReply(Buffer.from(text), 'get_device_info').errorCode, 0);
      }
      // The first request logged in first: its reply came a step later. Every later one is read in the socket's read.
      assert.deepEqual(reads.slice(1), [true, true]);
      assert.deepEqual(failures, []);
      assert.equal(readReply(await device.send(REQUEST, 2000), 'get_device_info').errorCode, 0);
    });

    it("rejects with the reader's throw, which is not the send's failure, and takes the next request", async () => {
      const device = await open();
      await device.send(REQUEST, 2000);
      const failures: unknown[] = [];
      const thrown = new Error('the reader refused it');
      const error = await rejection(device.sendAndRead(REQUEST, 2000, { replied: () => { throw thrown; }, failed: (e) => failures.push(e) }));
      assert.equal(error, thrown);
      assert.deepEqual(failures, []);
      assert.equal(readReply(await device.send(REQUEST, 2000), 'get_device_info').errorCode, 0);
    });

    it('shows the step a failed send before the promise rejects with the same error', async () => {
      const device = await open();
      await device.send(REQUEST, 2000);
      const failures: unknown[] = [];
      const pending = device.sendAndRead(REQUEST, 2000, { replied: () => assert.fail('no reply expected'), failed: (e) => failures.push(e) });
      void device.close();
      const error = await rejection(pending);
      assert.ok(error instanceof ClientClosedError, String(error));
      assert.deepEqual(failures, [error]);
    });

    it('SmartClient over it reports a failed send to the traffic hook and as offline, and the call fails with it', async () => {
      running = await startSmartDevice({ model, ...USER, seed: 'send-and-read' });
      const traffic: TrafficEvent[] = [];
      client = new SmartClient({ host: running.host, port: running.port, transport: kind, ...USER, timeout: 2000, onTraffic: (event) => traffic.push(event) });
      const offline: Error[] = [];
      client.on('offline', (error) => offline.push(error));
      assert.equal((await client.getDeviceInfo()).model, model);
      await running.setFault({ kind: 'offline' });
      const error = await rejection(client.getDeviceInfo());
      assert.ok(error instanceof ConnectionError, String(error));
      assert.deepEqual(offline, [error]);
      assert.equal(client.online, false);
      const last = traffic[traffic.length - 1];
      assert.deepEqual([last?.direction, last?.text], ['error', error.message]);
    });

    it("SmartClient: an 'offline' listener that throws does not keep the call from failing with the send's error; its throw is a process warning, never uncaught", async () => {
      running = await startSmartDevice({ model, ...USER, seed: 'send-and-read' });
      client = new SmartClient({ host: running.host, port: running.port, transport: kind, ...USER, timeout: 2000 });
      await client.getDeviceInfo();
      const listenerError = new Error('listener bug');
      client.on('offline', () => {
        throw listenerError;
      });
      await running.setFault({ kind: 'offline' });
      const mochas = process.listeners('uncaughtException');
      process.removeAllListeners('uncaughtException');
      const uncaught: unknown[] = [];
      const onUncaught = (thrown: unknown): number => uncaught.push(thrown);
      process.on('uncaughtException', onUncaught);
      const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
      try {
        const error = await rejection(client.getDeviceInfo());
        assert.ok(error instanceof ConnectionError, String(error));
        assert.equal(await warned, listenerError);
        await new Promise<void>((resolve) => setImmediate(resolve));
        assert.deepEqual(uncaught, []);
      } finally {
        process.off('uncaughtException', onUncaught);
        for (const listener of mochas) process.on('uncaughtException', listener);
      }
    });
  });
}
