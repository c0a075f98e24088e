'use strict';
// The maintainer's loop: runs test files straight from their TypeScript
// sources (esbuild through tsx: no type check, no dist/), so one changed file
// is checked in seconds. `npm test` still does lint, the strict build and the
// whole suite.
//
//   npm run test:one -- test/classic/client.test.ts [more files or folders] [--grep 'pattern'] [other mocha flags]
//
// Child processes inherit the loader through NODE_OPTIONS, so tests that spawn
// a CLI or a helper script run its .ts source too (test/support/repo.ts
// `runnable()`). A test whose file says "test:one builds first" needs dist/
// (e.g. a real Node-RED loads the package from package.json's node-red
// field): the build runs before it.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const BUILD_MARKER = 'test:one builds first';

/** Splits argv into test files (folders expanded to their *.test.ts) and flags passed to mocha as they are. */
function parseArgs(argv) {
  const files = [];
  const flags = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('-')) {
      flags.push(arg);
      // A flag's value (--grep x) is the next word unless it is itself a flag or a test path.
      if (!arg.includes('=') && i + 1 < argv.length && !argv[i + 1].startsWith('-') && !looksLikeTestPath(argv[i + 1])) flags.push(argv[++i]);
    } else {
      files.push(...expand(arg));
    }
  }
  return { files, flags };
}

function looksLikeTestPath(arg) {
  return arg.endsWith('.ts') || fs.existsSync(path.resolve(arg));
}

function expand(arg) {
  const full = path.resolve(arg);
  if (!fs.existsSync(full)) throw new Error(`${arg}: no such file or folder`);
  if (fs.statSync(full).isFile()) return [full];
  return fs.readdirSync(full, { recursive: true })
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => path.join(full, name))
    .sort();
}

function run(command, args, env) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function main() {
  const { files, flags } = parseArgs(process.argv.slice(2));
  if (files.length === 0) {
    process.stderr.write('usage: npm run test:one -- test/path/file.test.ts [more files or folders] [--grep pattern]\n');
    return 2;
  }
  const needsBuild = files.filter((file) => fs.readFileSync(file, 'utf8').includes(BUILD_MARKER));
  if (needsBuild.length > 0) {
    process.stdout.write(`building first for ${needsBuild.map((f) => path.relative(root, f)).join(', ')}\n`);
    const built = run('npm', ['run', '--silent', 'build'], process.env);
    if (built !== 0) return built;
  }
  const loader = `--require ${JSON.stringify(require.resolve('tsx/cjs'))}`;
  const env = { ...process.env, NODE_OPTIONS: [process.env.NODE_OPTIONS, loader].filter(Boolean).join(' ') };
  const mocha = [
    require.resolve('mocha/bin/mocha.js'), '--no-config',
    '--require', path.join(root, 'test', 'support', 'hooks.ts'),
    '--reporter', path.join(root, 'test', 'support', 'timing-reporter.ts'),
    '--timeout', '20000',
    ...flags, ...files,
  ];
  return run(process.execPath, mocha, env);
}

try {
  process.exitCode = main();
} catch (error) {
  process.stderr.write(`test:one: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
