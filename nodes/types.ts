/**
 * The small part of the Node-RED runtime API these nodes use. Node-RED ships
 * no typings of its own, and @types/node-red lags the runtime, so the nodes
 * declare what they rely on here and nothing more.
 */
import type { IncomingMessage, ServerResponse } from 'http';

export type NodeMessage = Record<string, unknown> & { payload?: unknown; topic?: unknown; _msgid?: string };

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export type SendFunction = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null> | null) => void;
/** Node-RED takes an Error or text; the pack's nodes pass text (nodes/settle.ts fail()). */
export type DoneFunction = (error?: Error | string) => void;

/** Properties every node definition carries, as saved in the flow. */
export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  z?: string;
}

export interface Node<Credentials = Record<string, string>> {
  readonly id: string;
  readonly type: string;
  name?: string;
  credentials: Partial<Credentials>;
  on(event: 'input', listener: (msg: NodeMessage, send: SendFunction, done: DoneFunction) => void): this;
  on(event: 'close', listener: (removed: boolean, done: () => void) => void): this;
  send(msg: NodeMessage | Array<NodeMessage | null> | null): void;
  status(status: NodeStatus | Record<string, never>): void;
  log(message: string): void;
  debug(message: string): void;
  warn(message: string): void;
  error(error: string | Error, msg?: NodeMessage): void;
}

/** An express-style handler, as RED.httpAdmin and RED.auth.needsPermission deal in. */
export interface AdminRequest extends IncomingMessage {
  query: Record<string, string | string[] | undefined>;
}
export interface AdminResponse extends ServerResponse {
  json(body: unknown): void;
  status(code: number): AdminResponse;
}
export type AdminHandler = (req: AdminRequest, res: AdminResponse, next: (error?: unknown) => void) => void;

export interface CredentialsDefinition {
  credentials?: Record<string, { type: 'text' | 'password' }>;
}

export interface NodeAPI {
  nodes: {
    createNode(node: object, def: NodeDef): void;
    registerType(type: string, constructor: (this: never, def: never) => void, options?: CredentialsDefinition): void;
    getNode(id: string): unknown;
  };
  httpAdmin: { get(path: string, ...handlers: AdminHandler[]): void };
  auth: { needsPermission(permission: string): AdminHandler };
  _(key: string, substitutions?: Record<string, unknown>): string;
  log: { warn(message: string): void };
}
