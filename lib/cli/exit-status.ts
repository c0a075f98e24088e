/**
 * Exit codes shared by the command-line tools, so that scripts can tell a
 * device that said no from one that never answered.
 */
import { SmartHomeError } from '../errors';

export const EXIT_OK = 0;
/** The device answered with an err_code other than 0. */
export const EXIT_DEVICE_ERROR = 1;
/** Bad flags or arguments; the usage line is printed. */
export const EXIT_USAGE = 2;
/** No answer in time, connection refused, host unknown or unreachable. */
export const EXIT_UNREACHABLE = 3;
/** The answer was not a valid frame, datagram or JSON object. */
export const EXIT_MALFORMED = 4;
/** KLAP: the device rejected the credentials. */
export const EXIT_AUTH = 5;
/** A bug in the tool itself (sysexits' EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

/** A mistake in how the tool was called. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT_USAGE;
  if (!(error instanceof SmartHomeError)) return isSystemError(error) ? EXIT_UNREACHABLE : EXIT_INTERNAL;
  switch (error.code) {
    case 'EDEVICE':
      return EXIT_DEVICE_ERROR;
    case 'EPROTOCOL':
      return EXIT_MALFORMED;
    case 'EAUTH':
      return EXIT_AUTH;
    case 'EINPUT':
      // Refused before sending: an outlet, feature or value the device does not have.
      return EXIT_USAGE;
    default:
      return EXIT_UNREACHABLE;
  }
}

/**
 * One readable line that names the device: library errors already start
 * with host:port; anything else gets it added.
 */
export function describeFailure(error: unknown, host: string, port: number): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof SmartHomeError && error.host !== undefined) return oneLine(message);
  return oneLine(`${host}:${port}: ${message}`);
}

function isSystemError(error: unknown): boolean {
  return error instanceof Error && typeof (error as { syscall?: unknown }).syscall === 'string';
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
