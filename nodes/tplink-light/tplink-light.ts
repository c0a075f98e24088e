/**
 * tplink-light: switches, dims and colours one bulb, light strip, dimmer
 * or plug that dims (P135) through the shared device connection of its
 * tplink-config node. What a message means and how the light becomes a
 * message live in lib/node-support (light-command, light-actions); the
 * timing of reads and retries in its DeviceWatch. This file only turns messages into calls and
 * answers into messages and status.
 */
import { parseLightCommand, LightInputError } from '../../lib/node-support/light-command';
import { readLight, runLightCommand, viewOf, type LightReport, type LightView } from '../../lib/node-support/light-actions';
import { DeviceWatch } from '../../lib/node-support/device-watch';
import { TransitionNotice } from '../../lib/node-support/transition-note';
import type { Node, NodeAPI, NodeMessage, NodeStatus } from '../types';
import { numberSetting, type TplinkConfigNode } from '../tplink-config/device-config';
import { isUnreachable, reasonKey } from '../tplink-plug/plug-status';
import { asError, fail, guarded, settleInput } from '../settle';
import { migrateLight, type TplinkLightDef } from './migrations';

export = function register(RED: NodeAPI): void {
  function lightStatus(view: LightView): NodeStatus {
    if (!view.on) return { fill: 'grey', shape: 'ring', text: RED._('tplink-light.status.off') };
    const parts = [RED._('tplink-light.status.on')];
    if (view.brightness !== undefined) parts.push(`${view.brightness} %`);
    if (view.colour !== undefined) parts.push(view.colour);
    return { fill: 'green', shape: 'dot', text: parts.join(' · ') };
  }

  function failureStatus(error: unknown): NodeStatus {
    const key = error instanceof LightInputError ? 'refused' : reasonKey(error);
    return { fill: 'red', shape: 'ring', text: RED._(`tplink-light.status.${key}`) };
  }

  /** What the user reads in the debug sidebar and a Catch node's msg.error.message: one line in their language. */
  function readable(error: unknown): Error {
    if (error instanceof LightInputError) return new Error(RED._(`tplink-light.errors.${error.key}`, error.params));
    return asError(error);
  }

  function TplinkLight(this: Node, raw: TplinkLightDef): void {
    RED.nodes.createNode(this, raw);
    const def = migrateLight(raw);
    const config = RED.nodes.getNode(def.device) as TplinkConfigNode | null;
    const connection = config?.connection;
    if (!connection) {
      this.status({ fill: 'red', shape: 'ring', text: RED._('tplink-light.status.no-device') });
      const reason = config?.setupError?.message ?? RED._('tplink-light.errors.no-device');
      this.on('input', (_msg, _send, done) => fail(done, reason));
      return;
    }
    const transition = def.transition === '' ? undefined : Math.round(numberSetting(def.transition, 0));
    const pollInterval = def.interval === '' || Number(def.interval) === 0 ? 0 : Math.max(100, numberSetting(def.interval, 0) * 1000);
    const watch = new DeviceWatch<LightReport>({
      connection,
      pollInterval,
      read: (device, how) => readLight(device, { energy: how.polling, ifIdle: how.ifIdle, fresh: how.fresh }),
    });
    let closed = false;
    // What the flow last heard: polls send only what changed.
    let lastLight = '';
    let lastPower: number | undefined;
    const transitionNotice = new TransitionNotice();

    const show = (report: LightReport): void => this.status(lightStatus(viewOf(report)));
    watch.on('connecting', guarded(this, () => this.status({ fill: 'yellow', shape: 'ring', text: RED._('tplink-light.status.connecting') })));
    watch.on('offline', guarded(this, (error, first) => {
      this.status(failureStatus(error));
      if (first) this.warn(error.message);
    }));
    watch.on('reading', guarded(this, (report) => {
      show(report);
      // Polls report a light changed elsewhere (the app, a schedule, a wall switch) or a new power reading.
      const light = JSON.stringify(report.payload);
      const power = report.energy?.power;
      const changed = light !== lastLight || (power !== undefined && power !== lastPower);
      lastLight = light;
      if (power !== undefined) lastPower = power;
      if (pollInterval > 0 && changed) this.send(toMessage({}, report, 'state'));
    }));

    this.on('input', (msg, send, done) => {
      let command;
      try {
        command = parseLightCommand(msg);
      } catch (error) {
        this.status(failureStatus(error));
        return fail(done, readable(error));
      }
      settleInput(this, done, () => runLightCommand(connection, command, { transition }), {
        result: (report) => {
          if (closed) return;
          watch.observeSuccess();
          lastLight = JSON.stringify(report.payload);
          show(report);
          const model = transitionNotice.modelToTell(report);
          if (model !== undefined) this.warn(RED._('tplink-light.warnings.transition-ignored', { model }));
          send(toMessage(msg, report, command.kind === 'read' ? 'state' : 'light'));
        },
        failure: (error) => {
          if (closed) return undefined;
          if (isUnreachable(error)) watch.observeFailure(error);
          else this.status(failureStatus(error));
          return readable(error);
        },
      });
    });

    this.on('close', (_removed, done) => {
      closed = true;
      watch.stop();
      done();
    });
    watch.start();
  }

  RED.nodes.registerType('tplink-light', TplinkLight);
};

/**
 * The input message, answered: payload the light, topic the alias, the colour, effect and
 * energy beside it. color, effect and energy of the input (another node's answer) are dropped.
 */
function toMessage(msg: NodeMessage, report: LightReport, command: string): NodeMessage {
  const { color: _color, effect: _effect, energy: _energy, ...rest } = msg;
  const out: NodeMessage = { ...rest, payload: report.payload, command };
  if (report.alias !== '') out.topic = report.alias;
  if (report.color !== undefined) out.color = report.color;
  if (report.effect !== undefined) out.effect = report.effect;
  if (report.energy !== undefined) out.energy = report.energy;
  return out;
}
