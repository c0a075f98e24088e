/**
 * Root hooks: a test during which an unhandled rejection or an uncaught
 * exception happened fails, even if its own assertions passed.
 */
const problems: string[] = [];

function onRejection(reason: unknown): void {
  problems.push(`unhandled rejection: ${describe(reason)}`);
}
function onException(error: unknown): void {
  problems.push(`uncaught exception: ${describe(error)}`);
}
function describe(value: unknown): string {
  return value instanceof Error ? (value.stack ?? value.message) : String(value);
}

export const mochaHooks = {
  beforeAll(): void {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
  },
  afterEach(this: Mocha.Context): void {
    if (problems.length > 0) {
      const found = problems.splice(0);
      throw new Error(`during "${this.currentTest?.fullTitle() ?? 'a test'}":\n${found.join('\n')}`);
    }
  },
  afterAll(): void {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  },
};
