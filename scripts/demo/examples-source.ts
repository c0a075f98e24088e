/**
 * The source of examples/*.json. The example files are committed (Node-RED's
 * Import > Examples menu reads them from the package); this module writes
 * them (`node dist/scripts/demo/write-examples.js`) and a test checks that
 * the committed files match it, so the shared config nodes stay identical
 * across files.
 *
 * Every example names the default demo fleet (scripts/demo/fleet.ts) on
 * 127.0.0.x; point the tplink-config nodes at your own devices to use them
 * on a real network.
 */
import { createHash } from 'crypto';
import type { FlowNode } from './flows';

/** Node-RED style 16-hex-digit ids, stable across runs. */
export function exampleId(name: string): string {
  return createHash('sha1').update(`kasa-red-example:${name}`).digest('hex').slice(0, 16);
}

type Props = Record<string, unknown>;

// ---------------------------------------------------------------- config nodes

const device = (key: string, name: string, host: string, extra: Props = {}): FlowNode => ({
  id: exampleId(`device:${key}`), type: 'tplink-config', name, host, port: 9999, transport: 'tcp', timeout: 5, ...extra,
});

const DEVICES = {
  deskLamp: device('desk-lamp', 'Desk lamp', '127.0.0.11'),
  washer: device('washer', 'Washing machine', '127.0.0.12'),
  fridge: device('fridge', 'Fridge', '127.0.0.13'),
  strip: device('strip', 'Power strip', '127.0.0.14'),
  porch: device('porch', 'Porch light', '127.0.0.17'),
  heater: device('heater', 'Unplugged heater', '127.0.0.19', { timeout: 2 }),
  // A Tapo P110: found automatically (SMART over KLAP); the demo listens on 8080 where a real one uses 80.
  // Its account is a credential: never in a flow file (npm start fills it in the demo's user dir).
  dishwasher: device('dishwasher', 'Tapo dishwasher', '127.0.0.21', { port: 8080, transport: 'auto' }),
  livingRoom: device('living-room', 'Living room lamp', '127.0.0.23'),
  backlight: device('backlight', 'TV backlight', '127.0.0.24'),
  hall: device('hall', 'Hall dimmer', '127.0.0.25'),
};

const UI_BASE: FlowNode = {
  id: exampleId('ui:base'), type: 'ui-base', name: 'Kasa demo', path: '/dashboard', appIcon: '', includeClientData: true,
  acceptsClientConfig: ['ui-notification', 'ui-control'], showPathInSidebar: false, headerContent: 'page', navigationStyle: 'temporary',
  titleBarStyle: 'default', showReconnectNotification: true, notificationDisplayTime: 1, showDisconnectNotification: true, allowInstall: false,
};

const UI_THEME: FlowNode = {
  id: exampleId('ui:theme'), type: 'ui-theme', name: 'Kasa theme',
  colors: { surface: '#1f6f78', primary: '#1f6f78', bgPage: '#eef2f3', groupBg: '#ffffff', groupOutline: '#cfd8dc' },
  sizes: { density: 'default', pagePadding: '12px', groupGap: '12px', groupBorderRadius: '6px', widgetGap: '12px' },
};

const BREAKPOINTS = [
  { name: 'Default', px: 0, cols: 3 },
  { name: 'Tablet', px: 576, cols: 6 },
  { name: 'Small Desktop', px: 768, cols: 9 },
  { name: 'Desktop', px: 1024, cols: 12 },
];

function uiPage(key: string, name: string, path: string, icon: string, order: number): FlowNode {
  return {
    id: exampleId(`ui:page:${key}`), type: 'ui-page', name, ui: UI_BASE.id, path, icon, layout: 'grid', theme: UI_THEME.id,
    breakpoints: BREAKPOINTS, order, className: '', visible: 'true', disabled: 'false',
  };
}

function uiGroup(key: string, name: string, page: FlowNode, width: number, order: number): FlowNode {
  return {
    id: exampleId(`ui:group:${key}`), type: 'ui-group', name, page: page.id, width, height: 1, order, showTitle: true,
    className: '', visible: 'true', disabled: 'false', groupType: 'default',
  };
}

// ---------------------------------------------------------------- flow nodes

/** Builds the nodes of one example, on its own tab. */
class Example {
  readonly nodes: FlowNode[] = [];
  readonly tab: FlowNode;
  private readonly key: string;

  constructor(key: string, label: string, info: string) {
    this.key = key;
    this.tab = { id: exampleId(`${key}:tab`), type: 'tab', label, disabled: false, info };
    this.nodes.push(this.tab);
  }

  id(name: string): string {
    return exampleId(`${this.key}:${name}`);
  }

  /** A flow node at (x, y) on this example's tab; `wires` are node names of this example. */
  add(name: string, type: string, x: number, y: number, props: Props, wires?: string[][]): FlowNode {
    const node: FlowNode = { id: this.id(name), type, z: this.tab.id, ...props, x, y };
    if (wires) node.wires = wires.map((port) => port.map((n) => this.id(n)));
    this.nodes.push(node);
    return node;
  }

