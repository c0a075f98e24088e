/**
 * The session table both simulated encrypted endpoints (KLAP, AES) keep:
 * the cookie it hands out, finding a session by that cookie among others,
 * forgetting one past its TIMEOUT, and keeping 16 at most, the oldest
 * going first, as firmware does.
 */
import { strict as assert } from 'assert';
import * as sinon from 'sinon';
import type { HttpRequest } from '../../lib/simulator/smart/http-request';
import { HttpSessionTable } from '../../lib/simulator/smart/http-sessions';

function withCookie(cookie: string): HttpRequest {
  return { method: 'POST', path: '/app', query: '', headers: new Map([['cookie', cookie]]), body: Buffer.alloc(0), close: false };
}

describe('simulator: the encrypted endpoints\' session table', () => {
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(() => clock?.restore());

  it('hands a session out as TP_SESSIONID with its TIMEOUT and finds it by that cookie, beside others', () => {
    const table = new HttpSessionTable<{ name: string }>(1440);
    const { id, headers } = table.open({ name: 'first' });
    assert.match(id, /^[0-9A-F]{32}$/);
    assert.deepEqual(headers, { 'Set-Cookie': `TP_SESSIONID=${id};TIMEOUT=1440` });
    assert.deepEqual(table.find(withCookie(`other=1; TP_SESSIONID=${id}`)), [id, { name: 'first' }]);
    assert.equal(table.find(withCookie(`XTP_SESSIONID=${id}`)), undefined, 'another cookie ending in the name');
    assert.equal(table.find(withCookie('TP_SESSIONID=0123')), undefined);
    table.delete(id);
    assert.equal(table.find(withCookie(`TP_SESSIONID=${id}`)), undefined);
  });

  it('forgets a session once its TIMEOUT has passed, and all of them on clear()', () => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
    const table = new HttpSessionTable<number>(10);
    const old = table.open(1).id;
    clock.tick(9_999);
    assert.deepEqual(table.find(withCookie(`TP_SESSIONID=${old}`)), [old, 1]);
    clock.tick(1);
    assert.equal(table.find(withCookie(`TP_SESSIONID=${old}`)), undefined);
    const kept = table.open(2).id;
    table.clear();
    assert.equal(table.find(withCookie(`TP_SESSIONID=${kept}`)), undefined);
  });

  it('keeps 16 sessions at most: the 17th pushes the oldest out', () => {
    const table = new HttpSessionTable<number>(60);
    const ids = Array.from({ length: 17 }, (_, n) => table.open(n).id);
    assert.equal(table.find(withCookie(`TP_SESSIONID=${ids[0]}`)), undefined);
    for (const [n, id] of ids.slice(1).entries()) assert.deepEqual(table.find(withCookie(`TP_SESSIONID=${id}`)), [id, n + 1]);
  });
});
