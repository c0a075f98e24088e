/**
 * Inputs the fuzzer found, kept as plain tests so they never come back.
 */
import { strict as assert } from 'assert';
import { SmartHomeClient } from '../../lib/classic/client';
import { ClassicFamily, openDevice } from '../../lib/device';
import { ProtocolError } from '../../lib/errors';
import type { Transport } from '../../lib/transport';

/** A client whose device always answers get_sysinfo with `sysinfo`. */
function clientAnswering(sysinfo: unknown): SmartHomeClient {
  const transport: Transport = {
    host: '127.0.0.1', port: 9999, kind: 'tcp',
    send: () => Promise.resolve(Buffer.from(JSON.stringify({ system: { get_sysinfo: sysinfo } }))),
    close: () => Promise.resolve(),
  };
  return new SmartHomeClient({ host: '127.0.0.1', transportInstance: transport });
}

describe('fuzz regressions', () => {
  // The client once called children.find on whatever the reply held; the sysinfo reader now refuses it before any state is made.
  for (const children of [{ id: '00' }, 'abc', 7, [null], [1, 'x'], [{ state: 1 }]]) {
    it(`a device whose sysinfo has children = ${JSON.stringify(children)} is refused with a ProtocolError naming the field`, async () => {
      await assert.rejects(openDevice(new ClassicFamily(clientAnswering({ deviceId: 'D', children }))),
        (e: unknown) => e instanceof ProtocolError && /^127\.0\.0\.1:9999: system\.get_sysinfo\.children/.test(e.message));
    });
  }

  it('an outlet is still found by short and full id', async () => {
    const client = clientAnswering({ deviceId: 'D', children: [{ id: 'D00', state: 0, alias: 'x' }, { id: 'D01', state: 1, alias: 'x' }] });
    const device = await openDevice(new ClassicFamily(client));
    assert.equal(device.isOn({ outlet: '01' }), true);
    assert.equal(device.isOn({ outlet: 'D01' }), true);
    await device.close();
  });
});
