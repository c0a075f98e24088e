/**
 * tplink-config: one device. Every node using it shares its one device
 * connection (one connection, one request queue, one online state), which
 * connects on first use and again after failures, so a device away at
 * deploy is picked up when it comes back; closing the node on redeploy
 * closes it and its sockets. "Log traffic" writes every request and reply
 * to the Node-RED log at debug level, passwords and keys replaced.
 */
import { formatTrafficEvent } from '../../lib/traffic';
import type { NodeAPI } from '../types';
import { createConnection, type TplinkConfigDef, type TplinkConfigNode } from './device-config';
import { registerAdminEndpoints } from './admin-endpoints';
import { logFailure } from '../settle';
import { migrateConfig } from './migrations';

export = function register(RED: NodeAPI): void {
  function TplinkConfig(this: TplinkConfigNode, saved: TplinkConfigDef): void {
    RED.nodes.createNode(this, saved);
    const def = migrateConfig(saved);
    this.connection = undefined;
    this.setupError = undefined;
    const log = def.logTraffic === true ? (event: Parameters<typeof formatTrafficEvent>[0]) => this.debug(formatTrafficEvent(event)) : undefined;
    try {
      this.connection = createConnection(def, this.credentials ?? {}, log);
    } catch (error) {
      this.setupError = error instanceof Error ? error : new Error(String(error));
      this.error(RED._('tplink-config.errors.setup', { error: this.setupError.message }));
    }
    this.on('close', (_removed, done) => {
      const connection = this.connection;
      this.connection = undefined;
      if (!connection) return done();
      connection.close().then(() => done(), () => done()).catch((error: unknown) => logFailure(this, error));
    });
  }
  RED.nodes.registerType('tplink-config', TplinkConfig, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });
  registerAdminEndpoints(RED);
};
