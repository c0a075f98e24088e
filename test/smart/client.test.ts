/** SmartClient over a scripted transport: envelopes, batches, control_child, paging, error codes, session renewal, energy. */
import { strict as assert } from 'assert';
import { AuthenticationError, DeviceBusyError, ProtocolError, TimeoutError } from '../../lib/errors';
import type { Transport } from '../../lib/transport';
import {
  SmartClient, SmartDeviceError, SmartParamsError, SmartRetriableError, SmartUnknownMethodError, SMART_ERROR_CODES,
} from '../../lib/smart';

type Json = Record<string, unknown>;
type Answer = (request: Json) => unknown;

/** A device as a function from the request object to the reply object. */
class ScriptedTransport implements Transport {
  readonly kind = 'klap' as const;
  readonly host = '127.0.0.1';
  readonly port = 80;
  readonly requests: Json[] = [];
  readonly timeouts: number[] = [];
  closes = 0;
  constructor(public answer: Answer) {}
  async send(request: Buffer, timeout: number): Promise<Buffer> {
    const parsed = JSON.parse(request.toString('utf8')) as Json;
    this.requests.push(parsed);
    this.timeouts.push(timeout);
    const reply = this.answer(parsed);
    return Buffer.from(typeof reply === 'string' ? reply : JSON.stringify(reply));
  }
  async close(): Promise<void> {
    this.closes += 1;
  }
}

const ok = (result: unknown = {}): Json => ({ error_code: 0, result });

/** Answers single methods from a table; batches entry by entry, stopping after the first error like firmware. */
function device(table: Record<string, (params: Json | undefined) => Json>): Answer {
  const one = (method: string, params: Json | undefined): Json => table[method]?.(params) ?? { error_code: -1002 };
  return (request) => {
    const params = request.params as Json | undefined;
    if (request.method !== 'multipleRequest') return one(request.method as string, params);
    const responses: Json[] = [];
    for (const inner of (params?.requests ?? []) as Json[]) {
      const reply: Json = { method: inner.method, ...one(inner.method as string, inner.params as Json | undefined) };
      responses.push(reply);
      if (reply.error_code !== 0) break;
    }
    return ok({ responses });
  };
}

function client(answer: Answer, options: { timeout?: number; batchSize?: number } = {}): { smart: SmartClient; transport: ScriptedTransport } {
  const transport = new ScriptedTransport(answer);
  return { smart: new SmartClient({ host: '127.0.0.1', transportInstance: transport, ...options }), transport };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => assert.fail('should reject'), (error: unknown) => error);
}

