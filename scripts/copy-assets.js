'use strict';
// Places the editor HTML, locales and icons next to the compiled node files,
// where Node-RED looks for them, the simulator's model files next to the
// compiled simulator, which reads them at load, and marks the CLI entry
// points executable.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const nodesSrc = path.join(root, 'nodes');
const nodesOut = path.join(root, 'dist', 'nodes');
const iconsSrc = path.join(root, 'icons');

function copyDir(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) copyDir(src, dst);
    else if (!entry.name.endsWith('.ts')) fs.copyFileSync(src, dst);
  }
}

if (fs.existsSync(nodesSrc)) {
  for (const type of fs.readdirSync(nodesSrc)) {
    const dir = path.join(nodesSrc, type);
    if (!fs.statSync(dir).isDirectory()) continue;
    copyDir(dir, path.join(nodesOut, type));
    if (fs.existsSync(iconsSrc)) copyDir(iconsSrc, path.join(nodesOut, type, 'icons'));
  }
}

const modelsSrc = path.join(root, 'lib', 'simulator', 'models');
if (fs.existsSync(modelsSrc)) {
  const modelsOut = path.join(root, 'dist', 'lib', 'simulator', 'models');
  // Stale files of a renamed or removed model would still load; start clean.
  fs.rmSync(modelsOut, { recursive: true, force: true });
  copyDir(modelsSrc, modelsOut);
}

const cliOut = path.join(root, 'dist', 'lib', 'cli');
if (fs.existsSync(cliOut)) {
  for (const file of fs.readdirSync(cliOut)) {
    if (file.endsWith('.js')) fs.chmodSync(path.join(cliOut, file), 0o755);
  }
}

// The SMART simulator's model files, read at load from next to the compiled code.
const smartModelsSrc = path.join(root, 'lib', 'simulator', 'smart', 'models');
if (fs.existsSync(smartModelsSrc)) {
  const smartModelsOut = path.join(root, 'dist', 'lib', 'simulator', 'smart', 'models');
  fs.rmSync(smartModelsOut, { recursive: true, force: true });
  copyDir(smartModelsSrc, smartModelsOut);
}
