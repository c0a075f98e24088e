/**
 * The classic family (Smart Home protocol, over TCP, UDP or KLAP) as the
 * device layer sees it: one get_sysinfo read into the state model
 * (state/classic.ts), switching per kind (light.ts), the features a kind
 * has with the modules it uses (modules.ts, features.ts), and the request
 * client as the raw channel.
 */
import { SmartHomeClient, type SmartHomeClientOptions } from '../../classic/client';
import { forChildren, system, type SmartHomeRequest } from '../../classic/commands';
import { readMethodResult, readSysInfo } from '../../classic/replies';
import type { JsonObject } from '../../json';
import type { TrafficHook } from '../../traffic';
import { classicState } from '../state/classic';
import { ChannelFamily } from '../channel-family';
import type { FamilyAdapter, FamilyFeatures, FamilyRead, FeatureContext, RawRequestOptions } from '../family';
import type { DeviceState, LightState, OutletState } from '../types';
import { ClassicCalls } from './calls';
import {
  aliasFeature, antiTheftFeature, cloudFeature, countdownFeature, energyMeter, ledFeature, scheduleFeature, systemFeature, timeFeature, wifiFeature,
} from './features';
import { dimmerFeature, lightFeature, switchPower } from './light';
import { modulesFor } from './modules';

const GET_SYSINFO = system.getSysinfo();

export class ClassicFamily extends ChannelFamily<SmartHomeClient> implements FamilyAdapter {
  readonly family = 'classic' as const;
  private readonly calls: ClassicCalls;

  constructor(client: SmartHomeClient) {
    super(client);
    this.calls = new ClassicCalls(client);
  }

  static open(options: SmartHomeClientOptions): ClassicFamily {
    return new ClassicFamily(new SmartHomeClient(options));
  }

  /** One get_sysinfo, read by its reader into the state model (a poll's whole cost above the client: one promise step). */
  read(options: { ifIdle?: boolean } = {}): Promise<FamilyRead> {
    return this.client.send(GET_SYSINFO, { ifIdle: options.ifIdle }).then((reply) => {
      const info = readMethodResult(reply, 'system', 'get_sysinfo', readSysInfo, this.client.address);
      return { state: classicState(info), info };
    });
  }

  setPower(state: DeviceState, on: boolean, outlet: OutletState | undefined, options: { transition?: number }): Promise<LightState | undefined> {
    return switchPower(this.calls, state, on, outlet, options.transition);
  }

  features(state: DeviceState, context: FeatureContext): FamilyFeatures {
    const modules = modulesFor(state.kind);
    const has = new Set(state.features);
    const features: FamilyFeatures = {};
    if (has.has('energy')) features.energy = energyMeter(this.calls, modules.emeter);
    if (has.has('light')) features.light = lightFeature(this.calls, context);
    if (has.has('dimmer')) features.dimmer = dimmerFeature(this.calls, context);
    if (has.has('schedule')) features.schedule = scheduleFeature(this.calls, context, modules.schedule);
    if (has.has('countdown') && modules.countdown !== undefined) features.countdown = countdownFeature(this.calls, context, modules.countdown);
    if (has.has('antiTheft')) features.antiTheft = antiTheftFeature(this.calls, context, modules.antiTheft);
    if (has.has('time')) features.time = timeFeature(this.calls, modules.time);
    if (has.has('led')) features.led = ledFeature(this.calls);
    if (has.has('alias')) features.alias = aliasFeature(this.calls, context, modules.system);
    if (has.has('cloud')) features.cloud = cloudFeature(this.calls, modules.cloud);
    if (has.has('wifi')) features.wifi = wifiFeature(this.calls, modules.wifi);
    if (has.has('system')) features.system = systemFeature(this.calls, modules.system);
    return features;
  }

  /** A request for an outlet goes with its child id unless it names its own context. */
  request(message: JsonObject | string, options: RawRequestOptions): Promise<JsonObject> {
    let request: JsonObject | string = message;
    if (options.outlet !== undefined && typeof message !== 'string' && message.context === undefined) {
      request = forChildren(message as SmartHomeRequest, [options.outlet.id]);
    }
    return this.client.sendUnchecked(request, { timeout: options.timeout });
  }

  setTrafficHook(hook: TrafficHook | undefined): void {
    this.client.setTrafficHook(hook);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
