/**
 * Where the repository is and which file of it to run: the suite runs from
 * dist/ after the build (npm test) or straight from the TypeScript sources
 * (npm run test:one), and a test that starts a CLI or a helper script in a
 * child process must start the one that matches.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The repository root (the folder with package.json), found from the test's location. */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 10; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'lib'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`no package.json above ${__dirname}`);
}

/** True under npm run test:one: the tests run from their .ts sources with a loader that child processes inherit (NODE_OPTIONS). */
export const fromSources = __filename.endsWith('.ts');

/**
 * A runnable file of the repository named without extension from the root,
 * e.g. 'lib/cli/tddp-client': dist/lib/cli/tddp-client.js after the build,
 * lib/cli/tddp-client.ts under test:one.
 */
export function runnable(fromRoot: string): string {
  return fromSources ? path.join(repoRoot(), `${fromRoot}.ts`) : path.join(repoRoot(), 'dist', `${fromRoot}.js`);
}