  config(...nodes: FlowNode[]): void {
    this.nodes.push(...nodes);
  }

  /** The example's explanation: its title on the canvas, the text in the sidebar when selected. */
  comment(name: string, x: number, y: number, text: string): void {
    const title = text.split('\n')[0].replace(/^#+\s*/, '');
    const label = `${title}: select me to read how it works`;
    // Nodes are placed by their centre: keep a long comment clear of the canvas' left edge.
    this.add(name, 'comment', Math.max(x, 40 + label.length * 4), y, { name: label, info: text });
  }

  inject(name: string, x: number, y: number, label: string, props: Array<{ p: string; v: string; vt: string }>, wires: string[], extra: Props = {}): void {
    const payload = props.find((p) => p.p === 'payload');
    this.add(name, 'inject', x, y, {
      name: label,
      props: props.map((p) => (p.p === 'payload' ? { p: 'payload' } : p)),
      repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '',
      payload: payload?.v ?? '', payloadType: payload?.vt ?? 'date',
      ...extra,
    }, [wires]);
  }

  debug(name: string, x: number, y: number, label: string, complete = 'payload'): void {
    this.add(name, 'debug', x, y, {
      name: label, active: true, tosidebar: true, console: false, tostatus: false,
      complete, targetType: complete === 'true' ? 'full' : 'msg', statusVal: '', statusType: 'auto',
    }, []);
  }

  plug(name: string, x: number, y: number, config: FlowNode, props: { outlet?: string; interval?: number | ''; label?: string }, wires: string[]): void {
    this.add(name, 'tplink-plug', x, y, {
      name: props.label ?? '', device: config.id, outlet: props.outlet ?? '', interval: props.interval ?? '', allowAdmin: false,
    }, [wires]);
  }

  light(name: string, x: number, y: number, config: FlowNode, props: { interval?: number | ''; transition?: number | ''; label?: string }, wires: string[]): void {
    this.add(name, 'tplink-light', x, y, {
      name: props.label ?? '', device: config.id, transition: props.transition ?? '', interval: props.interval ?? '', version: 1,
    }, [wires]);
  }

  /** A Dashboard slider sending its value with msg.topic naming the light field it sets. */
  uiSlider(name: string, x: number, y: number, group: FlowNode, label: string, order: number, range: { field: string; min: number; max: number; step: number }, wires: string[]): void {
    this.add(name, 'ui-slider', x, y, {
      name: '', label, tooltip: '', group: group.id, order, width: 0, height: 0, passthru: false, outs: 'end',
      topic: range.field, topicType: 'str', thumbLabel: true, showTicks: 'never', min: range.min, max: range.max, step: range.step,
      className: '', iconPrepend: '', iconAppend: '', color: '', colorTrack: '', colorThumb: '', showTextField: false,
    }, [wires]);
  }

  /** A Dashboard colour input: sends "#rrggbb" while the user picks. */
  uiColour(name: string, x: number, y: number, group: FlowNode, label: string, order: number, wires: string[]): void {
    this.add(name, 'ui-text-input', x, y, {
      name: '', label, group: group.id, order, width: 0, height: 0, topic: 'color', topicType: 'str', mode: 'color', tooltip: '',
      delay: 300, passthru: false, sendOnDelay: true, sendOnBlur: true, sendOnEnter: true, className: '', clearable: false,
      sendOnClear: false, icon: '', iconPosition: 'left', iconInnerPosition: 'inside',
    }, [wires]);
  }

  uiText(name: string, x: number, y: number, group: FlowNode, label: string, order: number): void {
    this.add(name, 'ui-text', x, y, {
      group: group.id, order, width: 0, height: 0, name: '', label, format: '{{msg.payload}}', layout: 'row-spread', style: false,
      font: 'Helvetica', fontSize: 16, color: '#717171', wrapText: false, className: '', value: 'payload', valueType: 'msg',
    }, []);
  }

  /** A switch node routing plug output by msg.command: [energy readings] [state changes and answers]. */
  byCommand(name: string, x: number, y: number, energy: string[], other: string[]): void {
    this.add(name, 'switch', x, y, {
      name: 'energy or state?', property: 'command', propertyType: 'msg',
      rules: [{ t: 'eq', v: 'energy', vt: 'str' }, { t: 'else' }], checkall: 'true', repair: false, outputs: 2,
    }, [energy, other]);
  }

  /** Watts to one decimal, for the gauge and the chart's tooltips. */
  roundWatts(name: string, x: number, y: number, wires: string[]): void {
    this.add(name, 'change', x, y, {
      name: 'round to 0.1 W', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '$round(payload, 1)', tot: 'jsonata' }],
      action: '', property: '', from: '', to: '', reg: false,
    }, [wires]);
  }

  func(name: string, x: number, y: number, label: string, code: string, wires: string[][], outputs = 1): void {
    this.add(name, 'function', x, y, {
      name: label, func: code, outputs, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [],
    }, wires);
  }

  uiSwitch(name: string, x: number, y: number, group: FlowNode, label: string, order: number, wires: string[]): void {
    this.add(name, 'ui-switch', x, y, {
      name: '', label, group: group.id, order, width: 0, height: 0, passthru: false, decouple: false,
      topic: 'topic', topicType: 'msg', style: '', className: '', layout: 'row-spread', clickableArea: 'switch',
      onvalue: 'true', onvalueType: 'bool', onicon: '', oncolor: '', offvalue: 'false', offvalueType: 'bool', officon: '', offcolor: '',
    }, [wires]);
  }

  uiChart(name: string, x: number, y: number, group: FlowNode, label: string, order: number, props: Props = {}): void {
    this.add(name, 'ui-chart', x, y, {
      group: group.id, name: '', label, order, chartType: 'line', category: 'topic', categoryType: 'msg',
      xAxisLabel: '', xAxisProperty: '', xAxisPropertyType: 'timestamp', xAxisType: 'time', xAxisFormat: '', xAxisFormatType: 'auto',
      xmin: '', xmax: '', yAxisLabel: 'W', yAxisProperty: 'payload', yAxisPropertyType: 'msg', ymin: '0', ymax: '', bins: 10,
      action: 'append', stackSeries: false, pointShape: 'circle', pointRadius: 3, showLegend: true,
      removeOlder: 10, removeOlderUnit: '60', removeOlderPoints: '',
      colors: ['#1f6f78', '#e07a1f', '#6a4c93', '#2ca02c', '#d62728', '#8c564b', '#e377c2', '#7f7f7f', '#17becf'],
      textColor: ['#666666'], textColorDefault: true, gridColor: ['#e5e5e5'], gridColorDefault: true,
      width: 12, height: 6, className: '', interpolation: 'linear', ...props,
    }, [[]]);
  }
}

