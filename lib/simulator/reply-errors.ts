/**
 * Error replies as firmware writes them. A handler throws ReplyError and the
 * dispatcher turns it into `{err_code, err_msg}` in the method's slot, so one
 * failing method never spoils the rest of a combined request.
 */
export class ReplyError extends Error {
  readonly errCode: number;
  readonly errMsg: string;
  constructor(errCode: number, errMsg: string) {
    super(`${errCode} ${errMsg}`);
    this.name = 'ReplyError';
    this.errCode = errCode;
    this.errMsg = errMsg;
  }

  toReply(): { err_code: number; err_msg: string } {
    return { err_code: this.errCode, err_msg: this.errMsg };
  }
}

export const invalidArgument = (): ReplyError => new ReplyError(-3, 'invalid argument');
export const entryNotExist = (): ReplyError => new ReplyError(-14, 'entry not exist');
export const tableFull = (): ReplyError => new ReplyError(-10, 'table is full');

/**
 * Plugs and switches answer an unknown module with -1 and an unknown method
 * with -2; the LB/KL bulb firmware uses its own -2001 / -2000.
 */
export const DIALECTS = {
  plug: {
    module: { err_code: -1, err_msg: 'module not support' },
    method: { err_code: -2, err_msg: 'member not support' },
  },
  bulb: {
    module: { err_code: -2001, err_msg: 'Module not support' },
    method: { err_code: -2000, err_msg: 'Method not support' },
  },
} as const;

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
