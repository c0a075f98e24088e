/**
 * Every simulated model, dumped and served again as a fixture, answers the
 * dump's own queries byte for byte as the model did: classic replies
 * compared as they come off the TCP socket, SMART replies as the device
 * writes them before encryption, and both by dumping the fixture again
 * over the network (the same queries through the same clients).
 */
import { strict as assert } from 'assert';
import { dumpSimulated, FIXTURE_TIME, simulatedSources, type SimulatedSource } from '../../scripts/device-fixtures';
import { dumpDevice, scrubDump, type DeviceDump } from '../../lib/dump';
import { probeDiscovery20002 } from '../../lib/dump/discovery';
import { startFixture, type RunningFixture } from '../../lib/simulator/fixture/serve';
import type { SmartFixtureDevice } from '../../lib/simulator/fixture/smart-device';
import { tcpExchange } from '../simulator/wire';

const clock = (): number => FIXTURE_TIME;

async function redump(fixture: RunningFixture): Promise<DeviceDump> {
  const discovery = fixture.discoveryPort === undefined ? undefined : await probeDiscovery20002({ host: fixture.host, port: fixture.discoveryPort });
  return dumpDevice({ host: fixture.host, port: fixture.port, transport: fixture.dump.transport, clock, discovery });
}

/** Classic: each recorded request sent as raw bytes; the decrypted reply frame must be the recorded reply's JSON, byte for byte. */
async function checkClassicWire(fixture: RunningFixture): Promise<void> {
  if (fixture.dump.family !== 'classic' || fixture.classic === undefined) return;
  for (const { request, reply } of fixture.dump.exchanges) {
    const raw = await tcpExchange(fixture.host, fixture.port, request);
    assert.equal(raw.frames.length, 1, JSON.stringify(request));
    assert.equal(raw.frames[0].toString('utf8'), JSON.stringify(reply), JSON.stringify(request));
  }
}

/** SMART: each recorded method (for a child inside control_child) answered by the device as the recorded JSON text. */
function checkSmartText(fixture: RunningFixture): void {
  if (fixture.dump.family !== 'smart') return;
  const device = fixture.device as SmartFixtureDevice;
  for (const { child, request, reply } of fixture.dump.exchanges) {
    const inner = request.params === undefined ? { method: request.method } : { method: request.method, params: request.params };
    const text = child === undefined
      ? device.handleJson(JSON.stringify(inner))
      : JSON.stringify((JSON.parse(device.handleJson(JSON.stringify({ method: 'control_child', params: { device_id: child, requestData: inner } }))) as { result: { responseData: unknown } }).result.responseData);
    // Paged lists are recorded joined; every simulated model fits one page, so the first page is the whole list.
    assert.equal(text, JSON.stringify(reply), `${child ?? ''} ${request.method}`);
  }
}

describe('device dumps replayed by the fixture server', function () {
  for (const source of simulatedSources()) {
    it(`${source.file}: ${source.model}${source.klap ? ' over KLAP' : ''} answers its own dump's queries byte for byte`, async function () {
      const dump = scrubDump(await dumpSimulated(source as SimulatedSource));
      const fixture = await startFixture({ fixture: dump, clock, discovery20002: dump.family === 'smart' || source.klap ? 0 : undefined });
      try {
        await checkClassicWire(fixture);
        checkSmartText(fixture);
        const again = await redump(fixture);
        assert.equal(again.exchanges.length, dump.exchanges.length);
        dump.exchanges.forEach((exchange, i) => {
          assert.equal(JSON.stringify(again.exchanges[i]), JSON.stringify(exchange), `exchange ${i}`);
        });
        assert.deepEqual([again.model, again.kind, again.family, again.transport, again.loginVersion], [dump.model, dump.kind, dump.family, dump.transport, dump.loginVersion]);
        if (dump.discovery) {
          // The copy advertises where it listens; everything else as recorded.
          const heard = again.discovery?.reply as { ip: string; mgt_encrypt_schm: { http_port: number } };
          assert.equal(heard.mgt_encrypt_schm.http_port, fixture.port);
          assert.equal(JSON.stringify({ ...heard, ip: dump.discovery.reply.ip, mgt_encrypt_schm: dump.discovery.reply.mgt_encrypt_schm }), JSON.stringify(dump.discovery.reply));
        }
      } finally {
        await fixture.close();
      }
    });
  }
});
