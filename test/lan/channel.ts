/**
 * A child process in a namespace, spoken to in JSON lines: the child
 * writes one JSON object per line on stdout and reads commands on stdin.
 */
import { spawn, type ChildProcess } from 'child_process';
import { trackChild, untrackChild } from './netns';

export type Message = Record<string, unknown>;

export class LineChannel {
  readonly child: ChildProcess;
  readonly messages: Message[] = [];
  stderr = '';
  private buffered = '';
  private readonly waiters = new Set<() => void>();
  private exited: number | null | undefined;
  private readonly exit: Promise<number | null>;

  constructor(namespace: string, argv: string[]) {
    this.child = spawn('ip', ['netns', 'exec', namespace, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
    trackChild(this.child.pid);
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.read(chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (this.stderr.length < 64 * 1024) this.stderr += chunk;
    });
    this.child.stdin?.on('error', () => undefined);
    this.exit = new Promise((resolve) => {
      this.child.once('close', (code) => {
        untrackChild(this.child.pid);
        this.exited = code;
        this.wake();
        resolve(code);
      });
      this.child.once('error', (error) => {
        this.stderr += String(error);
        this.exited = -1;
        this.wake();
        resolve(-1);
      });
    });
  }

  send(message: Message): void {
    this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  /** The first message (from `from` on) that `match` accepts; rejects on timeout or exit. */
  async next(match: (m: Message) => boolean, timeout: number, from = 0): Promise<Message> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = this.messages.slice(from).find(match);
      if (found) return found;
      if (this.exited !== undefined) throw new Error(`child exited (${this.exited}) before the expected message. stderr:\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no expected message within ${timeout} ms. stderr:\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  /** Resolves with the exit code; kills the child after `timeout`. */
  async finished(timeout: number): Promise<number | null> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeout);
    try {
      return await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes stdin (the child exits on it) and kills it if it has not after `grace` ms. */
  async close(grace = 2000): Promise<void> {
    if (this.exited !== undefined) return;
    this.child.stdin?.end();
    await this.finished(grace);
  }

  private read(chunk: string): void {
    this.buffered += chunk;
    let newline = this.buffered.indexOf('\n');
    while (newline >= 0) {
      const line = this.buffered.slice(0, newline).trim();
      this.buffered = this.buffered.slice(newline + 1);
      if (line.startsWith('{')) {
        try {
          this.messages.push(JSON.parse(line) as Message);
        } catch {
          // Not ours: a stray line from a library.
        }
      }
      newline = this.buffered.indexOf('\n');
    }
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
    this.waiters.clear();
  }
}

/** For scripts run inside a namespace: write a message, exit when the parent goes. */
export function emit(message: Message): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

export function exitWhenParentGoes(cleanup: () => Promise<void> | void): void {
  const stop = (): void => {
    void Promise.resolve(cleanup()).finally(() => process.exit(0));
  };
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

/** Reads JSON-line commands from stdin. */
export function onCommand(handle: (command: Message) => Promise<Message | void>): void {
  let buffered = '';
  process.stdin.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const command = JSON.parse(line) as Message;
      handle(command).then(
        (result) => emit({ reply: command.id, ok: true, ...(result ?? {}) }),
        (error: unknown) => emit({ reply: command.id, ok: false, error: String(error) }),
      );
      newline = buffered.indexOf('\n');
    }
  });
}
