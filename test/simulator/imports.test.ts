/**
 * The simulator's files import one way (models at the bottom, the servers
 * at the top, see lib/simulator/README.md): no file imports, even for
 * types only, a file that imports it back, directly or around a circle.
 * Read from the TypeScript sources, since type-only imports vanish from the
 * compiled code.
 */
import { strict as assert } from 'assert';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { repoRoot } from '../support/repo';

const SOURCE_DIR = path.join(repoRoot(), 'lib', 'simulator');
const LOCAL_IMPORT = /^\s*(?:import|export)\b[^;]*?\bfrom\s+'\.\/([\w-]+)'/gm;

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(SOURCE_DIR).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(path.join(SOURCE_DIR, file), 'utf8');
    graph.set(file.replace(/\.ts$/, ''), [...text.matchAll(LOCAL_IMPORT)].map((m) => m[1]));
  }
  return graph;
}

/** The first circle found, as a path that ends where it starts; undefined when there is none. */
function findCircle(graph: Map<string, string[]>): string[] | undefined {
  const done = new Set<string>();
  const visit = (node: string, trail: string[]): string[] | undefined => {
    if (trail.includes(node)) return [...trail.slice(trail.indexOf(node)), node];
    if (done.has(node)) return undefined;
    for (const next of graph.get(node) ?? []) {
      const circle = visit(next, [...trail, node]);
      if (circle) return circle;
    }
    done.add(node);
    return undefined;
  };
  for (const node of graph.keys()) {
    const circle = visit(node, []);
    if (circle) return circle;
  }
  return undefined;
}

describe('simulator import structure', () => {
  const graph = importGraph();

  it('reads the imports of every simulator source file', () => {
    assert.ok(graph.size > 20, `found ${graph.size} files in ${SOURCE_DIR}`);
    assert.deepEqual(graph.get('simulated-device')?.sort(), ['device-state', 'device-state', 'dispatch'].sort());
  });

  it('has no import circle', () => {
    const circle = findCircle(graph);
    assert.equal(circle, undefined, `import circle: ${circle?.join(' -> ')}`);
  });

  it('finds a circle when there is one (the check itself works)', () => {
    const withCircle = new Map(graph);
    withCircle.set('models', [...(graph.get('models') ?? []), 'dispatch']);
    assert.deepEqual(findCircle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]])), ['a', 'b', 'c', 'a']);
    assert.ok(findCircle(withCircle)?.includes('dispatch'));
  });

  it('keeps the bottom at the bottom: models and reply-errors import nothing of the simulator', () => {
    assert.deepEqual(graph.get('models'), []);
    assert.deepEqual(graph.get('reply-errors'), []);
  });
});
