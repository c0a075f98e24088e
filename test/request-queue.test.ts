/**
 * The request queue's contract (lib/request-queue.ts), with sinon's fake
 * clock so that deadlines are exact and no test waits in real time.
 */
import { strict as assert } from 'assert';
import * as sinon from 'sinon';
import { RequestQueue } from '../lib/request-queue';
import { ClientClosedError, ConnectionError, DeviceBusyError, ProtocolError, SmartHomeError, TimeoutError } from '../lib/errors';

const ADDRESS = { host: '127.0.0.1', port: 9999 };

/** A task the test finishes by hand, recording the time left it was given. */
interface Manual<T> {
  task: (timeLeft: number) => Promise<T>;
  started: boolean;
  timeLeft: number | undefined;
  resolve(value: T): void;
  reject(error: Error): void;
}

function manual<T = string>(): Manual<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const m: Manual<T> = {
    started: false,
    timeLeft: undefined,
    task: (timeLeft) => {
      m.started = true;
      m.timeLeft = timeLeft;
      return new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
    },
    resolve: (value) => resolve(value),
    reject: (error) => reject(error),
  };
  return m;
}

function unreachable(error: unknown): boolean {
  return error instanceof SmartHomeError && (error.code === 'ECONNECTION' || error.code === 'ETIMEDOUT');
}

/** Lets resolved promises run their continuations under the fake clock. */
async function flush(clock: sinon.SinonFakeTimers): Promise<void> {
  await clock.tickAsync(0);
}

