/**
 * node-red-node-test-helper with types, and waits for what a node sends,
 * the errors a Catch node receives and the statuses a node shows. Every wait
 * is bounded in time and ends on the call it waits for, not on a poll.
 */
import type { SinonSpy } from 'sinon';
import type { NodeMessage, NodeStatus } from '../../../nodes/types';

export interface TestNode {
  id: string;
  credentials: Record<string, string>;
  on(event: 'input', listener: (msg: NodeMessage) => void): void;
  receive(msg: NodeMessage): void;
}

interface Supertest {
  get(path: string): Promise<{ status: number; body: unknown }> & { query(q: Record<string, string>): Promise<{ status: number; body: unknown }> };
}

export interface TestHelper {
  init(runtimePath: string): void;
  settings(settings: Record<string, unknown>): void;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  load(nodes: unknown[], flow: object[], credentials?: Record<string, object>): Promise<void>;
  setFlows(flow: object[], type?: 'full' | 'flows' | 'nodes', credentials?: Record<string, object>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode | null;
  request(): Supertest;
  _NodePrototype: { status: SinonSpy; send: SinonSpy; warn: SinonSpy; error: SinonSpy };
  _redNodes: { getFlows(): { flows: Array<Record<string, unknown>> }; getCredentials(id: string): Record<string, string> | undefined };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const helper = require('node-red-node-test-helper') as TestHelper;
// KASA_RED_NODE_RED runs the node tests on another Node-RED (a node-red package folder), e.g. 5.x under Node 22.
helper.init(require.resolve(process.env.KASA_RED_NODE_RED || 'node-red'));

export function node(id: string): TestNode {
  const found = helper.getNode(id);
  if (!found) throw new Error(`no node ${id} in the flow`);
  return found;
}

/** The next message a helper node receives that matches. */
export function nextMessage(id: string, match: (msg: NodeMessage) => boolean = () => true, timeout = 4000): Promise<NodeMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching message at ${id} within ${timeout} ms`)), timeout);
    node(id).on('input', (msg) => {
      if (!match(msg)) return;
      clearTimeout(timer);
      resolve(msg);
    });
  });
}

/** Sends `msg` into node `to` and resolves with the next message at `at`. */
export function exchange(to: string, msg: NodeMessage, at = 'out', timeout = 4000): Promise<NodeMessage> {
  const reply = nextMessage(at, () => true, timeout);
  node(to).receive(msg);
  return reply;
}

/** Sends `msg` and resolves with the error message a Catch node passed to `at`. */
export async function caughtError(to: string, msg: NodeMessage, at = 'caught', timeout = 4000): Promise<string> {
  const caught = nextMessage(at, () => true, timeout);
  node(to).receive(msg);
  const error = (await caught).error as { message?: string } | undefined;
  return String(error?.message ?? '');
}

export function statuses(id: string): NodeStatus[] {
  const target = helper.getNode(id);
  return helper._NodePrototype.status.getCalls().filter((c) => c.thisValue === target).map((c) => c.args[0] as NodeStatus);
}

/** What node `id` said with node.warn() since the flow was loaded. */
export function warnings(id: string): string[] {
  const target = helper.getNode(id);
  return helper._NodePrototype.warn.getCalls().filter((c) => c.thisValue === target).map((c) => String(c.args[0]));
}

/** What node `id` reported with node.error() since the flow was loaded (done(error) ends there too). */
export function errorsOf(id: string): string[] {
  const target = helper.getNode(id);
  return helper._NodePrototype.error.getCalls().filter((c) => c.thisValue === target).map((c) => String(c.args[0]));
}

/**
 * Calls `check` after every call of node `id`'s `status` or `send` (the
 * helper's spies record the call first) until it returns true: one wrapper
 * per node and method, however many tests wait on it at once.
 */
const watchers = new WeakMap<object, Map<string, Set<() => void>>>();
function afterEachCall(id: string, method: 'status' | 'send', check: () => void): () => void {
  const target = helper.getNode(id) as unknown as Record<string, (...args: unknown[]) => unknown> | null;
  if (!target) throw new Error(`no node ${id} in the flow`);
  const byMethod = watchers.get(target) ?? new Map<string, Set<() => void>>();
  watchers.set(target, byMethod);
  let listeners = byMethod.get(method);
  if (!listeners) {
    const current = listeners = new Set();
    byMethod.set(method, current);
    const original = target[method];
    target[method] = function (this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args);
      for (const listener of [...current]) listener();
      return result;
    };
  }
  const mine = listeners;
  mine.add(check);
  return () => mine.delete(check);
}

/** Resolves once `condition()` returns a value, re-checked after each `method` call of node `id`; `failure()` says what was seen after `timeout`. */
function whenCalled<T>(id: string, method: 'status' | 'send', condition: () => T | undefined, timeout: number, failure: () => string): Promise<T> {
  const now = condition();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const stop = afterEachCall(id, method, () => {
      const value = condition();
      if (value === undefined) return;
      clearTimeout(timer);
      stop();
      resolve(value);
    });
    const timer = setTimeout(() => {
      stop();
      reject(new Error(failure()));
    }, timeout);
  });
}

/** Waits until the node's latest status matches. */
export async function statusBecomes(id: string, match: (s: NodeStatus) => boolean, timeout = 4000): Promise<NodeStatus> {
  const latest = (): NodeStatus | undefined => statuses(id).at(-1);
  return whenCalled(id, 'status', () => {
    const last = latest();
    return last && match(last) ? last : undefined;
  }, timeout, () => `status of ${id} is ${JSON.stringify(latest())}, still not matching after ${timeout} ms`);
}

/** Every message node `id` has sent since the flow was loaded (seen by the helper's spy, so none is missed). */
export function sentBy(id: string): NodeMessage[] {
  const target = helper.getNode(id);
  return helper._NodePrototype.send.getCalls().filter((c) => c.thisValue === target).flatMap((c) => [c.args[0]].flat(2) as NodeMessage[]).filter(Boolean);
}

/** Waits until node `id` has sent `count` messages that match. */
export async function sentMatching(id: string, count: number, match: (msg: NodeMessage) => boolean, timeout = 5000): Promise<NodeMessage[]> {
  const found = (): NodeMessage[] => sentBy(id).filter(match);
  return whenCalled(id, 'send', () => {
    const now = found();
    return now.length >= count ? now : undefined;
  }, timeout, () => `${id} sent ${found().length} of ${count} matching messages within ${timeout} ms`);
}

export const TAB = { id: 'f1', type: 'tab', label: 'test' };

/**
 * A describe block's Node-RED server and the simulated devices its tests
 * start: the server runs for the whole block; after each test the flow is
 * unloaded first (its nodes let go of the devices), then every device given
 * to use() is closed.
 */
export function nodeRedPerTest(): { use<D extends { close(): Promise<void> }>(device: D): D } {
  const devices: Array<{ close(): Promise<void> }> = [];
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(async () => {
    await helper.unload();
    for (const device of devices.splice(0)) await device.close();
  });
  return {
    use: (device) => {
      devices.push(device);
      return device;
    },
  };
}

export function deviceConfig(port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'cfg', type: 'tplink-config', z: 'f1', host: '127.0.0.1', port, transport: 'tcp', timeout: 1, ...extra };
}

/** A plug node wired to helper `out`, and a Catch node wired to helper `caught`. */
export function plugFlow(port: number, plug: Record<string, unknown> = {}, config: Record<string, unknown> = {}): object[] {
  return [
    TAB,
    deviceConfig(port, config),
    { id: 'plug', type: 'tplink-plug', z: 'f1', device: 'cfg', outlet: '', interval: '', allowAdmin: false, wires: [['out']], ...plug },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1' },
  ];
}
