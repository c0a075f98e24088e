/**
 * Seeing the traffic: a hook that both protocol clients (and the device
 * layer above them) call with every request they send and every reply or
 * failure they get, as JSON text a person can read in a log. It sits above
 * the transports, so KLAP and AES handshakes, session keys, tokens and
 * cookies never reach it; and values under names that carry secrets
 * (password, username, token, key...) are replaced before any text is
 * made, so a Wi-Fi password or a cloud bind never shows in a log.
 *
 * A hook is user code: what it throws is swallowed here, so logging can
 * never break a request. Without a hook nothing is formatted at all.
 */
import { isJsonObject } from './json';

export interface TrafficEvent {
  /** 'request' as it leaves, 'reply' when its answer came, 'error' when it got none (or a bad one). */
  direction: 'request' | 'reply' | 'error';
  host: string;
  port: number;
  /** 'tcp', 'udp', 'klap' or 'aes'. */
  transport: string;
  /** Pairs a reply or error with its request (counts up per client). */
  id: number;
  /** The JSON, secrets replaced by "***"; for an error, its message. */
  text: string;
  /** Milliseconds since the request left (replies and errors). */
  elapsed?: number;
}

export type TrafficHook = (event: TrafficEvent) => void;

/** One line for a log: "-> 10.0.0.5:9999 tcp #3 {...}", "<- ... (12.3 ms)", "!! ... error". */
export function formatTrafficEvent(event: TrafficEvent): string {
  const arrow = event.direction === 'request' ? '->' : event.direction === 'reply' ? '<-' : '!!';
  const took = event.elapsed === undefined ? '' : ` (${event.elapsed.toFixed(1)} ms)`;
  return `${arrow} ${event.host}:${event.port} ${event.transport} #${event.id} ${event.text}${took}`;
}

/** Field names whose values are never shown, in any object at any depth. */
const SECRET_NAMES = new Set(['password', 'passwd', 'pwd', 'username', 'token', 'key', 'secret', 'cookie', 'private_key', 'public_key', 'login_pwd']);
const MAX_DEPTH = 64;

/** A copy of `value` with every secret field's value replaced by "***". */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return '***';
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  if (!isJsonObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    const hidden = SECRET_NAMES.has(name.toLowerCase()) && item !== null && item !== '';
    Object.defineProperty(out, name, { value: hidden ? '***' : redactSecrets(item, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** JSON text of `value` with secrets replaced; text that is not JSON is described, not shown. */
export function redactedText(value: unknown): string {
  if (typeof value === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return `(${Buffer.byteLength(value)} bytes, not JSON)`;
    }
    return JSON.stringify(redactSecrets(parsed));
  }
  return JSON.stringify(redactSecrets(value)) ?? String(value);
}

/**
 * One client's side of the hook: numbers the requests, times them and
 * formats only when a hook is set. `describe` gives host, port and transport
 * at the moment of sending (an 'auto' transport can change them).
 */
export class TrafficReporter {
  private hook: TrafficHook | undefined;
  private nextId = 1;

  constructor(hook: TrafficHook | undefined, private readonly describe: () => { host: string; port: number; transport: string }) {
    this.hook = hook;
  }

  get enabled(): boolean {
    return this.hook !== undefined;
  }

  set(hook: TrafficHook | undefined): void {
    this.hook = hook;
  }

  /** Reports a request about to leave; returns what `reply`/`error` need, or undefined without a hook. */
  request(body: unknown): { id: number; started: number } | undefined {
    if (!this.hook) return undefined;
    const sent = { id: this.nextId++, started: performance.now() };
    this.emit('request', sent.id, redactedText(body));
    return sent;
  }

  reply(sent: { id: number; started: number } | undefined, body: unknown): void {
    if (sent && this.hook) this.emit('reply', sent.id, redactedText(body), performance.now() - sent.started);
  }

  error(sent: { id: number; started: number } | undefined, error: unknown): void {
    if (sent && this.hook) this.emit('error', sent.id, error instanceof Error ? error.message : String(error), performance.now() - sent.started);
  }

  private emit(direction: TrafficEvent['direction'], id: number, text: string, elapsed?: number): void {
    const hook = this.hook;
    if (!hook) return;
    const event: TrafficEvent = { direction, ...this.describe(), id, text };
    if (elapsed !== undefined) event.elapsed = Math.round(elapsed * 1000) / 1000;
    try {
      hook(event);
    } catch {
      // A logging hook that throws must not fail the request it reports.
    }
  }
}
