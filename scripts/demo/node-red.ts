/** Node-RED as a child process: started, watched until it serves the flows, stopped. */
import { spawn, type ChildProcess } from 'child_process';
import * as net from 'net';

export interface NodeRedProcess {
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) when Node-RED has exited. */
  exited: Promise<number | string>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 8_000;

/** Fails with a clear message when something else holds the port. */
export function checkPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new Error(error.code === 'EADDRINUSE'
        ? `port ${port} on ${host} is in use (another Node-RED or demo?): pick another with --port`
        : `cannot listen on ${host}:${port}: ${error.message}`));
    });
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

export function startNodeRed(options: { redJs: string; userDir: string; settingsFile: string; port: number; output: (line: string) => void }): Promise<NodeRedProcess> {
  const child = spawn(process.execPath, [options.redJs, '--userDir', options.userDir, '--settings', options.settingsFile, '--port', String(options.port)], {
    cwd: options.userDir,
    env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 0)));
  let serverUp = false;
  let flowsUp = false;
  let onReady: (() => void) | undefined;
  const watch = (stream: NodeJS.ReadableStream): void => {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        options.output(line);
        if (line.includes('Server now running at')) serverUp = true;
        if (line.includes('Started flows')) flowsUp = true;
        if (serverUp && flowsUp) onReady?.();
      }
    });
  };
  watch(child.stdout!);
  watch(child.stderr!);

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop().then(() => reject(new Error(`Node-RED did not start within ${READY_TIMEOUT_MS / 1000} s`)));
    }, READY_TIMEOUT_MS);
    onReady = () => {
      onReady = undefined;
      clearTimeout(timer);
      resolve({ child, exited, stop });
    };
    void exited.then((code) => {
      if (!onReady) return;
      onReady = undefined;
      clearTimeout(timer);
      reject(new Error(`Node-RED exited (${code}) before it was ready`));
    });
  });
}
