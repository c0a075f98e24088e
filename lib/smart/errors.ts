/**
 * SMART error codes as typed errors. They extend the library's shared
 * errors (DeviceError, AuthenticationError, ProtocolError), so code that
 * already handles a Kasa plug's failures handles a Tapo plug's too, and
 * add what SMART callers need: the code's name, its category, the method
 * and, for a strip outlet, the child it was for.
 */
import { AuthenticationError, DeviceError, ProtocolError, type DeviceAddress } from '../errors';
import { describeSmartErrorCode, type SmartErrorCategory } from './error-codes';

export interface SmartErrorContext {
  method: string;
  address?: DeviceAddress | undefined;
  /** device_id of the strip outlet (control_child) the request was for. */
  childId?: string | undefined;
}

function where(context: SmartErrorContext): string {
  return context.childId === undefined ? context.method : `${context.method} on child ${context.childId}`;
}

function explain(code: number): string {
  const info = describeSmartErrorCode(code);
  return `error_code ${code} (${info.name}: ${info.meaning})`;
}

function prefixed(message: string, address: DeviceAddress | undefined): string {
  return address ? `${address.host}:${address.port}: ${message}` : message;
}

/** The device answered a method with an error_code other than 0. */
export class SmartDeviceError extends DeviceError {
  readonly errorName: string;
  readonly category: SmartErrorCategory;
  readonly childId: string | undefined;

  constructor(code: number, context: SmartErrorContext) {
    const info = describeSmartErrorCode(code);
    super('smart', context.method, code, info.name, context.address);
    this.message = prefixed(`${where(context)} failed with ${explain(code)}`, context.address);
    this.errorName = info.name;
    this.category = info.category;
    this.childId = context.childId;
  }
}

/** -1002 and the like: the device has no such method (a feature its model lacks). */
export class SmartUnknownMethodError extends SmartDeviceError {}

/** -1008 and the like: the method exists but refused the parameters. */
export class SmartParamsError extends SmartDeviceError {}

/**
 * A transient failure, or a session the device dropped again right after a
 * new handshake: trying later may work. Nothing says the request did not run.
 */
export class SmartRetriableError extends SmartDeviceError {}

/** The device refused the credentials, or every account tried. */
export class SmartAuthenticationError extends AuthenticationError {
  /** The code the device answered, when it answered one. */
  readonly errCode: number | undefined;
  readonly method: string | undefined;

  constructor(message: string, address?: DeviceAddress, details: { errCode?: number; method?: string } = {}) {
    super(message, address);
    this.errCode = details.errCode;
    this.method = details.method;
  }
}

/**
 * The device does not speak the transport used (a KLAP-only device answers
 * a plain /app request with error_code 1003; an AES-only one has no
 * /app/handshake1). `suggested` names the transport to use instead.
 */
export class SmartTransportMismatchError extends ProtocolError {
  readonly suggested: 'klap' | 'aes';
  readonly errCode: number | undefined;

  constructor(message: string, suggested: 'klap' | 'aes', address?: DeviceAddress, errCode?: number) {
    super(message, address);
    this.suggested = suggested;
    this.errCode = errCode;
  }
}

/** The typed error for a non-zero error_code answered to `context.method`. */
export function smartErrorFor(code: number, context: SmartErrorContext): SmartDeviceError | SmartAuthenticationError {
  switch (describeSmartErrorCode(code).category) {
    case 'auth':
      return new SmartAuthenticationError(`${where(context)} refused: ${explain(code)}`, context.address, { errCode: code, method: context.method });
    case 'unknown-method':
      return new SmartUnknownMethodError(code, context);
    case 'params':
      return new SmartParamsError(code, context);
    case 'retriable':
    case 'session':
      return new SmartRetriableError(code, context);
    default:
      return new SmartDeviceError(code, context);
  }
}