// ---------------------------------------------------------------- the examples

function switchAPlug(): Example {
  const ex = new Example('switch', 'Kasa: switch a plug', 'Switch a plug from inject buttons and from a dashboard switch.');
  const page = uiPage('switch', 'Switch', '/switch', 'toggle-switch', 2);
  const group = uiGroup('switch', 'Desk lamp', page, 4, 1);
  ex.config(DEVICES.deskLamp, UI_BASE, UI_THEME, page, group);
  ex.comment('about', 170, 40, [
    '### Switch a plug',
    '',
    'Click the buttons of the **on**, **off** and **toggle** inject nodes, or flip the switch on the',
    'dashboard (http://127.0.0.1:1880/dashboard/switch). The plug node sends the new state on',
    '(`msg.payload` true/false, `msg.topic` the plug\'s alias), which also moves the dashboard switch.',
    '',
    'The plug node polls every 5 seconds, so a change made elsewhere (the Kasa app, another flow)',
    'shows on its status and on the dashboard too.',
    '',
    'The "Desk lamp" device is the demo\'s simulated HS100 on 127.0.0.11: open it and use **search**',
    'to pick one of your own plugs instead.',
  ].join('\n'));
  ex.inject('on', 150, 100, 'on', [{ p: 'payload', v: 'true', vt: 'bool' }], ['plug']);
  ex.inject('off', 150, 140, 'off', [{ p: 'payload', v: 'false', vt: 'bool' }], ['plug']);
  ex.inject('toggle', 150, 180, 'toggle', [{ p: 'payload', v: 'toggle', vt: 'str' }], ['plug']);
  ex.uiSwitch('ui-switch', 150, 240, group, 'Desk lamp', 1, ['plug']);
  // The state goes back to the dashboard switch; a ui-switch does not pass its input on, so there is no loop.
  ex.plug('plug', 380, 160, DEVICES.deskLamp, { interval: 5 }, ['state', 'ui-switch']);
  ex.debug('state', 600, 160, 'Desk lamp state');
  return ex;
}

