/**
 * Starts and stops a real Node-RED runtime in a child process
 * (runtime-process.ts) on a user directory the test prepared, and calls its
 * admin API: for what the test helper cannot show, such as the package
 * loaded the way Node-RED loads installed node packages.
 *
 * KASA_RED_NODE_RED (a node-red package folder) and KASA_RED_NODE (a node
 * binary) run it on another Node-RED, e.g. 5.x on Node 22.
 */
import { spawn, type ChildProcess } from 'child_process';
import { repoRoot, runnable } from '../../support/repo';

export interface Runtime {
  child: ChildProcess;
  port: number;
  version: string;
}

/** Starts Node-RED on `userDir` (its settings.js and node_modules written by the caller); resolves once it listens. */
export function startRuntime(userDir: string): Promise<Runtime> {
  const script = runnable('test/nodes/support/runtime-process');
  const node = process.env.KASA_RED_NODE || process.execPath;
  const args = [script, userDir, ...(process.env.KASA_RED_NODE_RED ? [process.env.KASA_RED_NODE_RED] : [])];
  const child = spawn(node, args, { cwd: repoRoot(), stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`Node-RED did not start within 30 s\n${err}`));
    }, 30_000);
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"port"'));
      if (!line) return;
      clearTimeout(timer);
      const { port, version } = JSON.parse(line) as { port: number; version: string };
      resolve({ child, port, version });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Node-RED exited with ${code}\n${err}`));
    });
  });
}

/** Stops the runtime (it stops its flows, then exits) and waits for it to be gone. */
export async function stopRuntime(runtime: Runtime | undefined): Promise<void> {
  if (!runtime || runtime.child.exitCode !== null || runtime.child.signalCode !== null) return;
  const exited = new Promise((resolve) => runtime.child.once('exit', resolve));
  runtime.child.stdin?.end();
  await exited;
}

/** One admin API call; the body is parsed when it is JSON. */
export async function call(runtime: Runtime, method: string, url: string, token?: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`http://127.0.0.1:${runtime.port}${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}
