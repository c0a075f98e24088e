/**
 * What a simulated device's two encrypted endpoints (KLAP and AES
 * securePassthrough) share: the options any such endpoint takes, and its
 * session table. Firmware of both kinds hands a session out as a
 * TP_SESSIONID cookie with a TIMEOUT, forgets it when the TIMEOUT passes,
 * and keeps only a few (the oldest goes first); one table keeps the two
 * simulators from drifting apart on those rules.
 */
import { randomBytes } from 'node:crypto';
import type { JsonObject } from '../../json';
import type { FaultSpec } from '../faults';
import type { HttpRequest } from './http-request';

/** The options every encrypted endpoint of the simulator takes, beside its own. */
export interface EncryptedEndpointOptions {
  host?: string;
  port?: number;
  /** The cloud account the device is bound to; blank for an unbound device. */
  username?: string;
  password?: string;
  /** The device: a SMART (or classic) request's JSON text in, the reply's out. */
  handler: (requestJson: string) => string | Promise<string>;
  /**
   * The same device for a request the endpoint has already parsed with
   * parseBoundedJson (the AES endpoint does, to find login_device): saves
   * parsing it twice. It must answer as `handler` answers the text.
   */
  handleParsed?: ((request: JsonObject) => string | Promise<string>) | undefined;
  /** The TIMEOUT cookie, in seconds; each endpoint has its firmware's default. */
  sessionTimeoutSeconds?: number;
  /** The device's active fault, applied to each request's reply. */
  fault?: () => FaultSpec | undefined;
}

const MAX_SESSIONS = 16;

interface Held<S> {
  session: S;
  expiresAt: number;
}

export class HttpSessionTable<S> {
  private readonly sessions = new Map<string, Held<S>>();

  constructor(private readonly timeoutSeconds: number) {}

  /** A new session, its id, and the Set-Cookie header that gives it to the client. */
  open(session: S): { id: string; headers: Record<string, string> } {
    const id = randomBytes(16).toString('hex').toUpperCase();
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    this.sessions.set(id, { session, expiresAt: Date.now() + this.timeoutSeconds * 1000 });
    return { id, headers: { 'Set-Cookie': `TP_SESSIONID=${id};TIMEOUT=${this.timeoutSeconds}` } };
  }

  /** The session the request's cookie names, unless unknown or past its TIMEOUT (then forgotten). */
  find(req: HttpRequest): [string, S] | undefined {
    const id = /(?:^|;\s*)TP_SESSIONID=([^;]+)/.exec(req.headers.get('cookie') ?? '')?.[1];
    const held = id === undefined ? undefined : this.sessions.get(id);
    if (id === undefined || !held) return undefined;
    if (Date.now() >= held.expiresAt) {
      this.sessions.delete(id);
      return undefined;
    }
    return [id, held.session];
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  /** Forgets every session, as a device does when it reboots. */
  clear(): void {
    this.sessions.clear();
  }
}
