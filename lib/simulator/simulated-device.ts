/**
 * A simulated device without any network: its state (DeviceState) plus the
 * Smart Home request handling. The TCP/UDP server, an HTTP KLAP server or a
 * test call `handle()` / `handleJson()` directly.
 */
import { DeviceState } from './device-state';
import { dispatch } from './dispatch';

export { seedNumber, type Clock, type CloudState, type LightState, type SimulatedDeviceOptions } from './device-state';

export class SimulatedDevice extends DeviceState {
  /** Answers a request object with a response object, module by module. */
  handle(request: object): Record<string, unknown> {
    const now = this.clock();
    this.tick(now);
    return dispatch(this, request, now);
  }

  /** Answers a JSON request with a JSON response; throws SyntaxError when `text` is not a JSON object. */
  handleJson(text: string): string {
    const request: unknown = JSON.parse(text);
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      throw new SyntaxError('a Smart Home request is a JSON object');
    }
    return JSON.stringify(this.handle(request));
  }
}
