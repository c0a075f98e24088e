/**
 * What was wrong with untrusted JSON, and where: `path` is a JavaScript-like
 * path into the value (`children[2].id`), empty for the value as a whole.
 * The transports and clients turn it into a ProtocolError naming the device.
 */
export class JsonShapeError extends Error {
  readonly path: string;
  readonly problem: string;
  constructor(path: string, problem: string) {
    super(path === '' ? `reply ${problem}` : `${path} ${problem}`);
    this.name = 'JsonShapeError';
    this.path = path;
    this.problem = problem;
  }
}
