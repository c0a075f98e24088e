/**
 * The editor and the dashboard in a real browser (Debian's Chromium driven by
 * playwright-core), against the `npm start` demo: drag a light from the
 * palette, create its device with the discovery search (which lists every
 * kind and says which devices are set up already), deploy, click an inject
 * node and see the simulated bulb light up; put a plug on a strip outlet
 * picked from its list; see a refused message as a red status and a
 * readable line in the debug sidebar; import a flow saved by 0.1.0; then
 * the energy and lights dashboards. Screenshots go to test/artifacts/e2e/.
 *
 * test:one builds first: the demo runs dist/scripts/demo.js.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { SmartHomeClient } from '../../lib/classic/client';
import { startDemo, type RunningDemo } from '../examples/support/demo-process';
import { repoRoot } from '../support/repo';
import { chromiumArgs, ensureChromium } from './support/chromium';

const ARTIFACTS = path.join(repoRoot(), 'test', 'artifacts', 'e2e');
const STEP_TIMEOUT_MS = 15_000;

interface Box { x: number; y: number; width: number; height: number }

// Code run in the page: the test compiles without the DOM library, so the few page objects it uses are typed here.
interface PageElement { textContent: string | null; className?: string }
interface PageCanvas { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null }
interface PageGlobals {
  document: { querySelector(selector: string): PageElement | null; querySelectorAll(selector: string): ArrayLike<PageCanvas> };
  RED: {
    comms: { subscribe(topic: string, callback: (topic: string, message: { text?: string } | undefined) => void): void };
    workspaces: { active(): string };
    nodes: {
      filterNodes(filter: object): Array<{ id: string; valid?: boolean; version?: number; type: string; device?: string }>;
      filterLinks(filter: object): unknown[];
      node(id: string): { id: string; type: string; version?: number; valid?: boolean; device?: string; x?: number; y?: number } | null;
      eachWorkspace(each: (tab: { id: string; label: string }) => void): void;
      eachConfig(each: (node: { id: string; type: string; host?: string; name?: string }) => void): void;
      dirty(set?: boolean): boolean;
      addLink(link: { source: object | null; sourcePort: number; target: object | null }): void;
    };
    view: { importNodes(nodes: object[], options?: object): void; redraw(full?: boolean): void };
    editor: { edit(node: object): void };
    actions: { invoke(name: string): void };
  };
}

async function centre(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = (await page.locator(selector).first().boundingBox()) as Box | null;
  assert.ok(box, `${selector} is not on screen`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** A mouse drag with intermediate moves, as jQuery UI and the flow canvas expect. */
async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(from.x + ((to.x - from.x) * i) / 10, from.y + ((to.y - from.y) * i) / 10);
  await page.mouse.up();
}

/** Drops a palette node on the workspace at (x, y) of the page; returns the new node's id. */
async function dropFromPalette(page: Page, type: string, at: { x: number; y: number }): Promise<string> {
  const before = await nodeIds(page, type);
  await page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).scrollIntoViewIfNeeded();
  await drag(page, await centre(page, `.red-ui-palette-node[data-palette-type="${type}"]`), at);
  let added: string[] = [];
  for (let i = 0; i < 50 && added.length === 0; i++) {
    added = (await nodeIds(page, type)).filter((id) => !before.includes(id));
    if (added.length === 0) await page.waitForTimeout(100);
  }
  assert.equal(added.length, 1, `dropping a ${type} added ${added.length} nodes`);
  return added[0];
}

function nodeIds(page: Page, type: string): Promise<string[]> {
  return page.evaluate((t) => {
    const { RED } = globalThis as unknown as PageGlobals;
    return RED.nodes.filterNodes({ type: t, z: RED.workspaces.active() }).map((n) => n.id);
  }, type);
}

const nodeSel = (id: string): string => `#red-ui-workspace-chart g.red-ui-flow-node-group[id="${id}"]`;

/** The node's label on the canvas. */
function nodeLabel(page: Page, id: string): Promise<string> {
  return page.locator(`${nodeSel(id)} .red-ui-flow-node-label`).first().textContent().then((t) => (t ?? '').trim());
}

