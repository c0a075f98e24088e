/**
 * Typed errors. Every error names the device (host:port) so that a user
 * reading a Node-RED debug pane or a CLI message knows which plug failed.
 */

export type SmartHomeErrorCode =
  | 'ETIMEDOUT'
  | 'ECONNECTION'
  | 'EPROTOCOL'
  | 'EDEVICE'
  | 'EAUTH'
  | 'EBUSY'
  | 'ECLOSED'
  /** Refused before sending: an unknown outlet, a missing feature, a value out of range (lib/device/errors.ts). */
  | 'EINPUT';

export interface DeviceAddress {
  host: string;
  port: number;
}

export class SmartHomeError extends Error {
  readonly code: SmartHomeErrorCode;
  readonly host: string | undefined;
  readonly port: number | undefined;

  constructor(code: SmartHomeErrorCode, message: string, address?: DeviceAddress, options?: { cause?: unknown }) {
    super(address ? `${address.host}:${address.port}: ${message}` : message, options);
    this.name = new.target.name;
    this.code = code;
    this.host = address?.host;
    this.port = address?.port;
  }
}

/** The device did not answer within the request timeout. */
export class TimeoutError extends SmartHomeError {
  readonly timeout: number;
  constructor(message: string, timeout: number, address?: DeviceAddress) {
    super('ETIMEDOUT', message, address);
    this.timeout = timeout;
  }
}

/** The device could not be reached or dropped the connection. */
export class ConnectionError extends SmartHomeError {
  /** The operating system's error code (ECONNREFUSED, EHOSTUNREACH, ...), when there is one. */
  readonly syscallCode: string | undefined;
  constructor(message: string, address?: DeviceAddress, cause?: unknown) {
    super('ECONNECTION', message, address, cause === undefined ? undefined : { cause });
    const code = (cause as { code?: unknown } | undefined)?.code;
    this.syscallCode = typeof code === 'string' ? code : undefined;
  }
}

/** The bytes on the wire were not a valid frame, cipher text or JSON. */
export class ProtocolError extends SmartHomeError {
  constructor(message: string, address?: DeviceAddress, cause?: unknown) {
    super('EPROTOCOL', message, address, cause === undefined ? undefined : { cause });
  }
}

/** The device answered with an err_code other than 0. */
export class DeviceError extends SmartHomeError {
  readonly module: string;
  readonly method: string | undefined;
  readonly errCode: number;
  readonly errMsg: string | undefined;
  readonly response: unknown;
  constructor(module: string, method: string | undefined, errCode: number, errMsg: string | undefined, address?: DeviceAddress, response?: unknown) {
    const where = method ? `${module}.${method}` : module;
    super('EDEVICE', `${where} failed with err_code ${errCode}${errMsg ? ` (${errMsg})` : ''}`, address);
    this.module = module;
    this.method = method;
    this.errCode = errCode;
    this.errMsg = errMsg;
    this.response = response;
  }
}

/** KLAP: the device rejected the credentials (or none of the tried ones matched). */
export class AuthenticationError extends SmartHomeError {
  constructor(message: string, address?: DeviceAddress) {
    super('EAUTH', message, address);
  }
}

/** The client was closed while the request was queued or in flight. */
export class ClientClosedError extends SmartHomeError {
  constructor(address?: DeviceAddress) {
    super('ECLOSED', 'client closed before the request completed', address);
  }
}

/**
 * Not sent: too many requests already wait for this device, or (`skipped`)
 * a poll found the device busy with other requests and stood aside.
 */
export class DeviceBusyError extends SmartHomeError {
  readonly skipped: boolean;
  constructor(message: string, address: DeviceAddress | undefined, skipped: boolean) {
    super('EBUSY', message, address);
    this.skipped = skipped;
  }
}
