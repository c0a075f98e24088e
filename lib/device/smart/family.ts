/**
 * The SMART family (Tapo, and Kasa on firmware since about 2023, over AES
 * securePassthrough or KLAP) as the device layer sees it: get_device_info,
 * component_nego and, on strips, the outlets and their components read into
 * the state model (state/smart.ts) in as few exchanges as the device takes;
 * switching and the features (features.ts, light.ts); SmartClient as the raw
 * channel. component_nego is asked once: what a device has does not change.
 */
import type { SmartClient } from '../../smart/client';
import { readChildComponents, readComponents, type SmartComponents } from '../../smart/components';
import { readChildList, readDeviceInfo, decodeBase64Text, type SmartDeviceInfo } from '../../smart/device-info';
import type { SmartOutcome } from '../../smart/client';
import { isJsonObject, type JsonObject } from '../../json';
import type { TrafficHook } from '../../traffic';
import { ChannelFamily } from '../channel-family';
import type { FamilyAdapter, FamilyFeatures, FamilyRead, FeatureContext, RawRequestOptions } from '../family';
import { SMART_COMPONENT, smartState, type SmartReading } from '../state/smart';
import type { DeviceState, LightState, OutletState } from '../types';
import { aliasFeature, energyMeter, ledFeature, systemFeature, timeFeature } from './features';
import { dimmerFeature, lightFeature, switchPower } from './light';
import { readSmartRequest } from './raw-request';

/** What the family learnt once and keeps: the components, the outlets' components. */
interface Known {
  components?: SmartComponents;
  childComponents?: ReadonlyMap<string, SmartComponents>;
}

export class SmartFamily extends ChannelFamily<SmartClient> implements FamilyAdapter {
  readonly family = 'smart' as const;
  private readonly known: Known;

  /** `components`: a component_nego already read (by the transport probe), so it is not asked again. */
  constructor(client: SmartClient, known: { components?: SmartComponents } = {}) {
    super(client);
    this.known = { ...known };
  }

  async read(options: { ifIdle?: boolean } = {}): Promise<FamilyRead> {
    const first = await this.ask(['get_device_info', ...(this.known.components ? [] : ['component_nego'])], options.ifIdle);
    this.known.components ??= readComponents(first.get('component_nego'), this.client.address);
    const rawInfo = first.get('get_device_info');
    const info = readDeviceInfo(rawInfo, 'get_device_info result', this.client.address);
    const reading: SmartReading = { info, components: this.known.components, children: [], childComponents: this.known.childComponents ?? new Map() };
    if (this.known.components.has(SMART_COMPONENT.children)) {
      const methods = ['get_child_device_list', ...(this.known.childComponents ? [] : ['get_child_device_component_list'])];
      const outlets = await this.ask(methods, options.ifIdle);
      this.known.childComponents ??= readChildComponents(outlets.get('get_child_device_component_list'), this.client.address);
      reading.children = readChildList(outlets.get('get_child_device_list'), this.client.address);
      reading.childComponents = this.known.childComponents;
    }
    return { state: smartState(reading), info: describedInfo(rawInfo, info) };
  }

  setPower(state: DeviceState, on: boolean, outlet: OutletState | undefined, options: { transition?: number }): Promise<LightState | undefined> {
    return switchPower(this.client, state, on, outlet, options.transition);
  }

  features(state: DeviceState, context: FeatureContext): FamilyFeatures {
    const has = new Set(state.features);
    const features: FamilyFeatures = {};
    const reading = { components: this.known.components ?? new Map<string, number>(), childComponents: this.known.childComponents ?? new Map() };
    if (has.has('energy')) features.energy = energyMeter(this.client, reading, context);
    if (has.has('light')) features.light = lightFeature(this.client, context);
    if (has.has('dimmer')) features.dimmer = dimmerFeature(this.client, context);
    if (has.has('time')) features.time = timeFeature(this.client, context);
    if (has.has('led')) features.led = ledFeature(this.client);
    if (has.has('alias')) features.alias = aliasFeature(this.client, context);
    if (has.has('system')) features.system = systemFeature(this.client);
    return features;
  }

  /** A SMART request ({method, params}, or its JSON text), for the device or through control_child for an outlet. */
  async request(message: JsonObject | string, options: RawRequestOptions): Promise<JsonObject> {
    const request = readSmartRequest(message, this.client.address);
    return this.client.send(request, { childId: options.outlet?.id, timeout: options.timeout });
  }

  setTrafficHook(hook: TrafficHook | undefined): void {
    this.client.setTrafficHook(hook);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** Several getters in one exchange where the device takes batches; a method that failed rejects with its typed error. */
  private async ask(methods: readonly string[], ifIdle: boolean | undefined): Promise<ReadonlyMap<string, unknown>> {
    const outcomes: SmartOutcome[] = await this.client.callMany(methods.map((method) => ({ method })), { ifIdle });
    const results = new Map<string, unknown>();
    for (const outcome of outcomes) {
      if (!outcome.ok) throw outcome.error;
      results.set(outcome.method, outcome.result);
    }
    return results;
  }
}

/**
 * The device's own description for msg.sysinfo and `device.info`: the
 * get_device_info result as sent, but with the nickname and SSID readable
 * (the device sends them as base64).
 */
function describedInfo(raw: unknown, info: SmartDeviceInfo): JsonObject {
  const out: JsonObject = isJsonObject(raw) ? { ...raw } : {};
  if (typeof out.nickname === 'string') out.nickname = decodeBase64Text(out.nickname) ?? out.nickname;
  if (typeof out.ssid === 'string') out.ssid = info.ssid ?? out.ssid;
  return out;
}
