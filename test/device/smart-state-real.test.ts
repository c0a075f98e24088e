/**
 * SMART replies as real firmware writes them, read by the one place they
 * become a DeviceState (smartState): shapes our simulated models do not
 * send but real devices were recorded sending. The values are our own;
 * each case names the firmware the shape was seen on.
 */
import { strict as assert } from 'assert';
import { smartState } from '../../lib/device/state/smart';
import { readChildComponents, readComponents } from '../../lib/smart/components';
import { readChildList, readDeviceInfo } from '../../lib/smart/device-info';

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const components = (...ids: string[]): { component_list: Array<{ id: string; ver_code: number }> } => ({
  component_list: ['device', 'time', ...ids].map((id) => ({ id, ver_code: 1 })),
});

describe('SMART state: shapes real firmware sends', function () {
  it('a plug listing brightness (P135 fw 1.0.5 and 1.2.0) stays a plug, with its brightness and a dimmer feature', function () {
    const info = readDeviceInfo({
      device_id: 'p135-own-1', model: 'P135', type: 'SMART.TAPOPLUG', device_on: true, brightness: 64, nickname: base64('Desk lamp'),
    }, 'get_device_info result');
    const state = smartState({ info, components: readComponents(components('brightness', 'dimmer_calibration')), children: [], childComponents: new Map() });
    assert.deepEqual(
      [state.kind, state.alias, state.on, state.brightness, state.features.includes('dimmer'), state.ignoresTransition, state.light],
      ['plug', 'Desk lamp', true, 64, true, true, undefined],
    );
  });

  it('a plug without brightness has neither a brightness nor a dimmer', function () {
    const info = readDeviceInfo({ device_id: 'p100-own-1', model: 'P100', type: 'SMART.TAPOPLUG', device_on: false }, 'get_device_info result');
    const state = smartState({ info, components: readComponents(components('led')), children: [], childComponents: new Map() });
    assert.deepEqual([state.kind, state.brightness, state.features.includes('dimmer'), state.ignoresTransition], ['plug', undefined, false, undefined]);
  });

  it('a strip whose last child is a light (P306 fw 1.1.2: the USB light is SMART.TAPOBULB), listed out of position order', function () {
    const socket = (id: string, position: number, name: string): object => ({
      device_id: id, model: 'P306', type: 'SMART.TAPOPLUG', category: 'plug.powerstrip.sub-plug', position, device_on: true, nickname: base64(name),
    });
    const list = {
      child_device_list: [
        socket('s-b', 2, 'Kettle'),
        socket('s-a', 1, 'Radio'),
        { device_id: 'usb-light', model: 'P306', type: 'SMART.TAPOBULB', category: 'plug.powerstrip.sub-bulb', position: 3, device_on: false, brightness: 40, nickname: base64('Night light') },
      ],
      start_index: 0,
      sum: 3,
    };
    const childComponents = readChildComponents({
      child_component_list: [
        { device_id: 's-a', ...components('countdown') },
        { device_id: 's-b', ...components('countdown') },
        { device_id: 'usb-light', ...components('brightness') },
      ],
    });
    const info = readDeviceInfo({ device_id: 'p306-own', model: 'P306', type: 'SMART.TAPOPLUG' }, 'get_device_info result');
    const state = smartState({ info, components: readComponents(components('control_child')), children: readChildList(list), childComponents });
    assert.equal(state.kind, 'strip');
    assert.deepEqual(state.outlets.map((o) => [o.id, o.alias, o.on]), [['s-a', 'Radio', true], ['s-b', 'Kettle', true], ['usb-light', 'Night light', false]]);
    assert.deepEqual([state.lightOutlet, state.light, state.brightness], [2, { on: false, brightness: 40 }, 40]);
  });
});
