/** Short reasons for a red status, from an error's code. */
import { SmartHomeError } from '../../lib/errors';
import { PlugInputError } from '../../lib/node-support/plug-command';

/** The message key (under `tplink-plug.status.`) for an error. */
export function reasonKey(error: unknown): string {
  if (error instanceof PlugInputError && error.key === 'unknown-outlet') return 'no-outlet';
  const code = error instanceof SmartHomeError ? error.code : undefined;
  switch (code) {
    case 'ETIMEDOUT': return 'timeout';
    case 'ECONNECTION': return 'unreachable';
    case 'EAUTH': return 'auth';
    case 'EDEVICE': return 'device-error';
    case 'EPROTOCOL': return 'protocol';
    case 'EBUSY': return 'busy';
    default: return 'error';
  }
}

/** Errors that say the device cannot be reached (as opposed to refusing one command). */
export function isUnreachable(error: unknown): boolean {
  return error instanceof SmartHomeError && (error.code === 'ETIMEDOUT' || error.code === 'ECONNECTION' || error.code === 'EAUTH');
}
