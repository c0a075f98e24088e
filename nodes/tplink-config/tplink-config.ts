/**
 * tplink-config: one device. Every plug node using it shares its one
 * SmartHomeClient (one connection, one request queue, one online state);
 * closing the node on redeploy closes the client and its sockets.
 */
import type { NodeAPI } from '../types';
import { createClient, type TplinkConfigDef, type TplinkConfigNode } from './device-config';
import { registerAdminEndpoints } from './admin-endpoints';
import { logFailure } from '../settle';

export = function register(RED: NodeAPI): void {
  function TplinkConfig(this: TplinkConfigNode, def: TplinkConfigDef): void {
    RED.nodes.createNode(this, def);
    this.client = undefined;
    this.setupError = undefined;
    try {
      this.client = createClient(def, this.credentials ?? {});
    } catch (error) {
      this.setupError = error instanceof Error ? error : new Error(String(error));
      this.error(RED._('tplink-config.errors.setup', { error: this.setupError.message }));
    }
    this.on('close', (_removed, done) => {
      const client = this.client;
      this.client = undefined;
      if (!client) return done();
      client.close().then(() => done(), () => done()).catch((error: unknown) => logFailure(this, error));
    });
  }
  RED.nodes.registerType('tplink-config', TplinkConfig, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });
  registerAdminEndpoints(RED);
};