describe('RequestQueue', () => {
  let clock: sinon.SinonFakeTimers;
  let queue: RequestQueue;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    queue = new RequestQueue({ address: () => ADDRESS, maxWaiting: 3, isUnreachable: unreachable });
  });
  afterEach(() => clock.restore());

  it('runs one request at a time, in the order asked', async () => {
    const order: string[] = [];
    const first = manual();
    const second = manual();
    const a = queue.run(first.task, { timeout: 1000 }).then((v) => order.push(v));
    const b = queue.run(second.task, { timeout: 1000 }).then((v) => order.push(v));
    await flush(clock);
    assert.equal(first.started, true);
    assert.equal(second.started, false);
    assert.equal(queue.size, 2);
    first.resolve('a');
    await flush(clock);
    assert.equal(second.started, true);
    second.resolve('b');
    await Promise.all([a, b]);
    assert.deepEqual(order, ['a', 'b']);
    assert.equal(queue.size, 0);
  });

  it('gives a request on an idle queue its whole timeout, even across a pause between two clock readings', async () => {
    // A stalled event loop (GC, a loaded machine) between run() reading the clock and the task starting
    // must not read as time spent waiting for earlier requests: none were.
    const readings = [1000, 1007];
    const now = sinon.stub(performance, 'now').callsFake(() => readings.shift() ?? 1007);
    try {
      const only = manual();
      void queue.run(only.task, { timeout: 500 });
      assert.equal(only.timeLeft, 500);
      only.resolve('a');
    } finally {
      now.restore();
    }
  });

  it('counts the deadline from when the request was asked: the task gets what is left', async () => {
    const first = manual();
    const second = manual();
    void queue.run(first.task, { timeout: 1000 });
    const b = queue.run(second.task, { timeout: 1000 });
    await clock.tickAsync(300);
    first.resolve('a');
    await flush(clock);
    assert.equal(first.timeLeft, 1000);
    assert.equal(second.timeLeft, 700);
    second.resolve('b');
    assert.equal(await b, 'b');
  });

  it('rejects a request whose deadline passes while it waits, and never starts it', async () => {
    const first = manual();
    const second = manual();
    const third = manual();
    void queue.run(first.task, { timeout: 5000 });
    const b = queue.run(second.task, { timeout: 500 }).catch((e: unknown) => e);
    const c = queue.run(third.task, { timeout: 5000 });
    await clock.tickAsync(500);
    const error = await b;
    assert.ok(error instanceof TimeoutError, String(error));
    assert.match(error.message, /^127\.0\.0\.1:9999: not sent: its 500 ms passed while it waited behind 1 other requests$/);
    assert.equal(queue.waiting, 1);
    first.resolve('a');
    await flush(clock);
    assert.equal(second.started, false);
    assert.equal(third.started, true);
    third.resolve('c');
    assert.equal(await c, 'c');
  });

  it('bounds the waiting requests: one more is refused at once as "device busy"', async () => {
    const first = manual();
    void queue.run(first.task, { timeout: 5000 });
    const waiting = [0, 1, 2].map(() => queue.run(manual().task, { timeout: 5000 }).catch(() => undefined));
    await assert.rejects(queue.run(manual().task, { timeout: 5000 }), (e: unknown) =>
      e instanceof DeviceBusyError && e.code === 'EBUSY' && !e.skipped && /device busy: 3 requests already waiting/.test(e.message));
    assert.equal(queue.waiting, 3);
    queue.close();
    await Promise.all(waiting);
  });

  it('runs an ifIdle request (a poll) only when nothing is in flight or waiting', async () => {
    const idle = manual();
    const polled = queue.run(idle.task, { timeout: 1000, ifIdle: true });
    await flush(clock);
    assert.equal(idle.started, true, 'an idle queue runs the poll');
    await assert.rejects(queue.run(manual().task, { timeout: 1000, ifIdle: true }), (e: unknown) =>
      e instanceof DeviceBusyError && e.skipped && /poll skipped: 1 requests in flight or waiting/.test(e.message));
    assert.equal(queue.waiting, 0, 'the poll did not join the queue');
    idle.resolve('x');
    assert.equal(await polled, 'x');
  });

  it('fails fast with the last error while the device is unreachable and a request is out', async () => {
    const first = manual();
    const refused = new ConnectionError('cannot connect: connection refused (ECONNREFUSED)', ADDRESS);
    const a = queue.run(first.task, { timeout: 1000 }).catch((e: unknown) => e);
    first.reject(refused);
    assert.equal(await a, refused);
    assert.equal(queue.unreachableError, refused);
    // The queue is empty: the next request goes out, as a probe.
    const probe = manual();
    const p = queue.run(probe.task, { timeout: 1000 });
    await flush(clock);
    assert.equal(probe.started, true);
    // While it is out, new requests do not pile up behind it.
    const fast = manual();
    await assert.rejects(queue.run(fast.task, { timeout: 1000 }), (e: unknown) => e === refused);
    assert.equal(fast.started, false);
    assert.equal(queue.waiting, 0);
    // The device answers: reachable again, requests queue as usual.
    probe.resolve('back');
    assert.equal(await p, 'back');
    assert.equal(queue.unreachableError, undefined);
  });

  it('sends a request that waited through an outage only if its deadline has not passed', async () => {
    const first = manual();
    const a = queue.run(first.task, { timeout: 1000 }).catch((e: unknown) => e);
    const late = manual();
    const inTime = manual();
    const b = queue.run(late.task, { timeout: 1500 }).catch((e: unknown) => e);
    const c = queue.run(inTime.task, { timeout: 4000 });
    await clock.tickAsync(1000);
    first.reject(new TimeoutError('no reply within 1000 ms', 1000, ADDRESS));
    await a;
    // The second request is the probe now, with the 500 ms it has left; the device stays silent.
    await flush(clock);
    assert.equal(late.timeLeft, 500);
    await clock.tickAsync(500);
    late.reject(new TimeoutError('no reply within 500 ms', 500, ADDRESS));
    assert.ok((await b) instanceof TimeoutError);
    await flush(clock);
    assert.equal(inTime.started, true);
    assert.equal(inTime.timeLeft, 2500);
    inTime.resolve('applied');
    assert.equal(await c, 'applied');
  });

  it('takes a bad reply as a sign of life: a protocol error does not make the device unreachable', async () => {
    const first = manual();
    const a = queue.run(first.task, { timeout: 1000 }).catch((e: unknown) => e);
    first.reject(new ProtocolError('reply is not JSON', ADDRESS));
    await a;
    assert.equal(queue.unreachableError, undefined);
  });

  it('close() rejects the waiting requests and every later one with ClientClosedError', async () => {
    const first = manual();
    void queue.run(first.task, { timeout: 5000 }).catch(() => undefined);
    const waiting = queue.run(manual().task, { timeout: 5000 }).catch((e: unknown) => e);
    queue.close();
    assert.ok((await waiting) instanceof ClientClosedError);
    await assert.rejects(queue.run(manual().task, { timeout: 5000 }), ClientClosedError);
    first.resolve('done');
    await flush(clock);
    assert.equal(queue.size, 0);
  });

  it('an idle queue arms no timer', async () => {
    const timers = clock.countTimers();
    const only = manual();
    const p = queue.run(only.task, { timeout: 1000 });
    assert.equal(clock.countTimers(), timers);
    only.resolve('x');
    await p;
  });

  it('never throws from run(): a task that throws, a closed queue and a busy poll are rejections, and the queue moves on', async () => {
    let thrown: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      thrown = queue.run(() => {
        throw new ConnectionError('thrown before any promise', ADDRESS);
      }, { timeout: 1000 });
    });
    const error = await (thrown as Promise<unknown>).catch((e: unknown) => e);
    assert.ok(error instanceof ConnectionError, String(error));
    // The thrown error counts like a rejection: the device is unreachable, and nothing stays in flight.
    assert.equal(queue.unreachableError, error);
    assert.equal(queue.size, 0);
    const busy = manual();
    const running = queue.run(busy.task, { timeout: 1000 });
    let poll: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      poll = queue.run(manual().task, { timeout: 1000, ifIdle: true });
    });
    await assert.rejects(poll as Promise<unknown>, (e: unknown) => e instanceof DeviceBusyError && e.skipped);
    busy.resolve('ok');
    assert.equal(await running, 'ok');
    assert.equal(queue.unreachableError, undefined);
    queue.close();
    let closed: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      closed = queue.run(manual().task, { timeout: 1000 });
    });
    await assert.rejects(closed as Promise<unknown>, ClientClosedError);
  });

  it("gives the caller a request's outcome in the promise step it settles in, the queue already free", async () => {
    for (const outcome of ['resolve', 'reject'] as const) {
      const only = manual();
      const seen: string[] = [];
      const run = queue.run(only.task, { timeout: 1000 });
      void run.then(
        (value) => seen.push(`caller ${value} size ${queue.size}`),
        (error: Error) => seen.push(`caller ${error.message} size ${queue.size} unreachable ${queue.unreachableError === error}`),
      );
      if (outcome === 'resolve') only.resolve('ok');
      else only.reject(new ConnectionError('refused', ADDRESS));
      // Queued after the task settled: a step more between the task and the caller would come after it.
      queueMicrotask(() => seen.push('next step'));
      await flush(clock);
      assert.deepEqual(seen, [
        outcome === 'resolve' ? 'caller ok size 0' : 'caller 127.0.0.1:9999: refused size 0 unreachable true',
        'next step',
      ]);
    }
  });

  it('a request whose turn comes after close() is rejected without running, and frees the queue', async () => {
    let release!: () => void;
    const gate = new Promise<string>((resolve) => {
      release = () => resolve('one');
    });
    const running = queue.run(() => gate, { timeout: 5000 });
    const second = manual();
    const waiting = queue.run(second.task, { timeout: 5000 }).catch((e: unknown) => e);
    // Runs right after the queue saw the first request end and gave the second its turn, before the second starts.
    void gate.then(() => queue.close());
    release();
    assert.equal(await running, 'one');
    assert.ok((await waiting) instanceof ClientClosedError);
    assert.equal(second.started, false);
    assert.equal(queue.size, 0);
  });
});