/**
 * The node's label once it reads `want`, or what it reads after the step's
 * time: the canvas redraws a moment after a dialog's tray has gone, and a
 * loaded machine once read the label from before the edit.
 */
async function labelOnceIs(page: Page, id: string, want: string): Promise<string> {
  const selector = `${nodeSel(id)} .red-ui-flow-node-label`;
  await page.waitForFunction(([sel, text]) => (globalThis as unknown as PageGlobals).document.querySelector(sel)?.textContent?.trim() === text,
    [selector, want] as const, { timeout: STEP_TIMEOUT_MS }).catch(() => undefined);
  return nodeLabel(page, id);
}

/** The yellow hint boxes (.form-tips) of the open edit dialogs that show on screen with nothing in them. */
function emptyHints(page: Page): Promise<string[]> {
  return page.locator('.red-ui-tray .form-tips').evaluateAll((boxes) => (boxes as unknown as Array<{ id: string; textContent: string | null; offsetParent: unknown }>)
    .filter((b) => b.offsetParent !== null && (b.textContent ?? '').trim() === '').map((b) => b.id || '(no id)'));
}

/** Clicks a dialog's button and waits for its tray to go. */
async function closeTray(page: Page, button: string): Promise<void> {
  const tray = page.locator('.red-ui-tray').filter({ has: page.locator(button) }).last();
  await page.locator(button).click();
  await tray.waitFor({ state: 'hidden' });
}

/** Deploys what the editor holds: waits for the button to offer a deploy (it may follow a change a moment later), clicks, waits for the deploy to finish. */
async function deploy(page: Page): Promise<void> {
  await page.locator('#red-ui-header-button-deploy:not(.disabled)').waitFor({ state: 'attached', timeout: STEP_TIMEOUT_MS });
  await page.locator('#red-ui-header-button-deploy').click();
  await page.locator('#red-ui-header-button-deploy.disabled').waitFor({ state: 'attached', timeout: STEP_TIMEOUT_MS });
}

async function statusBecomes(page: Page, id: string, text: string): Promise<void> {
  await page.waitForFunction(([sel, want]) => (globalThis as unknown as PageGlobals).document.querySelector(sel)?.textContent === want,
    [`${nodeSel(id)} .red-ui-flow-node-status-label`, text] as const, { timeout: STEP_TIMEOUT_MS });
}

