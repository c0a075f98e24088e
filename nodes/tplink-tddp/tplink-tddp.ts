/**
 * tplink-tddp: sends one TDDP request per message to a device's debug port
 * and outputs the decrypted reply. The protocol is lib/tddp.
 */
import { TddpClient } from '../../lib/tddp';
import { tddpReplyProperties, tddpRequestOf, TddpInputError } from '../../lib/node-support/tddp-message';
import type { Node, NodeAPI, NodeDef } from '../types';
import { numberSetting } from '../tplink-config/device-config';
import { asError, fail, logFailure, settleInput } from '../settle';
import { migrateTddp } from './migrations';

interface TplinkTddpDef extends NodeDef {
  host: string;
  port: string | number;
  replyPort: string | number;
  /** Seconds to wait for a reply. */
  timeout: string | number;
  /** Packet type (the flow property `type` is the node's own type). */
  packetType: string | number;
  subtype: string | number;
}

interface TddpCredentials {
  username: string;
  password: string;
}

export = function register(RED: NodeAPI): void {
  function TplinkTddp(this: Node<TddpCredentials>, saved: TplinkTddpDef): void {
    RED.nodes.createNode(this, saved);
    const def = migrateTddp(saved);
    const host = String(def.host ?? '').trim();
    let client: TddpClient | undefined;
    let closed = false;
    if (host === '') {
      this.status({ fill: 'red', shape: 'ring', text: RED._('tplink-tddp.status.no-host') });
    } else {
      client = new TddpClient({
        host,
        port: numberSetting(def.port, 1040),
        // 0 (any free port) is for the simulator (tplink-simulator --tddp-reply-port 0), which replies to the request's source port.
        replyPort: String(def.replyPort).trim() === '0' ? 0 : numberSetting(def.replyPort, 61000),
        timeout: Math.round(numberSetting(def.timeout, 5) * 1000),
        // Blank credentials fall back to the firmware's admin/admin.
        username: this.credentials?.username || undefined,
        password: this.credentials?.password || undefined,
      });
    }

    this.on('input', (msg, send, done) => {
      if (!client) return fail(done, RED._('tplink-tddp.errors.no-host'));
      let request;
      try {
        request = tddpRequestOf(msg, { type: def.packetType, subtype: def.subtype });
      } catch (error) {
        // A message that cannot be sent must not leave the last reply's green status up.
        this.status({ fill: 'red', shape: 'ring', text: RED._('tplink-tddp.status.refused') });
        if (error instanceof TddpInputError) return fail(done, RED._(`tplink-tddp.errors.${error.key}`, error.params));
        return fail(done, asError(error));
      }
      this.status({ fill: 'yellow', shape: 'ring', text: RED._('tplink-tddp.status.waiting') });
      const running = client;
      settleInput(this, done, () => running.request(request), {
        result: (response) => {
          if (closed) return;
          this.status({ fill: 'green', shape: 'dot', text: RED._('tplink-tddp.status.replied') });
          send({ ...msg, ...tddpReplyProperties(response) });
        },
        failure: (error) => {
          if (closed) return undefined;
          this.status({ fill: 'red', shape: 'ring', text: RED._('tplink-tddp.status.error') });
          return error;
        },
      });
    });

    this.on('close', (_removed, done) => {
      closed = true;
      const closing = client?.close() ?? Promise.resolve();
      client = undefined;
      closing.then(() => done(), () => done()).catch((error: unknown) => logFailure(this, error));
    });
  }

  RED.nodes.registerType('tplink-tddp', TplinkTddp, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });
};