describe('SmartClient', () => {
  it('sends the envelope: method, params, request_time_milis and one terminal_uuid', async () => {
    const { smart, transport } = client(device({ set_device_info: () => ok() }));
    await smart.setDeviceOn(true);
    await smart.setDeviceOn(false);
    const [first, second] = transport.requests;
    assert.deepEqual(first.params, { device_on: true });
    assert.equal(first.method, 'set_device_info');
    assert.ok(typeof first.request_time_milis === 'number' && Math.abs((first.request_time_milis as number) - Date.now()) < 5000);
    assert.match(first.terminal_uuid as string, /^[A-Za-z0-9+/]{22}==$/);
    assert.equal(second.terminal_uuid, first.terminal_uuid);
    await smart.call('get_device_info').catch(() => undefined);
    assert.ok(!('params' in transport.requests[2]), 'a getter without parameters sends none');
  });

  it('batches five requests per multipleRequest and returns outcomes in order', async () => {
    const table: Record<string, () => Json> = {};
    for (let i = 0; i < 7; i++) table[`get_${i}`] = () => ok({ n: i });
    const { smart, transport } = client(device(table));
    const outcomes = await smart.callMany(Object.keys(table).map((method) => ({ method })));
    assert.deepEqual(outcomes.map((o) => (o.ok ? (o.result as Json).n : -1)), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(transport.requests.map((r) => r.method), ['multipleRequest', 'multipleRequest']);
    assert.equal(((transport.requests[0].params as Json).requests as unknown[]).length, 5);
  });

  it('asks again, one by one, what a device skipped after an error in a batch', async () => {
    const { smart, transport } = client(device({ get_a: () => ok({ a: 1 }), get_b: () => ({ error_code: -1008 }), get_c: () => ok({ c: 3 }) }));
    const outcomes = await smart.callMany([{ method: 'get_a' }, { method: 'get_b' }, { method: 'get_c' }]);
    assert.equal(outcomes[0].ok, true);
    assert.ok(!outcomes[1].ok && outcomes[1].error instanceof SmartParamsError);
    assert.deepEqual(outcomes[2], { method: 'get_c', ok: true, result: { c: 3 } });
    assert.deepEqual(transport.requests.map((r) => r.method), ['multipleRequest', 'get_c']);
  });

  it('switches to single requests for good when a device refuses batches with -1003', async () => {
    const answer = device({ get_a: () => ok({ a: 1 }), get_b: () => ok({ b: 2 }) });
    const { smart, transport } = client((request) => (request.method === 'multipleRequest' ? { error_code: -1003 } : answer(request)));
    await smart.callMany([{ method: 'get_a' }, { method: 'get_b' }]);
    assert.equal(smart.sendsSingleRequests, true);
    await smart.callMany([{ method: 'get_a' }, { method: 'get_b' }]);
    assert.deepEqual(transport.requests.map((r) => r.method), ['multipleRequest', 'get_a', 'get_b', 'get_a', 'get_b']);
  });

  it('addresses a strip outlet through control_child and unwraps responseData', async () => {
    const { smart, transport } = client((request) => {
      const params = request.params as Json;
      const data = params.requestData as Json;
      if (data.method === 'set_device_info') return ok({ responseData: { error_code: 0, result: {} } });
      return ok({ responseData: { error_code: -1008 } });
    });
    await smart.setDeviceOn(true, { childId: 'CHILD1' });
    assert.deepEqual(transport.requests[0].params, { device_id: 'CHILD1', requestData: { method: 'set_device_info', params: { device_on: true } } });
    const error = await rejection(smart.call('get_device_info', undefined, { childId: 'CHILD1' }));
    assert.ok(error instanceof SmartParamsError);
    assert.equal(error.childId, 'CHILD1');
    assert.match(error.message, /get_device_info on child CHILD1 failed with error_code -1008 \(PARAMS_ERROR/);
  });

  it('sends a batch inside control_child', async () => {
    const inner = device({ get_device_info: () => ok({ device_id: 'CHILD1', model: 'P304M', device_on: true }), get_current_power: () => ok({ current_power: 12 }) });
    const { smart, transport } = client((request) => ok({ responseData: inner((request.params as Json).requestData as Json) }));
    const outcomes = await smart.callMany([{ method: 'get_device_info' }, { method: 'get_current_power' }], { childId: 'CHILD1' });
    assert.deepEqual(outcomes.map((o) => o.ok), [true, true]);
    assert.equal(((transport.requests[0].params as Json).requestData as Json).method, 'multipleRequest');
    assert.equal(transport.requests.length, 1);
  });

  it('joins the pages of a long list', async () => {
    const children = Array.from({ length: 5 }, (_, i) => ({ device_id: `C${i}`, model: 'P300', device_on: false, position: 5 - i }));
    const { smart, transport } = client(device({
      get_child_device_list: (params) => {
        const start = (params?.start_index as number | undefined) ?? 0;
        return ok({ child_device_list: children.slice(start, start + 2), start_index: start, sum: 5 });
      },
    }));
    const list = await smart.getChildren();
    assert.deepEqual(list.map((c) => c.deviceId), ['C4', 'C3', 'C2', 'C1', 'C0'], 'all pages, in position order');
    assert.deepEqual(transport.requests.map((r) => (r.params as Json).start_index), [0, 2, 4]);
  });

  it('stops paging when a device claims more than it gives', async () => {
    const { smart, transport } = client(device({
      get_child_device_list: (params) => ok({ child_device_list: (params?.start_index ?? 0) === 0 ? [{ device_id: 'C0', model: 'P300' }] : [], start_index: 0, sum: 1_000_000 }),
    }));
    assert.equal((await smart.getChildren()).length, 1);
    assert.equal(transport.requests.length, 2);
  });

  it('renews the session once on 9999 and reports a second one as retriable', async () => {
    let refusals = 1;
    const { smart, transport } = client((request) => (refusals-- > 0 ? { error_code: 9999 } : device({ get_x: () => ok({ x: 1 }) })(request)));
    assert.deepEqual(await smart.call('get_x'), { x: 1 });
    assert.equal(transport.closes, 1, 'the session was dropped before the second try');
    refusals = 2;
    const error = await rejection(smart.call('get_x'));
    assert.ok(error instanceof SmartRetriableError);
    assert.equal(transport.requests.length, 4);
  });

  it('reports -1501 that persists after a new session as an AuthenticationError', async () => {
    const { smart, transport } = client(() => ({ error_code: -1501 }));
    const error = await rejection(smart.call('get_device_info'));
    assert.ok(error instanceof AuthenticationError);
    assert.equal(transport.closes, 1);
  });

  it('types every error code and names its meaning', async () => {
    const cases: Array<[number, new (...args: never[]) => Error]> = [
      [-1002, SmartUnknownMethodError], [-1008, SmartParamsError], [-1, SmartDeviceError], [-1301, SmartRetriableError], [424242, SmartDeviceError],
    ];
    for (const [code, type] of cases) {
      const { smart } = client(() => ({ error_code: code }));
      const error = await rejection(smart.call('get_x'));
      assert.ok(error instanceof type, `${code}: ${String(error)}`);
      assert.ok(error instanceof SmartDeviceError);
      assert.equal(error.errCode, code);
      assert.match(error.message, new RegExp(`^127\\.0\\.0\\.1:80: get_x failed with error_code ${code} \\(`));
    }
    for (const info of SMART_ERROR_CODES) assert.ok(info.name.length > 0 && info.meaning.length > 0, String(info.code));
  });

  it('refuses replies that are not a SMART envelope with a ProtocolError', async () => {
    for (const reply of ['not json', '[]', '{"error_code":"0"}', '{"result":{}}', '{"error_code":0,"result":{"responses":5}}']) {
      const { smart } = client(() => reply);
      const error = await rejection(reply.includes('responses') ? smart.callMany([{ method: 'a' }, { method: 'b' }]) : smart.call('get_x'));
      assert.ok(error instanceof ProtocolError, `${reply}: ${String(error)}`);
    }
  });

  it('gives each exchange what is left of the call\'s deadline', async () => {
    const { smart, transport } = client(device({ get_a: () => ok(), get_b: () => ok() }), { timeout: 1000, batchSize: 1 });
    await smart.callMany([{ method: 'get_a' }, { method: 'get_b' }]);
    assert.ok(transport.timeouts.every((t) => t <= 1000 && t > 900), String(transport.timeouts));
    // A call's one exchange, when the call waited for nothing, is given the whole timeout: no clock read shaves a millisecond off it.
    await smart.call('get_a');
    assert.equal(transport.timeouts[transport.timeouts.length - 1], 1000);
  });

  it('queues calls: one waiting past its deadline behind a hung one is never sent, a poll stands aside', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const { smart, transport } = client(device({ get_a: () => ok({ a: 1 }), get_b: () => ok({ b: 2 }) }));
    const send = transport.send.bind(transport);
    transport.send = async (request: Buffer, timeout: number): Promise<Buffer> => {
      if (transport.requests.length === 0) await held;
      return send(request, timeout);
    };
    const first = smart.call('get_a', undefined, { timeout: 5000 });
    const poll = await rejection(smart.call('get_b', undefined, { ifIdle: true }));
    assert.ok(poll instanceof DeviceBusyError && poll.skipped);
    const late = await rejection(smart.call('get_b', undefined, { timeout: 20 }));
    assert.ok(late instanceof TimeoutError, String(late));
    assert.equal(smart.pendingRequests, 1);
    release();
    assert.deepEqual(await first, { a: 1 });
    assert.deepEqual(transport.requests.map((r) => r.method), ['get_a'], 'the late call was never sent');
  });

  it('decodes nickname and SSID of get_device_info and keeps odd values as sent', async () => {
    const { smart } = client(device({
      get_device_info: () => ok({ device_id: 'D', model: 'P110', device_on: true, nickname: Buffer.from('Küche').toString('base64'), ssid: 'plain ssid', rssi: 'x' }),
    }));
    const info = await smart.getDeviceInfo();
    assert.equal(info.nickname, 'Küche');
    assert.equal(info.ssid, 'plain ssid');
    assert.equal(info.rssi, undefined, 'junk in an optional field reads as absent');
    assert.equal(info.on, true);
  });

  it('refuses device info without its identity or with a device_on that is not a boolean', async () => {
    for (const result of [{ model: 'P110' }, { device_id: 'D', model: 'P110', device_on: 1 }]) {
      const { smart } = client(device({ get_device_info: () => ok(result) }));
      assert.ok(await rejection(smart.getDeviceInfo()) instanceof ProtocolError);
    }
  });

  describe('energy in the classic shape', () => {
    it('prefers get_emeter_data and adds voltage and current', async () => {
      const { smart } = client(device({
        get_energy_usage: () => ok({ current_power: 17654, today_energy: 513, month_energy: 1020, today_runtime: 1209, month_runtime: 2649 }),
        get_current_power: () => ok({ current_power: 17 }),
        get_emeter_data: () => ok({ power_mw: 17700, voltage_mv: 121215, current_ma: 150, energy_wh: 971 }),
      }));
      assert.deepEqual(await smart.getEnergy(), {
        power: 17.7, power_mw: 17700, voltage: 121.215, voltage_mv: 121215, current: 0.15, current_ma: 150, total: 0.971, total_wh: 971,
        today: 0.513, today_wh: 513, month: 1.02, month_wh: 1020, today_runtime: 1209, month_runtime: 2649,
      });
    });

    it('falls back to whole watts for an outlet whose energy usage has no current_power', async () => {
      const { smart } = client(device({
        get_energy_usage: () => ok({ today_energy: 0, month_energy: 14 }),
        get_current_power: () => ok({ current_power: 42 }),
      }));
      const reading = await smart.getEnergy();
      assert.equal(reading.power_mw, 42000);
      assert.equal(reading.voltage, undefined);
      assert.equal(reading.month_wh, 14);
    });

    it('asks energy_monitoring v1 only for get_energy_usage', async () => {
      const { smart, transport } = client(device({ get_energy_usage: () => ok({ current_power: 5000 }) }));
      assert.equal((await smart.getEnergy({ energyVersion: 1 })).power, 5);
      assert.deepEqual(transport.requests.map((r) => r.method), ['get_energy_usage']);
    });

    it('fails with the device\'s error when nothing gives a power reading', async () => {
      const { smart } = client(device({}));
      assert.ok(await rejection(smart.getEnergy()) instanceof SmartUnknownMethodError);
    });
  });
});
