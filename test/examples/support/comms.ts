/**
 * A Node-RED editor comms client (ws://host/comms): node statuses
 * (`status/<id>`, retained, so current ones arrive on subscribe) and debug
 * messages, as the editor sees them.
 */
import WebSocket from 'ws';

export interface NodeStatusMessage {
  fill?: string;
  shape?: string;
  text?: string;
}

export interface DebugMessage {
  id: string;
  name?: string;
  msg: string;
  format?: string;
  property?: string;
}

export class CommsClient {
  readonly statuses = new Map<string, NodeStatusMessage>();
  /** Every status each node showed, in order. */
  readonly statusHistory = new Map<string, NodeStatusMessage[]>();
  readonly debug: DebugMessage[] = [];
  private socket: WebSocket | undefined;
  /** Checks of pending waitFor calls, run after each message. */
  private readonly waiters = new Set<() => void>();

  async connect(url: string): Promise<void> {
    const socket = new WebSocket(url);
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`comms ${url}: no connection within 10 s`)), 10_000);
      socket.once('open', () => { clearTimeout(timer); resolve(); });
      socket.once('error', (error) => { clearTimeout(timer); reject(error); });
    });
    socket.on('error', () => undefined);
    socket.on('message', (data) => this.receive(String(data)));
    socket.send(JSON.stringify({ subscribe: 'status/#' }));
    socket.send(JSON.stringify({ subscribe: 'debug' }));
  }

  private receive(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    this.record(Array.isArray(parsed) ? parsed : [parsed]);
    for (const waiter of [...this.waiters]) waiter();
  }

  private record(items: unknown[]): void {
    for (const item of items) {
      const { topic, data } = item as { topic?: string; data?: unknown };
      if (typeof topic !== 'string') continue;
      if (topic.startsWith('status/')) {
        const id = topic.slice('status/'.length);
        const status = (data ?? {}) as NodeStatusMessage;
        this.statuses.set(id, status);
        const history = this.statusHistory.get(id) ?? [];
        history.push(status);
        this.statusHistory.set(id, history);
      } else if (topic === 'debug') {
        this.debug.push(data as DebugMessage);
      }
    }
  }

  /** Resolves true once `check` holds (checked after each message from the editor), or with its last answer after `timeoutMs`. */
  waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (result: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(result);
      };
      const waiter = (): void => { if (check()) done(true); };
      const timer = setTimeout(() => done(check()), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  close(): void {
    this.socket?.terminate();
    this.socket = undefined;
  }
}
