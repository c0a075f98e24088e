/**
 * How tests wait. A test waits for the thing itself, an event or a state,
 * with a deadline that only a failure reaches: a listener on the event (see
 * nodes/support/node-red.ts for node statuses and messages), or `waitFor` for
 * a state that announces itself through no event (open handles, a flag a
 * callback set). A fixed pause says why by its name:
 * `provesNothingHappensFor(ms, why)` to prove that something does NOT happen,
 * as short as that proof allows, and `letTimePass(ms, why)` where time itself
 * is what the test feeds in (a session's age, an outage's length).
 */

/**
 * Resolves once `check()` is truthy (with its value); rejects after `within`
 * ms saying `what` was awaited. Checks at once, then each time the event
 * loop has gone round (timers, I/O, immediates): a state without an event
 * can only change when some callback ran.
 */
export async function waitFor<T>(what: string | (() => string), check: () => T | undefined | null | false, within = 2000): Promise<T> {
  const deadline = Date.now() + within;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${typeof what === 'function' ? what() : what}: not within ${within} ms`);
    await nextLoopTurn();
  }
}

/** One turn of the event loop that lets pending I/O and timers run first; 1 ms keeps an idle wait from spinning a core. */
function nextLoopTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1));
}

/**
 * A fixed pause that proves something: waits `ms` so that the assertions
 * after it can show that something did NOT happen in that time (no late
 * reply, no resend, no second message). `why` names that thing.
 */
export function provesNothingHappensFor(ms: number, why: string): Promise<void> {
  if (!why) throw new Error('provesNothingHappensFor needs the reason');
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Lets `ms` of real time pass because the elapsed time is the test's input, not a wait for an event: `why` says what it ages. */
export function letTimePass(ms: number, why: string): Promise<void> {
  if (!why) throw new Error('letTimePass needs the reason');
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Turns of the event loop, for callbacks that Node runs one turn after an event (a closed handle leaves the list then). */
export async function loopTurns(count = 2): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}
