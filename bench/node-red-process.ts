/**
 * A plain Node-RED 4 runtime for the scale bench: the pack installed the
 * way a user installs it (a package in userDir/node_modules), the flow from
 * userDir/flows.json, no editor and no HTTP endpoints. Says {ready} over IPC
 * once the flow runs; exits when the parent disconnects.
 */
import * as http from 'http';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const RED = require('node-red') as {
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
};

async function main(): Promise<void> {
  const userDir = process.argv[2];
  const server = http.createServer();
  RED.init(server, {
    userDir,
    flowFile: 'flows.json',
    httpAdminRoot: false,
    httpNodeRoot: false,
    disableEditor: true,
    credentialSecret: false,
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    externalModules: { autoInstall: false },
  });
  await RED.start();
  process.send?.({ cmd: 'ready' });
  process.on('disconnect', () => {
    void RED.stop().then(() => process.exit(0), () => process.exit(1));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