function energyMonitor(): Example {
  const ex = new Example('energy', 'Kasa: energy monitor', 'Live power on a chart and a gauge; daily totals in a table.');
  const page = uiPage('energy', 'Energy', '/energy', 'flash', 1);
  const live = uiGroup('energy-live', 'Live power', page, 12, 1);
  const daily = uiGroup('energy-daily', 'Daily totals', page, 12, 2);
  ex.config(DEVICES.washer, DEVICES.fridge, UI_BASE, UI_THEME, page, live, daily);
  ex.comment('about', 180, 40, [
    '### Energy monitor',
    '',
    'Two plugs with an energy meter (an HS110 "Washing machine" whose load follows a wash cycle, and a',
    'KP115 "Fridge") are polled every 2 seconds. Each poll sends the power in watts (`msg.payload`,',
    '`msg.command` "energy", the full reading in `msg.energy`); the switch node sends those to the chart',
    '(one line per `msg.topic`, the plug\'s alias) and the washing machine\'s to the gauge.',
    '',
    'Every minute the inject node asks both plugs for `day_stats` (this month\'s kWh per day) and the',
    'function node turns the two answers into the rows of the table.',
    '',
    'Dashboard: http://127.0.0.1:1880/dashboard/energy',
  ].join('\n'));
  ex.plug('washer', 160, 120, DEVICES.washer, { interval: 2 }, ['washer-route']);
  ex.plug('fridge', 160, 200, DEVICES.fridge, { interval: 2 }, ['fridge-route']);
  ex.byCommand('washer-route', 370, 120, ['washer-watts'], []);
  ex.byCommand('fridge-route', 370, 200, ['fridge-watts'], []);
  ex.roundWatts('washer-watts', 570, 120, ['chart', 'gauge']);
  ex.roundWatts('fridge-watts', 570, 200, ['chart']);
  ex.uiChart('chart', 790, 120, live, 'Power (W)', 1);
  ex.add('gauge', 'ui-gauge', 790, 180, {
    name: '', group: live.id, order: 2, value: 'payload', valueType: 'msg', width: 4, height: 4,
    gtype: 'gauge-half', gstyle: 'needle', title: 'Washing machine', alwaysShowTitle: false, floatingTitlePosition: 'top-left',
    units: 'W', icon: '', prefix: '', suffix: '',
    segments: [{ from: '0', color: '#5cd65c', text: '', textType: 'label' }, { from: '1000', color: '#ffc800', text: '', textType: 'label' }, { from: '2000', color: '#ea5353', text: '', textType: 'label' }],
    min: 0, max: 2500, sizeThickness: 16, sizeGap: 4, sizeKeyThickness: 8, styleRounded: true, styleGlow: false, className: '',
  }, [[]]);
  ex.inject('every-minute', 170, 300, 'every minute', [{ p: 'command', v: 'day_stats', vt: 'str' }], ['washer-days', 'fridge-days'],
    { repeat: '60', once: true, onceDelay: '2' });
  ex.plug('washer-days', 400, 280, DEVICES.washer, { label: 'Washing machine days' }, ['table-rows']);
  ex.plug('fridge-days', 400, 320, DEVICES.fridge, { label: 'Fridge days' }, ['table-rows']);
  ex.func('table-rows', 620, 300, 'daily totals → rows', [
    '// msg.payload: [{ year, month, day, energy (kWh), energy_wh }] for the plug msg.topic names.',
    'const totals = context.get("totals") || {};',
    'totals[msg.topic] = msg.payload;',
    'context.set("totals", totals);',
    'const days = {};',
    'for (const [alias, list] of Object.entries(totals)) {',
    '    for (const d of list) {',
    '        const date = `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;',
    '        days[date] = days[date] || { date };',
    '        days[date][`${alias} (kWh)`] = Math.round(d.energy * 1000) / 1000;',
    '    }',
    '}',
    'msg.payload = Object.values(days).sort((a, b) => b.date.localeCompare(a.date));',
    'return msg;',
  ].join('\n'), [['table']]);
  ex.add('table', 'ui-table', 840, 300, {
    group: daily.id, name: 'daily totals', label: '', order: 1, width: 12, height: 0, maxrows: 0, passthru: false, autocols: true,
    showSearch: false, deselect: true, selectionType: 'none', columns: [], mobileBreakpoint: 'sm', mobileBreakpointType: 'defaults',
    action: 'replace', className: '',
  }, [[]]);
  return ex;
}

const OUTLETS = ['TV', 'Game console', 'Router', 'Desk fan', 'Speakers', 'Phone charger'];

function powerStrip(): Example {
  const ex = new Example('strip', 'Kasa: power strip', 'Each outlet of an HS300 switched and metered on its own.');
  const page = uiPage('strip', 'Power strip', '/strip', 'power-socket-eu', 3);
  const switches = uiGroup('strip-switches', 'Outlets', page, 3, 1);
  const meters = uiGroup('strip-meters', 'Power per outlet', page, 9, 2);
  ex.config(DEVICES.strip, UI_BASE, UI_THEME, page, switches, meters);
  ex.comment('about', 170, 40, [
    '### Power strip',
    '',
    'One plug node per outlet of an HS300 strip: the node\'s **Outlet** field takes the outlet number',
    '(0-5), its id or its alias ("list outlets" in the edit dialog reads them from the strip). Each',
    'node polls its own outlet every 3 seconds: state changes go back to its dashboard switch, energy',
    'readings to the chart, one line per outlet.',
    '',
    'A plug node with a blank Outlet field addresses the whole strip: the **all on** and **all off**',
    'buttons switch every outlet at once.',
    '',
    'Dashboard: http://127.0.0.1:1880/dashboard/strip',
  ].join('\n'));
  OUTLETS.forEach((alias, i) => {
    const y = 100 + i * 60;
    ex.uiSwitch(`switch-${i}`, 160, y, switches, alias, i + 1, [`outlet-${i}`]);
    ex.plug(`outlet-${i}`, 380, y, DEVICES.strip, { outlet: String(i), interval: 3, label: `${i}: ${alias}` }, [`route-${i}`]);
    ex.byCommand(`route-${i}`, 580, y, [`watts-${i}`], [`switch-${i}`]);
    ex.roundWatts(`watts-${i}`, 780, y, ['chart']);
  });
  ex.uiChart('chart', 1000, 250, meters, 'Power per outlet (W)', 1, { width: 9 });
  ex.inject('all-on', 150, 490, 'all on', [{ p: 'payload', v: 'true', vt: 'bool' }], ['whole-strip']);
  ex.inject('all-off', 150, 530, 'all off', [{ p: 'payload', v: 'false', vt: 'bool' }], ['whole-strip']);
  ex.plug('whole-strip', 380, 510, DEVICES.strip, { label: 'whole strip' }, ['strip-state']);
  ex.debug('strip-state', 590, 510, 'strip state');
  return ex;
}

