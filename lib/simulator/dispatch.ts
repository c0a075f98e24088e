/**
 * Routes a request to module handlers the way firmware does: every
 * top-level key is a module, every key inside it a method; each gets its
 * own reply or error, so a combined request can partly fail.
 */
import { moduleTablesFor, type MethodContext } from './handlers';
import { DIALECTS, entryNotExist, invalidArgument, ReplyError, type Params } from './reply-errors';
import type { Outlet } from './outlet';
import type { SimulatedDevice } from './simulated-device';

export function dispatch(device: SimulatedDevice, request: object, now: number): Params {
  const tables = moduleTablesFor(device.spec);
  const dialect = DIALECTS[device.spec.errorDialect];
  const entries = Object.entries(request);
  const strip = device.spec.kind === 'strip';
  const ctx: MethodContext = { device, now, ...(strip ? resolveChildren(device, (request as Params).context) : {}) };
  const response: Params = {};
  for (const [moduleName, methods] of entries) {
    // Only power strips know `context`; other devices answer it as an unknown module.
    if (moduleName === 'context' && strip) continue;
    const table = tables.get(moduleName);
    if (!table) {
      setOwn(response, moduleName, { ...dialect.module });
      continue;
    }
    if (typeof methods !== 'object' || methods === null || Array.isArray(methods)) {
      setOwn(response, moduleName, invalidArgument().toReply());
      continue;
    }
    const replies: Params = {};
    for (const [methodName, params] of Object.entries(methods)) {
      const handler = table.get(methodName);
      if (!handler) {
        setOwn(replies, methodName, { ...dialect.method });
        continue;
      }
      try {
        setOwn(replies, methodName, handler(params, ctx));
      } catch (error) {
        if (!(error instanceof ReplyError)) throw error;
        setOwn(replies, methodName, error.toReply());
      }
    }
    setOwn(response, moduleName, replies);
  }
  return response;
}

function resolveChildren(device: SimulatedDevice, context: unknown): Pick<MethodContext, 'children' | 'childError'> {
  if (context === undefined || context === null) return {};
  const ids = typeof context === 'object' ? (context as Params).child_ids : undefined;
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) return { childError: invalidArgument() };
  if (ids.length === 0) return {};
  const children: Outlet[] = [];
  for (const id of ids as string[]) {
    const child = device.findChild(id);
    if (!child) return { childError: entryNotExist() };
    if (!children.includes(child)) children.push(child);
  }
  return { children };
}

/** Assigns even a key named `__proto__` as a plain property (JSON.parse can produce one). */
function setOwn(target: Params, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
