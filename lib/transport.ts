/**
 * A transport carries one request (plaintext JSON bytes: Smart Home or SMART) to a
 * device and returns the plaintext reply. The client above it serialises
 * requests, so a transport never has two requests in flight at once.
 */
export interface Transport {
  readonly host: string;
  readonly port: number;
  readonly kind: TransportKind;
  /**
   * Sends one request and resolves to the reply's plaintext. Rejects with a
   * TimeoutError, ConnectionError, ProtocolError or AuthenticationError.
   * `retriable` on the rejection (see RetriableFlag) says whether the request
   * is known not to have reached the device, so that resending cannot apply it twice.
   */
  send(request: Buffer, timeout: number): Promise<Buffer>;
  /**
   * Optional: send(), the reply's plaintext handed to `step` in the
   * transport's own step, as soon as it is in, instead of in a then() on
   * send()'s promise: one promise step fewer between a reply and whatever
   * its reader does next (the SMART client reads every reply this way).
   */
  sendAndRead?<T>(request: Buffer, timeout: number, step: PlaintextStep<T>): Promise<T>;
  /** Releases sockets and timers; later sends open new ones. */
  close(): Promise<void>;
}

/** What a caller of sendAndRead() does with the outcome, within the transport's step. */
export interface PlaintextStep<T> {
  /** Reads the plaintext; what it returns, or throws, settles sendAndRead()'s promise. */
  replied: (plaintext: Buffer) => T | Promise<T>;
  /** Sees a failure of the send itself (never one of `replied`) before the promise rejects with it. Must not throw. */
  failed: (error: unknown) => void;
}

const AS_SENT: PlaintextStep<Buffer> = { replied: (plaintext) => plaintext, failed: () => undefined };

/** `sending`'s outcome through `step`, a promise step later: for the paths that already took several. */
export function throughStep<T>(sending: Promise<Buffer>, step: PlaintextStep<T>): Promise<T> {
  return sending.then(step.replied, (error: unknown) => {
    step.failed(error);
    throw error;
  });
}

export type TransportKind = 'tcp' | 'udp' | 'klap' | 'aes';

/**
 * The KLAP and AES transports' one-request-at-a-time rule: a device's
 * session (KLAP sequence numbers, AES login) allows one exchange at a time,
 * so a request asked while another runs starts when that one ends. An idle
 * transport starts a request at once, without a promise step: nearly every
 * request finds it idle. Each exchange calls finished() once when it ends,
 * however it ends; that is how the next request knows it need not wait.
 */
export abstract class OneAtATimeTransport implements Transport {
  abstract readonly host: string;
  abstract readonly port: number;
  abstract readonly kind: TransportKind;
  /** Requests asked and not yet finished, and the last one asked: the next one waits for it. */
  private pending = 0;
  private last: Promise<unknown> = Promise.resolve();

  send(request: Buffer, timeout: number): Promise<Buffer> {
    return this.sendAndRead(request, timeout, AS_SENT);
  }

  sendAndRead<T>(request: Buffer, timeout: number, step: PlaintextStep<T>): Promise<T> {
    const now = performance.now();
    const deadline = now + timeout;
    const idle = this.pending === 0;
    this.pending += 1;
    let run: Promise<T>;
    if (idle) {
      run = this.exchange(request, deadline, timeout, step, now);
    } else {
      const go = (): Promise<T> => this.exchange(request, deadline, timeout, step, performance.now());
      run = this.last.then(go, go);
    }
    this.last = run;
    return run;
  }

  abstract close(): Promise<void>;

  /**
   * One request, by `deadline` (performance.now() ms; `timeout` for
   * messages), its outcome through `step` (see sendAndRead); must call
   * finished() once when it ends, before `step` sees the outcome. `now`:
   * performance.now() read as it starts, for its first steps to go by
   * instead of reading the clock again.
   */
  protected abstract exchange<T>(request: Buffer, deadline: number, timeout: number, step: PlaintextStep<T>, now: number): Promise<T>;

  protected finished(): void {
    this.pending -= 1;
  }
}

/** Set on errors for which the request certainly did not reach the device. */
export interface RetriableFlag {
  retriable?: boolean;
}

export function markRetriable<E extends Error>(error: E): E & RetriableFlag {
  (error as E & RetriableFlag).retriable = true;
  return error as E & RetriableFlag;
}

export function isRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as RetriableFlag).retriable === true;
}
