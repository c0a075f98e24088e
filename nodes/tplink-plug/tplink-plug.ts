/**
 * tplink-plug: switches and reads one device (plug, strip or one of its
 * outlets, switch, dimmer, and bulbs and light strips on/off) through the
 * shared device connection of its tplink-config node; sets a dimmer's
 * brightness. The rules (what a message means, what runs on the device,
 * polling) live in lib/node-support; this file only turns messages into
 * calls and answers into messages and status.
 */
import { adminMethodsIn, isAdministrative, parsePlugCommand, PlugInputError } from '../../lib/node-support/plug-command';
import { runPlugCommand, type PlugResult } from '../../lib/node-support/plug-actions';
import { PlugMonitor, type PlugView } from '../../lib/node-support/plug-monitor';
import { TransitionNotice } from '../../lib/node-support/transition-note';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from '../types';
import { numberSetting, type TplinkConfigNode } from '../tplink-config/device-config';
import { isUnreachable, reasonKey } from './plug-status';
import { fail, guarded, settleInput } from '../settle';
import { migratePlug } from './migrations';

interface TplinkPlugDef extends NodeDef {
  device: string;
  /** '' for the plug or whole strip; else an outlet index, id or alias. */
  outlet: string;
  /** Seconds between polls; blank or 0 turns polling off. */
  interval: string | number;
  allowAdmin: boolean;
}

export = function register(RED: NodeAPI): void {
  function statusOf(view: PlugView): NodeStatus {
    switch (view.kind) {
      case 'connecting':
        return { fill: 'yellow', shape: 'ring', text: RED._('tplink-plug.status.connecting') };
      case 'offline':
        return { fill: 'red', shape: 'ring', text: RED._(`tplink-plug.status.${reasonKey(view.error)}`) };
      case 'state': {
        if (!view.on) return { fill: 'grey', shape: 'ring', text: RED._('tplink-plug.status.off') };
        const parts = [RED._('tplink-plug.status.on')];
        if (view.brightness !== undefined) parts.push(`${view.brightness} %`);
        if (view.power !== undefined) parts.push(`${round(view.power)} W`);
        return { fill: 'green', shape: 'dot', text: parts.join(' · ') };
      }
    }
  }

  function inputError(error: unknown): Error {
    if (error instanceof PlugInputError) return new Error(RED._(`tplink-plug.errors.${error.key}`, error.params));
    return error instanceof Error ? error : new Error(String(error));
  }

  /** A message the node cannot use, or a command it refuses: the last state must not stay green. */
  function refusedStatus(error: unknown): NodeStatus {
    const key = error instanceof PlugInputError && error.key !== 'unknown-outlet' ? 'refused' : reasonKey(error);
    return { fill: 'red', shape: 'ring', text: RED._(`tplink-plug.status.${key}`) };
  }

  function TplinkPlug(this: Node, saved: TplinkPlugDef): void {
    RED.nodes.createNode(this, saved);
    const def = migratePlug(saved);
    const config = RED.nodes.getNode(def.device) as TplinkConfigNode | null;
    const connection = config?.connection;
    if (!connection) {
      this.status({ fill: 'red', shape: 'ring', text: RED._('tplink-plug.status.no-device') });
      const reason = config?.setupError?.message ?? RED._('tplink-plug.errors.no-device');
      this.on('input', (_msg, _send, done) => fail(done, reason));
      return;
    }
    const outlet = String(def.outlet ?? '').trim();
    const pollInterval = def.interval === '' || Number(def.interval) === 0 ? 0 : numberSetting(def.interval, 0) * 1000;
    const monitor = new PlugMonitor({ connection, outlet, pollInterval: Math.max(pollInterval, pollInterval > 0 ? 100 : 0) });
    let closed = false;
    const transitionNotice = new TransitionNotice();

    monitor.on('view', guarded(this, (view) => this.status(statusOf(view))));
    monitor.on('unreachable', guarded(this, (error) => this.warn(error.message)));
    monitor.on('state', guarded(this, (s) => this.send({ payload: s.on, topic: s.alias, command: 'state', sysinfo: s.sysinfo })));
    monitor.on('energy', guarded(this, (e) => this.send({ payload: e.power, topic: e.alias, command: 'energy', energy: e.energy })));

    this.on('input', (msg, send, done) => {
      let command;
      try {
        command = parsePlugCommand(msg as { command?: unknown; topic?: unknown; payload?: unknown });
      } catch (error) {
        this.status(refusedStatus(error));
        return fail(done, inputError(error));
      }
      if (isAdministrative(command) && !def.allowAdmin) {
        const name = command.kind === 'action' ? command.action : command.kind === 'raw' ? adminMethodsIn(command.request).join(', ') : 'power';
        this.status(refusedStatus(new PlugInputError('admin-refused', { command: name }, 'refused')));
        return fail(done, RED._('tplink-plug.errors.admin-refused', { command: name }));
      }
      settleInput(this, done, () => runPlugCommand({ connection, outlet }, command), {
        result: (result) => {
          if (closed) return;
          if (result.on !== undefined && result.state) monitor.observe(result.on, result.state);
          else if (result.energy) monitor.observePower(result.energy.power);
          const model = transitionNotice.modelToTell(result);
          if (model !== undefined) this.warn(RED._('tplink-plug.warnings.transition-ignored', { model }));
          send(toMessage(msg, result));
        },
        failure: (error) => {
          if (closed) return undefined;
          if (isUnreachable(error)) monitor.observeFailure(error);
          else this.status(refusedStatus(error));
          return inputError(error);
        },
      });
    });

    this.on('close', (_removed, done) => {
      closed = true;
      monitor.stop();
      done();
    });
    monitor.start();
  }

  RED.nodes.registerType('tplink-plug', TplinkPlug);
};

/**
 * The input message, answered: payload, topic = alias, and what was read in its own property.
 * sysinfo, energy and reply of the input (another plug node's answer) are dropped: they are not this device's.
 */
function toMessage(msg: NodeMessage, result: PlugResult): NodeMessage {
  const { sysinfo: _sysinfo, energy: _energy, reply: _reply, ...rest } = msg;
  const out: NodeMessage = { ...rest, payload: result.payload, command: result.command };
  if (result.alias !== '') out.topic = result.alias;
  if (result.sysinfo !== undefined) out.sysinfo = result.sysinfo;
  if (result.energy !== undefined) out.energy = result.energy;
  if (result.reply !== undefined && result.reply !== result.payload) out.reply = result.reply;
  return out;
}

function round(watts: number): number {
  return Math.round(watts * 10) / 10;
}
