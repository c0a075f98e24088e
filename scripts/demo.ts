/**
 * `npm start`: Node-RED on http://127.0.0.1:1880 with this pack loaded from
 * the working tree, FlowFuse Dashboard 2, a simulated fleet on loopback and
 * the example flows deployed against it. Ctrl-C stops everything.
 *
 * When it is ready it prints one line `KASA_DEMO_READY {json}` (editor and
 * dashboard URLs, user dir, log file, fleet) for tests to wait on.
 * Options: see scripts/demo/options.ts (`npm start -- --help`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { DEMO_ACCOUNT, startDemoFleet, type DemoFleet } from './demo/fleet';
import { combineExamples, readExamples, type FlowNode } from './demo/flows';
import { checkPortFree, startNodeRed, type NodeRedProcess } from './demo/node-red';
import { parseDemoArgs, type DemoOptions } from './demo/options';
import { prepareUserDir } from './demo/user-dir';

export const READY_PREFIX = 'KASA_DEMO_READY ';

function findRepoRoot(): string {
  // dist/scripts/demo.js -> repo root; also works from ts-node style runs of scripts/demo.ts.
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === '@kasa-red/node-red-tplink-kasa') return dir;
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the repository root from ' + __dirname);
}

export async function runDemo(options: DemoOptions, repoRoot: string): Promise<void> {
  const log = (line: string): void => { process.stdout.write(`${line}\n`); };
  let fleet: DemoFleet | undefined;
  let nodeRed: NodeRedProcess | undefined;
  let stopping: Promise<void> | undefined;

  const stopAll = (): Promise<void> => {
    stopping ??= (async () => {
      await nodeRed?.stop().catch(() => undefined);
      await fleet?.close().catch(() => undefined);
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      log(`\n${signal}: stopping Node-RED and the simulated devices...`);
      void stopAll().then(() => {
        log('Stopped.');
        process.exit(0);
      });
    });
  }

  try {
    const redJs = require.resolve('node-red/red.js', { paths: [repoRoot] });
    if (!fs.existsSync(path.join(repoRoot, 'dist', 'nodes', 'tplink-plug', 'tplink-plug.js'))) {
      throw new Error('the nodes are not built: run `npm run build` (npm install does it too)');
    }
    await checkPortFree('127.0.0.1', options.port);
    try {
      fleet = await startDemoFleet(options.fleetBase, options.tddpReplyPort);
    } catch (error) {
      throw new Error(`cannot start the simulated devices on ${options.fleetBase}x (${(error as Error).message}); ` +
        'is another demo running? Start this one with --fleet-base 127.0.1.');
    }
    const flows = combineExamples(readExamples(path.join(repoRoot, 'examples')), options);
    const prepared = prepareUserDir({
      userDir: options.userDir, repoRoot, port: options.port, discoveryAddress: fleet.discoveryAddress, flows, resetFlows: options.reset,
      credentials: tapoCredentials(flows, fleet),
    });
    log(`Simulated devices (${fleet.discoveryAddress} answers discovery):`);
    for (const e of fleet.entries) log(`  ${`${e.host}:${e.port}`.padEnd(18)} ${e.model.padEnd(10)} ${e.alias}${e.note ? ` (${e.note})` : ''}`);
    log(`The Tapo devices are bound to the TP-Link account ${DEMO_ACCOUNT.username}, password "${DEMO_ACCOUNT.password}" (a demo account: `
      + 'filled in for the examples\' Tapo devices; enter it in any other tplink-config node for them).');
    if (!prepared.wroteFlows) log(`Keeping your saved flows in ${prepared.flowFile}; \`npm start -- --reset\` restores the examples.`);
    log(`Starting Node-RED (user dir ${options.userDir})...`);
    nodeRed = await startNodeRed({ redJs, userDir: options.userDir, settingsFile: prepared.settingsFile, port: options.port, output: log });
    void nodeRed.exited.then((code) => {
      if (stopping) return;
      log(`Node-RED exited (${code}); stopping the simulated devices.`);
      void stopAll().then(() => process.exit(1));
    });
    const editor = `http://127.0.0.1:${options.port}/`;
    const dashboard = `http://127.0.0.1:${options.port}/dashboard`;
    log('');
    log(`  Node-RED editor:  ${editor}`);
    log(`  Dashboard:        ${dashboard}`);
    log('  Ctrl-C stops Node-RED and the simulated devices.');
    log('');
    log(READY_PREFIX + JSON.stringify({
      editor, dashboard, port: options.port, userDir: options.userDir, logFile: prepared.logFile,
      discoveryAddress: fleet.discoveryAddress, fleet: fleet.entries, smartAccount: DEMO_ACCOUNT.username, pid: process.pid,
    }));
  } catch (error) {
    process.stderr.write(`npm start: ${(error as Error).message}\n`);
    await stopAll();
    process.exit(1);
  }
}

/** The demo account for every config node naming one of the fleet's Tapo devices (credentials never travel in a flow file). */
function tapoCredentials(flows: readonly FlowNode[], fleet: DemoFleet): Record<string, { username: string; password: string }> {
  const tapo = new Set(fleet.smartDevices.map((d) => `${d.host}:${d.port}`));
  const credentials: Record<string, { username: string; password: string }> = {};
  for (const node of flows) {
    if (node.type === 'tplink-config' && tapo.has(`${String(node.host)}:${String(node.port)}`)) credentials[node.id] = { ...DEMO_ACCOUNT };
  }
  return credentials;
}

/** Entry point of `npm start` (scripts/start.js) and of `node dist/scripts/demo.js`. */
export function main(argv: readonly string[]): void {
  const repoRoot = findRepoRoot();
  let options: DemoOptions;
  try {
    options = parseDemoArgs(argv, repoRoot);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  void runDemo(options, repoRoot);
}

if (require.main === module) main(process.argv.slice(2));
