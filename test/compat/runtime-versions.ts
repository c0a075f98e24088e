/**
 * Run first by scripts/compat/node-red-5.ts, before the node tests: the
 * suite really runs on the Node and the Node-RED the script asked for
 * (KASA_COMPAT_EXPECT_NODE, KASA_COMPAT_EXPECT_NODE_RED), not on the
 * project's own node-red. Not a *.test.ts file: `npm test` does not run it.
 */
import { strict as assert } from 'assert';
import { helper } from '../nodes/support/node-red';

describe('compat: the runtime under test', () => {
  it('is the Node and the Node-RED the compat script installed', function () {
    const node = process.env.KASA_COMPAT_EXPECT_NODE;
    const nodeRed = process.env.KASA_COMPAT_EXPECT_NODE_RED;
    if (!node || !nodeRed) this.skip();
    const red = (helper as unknown as { _RED?: { version(): string } })._RED;
    assert.ok(red, 'the test helper has no Node-RED runtime');
    console.log(`      (Node ${process.version}, Node-RED ${red.version()} from ${process.env.KASA_RED_NODE_RED})`);
    assert.equal(process.version, node);
    assert.equal(red.version(), nodeRed);
  });
});
