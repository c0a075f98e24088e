/**
 * Node-RED runs for months: a throw that escapes a node's promise chain or
 * event handler is an uncaught exception, and the whole runtime exits. What
 * a node does with an answer (send() clones messages, status() and done()
 * call into the runtime) can throw too, so every chain and handler of the
 * pack's nodes ends here, where any error becomes done(err) (a Catch node
 * sees it) or node.error(), and nothing is thrown further.
 *
 * done() gets a failure as its message text (fail()): Node-RED shows text
 * in the debug sidebar as one readable line, as it shows a node.warn(),
 * where an Error object comes out as an object to unfold; a Catch node gets
 * the same text as msg.error.message.
 */
import type { DoneFunction, Node } from './types';

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Ends a message with a failure: its text, for the debug sidebar and a Catch node. */
export function fail(done: DoneFunction, error: Error | string): void {
  done(typeof error === 'string' ? error : error.message);
}

export interface InputHandlers<T> {
  /** Sends what the result means; done() follows by itself. */
  result(value: T): void;
  /** Shows the failure and returns the error for done(), or undefined to end quietly (node closed). */
  failure(error: Error): Error | undefined;
}

/**
 * Runs one input message's work and ends with exactly one done(): with no
 * error after `result`, with the error `failure` returns, or with whatever
 * `result` or `failure` threw (a send() whose cloning overflowed, say).
 */
export function settleInput<T>(node: Node, done: DoneFunction, work: () => Promise<T>, handlers: InputHandlers<T>): void {
  let finished = false;
  const finish = (error?: Error): void => {
    if (finished) return;
    finished = true;
    if (error) fail(done, error);
    else done();
  };
  new Promise<T>((resolve) => resolve(work()))
    .then(
      (value) => {
        handlers.result(value);
        finish();
      },
      (error: unknown) => finish(handlers.failure(asError(error))),
    )
    .catch((error: unknown) => finish(asError(error)))
    .catch((error: unknown) => logFailure(node, error));
}

/** Wraps an event handler (a monitor's or a scanner's) so that what it throws goes to the node's log. */
export function guarded<A extends unknown[]>(node: Node, handler: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      handler(...args);
    } catch (error) {
      logFailure(node, error);
    }
  };
}

/** The last resort, for the end of a chain: the runtime's log. Even that may not throw out of here. */
export function logFailure(node: Node, error: unknown): void {
  try {
    node.error(asError(error).message);
  } catch {
    // Nothing is left to tell; the runtime stays up.
  }
}
