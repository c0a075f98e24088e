'use strict';
// Preload for `node-red-dev validate`: the online Node-RED catalogue
// (catalogue.nodered.org) is answered from an empty local catalogue, so that
// the naming checks (P08, N01) run offline. Every other request, to the npm
// registry for P06, P07, D02 and D03, goes out as usual.
const path = require('path');

const devDir = path.dirname(require.resolve('node-red-dev/package.json'));
const axios = require(require.resolve('axios', { paths: [path.join(devDir, 'src')] }));
const CATALOGUE = 'https://catalogue.nodered.org/';
const emptyCatalogue = { name: 'Local empty catalogue', updated_at: new Date(0).toISOString(), modules: [] };

const originalGet = axios.get.bind(axios);
axios.get = function get(url, ...rest) {
  if (typeof url === 'string' && url.startsWith(CATALOGUE)) {
    return Promise.resolve({ status: 200, statusText: 'OK', headers: {}, config: {}, data: emptyCatalogue });
  }
  return originalGet(url, ...rest);
};
