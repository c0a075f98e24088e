/** Writes examples/*.json from scripts/demo/examples-source.ts: `node dist/scripts/demo/write-examples.js`. */
import * as fs from 'fs';
import * as path from 'path';
import { exampleFileText, exampleFlows } from './examples-source';

const examplesDir = path.resolve(__dirname, '..', '..', '..', 'examples');
fs.mkdirSync(examplesDir, { recursive: true });
for (const [file, nodes] of Object.entries(exampleFlows())) {
  fs.writeFileSync(path.join(examplesDir, file), exampleFileText(nodes));
  process.stdout.write(`examples/${file}: ${nodes.length} nodes\n`);
}
