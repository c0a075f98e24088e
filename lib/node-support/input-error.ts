/**
 * A message a node cannot act on: carries a key under the node's `errors.`
 * locale namespace and its parameters, so the node translates it with RED._().
 */
export class NodeInputError extends Error {
  /** Message key under the node's `errors.` namespace. */
  readonly key: string;
  readonly params: Record<string, string>;
  constructor(key: string, params: Record<string, string>, message: string) {
    super(message);
    this.name = new.target.name;
    this.key = key;
    this.params = params;
  }
}
