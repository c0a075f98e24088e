/**
 * The shape every request handler has, and the context a handler gets: the
 * device state, the time, and the outlets a strip request names. Kept apart
 * from the handler families and from the table of modules so that both can
 * import it without importing each other.
 */
import type { DeviceState } from './device-state';
import type { Outlet } from './outlet';
import type { Params, ReplyError } from './reply-errors';

export interface MethodContext {
  device: DeviceState;
  now: number;
  /** Outlets named by `context.child_ids` (power strips only). */
  children?: Outlet[];
  /** Set when `context.child_ids` was malformed or named an unknown outlet. */
  childError?: ReplyError;
}

export type MethodHandler = (params: unknown, ctx: MethodContext) => Params;
export type MethodTable = Map<string, MethodHandler>;

export const ok = (): Params => ({ err_code: 0 });

/** Outlets a child-aware method acts on: the named children, else all outlets. */
export function targetOutlets(ctx: MethodContext): Outlet[] {
  if (ctx.childError) throw ctx.childError;
  return ctx.children ?? ctx.device.outlets;
}

/** The one outlet a child-aware read acts on: the first named child, else the device itself. */
export function targetOutlet(ctx: MethodContext): Outlet {
  if (ctx.childError) throw ctx.childError;
  return ctx.children?.[0] ?? ctx.device.main;
}