function discovery(): Example {
  const ex = new Example('discovery', 'Kasa: discovery', 'Find devices and list them; react to a device going offline.');
  const page = uiPage('discovery', 'Devices', '/devices', 'lan', 4);
  const group = uiGroup('discovery', 'Devices on the network', page, 12, 1);
  ex.config(UI_BASE, UI_THEME, page, group);
  ex.comment('about', 170, 40, [
    '### Discovery',
    '',
    '**Search now** runs one discovery sweep: the discover node sends one message per device found',
    '(`msg.topic` "found", `msg.payload` its host, alias, model, state and outlets).',
    '',
    'The second discover node has an interval and watches the network: it sends `new`, `online`,',
    '`offline` and `changed` messages as devices appear, stop answering (3 missed sweeps) or change.',
    'The switch node picks out `offline` and the function node words an alert.',
    '',
    'Both list the devices on the dashboard (http://127.0.0.1:1880/dashboard/devices). In the demo the',
    'simulated "Garden lights" drop off the network for 40 s in every 90 s.',
    '',
    'The broadcast address is the demo fleet\'s 127.0.0.255; on a real network use 255.255.255.255',
    '(the default) or your subnet\'s broadcast address.',
  ].join('\n'));
  ex.inject('search', 150, 120, 'Search now', [{ p: 'payload', v: '', vt: 'date' }], ['sweep']);
  ex.add('sweep', 'tplink-discover', 350, 120, {
    name: 'one sweep', broadcast: '127.0.0.255', port: 9999, iface: '', timeout: 2, interval: '',
  }, [['found', 'list']]);
  ex.debug('found', 570, 80, 'found', 'true');
  ex.add('watch', 'tplink-discover', 350, 220, {
    name: 'watch the network', broadcast: '127.0.0.255', port: 9999, iface: '', timeout: 2, interval: 5,
  }, [['list', 'offline?']]);
  ex.func('list', 580, 160, 'device list', [
    '// Keeps one row per device and sends the whole list to the table.',
    'const devices = context.get("devices") || {};',
    'const d = msg.payload;',
    'devices[d.deviceId || d.host] = {',
    '    // Tapo and newer Kasa devices found on UDP 20002 say no alias or state until read with their account: null.',
    '    alias: d.alias ?? "(" + d.model + ")",',
    '    model: d.model,',
    '    address: d.host,',
    '    relay: d.state === null ? "unknown" : d.state ? "on" : "off",',
    '    outlets: d.outlets.length,',
    '    network: msg.topic === "offline" ? "offline" : "online",',
    '};',
    'context.set("devices", devices);',
    'const rows = Object.values(devices).sort((a, b) => a.address.localeCompare(b.address, "en", { numeric: true }));',
    'return { payload: rows };',
  ].join('\n'), [['table']]);
  ex.add('table', 'ui-table', 800, 160, {
    group: group.id, name: '', label: 'Devices', order: 1, width: 12, height: 0, maxrows: 0, passthru: false, autocols: true,
    showSearch: false, deselect: true, selectionType: 'none', columns: [], mobileBreakpoint: 'sm', mobileBreakpointType: 'defaults',
    action: 'replace', className: '',
  }, [[]]);
  ex.add('offline?', 'switch', 570, 260, {
    name: 'offline?', property: 'topic', propertyType: 'msg',
    rules: [{ t: 'eq', v: 'offline', vt: 'str' }, { t: 'eq', v: 'online', vt: 'str' }], checkall: 'true', repair: false, outputs: 2,
  }, [['alert'], ['back']]);
  ex.func('alert', 780, 240, 'offline alert', 'msg.payload = `${msg.payload.alias ?? msg.payload.model} (${msg.payload.host}) stopped answering`;\nreturn msg;', [['alerts']]);
  ex.func('back', 780, 280, 'back online', 'msg.payload = `${msg.payload.alias ?? msg.payload.model} (${msg.payload.host}) is back`;\nreturn msg;', [['alerts']]);
  ex.debug('alerts', 980, 260, 'network alerts');
  return ex;
}

