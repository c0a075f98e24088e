'use strict';
// `npm start`: Node-RED with this pack, simulated devices and the example flows
// (scripts/demo.ts, built to dist/scripts/demo.js by `npm run build`, which
// `npm install` runs). Options: `npm start -- --help`.
const fs = require('fs');
const path = require('path');

const demo = path.join(__dirname, '..', 'dist', 'scripts', 'demo.js');
if (!fs.existsSync(demo)) {
  console.error('npm start: dist/scripts/demo.js is missing. Run `npm run build` (or `npm install`) first.');
  process.exit(1);
}
require(demo).main(process.argv.slice(2));
