/**
 * When a node tells the user that a device ignored a transition. SMART
 * lights and dimmers (Tapo bulbs, KS225, KS240's light, HS220 3.26) have no
 * fade: they take a transition and apply the change at once, so flows
 * written for Kasa lights keep running. tplink-light and tplink-plug both
 * reach them (a light message, a brightness command) and must agree on when
 * that is worth a warning and how often, so the rule lives here once.
 */
import type { DeviceState } from '../device/types';

/**
 * Whether a transition asked of this device was ignored. A transition of 0
 * asks for no fade, which the device gave: nothing to tell.
 */
export function transitionIgnoredBy(state: DeviceState, transition: number | undefined): boolean {
  return transition !== undefined && transition > 0 && state.ignoresTransition === true;
}

/** A command's answer that may say its transition was ignored (a light report, a plug result). */
export interface TransitionOutcome {
  transitionIgnored?: boolean;
  state?: DeviceState;
}

/**
 * One per node instance, so once per deploy: a flow that fades on every
 * message would otherwise fill the debug sidebar with the same warning.
 */
export class TransitionNotice {
  private told = false;

  /** The model to name in the warning the first time an answer says its transition was ignored; undefined after, or when none was. */
  modelToTell(outcome: TransitionOutcome): string | undefined {
    if (this.told || outcome.transitionIgnored !== true) return undefined;
    this.told = true;
    return outcome.state?.model || '?';
  }
}