function schedules(): Example {
  const ex = new Example('schedules', 'Kasa: schedules', 'A countdown rule set from a flow; sunset-style automation with a trigger.');
  ex.config(DEVICES.deskLamp, DEVICES.porch);
  ex.comment('about', 170, 40, [
    '### Schedules',
    '',
    '**On the device:** the countdown rule runs on the plug itself, so it fires even when Node-RED is',
    'down. Send `msg.command` "countdown" with `msg.payload` `{ "delay": seconds, "act": "on" | "off" }`',
    'to set it; without a delay it reads the rules back. "countdown_clear" removes it and',
    '"next_action" says what the plug will do next.',
    '',
    '**In the flow:** the porch light comes on at 19:30 every day (or when you click "pretend it is',
    'sunset") and the trigger node turns it off again two minutes later (set the trigger to hours',
    'for real use; a sun-position node can replace the fixed time).',
  ].join('\n'));
  ex.inject('countdown', 160, 100, 'off in 60 s', [{ p: 'command', v: 'countdown', vt: 'str' }, { p: 'payload', v: '{"delay":60,"act":"off"}', vt: 'json' }], ['lamp']);
  ex.inject('read', 160, 140, 'read countdown', [{ p: 'command', v: 'countdown', vt: 'str' }], ['lamp']);
  ex.inject('clear', 160, 180, 'cancel countdown', [{ p: 'command', v: 'countdown_clear', vt: 'str' }], ['lamp']);
  ex.inject('next', 160, 220, 'next action', [{ p: 'command', v: 'next_action', vt: 'str' }], ['lamp']);
  ex.plug('lamp', 390, 160, DEVICES.deskLamp, {}, ['rules']);
  ex.debug('rules', 590, 160, 'countdown rules');
  ex.inject('evening', 170, 300, 'at 19:30', [{ p: 'payload', v: '', vt: 'date' }], ['trigger'], { crontab: '30 19 * * *' });
  ex.inject('sunset', 170, 340, 'pretend it is sunset', [{ p: 'payload', v: '', vt: 'date' }], ['trigger']);
  ex.add('trigger', 'trigger', 400, 320, {
    name: 'on, then off after 2 min', op1: 'true', op2: 'false', op1type: 'bool', op2type: 'bool', duration: '2', extend: false,
    overrideDelay: false, units: 'min', reset: '', bytopic: 'all', topic: 'topic', outputs: 1,
  }, [['porch']]);
  ex.plug('porch', 620, 320, DEVICES.porch, {}, ['porch-state']);
  ex.debug('porch-state', 820, 320, 'porch light');
  return ex;
}

function tddp(): Example {
  const ex = new Example('tddp', 'Kasa: TDDP', 'Read a value with tplink-tddp.');
  ex.comment('about', 150, 40, [
    '### TDDP',
    '',
    'TDDP is the debug protocol on UDP 1040 of many TP-Link devices. The tddp node sends one request per',
    'message (packet type and subtype from the node or from `msg.type` / `msg.subtype`) and outputs the',
    'decrypted reply: `msg.payload` the data as a Buffer, `msg.text` the same as text, `msg.header`.',
    '',
    'Here it reads the product id (type 0x03, subtype 0x0a) and, with `msg.subtype` "0x12", the device id',
    'of the demo\'s simulated responder on 127.0.0.15.',
    '',
    'Real devices always send their replies to UDP port **61000**; set the reply port to 61000 for one.',
    'The demo\'s responder replies to 61040, so that the demo does not take 61000 from other TDDP tools.',
  ].join('\n'));
  ex.inject('product', 150, 100, 'product id', [{ p: 'payload', v: '', vt: 'date' }], ['tddp']);
  ex.inject('device-id', 150, 140, 'device id', [{ p: 'subtype', v: '0x12', vt: 'str' }], ['tddp']);
  ex.add('tddp', 'tplink-tddp', 360, 120, {
    name: 'TDDP 127.0.0.15', host: '127.0.0.15', port: 1040, replyPort: 61040, timeout: 5, packetType: '0x03', subtype: '0x0a',
  }, [['text']]);
  ex.debug('text', 560, 120, 'reply text', 'text');
  return ex;
}

function errorHandling(): Example {
  const ex = new Example('errors', 'Kasa: error handling', 'A Catch node reporting an unreachable plug.');
  ex.config(DEVICES.heater);
  ex.comment('about', 170, 40, [
    '### Error handling',
    '',
    'The "Unplugged heater" device points at 127.0.0.19, where nothing answers: the plug node\'s status',
    'turns red ("unreachable") and it keeps retrying in the background.',
    '',
    'A command it cannot deliver fails the message: the Catch node, scoped to the plug node, receives it',
    'with `msg.error` (message and source) and the function node writes a report, which could as well',
    'go to a notification, an e-mail or a retry.',
  ].join('\n'));
  ex.inject('switch-on', 160, 100, 'switch the heater on', [{ p: 'payload', v: 'true', vt: 'bool' }], ['heater']);
  ex.plug('heater', 400, 100, DEVICES.heater, { label: 'Heater' }, ['heater-state']);
  ex.debug('heater-state', 600, 100, 'heater state');
  ex.add('catch', 'catch', 160, 180, { name: 'heater errors', scope: [ex.id('heater')], uncaught: false }, [['report']]);
  ex.func('report', 390, 180, 'report', [
    'const source = msg.error.source || {};',
    'msg.payload = `Could not switch ${source.name || source.id}: ${msg.error.message}`;',
    'return msg;',
  ].join('\n'), [['report-out']]);
  ex.debug('report-out', 600, 180, 'error report');
  return ex;
}

