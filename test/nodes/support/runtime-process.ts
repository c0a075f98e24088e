/**
 * A real Node-RED runtime in a child process, for what the test helper
 * cannot show: adminAuth on the admin endpoints, the package loaded the way
 * Node-RED loads installed node packages, flows deployed over the admin API.
 * Usage: node runtime-process.js <userDir> [node-red package dir]; prints
 * {"port": n, "version": v} once listening. The second argument runs another
 * Node-RED than the project's (e.g. 5.x, under the Node it needs).
 * The parent installs the package into <userDir>/node_modules and writes the settings.
 */
import * as http from 'http';
import * as path from 'path';
import type { AddressInfo } from 'net';

interface RuntimeModule {
  init(server: http.Server, settings: object): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: http.RequestListener;
  version(): string;
}

async function main(): Promise<void> {
  const userDir = process.argv[2];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require(process.argv[3] || 'node-red') as RuntimeModule;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require(path.join(userDir, 'settings.js')) as object;
  const server = http.createServer((req, res) => RED.httpAdmin(req, res));
  RED.init(server, { ...settings, userDir });
  await RED.start();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port, version: RED.version() })}\n`);
  const stop = (): void => {
    // Bounded: a runtime that cannot stop in time is ended by the exit below.
    const force = setTimeout(() => process.exit(1), 5000);
    RED.stop().then(() => server.close(() => {
      clearTimeout(force);
      process.exit(0);
    }), () => process.exit(1));
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
