/**
 * Typed TDDP errors. Every message starts with the device's host:port so a
 * Node-RED debug pane or a CLI line says which device failed.
 */
import type { TddpHeader } from './packet';

export type TddpErrorCode =
  | 'ETIMEDOUT'
  | 'ECONNECTION'
  | 'ESHORT'
  | 'EOVERSIZE'
  | 'EMALFORMED'
  | 'EDIGEST'
  | 'EDECRYPT'
  | 'ESTATUS'
  | 'ECLOSED';

export interface TddpAddress {
  host: string;
  port: number;
}

export class TddpError extends Error {
  readonly code: TddpErrorCode;
  readonly host: string;
  readonly port: number;
  /** The reply header, when the error concerns a reply whose header could be read. */
  readonly header: TddpHeader | undefined;

  constructor(code: TddpErrorCode, message: string, address: TddpAddress, header?: TddpHeader, cause?: unknown) {
    super(`${address.host}:${address.port}: ${message}`, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.host = address.host;
    this.port = address.port;
    this.header = header;
  }
}

/** No matching reply arrived on the reply port in time. */
export class TddpTimeoutError extends TddpError {
  readonly timeout: number;
  constructor(message: string, timeout: number, address: TddpAddress) {
    super('ETIMEDOUT', message, address);
    this.timeout = timeout;
  }
}

/** A socket could not be bound, the host not resolved, or the datagram not sent. */
export class TddpConnectionError extends TddpError {
  /** The operating system's code (EADDRINUSE, ENOTFOUND, ...), when there is one. */
  readonly syscallCode: string | undefined;
  constructor(message: string, address: TddpAddress, cause?: unknown) {
    super('ECONNECTION', message, address, undefined, cause);
    const code = (cause as { code?: unknown } | undefined)?.code;
    this.syscallCode = typeof code === 'string' ? code : undefined;
  }
}

/** The reply is shorter than its header says (or than a header). */
export class TddpShortPacketError extends TddpError {
  constructor(message: string, address: TddpAddress, header?: TddpHeader) {
    super('ESHORT', message, address, header);
  }
}

/** The reply is longer than its header says, or declares more data than a datagram holds. */
export class TddpOversizePacketError extends TddpError {
  constructor(message: string, address: TddpAddress, header?: TddpHeader) {
    super('EOVERSIZE', message, address, header);
  }
}

/** The reply is not TDDP as we know it (unknown version, ...). */
export class TddpMalformedPacketError extends TddpError {
  constructor(message: string, address: TddpAddress, header?: TddpHeader) {
    super('EMALFORMED', message, address, header);
  }
}

/** The version 2 digest does not match the packet: corrupted or forged. */
export class TddpDigestError extends TddpError {
  constructor(message: string, address: TddpAddress, header?: TddpHeader) {
    super('EDIGEST', message, address, header);
  }
}

/** The data did not decrypt cleanly: almost always wrong credentials. */
export class TddpDecryptionError extends TddpError {
  /** What the data decrypted to, padding included, for whoever wants to look anyway. */
  readonly decrypted: Buffer | undefined;
  constructor(message: string, address: TddpAddress, header: TddpHeader, decrypted?: Buffer) {
    super('EDECRYPT', message, address, header);
    this.decrypted = decrypted;
  }
}

/** The device answered with a non-zero reply status. */
export class TddpStatusError extends TddpError {
  readonly status: number;
  constructor(header: TddpHeader, address: TddpAddress) {
    super('ESTATUS', `device replied with status ${hex2(header.status)} to type ${hex2(header.type)} subtype ${hex2(header.subtype)}${header.status === 3 ? ' (unsupported?)' : ''}`, address, header);
    this.status = header.status;
  }
}

/** The client was closed while the request was queued or in flight. */
export class TddpClosedError extends TddpError {
  constructor(address: TddpAddress) {
    super('ECLOSED', 'client closed before the request completed', address);
  }
}

function hex2(value: number): string {
  return value.toString(16).padStart(2, '0');
}
