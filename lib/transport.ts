/**
 * A transport carries one request (plaintext JSON bytes: Smart Home or SMART) to a
 * device and returns the plaintext reply. The client above it serialises
 * requests, so a transport never has two requests in flight at once.
 */
export interface Transport {
  readonly host: string;
  readonly port: number;
  readonly kind: TransportKind;
  /**
   * Sends one request and resolves to the reply's plaintext. Rejects with a
   * TimeoutError, ConnectionError, ProtocolError or AuthenticationError.
   * `retriable` on the rejection (see RetriableFlag) says whether the request
   * is known not to have reached the device, so that resending cannot apply it twice.
   */
  send(request: Buffer, timeout: number): Promise<Buffer>;
  /** Releases sockets and timers; later sends open new ones. */
  close(): Promise<void>;
}

export type TransportKind = 'tcp' | 'udp' | 'klap' | 'aes';

/** Set on errors for which the request certainly did not reach the device. */
export interface RetriableFlag {
  retriable?: boolean;
}

export function markRetriable<E extends Error>(error: E): E & RetriableFlag {
  (error as E & RetriableFlag).retriable = true;
  return error as E & RetriableFlag;
}

export function isRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as RetriableFlag).retriable === true;
}
