import { strict as assert } from 'assert';
import { startDevice, type RunningDevice } from '../../lib/simulator';
import { startTddpResponder, type TddpResponder } from '../../lib/simulator/tddp-responder';
import configNode from '../../nodes/tplink-config/tplink-config';
import plugNode from '../../nodes/tplink-plug/tplink-plug';
import discoverNode from '../../nodes/tplink-discover/tplink-discover';
import tddpNode from '../../nodes/tplink-tddp/tplink-tddp';
import lightNode from '../../nodes/tplink-light/tplink-light';
import { loopTurns, waitFor } from '../support/wait';
import type { NodeMessage } from '../../nodes/types';
import { exchange, helper, node, plugFlow, statuses } from './support/node-red';

const CYCLES = 50;
const WATCHED = ['TCPSocketWrap', 'UDPWrap', 'Timeout', 'TCPServerWrap'];

function openHandles(): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(WATCHED.map((k) => [k, 0]));
  for (const kind of process.getActiveResourcesInfo()) if (kind in counts) counts[kind]++;
  return counts;
}

/** Waits (bounded) for the handle counts to fall back to `baseline`; resolves with the counts the last check saw. */
async function backTo(baseline: Record<string, number>, timeout = 3000): Promise<Record<string, number>> {
  let now = openHandles();
  await waitFor('handles back to the baseline', () => !WATCHED.some((k) => (now = openHandles())[k] > baseline[k]), timeout).catch(() => undefined);
  return now;
}

/** exchange(), and when no answer comes, what the Catch node caught and the node's last statuses say why. */
async function answered(to: string, msg: NodeMessage, at: string): Promise<void> {
  const caught: string[] = [];
  node('caught').on('input', (m) => caught.push(String((m.error as { message?: string } | undefined)?.message)));
  try {
    await exchange(to, msg, at);
  } catch (error) {
    throw new Error(`${(error as Error).message}; caught: ${caught.join(' | ') || 'nothing'}; ${to}'s last statuses: ${JSON.stringify(statuses(to).slice(-4))}`);
  }
}

describe('deploy and close cycles', function () {
  this.timeout(120_000);
  let device: RunningDevice;
  let bulb: RunningDevice;
  let responder: TddpResponder;

  before(async () => {
    await helper.startServer();
    device = await startDevice({ model: 'HS110', alias: 'Lamp', on: false });
    bulb = await startDevice({ model: 'KL130', alias: 'Bulb', on: false });
    // Reply port 0 on both sides: each deploy's tddp node takes any free port and the responder answers the
    // request's source port. A port picked once and bound by every deploy could be taken by another process in between.
    responder = await startTddpResponder({ host: '127.0.0.1', port: 0, replyPort: 0 });
  });
  after(async () => {
    // A failed cycle leaves its flow deployed, polling: unloaded here, or its timers keep mocha from exiting.
    await helper.unload();
    await responder.close();
    await device.close();
    await bulb.close();
    await helper.stopServer();
  });

  it(`leaves no socket or timer open after ${CYCLES} deploys of every node, each used and polling`, async () => {
    const flow = [
      ...plugFlow(device.port, { interval: 0.05 }),
      { id: 'disc', type: 'tplink-discover', z: 'f1', broadcast: '127.255.255.255', port: device.port, iface: '', timeout: 0.1, interval: 0.1, wires: [['dout']] },
      { id: 'dout', type: 'helper', z: 'f1' },
      { id: 'tddp', type: 'tplink-tddp', z: 'f1', host: '127.0.0.1', port: responder.port, replyPort: 0, timeout: 1, packetType: 3, subtype: 10, wires: [['tout']] },
      { id: 'tout', type: 'helper', z: 'f1' },
      // A device that is down: its plug node keeps retrying until close.
      { id: 'cfg2', type: 'tplink-config', z: 'f1', host: '127.0.0.1', port: 1, transport: 'udp', timeout: 0.2 },
      { id: 'plug2', type: 'tplink-plug', z: 'f1', device: 'cfg2', outlet: '', interval: '', wires: [[]] },
      { id: 'cfg3', type: 'tplink-config', z: 'f1', host: '127.0.0.1', port: bulb.port, transport: 'tcp', timeout: 1 },
      { id: 'light', type: 'tplink-light', z: 'f1', device: 'cfg3', transition: '', interval: 0.05, wires: [['lout']] },
      { id: 'lout', type: 'helper', z: 'f1' },
      { id: 'light2', type: 'tplink-light', z: 'f1', device: 'cfg2', transition: '', interval: '', wires: [[]] },
    ];
    const nodes = [configNode, plugNode, lightNode, discoverNode, tddpNode];
    // An empty tab first: the runtime's own one-time timers belong to the baseline; the unload closes nothing of ours.
    await helper.load(nodes, [flow[0]]);
    await helper.unload();
    await loopTurns();
    const baseline = openHandles();
    for (let i = 0; i < CYCLES; i++) {
      await helper.load(nodes, flow);
      await answered('plug', { payload: i % 2 === 0 }, 'out');
      await answered('light', { payload: { brightness: 10 + i } }, 'lout');
      await answered('tddp', { payload: '' }, 'tout');
      await helper.unload();
    }
    const after = await backTo(baseline);
    assert.deepEqual(after, baseline, `before ${JSON.stringify(baseline)}, after ${JSON.stringify(after)}`);
  });
});
