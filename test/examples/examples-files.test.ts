/**
 * The example flows as files: generated from scripts/demo/examples-source.ts,
 * each importable on its own, explained by a comment node, and together
 * using every node of the pack.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { exampleFileText, exampleFlows } from '../../scripts/demo/examples-source';
import { combineExamples, readExamples, type FlowNode } from '../../scripts/demo/flows';
import { repoRoot } from '../support/repo';

const root = repoRoot();
const examplesDir = path.join(root, 'examples');

describe('example flows (files)', () => {
  const files = readExamples(examplesDir);

  it('are the files scripts/demo/examples-source.ts writes', () => {
    const expected = exampleFlows();
    assert.deepEqual(files.map((f) => f.file), Object.keys(expected).sort());
    for (const [file, nodes] of Object.entries(expected)) {
      assert.equal(fs.readFileSync(path.join(examplesDir, file), 'utf8'), exampleFileText(nodes),
        `examples/${file} differs from its source: run node dist/scripts/demo/write-examples.js`);
    }
  });

  it('use every node type of the pack, and every non-config type outside tplink-config', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
    const used = new Set(files.flatMap((f) => f.nodes.map((n) => n.type)));
    for (const type of Object.keys(pkg['node-red'].nodes)) assert.ok(used.has(type), `no example uses ${type}`);
  });

  for (const { file, nodes } of files) {
    describe(file, () => {
      const ids = new Set(nodes.map((n) => n.id));
      it('has one tab, and a comment node on it that explains the example', () => {
        const tabs = nodes.filter((n) => n.type === 'tab');
        assert.equal(tabs.length, 1);
        const comments = nodes.filter((n) => n.type === 'comment' && n.z === tabs[0].id);
        assert.ok(comments.length >= 1, 'a comment node');
        assert.ok(comments.some((c) => String(c.info ?? '').length > 200), 'a comment with a real explanation');
      });
      it('imports on its own: every wire, config reference and link target is in the file', () => {
        assert.equal(ids.size, nodes.length, 'ids are unique');
        for (const node of nodes) {
          for (const port of (node.wires as string[][] | undefined) ?? []) for (const target of port) assert.ok(ids.has(target), `${node.id} wires to ${target}`);
          for (const key of ['device', 'group', 'page', 'ui', 'theme']) {
            const ref = node[key];
            if (typeof ref === 'string' && ref !== '' && !(node.type === 'ui-page' && key === 'theme' && ref === 'default')) {
              assert.ok(ids.has(ref), `${node.type} ${node.id}: ${key} ${ref} is not in the file`);
            }
          }
          if (node.type === 'catch') for (const target of node.scope as string[]) assert.ok(ids.has(target));
          if (node.z !== undefined) assert.ok(ids.has(node.z), `${node.id} is on tab ${node.z}`);
        }
      });
      it('names only loopback devices', () => {
        for (const node of nodes.filter((n: FlowNode) => ['tplink-config', 'tplink-tddp'].includes(n.type))) assert.match(String(node.host), /^127\./);
        for (const node of nodes.filter((n: FlowNode) => n.type === 'tplink-discover')) assert.match(String(node.broadcast), /^127\./);
      });
    });
  }

  it('combine into one flow file for the demo, shared config nodes once, pointed at another fleet', () => {
    const combined = combineExamples(files, { fleetBase: '127.0.9.', tddpReplyPort: 61999 });
    assert.equal(new Set(combined.map((n) => n.id)).size, combined.length);
    assert.equal(combined.filter((n) => n.type === 'ui-base').length, 1);
    assert.equal(combined.filter((n) => n.type === 'tab').length, files.length);
    for (const node of combined.filter((n) => n.type === 'tplink-config')) assert.match(String(node.host), /^127\.0\.9\.\d+$/);
    const tddp = combined.find((n) => n.type === 'tplink-tddp');
    assert.equal(tddp?.replyPort, 61999);
    assert.equal(tddp?.host, '127.0.9.15');
  });
});