describe('the editor and the dashboard in Chromium', function () {
  this.timeout(120_000);
  let demo: RunningDemo | undefined;
  let context: BrowserContext | undefined;
  let profileDir: string | undefined;
  let page: Page;
  let lightId = '';
  const offLoopback: string[] = [];
  const started = Date.now();

  before(async function () {
    this.timeout(20 * 60_000); // Installing Chromium, when it is missing, takes a while.
    const executablePath = await ensureChromium((line) => process.stdout.write(`      ${line}\n`));
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    demo = await startDemo();
    const launch = chromiumArgs();
    profileDir = launch.profileDir;
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath, headless: true, args: launch.args.filter((a) => !a.startsWith('--user-data-dir')),
      viewport: { width: 1280, height: 800 }, timeout: 30_000,
    });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    // The page may only talk to loopback: anything else is refused and recorded.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (isLoopbackUrl(url)) return route.continue();
      offLoopback.push(url);
      return route.abort();
    });
    page = context.pages()[0] ?? await context.newPage();
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await demo?.stop();
    if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
    process.stdout.write(`      (browser test: ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      await page.screenshot({ path: path.join(ARTIFACTS, `failed-${this.currentTest.title.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
    }
  });

  it('opens the editor with the pack in the palette', async () => {
    await page.goto(demo!.info.editor);
    await page.locator('.red-ui-palette-node[data-palette-type="tplink-plug"]').waitFor({ state: 'visible', timeout: 30_000 });
    for (const type of ['tplink-plug', 'tplink-light', 'tplink-discover', 'tplink-tddp']) {
      assert.equal(await page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).count(), 1, type);
    }
    // A new flow tab to work in, and the palette narrowed to the pack for its picture.
    await page.screenshot({ path: path.join(ARTIFACTS, 'editor.png') });
    const tabs = await page.locator('#red-ui-workspace-tabs li.red-ui-tab').count();
    await page.locator('#red-ui-workspace .red-ui-tab-button.red-ui-tabs-add a').first().click();
    await page.waitForFunction((n) => (globalThis as unknown as PageGlobals).document.querySelectorAll('#red-ui-workspace-tabs li.red-ui-tab').length > n, tabs);
    const search = page.locator('#red-ui-palette-search input');
    await search.click();
    await search.pressSequentially('kasa', { delay: 30 });
    await page.locator('.red-ui-palette-node[data-palette-type="inject"]').waitFor({ state: 'hidden' });
    const palette = (await page.locator('#red-ui-palette').boundingBox()) as Box;
    await page.screenshot({ path: path.join(ARTIFACTS, 'palette.png'), clip: { x: palette.x, y: palette.y, width: palette.width, height: Math.min(palette.height, 300) } });
  });

  it('drags a light in and creates its device with the search, which lists every kind and the devices already set up', async () => {
    assert.equal(await nodeIds(page, 'tplink-light').then((ids) => ids.length), 0, 'working on a new, empty flow tab');
    const chart = (await page.locator('#red-ui-workspace').boundingBox()) as Box;
    lightId = await dropFromPalette(page, 'tplink-light', { x: chart.x + 460, y: chart.y + 200 });
    await page.locator(`${nodeSel(lightId)} rect.red-ui-flow-node`).dblclick();
    await page.locator('#node-input-device').waitFor({ state: 'attached' });
    // The demo's example flows bring devices of their own: add a new one (the "+" next to the device list).
    await page.locator('#node-input-btn-device-add').click();
    await page.locator('#tplink-config-search').waitFor({ state: 'visible' });
    assert.deepEqual(await emptyHints(page), [], 'no empty hint box before anything is clicked');
    await page.locator('#tplink-config-search').click();
    const found = page.locator('#tplink-config-found');
    await found.waitFor({ state: 'visible' });
    const options = await found.locator('option').allTextContents();
    const kinds = [['Living room lamp', 'bulb'], ['TV backlight', 'light strip'], ['Hall dimmer', 'dimmer'], ['Reading lamp', 'bulb'], ['Power strip', 'power strip']];
    for (const [alias, kind] of kinds) {
      assert.ok(options.some((o) => o.includes(alias) && o.includes(`(${kind})`)), `the search lists ${alias} as a ${kind}: ${JSON.stringify(options)}`);
    }
    assert.match(options.find((o) => o.includes('Desk lamp')) ?? '', /already set up as "Desk lamp"/, 'a device with a config node says so');
    assert.doesNotMatch(options.find((o) => o.includes('Reading lamp')) ?? '', /already/);

    // The Tapo P300 answers only UDP 20002: picking it fills its KLAP transport and HTTP port and asks for its account.
    // (The P110 beside it has a config node in the Tapo example: it would say that instead.)
    await found.selectOption(`${demo!.fleetBase}22|8080`);
    assert.equal(await page.locator('#node-config-input-transport').inputValue(), 'klap');
    assert.equal(await page.locator('#node-config-input-port').inputValue(), '8080');
    assert.match(await page.locator('#tplink-config-search-note').innerText(), /TP-Link account/);
    // Picking a device that has a config node already says which, rather than quietly making a second one.
    await found.selectOption(`${demo!.fleetBase}11|9999`);
    assert.match(await page.locator('#tplink-config-search-note').textContent() ?? '', /already set up as "Desk lamp"/);
    assert.equal(await page.locator('#node-config-input-transport').inputValue(), 'tcp');
    await found.selectOption(`${demo!.fleetBase}26|9999`);
    assert.equal(await page.locator('#node-config-input-host').inputValue(), `${demo!.fleetBase}26`);
    assert.equal(await page.locator('#node-config-input-name').inputValue(), 'Reading lamp');
    assert.doesNotMatch(await page.locator('#node-config-input-host').getAttribute('class') ?? '', /input-error/, 'Host is valid once a device is picked');
    assert.doesNotMatch(await page.locator('#tplink-config-search-note').textContent() ?? '', /already/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'config-dialog.png') });
    await closeTray(page, '#node-config-dialog-ok');
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(ARTIFACTS, 'light-dialog.png') });
    await closeTray(page, '#node-dialog-ok');
    assert.equal(await labelOnceIs(page, lightId, 'Reading lamp'), 'Reading lamp');
    // Back to the whole palette for the inject node.
    const search = page.locator('#red-ui-palette-search input');
    await search.click();
    await search.press('Control+a');
    await search.press('Backspace');
    await page.locator('.red-ui-palette-node[data-palette-type="inject"]').waitFor({ state: 'visible' });
  });

  it('wires an inject node sending true, deploys, clicks it: the simulated bulb lights up and the status says so', async () => {
    const chart = (await page.locator('#red-ui-workspace').boundingBox()) as Box;
    const injectId = await dropFromPalette(page, 'inject', { x: chart.x + 200, y: chart.y + 200 });
    await page.locator(`${nodeSel(injectId)} rect.red-ui-flow-node`).dblclick();
    // msg.payload (the first property row): boolean true.
    const payloadRow = page.locator('#node-input-property-container li').first();
    await payloadRow.locator('.red-ui-typedInput-type-select').last().click();
    await page.locator('.red-ui-typedInput-options a[value="bool"]').filter({ visible: true }).first().click();
    await closeTray(page, '#node-dialog-ok');
    await drag(page, await centre(page, `${nodeSel(injectId)} .red-ui-flow-port-output .red-ui-flow-port`),
      await centre(page, `${nodeSel(lightId)} .red-ui-flow-port-input .red-ui-flow-port`));
    const wires = await page.evaluate((id) => (globalThis as unknown as PageGlobals).RED.nodes.filterLinks({ source: { id } }).length, injectId);
    assert.equal(wires, 1, 'the inject is wired to the light');

    await deploy(page);
    await statusBecomes(page, lightId, 'off');
    const client = new SmartHomeClient({ host: `${demo!.fleetBase}26`, port: 9999, timeout: 3000 });
    const lightOn = async (): Promise<unknown> => (await client.getSysInfo()).light_state?.on_off;
    try {
      assert.equal(await lightOn(), 0, 'the reading lamp starts off');
      await page.locator(`${nodeSel(injectId)} .red-ui-flow-node-button-button`).first().click();
      let on: unknown = 0;
      for (let i = 0; i < 50 && on !== 1; i++) {
        on = await lightOn();
        if (on !== 1) await page.waitForTimeout(100);
      }
      assert.equal(on, 1, 'the simulated bulb is on');
    } finally {
      await client.close();
    }
    await statusBecomes(page, lightId, 'on · 100 %');
    assert.match(await page.locator(`${nodeSel(lightId)} .red-ui-flow-node-status`).getAttribute('class') ?? '', /green/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'deployed.png') });
  });

  it('puts a plug on a strip outlet picked from its list, labelled with the outlet\'s name', async () => {
    const chart = (await page.locator('#red-ui-workspace').boundingBox()) as Box;
    const plugId = await dropFromPalette(page, 'tplink-plug', { x: chart.x + 460, y: chart.y + 320 });
    await page.locator(`${nodeSel(plugId)} rect.red-ui-flow-node`).dblclick();
    await page.locator('#node-input-device').waitFor({ state: 'attached' });
    const strip = await page.evaluate(() => {
      let id = '';
      (globalThis as unknown as PageGlobals).RED.nodes.eachConfig((c) => { if (c.type === 'tplink-config' && c.name === 'Power strip') id = c.id; });
      return id;
    });
    const configCount = (): Promise<number> => page.evaluate(() => {
      let count = 0;
      (globalThis as unknown as PageGlobals).RED.nodes.eachConfig((c) => { if (c.type === 'tplink-config') count++; });
      return count;
    });
    const configsBefore = await configCount();
    // Adding the strip again through the search: the dialog offers the config node it already has, and uses it.
    await page.locator('#node-input-btn-device-add').click();
    await page.locator('#tplink-config-search').click();
    await page.locator('#tplink-config-found').waitFor({ state: 'visible' });
    await page.locator('#tplink-config-found').selectOption(`${demo!.fleetBase}14|9999`);
    const use = page.locator('#tplink-config-use');
    assert.equal(await use.textContent(), 'Use "Power strip" instead');
    await closeTray(page, '#tplink-config-use');
    assert.equal(await page.locator('#node-input-device').inputValue(), strip, 'the plug takes the existing config node');
    assert.equal(await configCount(), configsBefore, 'no second config node for the strip');
    assert.deepEqual(await emptyHints(page), [], 'no empty hint box before anything is clicked');
    await page.locator('#tplink-plug-load').click();
    await page.locator('#tplink-plug-outlets').waitFor({ state: 'visible' });
    assert.match(await page.locator('#tplink-plug-outlets-note').textContent() ?? '', /^Power strip \(HS300/);
    const note = (await page.locator('#tplink-plug-outlets-note').boundingBox()) as Box;
    const input = (await page.locator('#node-input-outlet').boundingBox()) as Box;
    assert.ok(Math.abs(note.x - input.x) < 2, `the strip's note lines up with the inputs (x ${note.x}), not under the labels (inputs at x ${input.x})`);
    await page.locator('#tplink-plug-outlets').selectOption('00');
    assert.equal(await page.locator('#node-input-outlet').inputValue(), '00');
    await page.screenshot({ path: path.join(ARTIFACTS, 'edit-dialog.png') });
    await closeTray(page, '#node-dialog-ok');
    assert.equal(await labelOnceIs(page, plugId, 'Power strip / TV'), 'Power strip / TV');
    // Typed by hand, an outlet is shown as typed.
    await page.locator(`${nodeSel(plugId)} rect.red-ui-flow-node`).dblclick();
    await page.locator('#node-input-outlet').fill('Router');
    await closeTray(page, '#node-dialog-ok');
    assert.equal(await labelOnceIs(page, plugId, 'Power strip / Router'), 'Power strip / Router');
  });

  it('asks a host typed by hand with the automatic transport whether it needs the account: rows only for the Tapo P110 or no answer', async () => {
    await page.locator(`${nodeSel(lightId)} rect.red-ui-flow-node`).dblclick();
    await page.locator('#node-input-btn-device-add').click();
    await page.locator('#tplink-config-search').waitFor({ state: 'visible' });
    await page.locator('#node-config-input-transport').selectOption('auto');
    const host = page.locator('#node-config-input-host');
    const username = page.locator('#node-config-input-username');
    const note = page.locator('#tplink-config-auto-note');
    const typeHost = async (address: string): Promise<void> => {
      await host.fill(address);
      await host.press('Tab');
    };
    const noteBecomes = (text: RegExp): Promise<unknown> => page.waitForFunction(
      (want) => new RegExp(want).test((globalThis as unknown as PageGlobals).document.querySelector('#tplink-config-auto-note')?.textContent ?? ''),
      text.source, { timeout: STEP_TIMEOUT_MS });
    // The demo's HS100 "Desk lamp" answers on UDP 9999 only: the classic protocol, no account.
    await typeHost(`${demo!.fleetBase}11`);
    await username.waitFor({ state: 'hidden' });
    // The P110 "Dishwasher" answers only on UDP 20002: SMART over KLAP, its account asked for.
    await typeHost(`${demo!.fleetBase}21`);
    await username.waitFor({ state: 'visible' });
    await noteBecomes(/TP-Link account it is bound to/);
    // Nothing listens on <base>19: the rows stay, with a neutral note.
    await typeHost(`${demo!.fleetBase}19`);
    await noteBecomes(/^Nothing answered/);
    assert.ok(await username.isVisible(), 'the account rows show when nothing answered');
    // An account already given keeps its rows, even on a classic device.
    await username.fill('someone@example.com');
    await typeHost(`${demo!.fleetBase}11`);
    await noteBecomes(/^The account is used only if/);
    assert.ok(await username.isVisible(), 'the account rows stay while they hold an account');
    assert.equal(await username.inputValue(), 'someone@example.com');
    assert.ok(await note.isVisible());
    assert.deepEqual(await emptyHints(page), [], 'no empty hint box');
    await closeTray(page, '#node-config-dialog-cancel');
    await closeTray(page, '#node-dialog-cancel');
  });

  it('shows a refused message as a red status and a readable line in the debug sidebar', async () => {
    // An inject sending a colour temperature, which the LB110 (one fixed white) cannot take, wired to the light.
    // touchImport: placed where it says; a plain import follows the mouse until the next click, so the click
    // meant for its button dropped it wherever the mouse was (moved: the flow undeployed, nothing injected).
    await page.evaluate((target) => {
      const { RED } = globalThis as unknown as PageGlobals;
      // Below the first inject, clear of the plug further down.
      const light = RED.nodes.node(target);
      RED.view.importNodes([{
        id: 'e2ebad0000000001', type: 'inject', z: RED.workspaces.active(), name: 'a white', props: [{ p: 'payload' }],
        payload: '{"color_temp":2700}', payloadType: 'json', repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '',
        x: (light?.x ?? 450) - 290, y: (light?.y ?? 200) + 60, wires: [[]],
      }], { generateIds: false, touchImport: true });
      RED.nodes.addLink({ source: RED.nodes.node('e2ebad0000000001'), sourcePort: 0, target: RED.nodes.node(target) });
      RED.nodes.dirty(true);
      RED.view.redraw(true);
    }, lightId);
    // The deploy restarts the light, whose first read then draws its state: a refusal shown before that
    // read ends would be drawn over, so the click waits for the first state status after the deploy.
    // Subscribing hands over the light's last status at once (comms retain it): that one is from before
    // the deploy, so the state that counts is one after the restarted light's 'connecting'.
    await page.evaluate((id) => {
      const g = globalThis as unknown as PageGlobals & { lightStatuses?: string[] };
      const seen: string[] = [];
      g.lightStatuses = seen;
      g.RED.comms.subscribe(`status/${id}`, (_topic, message) => { seen.push(message?.text ?? ''); });
    }, lightId);
    await deploy(page);
    await page.waitForFunction(() => {
      const seen = (globalThis as unknown as { lightStatuses?: string[] }).lightStatuses ?? [];
      return seen.slice(seen.indexOf('connecting') + 1).some((text) => text !== '' && text !== 'connecting') && seen.includes('connecting');
    }, undefined, { timeout: STEP_TIMEOUT_MS });
    await page.locator('#red-ui-tab-debug-link-button').click();
    await page.locator(`${nodeSel('e2ebad0000000001')} .red-ui-flow-node-button-button`).first().click();
    await statusBecomes(page, lightId, 'message refused');
    assert.match(await page.locator(`${nodeSel(lightId)} .red-ui-flow-node-status`).getAttribute('class') ?? '', /red/);
    const entry = page.locator('.red-ui-debug-msg').filter({ hasText: 'LB110' }).last();
    await entry.waitFor({ state: 'visible' });
    assert.match(await entry.textContent() ?? '', /LB110\(US\) has no adjustable white \(colour temperature\)/);
    assert.equal(await entry.locator('.red-ui-debug-msg-object-handle').count(), 0, 'a line of text, not an object to unfold');
    await page.screenshot({ path: path.join(ARTIFACTS, 'debug-error.png') });
  });

  it('imports a flow saved by 0.1.0: every node valid, and saved in the current shape once edited', async () => {
    const fixture = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'flows', 'export-0.1.0.json'), 'utf8')) as object[];
    await page.evaluate((nodes) => (globalThis as unknown as PageGlobals).RED.view.importNodes(nodes, { generateIds: true, touchImport: true }), fixture);
    // The fixture brings its own tab ("Kasa 0.1.0") and two config nodes.
    const imported = await page.evaluate(() => {
      const { RED } = globalThis as unknown as PageGlobals;
      let tab = '';
      RED.nodes.eachWorkspace((w) => { if (w.label === 'Kasa 0.1.0') tab = w.id; });
      const flowNodes = RED.nodes.filterNodes({ z: tab }).filter((n) => n.type.startsWith('tplink-'));
      const configIds = new Set(flowNodes.map((n) => n.device).filter((id) => id !== undefined && id !== ''));
      const configs = [...configIds].map((id) => RED.nodes.node(id as string)).filter((c) => c !== null && c !== undefined);
      return [...flowNodes, ...configs].map((n) => ({ id: n.id, type: n.type, valid: n.valid, version: n.version }));
    });
    assert.deepEqual(imported.map((n) => n.type).sort(), [
      'tplink-config', 'tplink-config', 'tplink-discover', 'tplink-plug', 'tplink-plug', 'tplink-plug', 'tplink-tddp',
    ], JSON.stringify(imported));
    assert.deepEqual(imported.filter((n) => n.valid === false), [], 'no imported node is flagged invalid');
    const plug = imported.find((n) => n.type === 'tplink-plug');
    assert.ok(plug && plug.version === undefined, '0.1.0 saved no version');
    await page.evaluate((id) => {
      const { RED } = globalThis as unknown as PageGlobals;
      RED.editor.edit(RED.nodes.node(id) as object);
    }, plug.id);
    await page.locator('#node-input-outlet').waitFor({ state: 'visible' });
    await closeTray(page, '#node-dialog-ok');
    assert.equal(await page.evaluate((id) => (globalThis as unknown as PageGlobals).RED.nodes.node(id)?.version, plug.id), 1);
    // Not deployed (the fixture names loopback devices of its own): the edit and the import are undone.
    await page.evaluate(() => {
      const { RED } = globalThis as unknown as PageGlobals;
      RED.actions.invoke('core:undo');
      RED.actions.invoke('core:undo');
    });
    assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).RED.nodes.dirty()), false, 'back to what is deployed');
  });

  it('shows points on the energy chart of the dashboard', async () => {
    await page.goto(`${demo!.info.dashboard}/energy`);
    const canvas = page.locator('.nrdb-ui-chart canvas').first();
    await canvas.waitFor({ state: 'visible', timeout: 30_000 });
    // The first series' colour (#1f6f78, the washing machine): enough of it is a line with points.
    const seriesPixels = (): Promise<number> => page.evaluate(() => {
      let count = 0;
      for (const canvasEl of Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('.nrdb-ui-chart canvas'))) {
        const data = canvasEl.getContext('2d')?.getImageData(0, 0, canvasEl.width, canvasEl.height).data;
        if (!data) continue;
        for (let i = 0; i < data.length; i += 4) {
          if (Math.abs(data[i] - 0x1f) < 24 && Math.abs(data[i + 1] - 0x6f) < 24 && Math.abs(data[i + 2] - 0x78) < 24 && data[i + 3] > 200) count++;
        }
      }
      return count;
    });
    let pixels = 0;
    for (let i = 0; i < 100 && pixels < 200; i++) {
      pixels = await seriesPixels();
      if (pixels < 200) await page.waitForTimeout(200);
    }
    assert.ok(pixels >= 200, `the chart draws the washing machine's power (${pixels} pixels of its colour)`);
    await page.locator('.nrdb-ui-table tbody tr').first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.waitForTimeout(1500); // let the gauge needle and the chart animation finish
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  it('shows the living room lamp on the lights dashboard: switch, brightness, white, colour and power', async () => {
    await page.goto(`${demo!.info.dashboard}/lights`);
    await page.locator('.nrdb-ui-slider').first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await page.locator('.nrdb-ui-switch').count(), 2, 'the lamp\'s and the dimmer\'s switch');
    assert.equal(await page.locator('.nrdb-ui-slider').count(), 3, 'brightness and white for the lamp, brightness for the dimmer');
    assert.equal(await page.locator('input[type="color"]').count(), 1, 'a colour input');
    // The lamp polls every 5 s: its power shows once read.
    await page.getByText(/\d+\.\d W/).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.waitForTimeout(1000);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-lights.png'), fullPage: true });
  });

  it('asked for nothing outside 127.0.0.0/8 (editor, dashboard, their assets)', () => {
    assert.deepEqual(offLoopback, []);
  });
});

/** http(s)/ws(s) URLs to 127.0.0.0/8; data: and blob: URLs never leave the browser. */
function isLoopbackUrl(url: string): boolean {
  if (/^(data|blob|about):/.test(url)) return true;
  try {
    return /^127\.\d+\.\d+\.\d+$/.test(new URL(url).hostname);
  } catch {
    return false;
  }
}
