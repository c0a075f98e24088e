/**
 * The demo's Node-RED user directory: settings.js, package.json, flows.json
 * and node_modules links to this working tree and to the installed
 * Dashboard 2, so that Node-RED loads the pack as it is in the repo.
 */
import { createCipheriv, createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { FlowNode } from './flows';

export const PACK_NAME = '@kasa-red/node-red-tplink-kasa';
export const DASHBOARD_NAME = '@flowfuse/node-red-dashboard';
export const LOG_FILE = 'demo-log.jsonl';
export const FLOW_FILE = 'flows.json';
/** Node-RED keeps a flow file's credentials beside it, in <name>_cred.json. */
export const CREDENTIALS_FILE = 'flows_cred.json';
/** The demo's credentialSecret (settings.js): its credentials are a demo account, nothing to protect. */
export const CREDENTIAL_SECRET = 'kasa-red-demo';

export interface UserDirOptions {
  userDir: string;
  repoRoot: string;
  port: number;
  /** Where the editor's discovery "search" sends its probe: the fleet's discovery address. */
  discoveryAddress: string;
  flows: FlowNode[];
  /** Replace a flows.json that is already there. */
  resetFlows: boolean;
  /** Credentials by node id, written with fresh flows (the Tapo example's account). */
  credentials?: Record<string, { username: string; password: string }>;
}

export interface PreparedUserDir {
  settingsFile: string;
  flowFile: string;
  logFile: string;
  /** False when a saved flows.json was kept. */
  wroteFlows: boolean;
}

export function settingsSource(options: { port: number; discoveryAddress: string; logFile: string }): string {
  return `// Written by \`npm start\` (scripts/demo.ts) on every start; edits are overwritten.
'use strict';
const fs = require('fs');
const LOG_FILE = ${JSON.stringify(options.logFile)};
const DISCOVERY_ADDRESS = ${JSON.stringify(options.discoveryAddress)};

module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${options.port},
  flowFile: ${JSON.stringify(FLOW_FILE)},
  flowFilePretty: true,
  // The demo's flows hold no secrets; a fixed key keeps credentials readable across restarts.
  credentialSecret: ${JSON.stringify(CREDENTIAL_SECRET)},
  diagnostics: { enabled: false, ui: false },
  telemetry: { enabled: false, updateNotification: false },
  runtimeState: { enabled: false, ui: false },
  externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
  functionExternalModules: false,
  editorTheme: {
    tours: false,
    page: { title: 'Node-RED · TP-Link Kasa demo' },
    header: { title: 'Node-RED · TP-Link Kasa demo' },
  },
  // The simulated fleet lives on loopback, where a limited broadcast does not
  // go: the editor's device search probes the fleet's discovery address.
  httpAdminMiddleware: function (req, res, next) {
    if (req.method === 'GET' && req.path === '/tplink-kasa/discover' && req.query && !req.query.broadcast && !req.query.target) {
      req.query.broadcast = DISCOVERY_ADDRESS;
    }
    next();
  },
  logging: {
    console: { level: 'info', metrics: false, audit: false },
    demoFile: {
      level: 'warn',
      metrics: false,
      audit: false,
      handler: function () {
        return function (msg) {
          const line = { time: msg.timestamp, level: msg.level === 20 ? 'error' : msg.level === 10 ? 'fatal' : 'warn', type: msg.type, id: msg.id, msg: String(msg.msg) };
          try { fs.appendFileSync(LOG_FILE, JSON.stringify(line) + '\\n'); } catch (e) { /* the log is a convenience */ }
        };
      },
    },
  },
};
`;
}

function link(target: string, at: string): void {
  fs.mkdirSync(path.dirname(at), { recursive: true });
  try {
    const existing = fs.lstatSync(at);
    if (existing.isSymbolicLink() && path.resolve(path.dirname(at), fs.readlinkSync(at)) === target) return;
    fs.rmSync(at, { recursive: true, force: true });
  } catch {
    // Not there yet.
  }
  fs.symlinkSync(target, at, 'dir');
}

export function prepareUserDir(options: UserDirOptions): PreparedUserDir {
  const { userDir, repoRoot } = options;
  fs.mkdirSync(userDir, { recursive: true });
  const logFile = path.join(userDir, LOG_FILE);
  const settingsFile = path.join(userDir, 'settings.js');
  fs.writeFileSync(settingsFile, settingsSource({ port: options.port, discoveryAddress: options.discoveryAddress, logFile }));
  fs.writeFileSync(path.join(userDir, 'package.json'), `${JSON.stringify({
    name: 'kasa-red-demo',
    description: 'Node-RED user directory of `npm start` (generated)',
    private: true,
    dependencies: { [PACK_NAME]: `file:${repoRoot}`, [DASHBOARD_NAME]: '*' },
  }, null, 2)}\n`);
  link(repoRoot, path.join(userDir, 'node_modules', ...PACK_NAME.split('/')));
  const dashboard = path.dirname(require.resolve(`${DASHBOARD_NAME}/package.json`, { paths: [repoRoot] }));
  link(dashboard, path.join(userDir, 'node_modules', ...DASHBOARD_NAME.split('/')));

  const flowFile = path.join(userDir, FLOW_FILE);
  const wroteFlows = options.resetFlows || !fs.existsSync(flowFile);
  if (wroteFlows) {
    fs.writeFileSync(flowFile, `${JSON.stringify(options.flows, null, 2)}\n`);
    fs.writeFileSync(path.join(userDir, CREDENTIALS_FILE), `${JSON.stringify(encryptCredentials(options.credentials ?? {}, CREDENTIAL_SECRET))}\n`);
  }
  fs.writeFileSync(logFile, '');
  return { settingsFile, flowFile, logFile, wroteFlows };
}

/**
 * Credentials as Node-RED stores them under a credentialSecret: AES-256-CTR
 * with the SHA-256 of the secret as key, the IV in hex before the base64
 * ciphertext, all under "$".
 */
export function encryptCredentials(credentials: Record<string, object>, secret: string): { $: string } {
  const key = createHash('sha256').update(secret).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  return { $: iv.toString('hex') + cipher.update(JSON.stringify(credentials), 'utf8', 'base64') + cipher.final('base64') };
}
