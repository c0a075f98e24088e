/** Shared pieces for the KLAP tests: a tiny plug behind the KLAP server, and a waiting helper. */
import { startKlapServer, type KlapServer, type KlapServerOptions } from '../../lib/simulator/klap-server';
import { waitFor } from '../support/wait';

export const SYSINFO_REQUEST = Buffer.from('{"system":{"get_sysinfo":{}}}');

/** A plug that answers get_sysinfo and set_relay_state, enough to see the payload go through. */
export function plugHandler(): (json: string) => string {
  let relay = 0;
  return (json) => {
    const request = JSON.parse(json) as { system?: { set_relay_state?: { state: number } } };
    if (request.system?.set_relay_state) {
      relay = request.system.set_relay_state.state;
      return JSON.stringify({ system: { set_relay_state: { err_code: 0 } } });
    }
    return JSON.stringify({ system: { get_sysinfo: { alias: 'KLAP plug', model: 'KP115(EU)', relay_state: relay, err_code: 0 } } });
  };
}

export function startPlug(options: Partial<KlapServerOptions> & Pick<KlapServerOptions, 'version'>): Promise<KlapServer> {
  return startKlapServer({ handler: plugHandler(), ...options, host: '127.0.0.1', port: 0 });
}

export function sysinfoOf(reply: Buffer): Record<string, unknown> {
  return (JSON.parse(reply.toString('utf8')) as { system: { get_sysinfo: Record<string, unknown> } }).system.get_sysinfo;
}

/** Resolves once `check` holds, at most `limitMs` (support/wait.ts). */
export async function eventually(check: () => boolean, limitMs = 2000): Promise<void> {
  await waitFor('condition', check, limitMs);
}
