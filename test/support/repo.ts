import * as fs from 'fs';
import * as path from 'path';

/** The repository root (the folder with package.json), found from the compiled test's location. */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 10; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'lib'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`no package.json above ${__dirname}`);
}
