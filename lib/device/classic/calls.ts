/**
 * How the classic family's features talk: one module.method through the
 * request client, addressed to an outlet when there is one, err_codes
 * checked, and the result read by the reader of its shape. The command
 * builders of lib/classic/commands.ts write the plug firmware's module
 * names; `inModule` moves a built request to the module a kind uses.
 */
import type { SmartHomeClient } from '../../classic/client';
import type { JsonValue, SmartHomeRequest } from '../../classic/commands';
import { readMethodResult } from '../../classic/replies';
import type { SmartHomeResponse } from '../../classic/response';
import type { Reader } from '../../json';
import type { OutletState } from '../types';

export interface CallOptions {
  outlet?: OutletState | undefined;
  ifIdle?: boolean;
  timeout?: number;
}

export class ClassicCalls {
  readonly client: SmartHomeClient;

  constructor(client: SmartHomeClient) {
    this.client = client;
  }

  /** Sends a built request (err_codes checked) to the device or to one outlet. */
  send(request: SmartHomeRequest, options: CallOptions = {}): Promise<SmartHomeResponse> {
    const childIds = options.outlet === undefined ? undefined : [options.outlet.id];
    return this.client.send(request, { childIds, ifIdle: options.ifIdle, timeout: options.timeout });
  }

  /** Sends `request` and reads `module.method` of the reply with `reader`. */
  async read<T>(request: SmartHomeRequest, module: string, method: string, reader: Reader<T>, options: CallOptions = {}): Promise<T> {
    const reply = await this.send(request, options);
    return readMethodResult(reply, module, method, reader, this.client.address);
  }

  /** One method of one module, its arguments as given. */
  call<T>(module: string, method: string, args: JsonValue, reader: Reader<T>, options: CallOptions = {}): Promise<T> {
    return this.read({ [module]: { [method]: args } }, module, method, reader, options);
  }
}

/** `request` (built for the plug module `from`) addressed to module `to`. */
export function inModule(request: SmartHomeRequest, from: string, to: string): SmartHomeRequest {
  if (from === to) return request;
  const { [from]: methods, ...rest } = request;
  return { ...rest, [to]: methods as JsonValue };
}
