/**
 * One device's request queue, shared by both protocol clients (classic and
 * SMART): a device handles one request at a time, and a home automation
 * runtime must not let one slow or dead device hold an unbounded pile of
 * work or apply commands long after they were asked.
 *
 * The contract, for any client that runs its requests through `run()`:
 * - Requests run one at a time, in the order asked.
 * - A request's deadline counts from when `run()` was called, not from when
 *   its turn came: the task receives the time it has left (`timeLeft` ms),
 *   and a request still waiting at its deadline is rejected with a
 *   TimeoutError without ever being sent. Nothing waits past its deadline.
 * - At most `maxWaiting` requests wait behind the one in flight; one more is
 *   rejected at once with a DeviceBusyError ("device busy").
 * - `ifIdle` requests (polling) run only when nothing is in flight or
 *   waiting; otherwise they are rejected at once with a DeviceBusyError
 *   whose `skipped` is true, so a poll never adds to a queue that waits.
 * - Reachability: a task error for which `isUnreachable(error)` is true
 *   marks the device unreachable; any other outcome (a reply, even a bad
 *   one) marks it reachable. While it is unreachable and a request is in
 *   flight or waiting, a new request fails fast with that last error
 *   instead of piling up; a request made when the queue is empty still
 *   goes out, and is how the device is found again.
 * - `close()` rejects every waiting request and every later one with a
 *   ClientClosedError; the request in flight is the client's to end
 *   (closing its transport).
 * - The common case, an idle queue, costs no timer and no extra promise.
 *
 * The queue knows nothing of protocols: the task does the sending, the
 * retries and the parsing.
 */
import { ClientClosedError, DeviceBusyError, TimeoutError, type DeviceAddress } from './errors';

export const DEFAULT_MAX_WAITING = 100;

export interface RequestQueueOptions {
  /** The device, for error messages (a function: an 'auto' transport may change port). */
  address: () => DeviceAddress;
  /** Requests that may wait behind the one in flight (default 100). */
  maxWaiting?: number;
  /** Which task errors mean the device could not be reached (timeouts, refused connections...). */
  isUnreachable: (error: unknown) => boolean;
}

export interface RunOptions {
  /** Milliseconds from now until the request must have its answer. */
  timeout: number;
  /** Run only when the queue is empty (polling); otherwise reject with a skipped DeviceBusyError. */
  ifIdle?: boolean;
}

interface Waiter {
  /** Called when the request's turn comes. */
  start(): void;
  fail(error: Error): void;
  timer: NodeJS.Timeout;
}

export class RequestQueue {
  private readonly options: RequestQueueOptions;
  private readonly maxWaiting: number;
  private readonly waiters: Waiter[] = [];
  private active = false;
  private closed = false;
  private unreachable: Error | undefined;

  constructor(options: RequestQueueOptions) {
    this.options = options;
    this.maxWaiting = Math.max(0, Math.floor(options.maxWaiting ?? DEFAULT_MAX_WAITING));
  }

  /** Requests waiting for their turn, not counting the one in flight. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Requests in flight or waiting. */
  get size(): number {
    return this.waiters.length + (this.active ? 1 : 0);
  }

  /** The error that made the device unreachable, until it answers again. */
  get unreachableError(): Error | undefined {
    return this.unreachable;
  }

  /**
   * Runs `task` in turn and settles with its outcome. `task(timeLeft)` gets
   * the milliseconds left until the deadline (at least 1) and must settle
   * by then (the transports' own timeouts see to that).
   */
  run<T>(task: (timeLeft: number) => Promise<T>, options: RunOptions): Promise<T> {
    if (this.closed) return Promise.reject(new ClientClosedError(this.options.address()));
    if (this.active || this.waiters.length > 0) return this.runAfterWaiting(task, options, performance.now() + options.timeout);
    // Nothing was waited for: the task gets the whole timeout, even if a pause of the
    // event loop came between two clock readings (a client reports time it is given
    // short of its timeout as spent waiting for earlier requests). No deadline is
    // needed then, nor the clock read for it (some 50 ns of every request).
    return this.start(task, options.timeout);
  }

  private async runAfterWaiting<T>(task: (timeLeft: number) => Promise<T>, options: RunOptions, deadline: number): Promise<T> {
    this.refuseWhileBusy(options);
    await this.waitForTurn(deadline, options.timeout);
    return this.start(task, Math.max(1, Math.round(deadline - performance.now())));
  }

  /**
   * Starts a request whose turn came and returns the task's own promise: the
   * queue's handlers hang beside the caller's on it, registered first, so
   * they have freed the queue when the caller sees the outcome, and the
   * caller gets it in the same promise step as the task settles. Returning
   * a then() of it cost one promise step between every reply and the next
   * request. Not async, and its handlers are made once per queue.
   */
  private start<T>(task: (timeLeft: number) => Promise<T>, timeLeft: number): Promise<T> {
    this.active = true;
    if (this.closed) {
      // close() came between this request's turn coming and it starting.
      this.startNext();
      return Promise.reject(new ClientClosedError(this.options.address()));
    }
    let running: Promise<T>;
    try {
      running = task(timeLeft);
    } catch (error) {
      running = Promise.reject(error);
    }
    // A branch of its own: it settles with undefined whatever the task's outcome, so
    // it never rejects unhandled; the caller handles the task's promise as before.
    void running.then(this.succeeded, this.failed);
    return running;
  }

  private readonly succeeded = (): void => {
    this.unreachable = undefined;
    this.startNext();
  };

  private readonly failed = (error: unknown): void => {
    if (!(error instanceof ClientClosedError)) {
      this.unreachable = this.options.isUnreachable(error) && error instanceof Error ? error : undefined;
    }
    this.startNext();
  };

  /** Rejects every waiting request; later ones are rejected at once. */
  close(): void {
    this.closed = true;
    const error = new ClientClosedError(this.options.address());
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.fail(error);
    }
  }

  /** The three reasons a request is not queued behind a busy device; returns when it may wait. */
  private refuseWhileBusy(options: RunOptions): void {
    const address = this.options.address();
    if (options.ifIdle) {
      throw new DeviceBusyError(`poll skipped: ${this.size} requests in flight or waiting`, address, true);
    }
    if (this.unreachable) throw this.unreachable;
    if (this.waiters.length >= this.maxWaiting) {
      throw new DeviceBusyError(`device busy: ${this.waiters.length} requests already waiting`, address, false);
    }
  }

  private waitForTurn(deadline: number, timeout: number): Promise<void> {
    const ahead = this.size;
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        start: resolve,
        fail: reject,
        timer: setTimeout(() => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(new TimeoutError(`not sent: its ${timeout} ms passed while it waited behind ${ahead} other requests`, timeout, this.options.address()));
        }, Math.max(0, deadline - performance.now())),
      };
      this.waiters.push(waiter);
    });
  }

  private startNext(): void {
    const next = this.waiters.shift();
    if (!next) {
      this.active = false;
      return;
    }
    clearTimeout(next.timer);
    // `active` stays true: the turn passes straight to the next request.
    next.start();
  }
}
