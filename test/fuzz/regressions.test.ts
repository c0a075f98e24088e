/**
 * Inputs the fuzzer found, kept as plain tests so they never come back.
 */
import { strict as assert } from 'assert';
import { powerStateOf, type SysInfo } from '../../lib/classic/client';
import { ProtocolError } from '../../lib/errors';

describe('fuzz regressions', () => {
  // lib/classic/client.ts powerStateOf called children.find on whatever the reply held.
  for (const children of [{ id: '00' }, 'abc', 7, [null], [1, 'x'], [{ state: 1 }]]) {
    it(`powerStateOf rejects children = ${JSON.stringify(children)} with a ProtocolError`, () => {
      const sysinfo = { deviceId: 'D', children } as unknown as SysInfo;
      assert.throws(() => powerStateOf(sysinfo, '00'), ProtocolError);
    });
  }

  it('powerStateOf still finds a child by short and full id', () => {
    const sysinfo = { deviceId: 'D', children: [null, { id: 'D01', state: 1, alias: 'x' }] } as unknown as SysInfo;
    assert.equal(powerStateOf(sysinfo, '01'), true);
    assert.equal(powerStateOf(sysinfo, 'D01'), true);
  });
});
