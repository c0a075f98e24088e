'use strict';
// `npm start`: Node-RED with this pack, simulated devices and the example flows.
// The demo runner lives in dist/scripts/demo.js once built; until it exists,
// say what is still to come instead of failing.
const fs = require('fs');
const path = require('path');

const demo = path.join(__dirname, '..', 'dist', 'scripts', 'demo.js');
if (fs.existsSync(demo)) {
  require(demo);
} else {
  console.log('The npm start demo (Node-RED with simulated devices and example flows) is not built yet.');
  console.log('Run `npm install` first; if this message persists, the demo has not landed.');
}