function tapoEnergy(): Example {
  const ex = new Example('tapo', 'Tapo: plug energy', 'A Tapo P110 switched and charted by the same nodes as a Kasa plug.');
  const page = uiPage('tapo', 'Tapo', '/tapo', 'power-plug', 5);
  const live = uiGroup('tapo-live', 'Dishwasher', page, 12, 1);
  ex.config(DEVICES.dishwasher, UI_BASE, UI_THEME, page, live);
  ex.comment('about', 180, 40, [
    '### Tapo plug energy',
    '',
    'A Tapo P110 "Dishwasher" (the demo\'s simulated one on 127.0.0.21, whose load follows a dish cycle)',
    'switched and charted by the same nodes as the Kasa energy monitor: the plug node polls it every',
    '2 seconds and sends the power in watts (`msg.payload`, `msg.command` "energy", the whole reading in',
    '`msg.energy` with the same fields as a Kasa plug\'s: power, voltage, current, total, each also in',
    'milli units, plus `today_wh` and `month_wh`, which Tapo meters keep). Only the device differs.',
    '',
    'Tapo devices speak TP-Link\'s SMART protocol over HTTP (KLAP, or AES on older firmware) and log in',
    'with the TP-Link account the device is bound to. The config node\'s transport is **Automatic**, which',
    'finds out by itself; enter the account under Username and Password. `npm start` prints the demo',
    'account and fills it in for you.',
    '',
    'The inject nodes switch the dishwasher; the debug node shows today\'s energy with every reading.',
    '',
    'Dashboard: http://127.0.0.1:1880/dashboard/tapo',
  ].join('\n'));
  ex.inject('on', 150, 100, 'on', [{ p: 'payload', v: 'true', vt: 'bool' }], ['plug']);
  ex.inject('off', 150, 140, 'off', [{ p: 'payload', v: 'false', vt: 'bool' }], ['plug']);
  ex.plug('plug', 360, 120, DEVICES.dishwasher, { interval: 2 }, ['route']);
  ex.byCommand('route', 560, 120, ['watts', 'today'], ['state']);
  ex.roundWatts('watts', 760, 100, ['chart']);
  ex.uiChart('chart', 960, 100, live, 'Power (W)', 1);
  ex.add('today', 'change', 760, 160, {
    name: 'today (Wh)', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'energy.today_wh', tot: 'msg' }],
    action: '', property: '', from: '', to: '', reg: false,
  }, [['today-debug']]);
  ex.debug('today-debug', 960, 160, 'Dishwasher today (Wh)');
  ex.debug('state', 760, 220, 'Dishwasher state');
  return ex;
}

/** What the lamp's light node sends, split for the widgets: [on] [brightness] [white] [colour] [power]. */
const LIGHT_TO_WIDGETS = [
  '// msg.payload: the light ({ on, brightness, color_temp, hue, saturation }); msg.color: its colour as',
  '// "#rrggbb" (a white too); msg.energy: the meter, on polls. Each widget gets its value as msg.payload.',
  'const light = msg.payload;',
  '// color_temp 0: the bulb shows a hue, and the white slider keeps its place.',
  'const white = light.color_temp > 0 ? { payload: light.color_temp } : null;',
  'const colour = msg.color ? { payload: msg.color } : null;',
  'const power = msg.energy ? { payload: `${msg.energy.power.toFixed(1)} W` } : null;',
  'return [{ payload: light.on }, { payload: light.brightness }, white, colour, power];',
].join('\n');

