/**
 * The demo's flows: every examples/*.json, each on its own tab, with the
 * fleet's addresses filled in. Examples name the default fleet
 * (127.0.0.x); a demo on another --fleet-base gets its addresses instead.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_FLEET_BASE } from './options';

export type FlowNode = Record<string, unknown> & { id: string; type: string; z?: string };

export interface ExampleFile {
  file: string;
  nodes: FlowNode[];
}

export function readExamples(examplesDir: string): ExampleFile[] {
  return fs.readdirSync(examplesDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const nodes = JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8')) as unknown;
      if (!Array.isArray(nodes)) throw new Error(`${file}: an example flow is a JSON array of nodes`);
      return { file, nodes: nodes as FlowNode[] };
    });
}

export interface FleetSettings {
  fleetBase: string;
  tddpReplyPort: number;
}

function rebase(address: unknown, base: string): unknown {
  return typeof address === 'string' && address.startsWith(DEFAULT_FLEET_BASE) ? base + address.slice(DEFAULT_FLEET_BASE.length) : address;
}

/** One node with the fleet's addresses. */
export function pointAtFleet(node: FlowNode, fleet: FleetSettings): FlowNode {
  switch (node.type) {
    case 'tplink-config':
      return { ...node, host: rebase(node.host, fleet.fleetBase) };
    case 'tplink-discover':
      return { ...node, broadcast: rebase(node.broadcast, fleet.fleetBase) };
    case 'tplink-tddp':
      return { ...node, host: rebase(node.host, fleet.fleetBase), replyPort: fleet.tddpReplyPort };
    default:
      return node;
  }
}

/**
 * All examples as one flow file. Examples share config nodes (the dashboard's
 * base, theme; a device used by two examples) by id, so that each file
 * imports on its own; here each id is kept once, and a shared id whose
 * content differs between files is an error in the examples.
 */
export function combineExamples(examples: ExampleFile[], fleet: FleetSettings): FlowNode[] {
  const byId = new Map<string, { node: FlowNode; file: string }>();
  const out: FlowNode[] = [];
  for (const example of examples) {
    for (const raw of example.nodes) {
      const node = pointAtFleet(raw, fleet);
      const seen = byId.get(node.id);
      if (seen) {
        if (JSON.stringify(seen.node) !== JSON.stringify(node)) {
          throw new Error(`node ${node.id} (${node.type}) differs between ${seen.file} and ${example.file}`);
        }
        continue;
      }
      byId.set(node.id, { node, file: example.file });
      out.push(node);
    }
  }
  return out;
}
