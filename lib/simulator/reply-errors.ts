/**
 * Error replies as firmware writes them. A handler throws ReplyError and the
 * dispatcher turns it into `{err_code, err_msg}` in the method's slot, so one
 * failing method never spoils the rest of a combined request.
 */
export class ReplyError extends Error {
  readonly errCode: number;
  readonly errMsg: string;
  /** Set on a bad parameter: each model answers that with its own code (`errors.invalidArgument`). */
  readonly invalidArgument: boolean;
  constructor(errCode: number, errMsg: string, invalidArgument = false) {
    super(`${errCode} ${errMsg}`);
    this.name = 'ReplyError';
    this.errCode = errCode;
    this.errMsg = errMsg;
    this.invalidArgument = invalidArgument;
  }

  toReply(): { err_code: number; err_msg: string } {
    return { err_code: this.errCode, err_msg: this.errMsg };
  }
}

/** A parameter missing, of the wrong type or out of range; plugs say -3, the dispatcher uses the model's own code. */
export const invalidArgument = (): ReplyError => new ReplyError(-3, 'invalid argument', true);
export const entryNotExist = (): ReplyError => new ReplyError(-14, 'entry not exist');
export const tableFull = (): ReplyError => new ReplyError(-10, 'table is full');

export type Params = Record<string, unknown>;

/** Method parameters are an object, or null / missing for "no arguments". */
export function asParams(value: unknown): Params {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidArgument();
  return value as Params;
}

export function requireNumber(params: Params, key: string): number {
  const value = params[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidArgument();
  return value;
}

export function requireString(params: Params, key: string): string {
  const value = params[key];
  if (typeof value !== 'string') throw invalidArgument();
  return value;
}

/** An integer from `min` to `max`; firmware refuses 50.5 as it refuses 500. */
export function integerIn(params: Params, key: string, min: number, max: number): number {
  const value = requireNumber(params, key);
  if (!Number.isInteger(value) || value < min || value > max) throw invalidArgument();
  return value;
}
