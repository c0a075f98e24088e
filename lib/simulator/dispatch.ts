/**
 * Routes a request to module handlers the way firmware does: every
 * top-level key is a module, every key inside it a method; each gets its
 * own reply or error, so a combined request can partly fail. What a model
 * answers to an unknown module or method, or to a bad parameter, comes from
 * its model file.
 */
import type { DeviceState } from './device-state';
import type { MethodContext } from './method-table';
import type { ModelSpec } from './models';
import { moduleTablesFor } from './module-tables';
import type { Outlet } from './outlet';
import { entryNotExist, invalidArgument, ReplyError, type Params } from './reply-errors';

export function dispatch(device: DeviceState, request: object, now: number): Params {
  const { spec } = device;
  const tables = moduleTablesFor(spec);
  const hasChildren = spec.childCount > 0;
  const ctx: MethodContext = { device, now, ...(hasChildren ? resolveChildren(device, (request as Params).context) : {}) };
  const response: Params = {};
  for (const [moduleName, methods] of Object.entries(request)) {
    // Only power strips know `context`; other devices answer it as an unknown module.
    if (moduleName === 'context' && hasChildren) continue;
    const table = tables.get(moduleName);
    if (!table) {
      setOwn(response, moduleName, { ...spec.errors.unknownModule });
      continue;
    }
    if (typeof methods !== 'object' || methods === null || Array.isArray(methods)) {
      setOwn(response, moduleName, errorFor(spec, invalidArgument()));
      continue;
    }
    const replies: Params = {};
    for (const [methodName, params] of Object.entries(methods)) {
      const handler = table.get(methodName);
      if (!handler) {
        setOwn(replies, methodName, { ...spec.errors.unknownMethod });
        continue;
      }
      try {
        setOwn(replies, methodName, handler(params, ctx));
      } catch (error) {
        if (!(error instanceof ReplyError)) throw error;
        setOwn(replies, methodName, errorFor(spec, error));
      }
    }
    setOwn(response, moduleName, replies);
  }
  return response;
}

function errorFor(spec: ModelSpec, error: ReplyError): Params {
  return error.invalidArgument ? { ...spec.errors.invalidArgument } : error.toReply();
}

function resolveChildren(device: DeviceState, context: unknown): Pick<MethodContext, 'children' | 'childError'> {
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