function lights(): Example {
  const ex = new Example('lights', 'Kasa: lights', 'A colour bulb, a light strip and a dimmer: on/off, brightness, white and colour, on a dashboard.');
  const page = uiPage('lights', 'Lights', '/lights', 'lightbulb', 6);
  const lamp = uiGroup('lights-lamp', 'Living room lamp', page, 4, 1);
  const hall = uiGroup('lights-hall', 'Hall dimmer', page, 4, 2);
  ex.config(DEVICES.livingRoom, DEVICES.backlight, DEVICES.hall, UI_BASE, UI_THEME, page, lamp, hall);
  ex.comment('about', 170, 40, [
    '### Lights',
    '',
    'The light node switches, dims and colours bulbs, light strips and dimmers. `msg.payload` takes',
    '`true`/`false`/`"toggle"`, a colour `"#rrggbb"`, or an object such as',
    '`{ "brightness": 40, "color_temp": 2700, "transition": 1000 }`; a number works when `msg.topic`',
    'names the field (`brightness`, `color_temp`, `hue`, `saturation`), which is how the dashboard\'s',
    'sliders are set up. The node answers with the light in the same fields, the colour as `msg.color`.',
    '',
    'The "Living room lamp" (a simulated KL130 colour bulb) polls every 5 seconds: the function node',
    'hands each widget its value, so the dashboard follows changes made elsewhere, and the bulb\'s',
    'energy meter shows as Power. Try the inject buttons and http://127.0.0.1:1880/dashboard/lights.',
    '',
    'The "TV backlight" is a KL430 light strip and the "Hall dimmer" an HS220 wall dimmer: the same node',
    'and the same messages drive them. A colour temperature outside a bulb\'s range (a KL125 takes',
    '2500-6500 K) or a colour on a white bulb is refused with an error saying what the model takes.',
  ].join('\n'));
  const toLamp = ['lamp'];
  ex.inject('on', 150, 100, 'on', [{ p: 'payload', v: 'true', vt: 'bool' }], toLamp);
  ex.inject('off', 150, 140, 'off', [{ p: 'payload', v: 'false', vt: 'bool' }], toLamp);
  ex.inject('warm', 150, 180, 'warm white', [{ p: 'payload', v: '{"color_temp":2700,"brightness":80}', vt: 'json' }], toLamp);
  ex.inject('daylight', 150, 220, 'daylight', [{ p: 'payload', v: '{"color_temp":6500,"brightness":100}', vt: 'json' }], toLamp);
  ex.inject('red', 150, 260, 'red', [{ p: 'payload', v: '#ff2010', vt: 'str' }], toLamp);
  ex.inject('dim', 150, 300, 'dim slowly', [{ p: 'payload', v: '{"brightness":10,"transition":3000}', vt: 'json' }], toLamp);
  ex.uiSwitch('lamp-switch', 150, 360, lamp, 'On', 1, toLamp);
  ex.uiSlider('lamp-brightness', 150, 400, lamp, 'Brightness', 2, { field: 'brightness', min: 1, max: 100, step: 1 }, toLamp);
  ex.uiSlider('lamp-white', 150, 440, lamp, 'White (K)', 3, { field: 'color_temp', min: 2500, max: 9000, step: 100 }, toLamp);
  ex.uiColour('lamp-colour', 150, 480, lamp, 'Colour', 4, toLamp);
  ex.light('lamp', 420, 260, DEVICES.livingRoom, { interval: 5 }, ['widgets', 'lamp-state']);
  ex.func('widgets', 640, 300, 'light → widgets', LIGHT_TO_WIDGETS,
    [['lamp-switch'], ['lamp-brightness'], ['lamp-white'], ['lamp-colour'], ['lamp-power']], 5);
  ex.uiText('lamp-power', 860, 340, lamp, 'Power', 5);
  ex.debug('lamp-state', 640, 220, 'lamp state');

  ex.inject('strip-on', 150, 560, 'backlight on', [{ p: 'payload', v: 'true', vt: 'bool' }], ['backlight']);
  ex.inject('strip-blue', 150, 600, 'backlight blue', [{ p: 'payload', v: '#0040ff', vt: 'str' }], ['backlight']);
  ex.inject('strip-off', 150, 640, 'backlight off', [{ p: 'payload', v: 'false', vt: 'bool' }], ['backlight']);
  ex.light('backlight', 420, 600, DEVICES.backlight, { transition: 500 }, ['backlight-state']);
  ex.debug('backlight-state', 640, 600, 'backlight state');

  ex.inject('hall-30', 150, 720, 'hall 30 %', [{ p: 'payload', v: '{"brightness":30}', vt: 'json' }], ['hall']);
  ex.inject('hall-off', 150, 760, 'hall off', [{ p: 'payload', v: 'false', vt: 'bool' }], ['hall']);
  ex.uiSwitch('hall-switch', 150, 800, hall, 'On', 1, ['hall']);
  ex.uiSlider('hall-brightness', 150, 840, hall, 'Brightness', 2, { field: 'brightness', min: 0, max: 100, step: 5 }, ['hall']);
  ex.light('hall', 420, 760, DEVICES.hall, { interval: 5 }, ['hall-widgets', 'hall-state']);
  ex.func('hall-widgets', 640, 800, 'dimmer → widgets', 'return [{ payload: msg.payload.on }, { payload: msg.payload.brightness }];',
    [['hall-switch'], ['hall-brightness']], 2);
  ex.debug('hall-state', 640, 760, 'hall dimmer');
  return ex;
}

/** File name (in examples/) → nodes. */
export function exampleFlows(): Record<string, FlowNode[]> {
  return {
    '01-switch-a-plug.json': switchAPlug().nodes,
    '02-energy-monitor.json': energyMonitor().nodes,
    '03-power-strip.json': powerStrip().nodes,
    '04-discovery.json': discovery().nodes,
    '05-schedules.json': schedules().nodes,
    '06-tddp.json': tddp().nodes,
    '07-error-handling.json': errorHandling().nodes,
    '08-tapo-plug-energy.json': tapoEnergy().nodes,
    '09-lights.json': lights().nodes,
  };
}

export function exampleFileText(nodes: FlowNode[]): string {
  return `${JSON.stringify(nodes, null, 4)}\n`;
}
