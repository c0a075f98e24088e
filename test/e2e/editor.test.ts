/**
 * The editor and the dashboard in a real browser (Debian's Chromium driven by
 * playwright-core), against the `npm start` demo: drag a plug from the
 * palette, create its device with the discovery search, deploy, click an
 * inject node and see the simulated plug switch on; then the energy chart on
 * the dashboard. Screenshots go to test/artifacts/e2e/.
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
interface PageElement { textContent: string | null }
interface PageCanvas { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null }
interface PageGlobals {
  document: { querySelector(selector: string): PageElement | null; querySelectorAll(selector: string): ArrayLike<PageCanvas> };
  RED: {
    workspaces: { active(): string };
    nodes: { filterNodes(filter: object): Array<{ id: string }>; filterLinks(filter: object): unknown[] };
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

describe('the editor and the dashboard in Chromium', function () {
  this.timeout(120_000);
  let demo: RunningDemo | undefined;
  let context: BrowserContext | undefined;
  let profileDir: string | undefined;
  let page: Page;
  let plugId = '';
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
    for (const type of ['tplink-plug', 'tplink-discover', 'tplink-tddp']) {
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

  it('drags a plug in, creates its device with the discovery search and picks the desk lamp', async () => {
    assert.equal(await nodeIds(page, 'tplink-plug').then((ids) => ids.length), 0, 'working on a new, empty flow tab');
    const chart = (await page.locator('#red-ui-workspace').boundingBox()) as Box;
    plugId = await dropFromPalette(page, 'tplink-plug', { x: chart.x + 460, y: chart.y + 200 });
    await page.locator(`${nodeSel(plugId)} rect.red-ui-flow-node`).dblclick();
    await page.locator('#node-input-device').waitFor({ state: 'attached' });
    // The demo's example flows bring devices of their own: add a new one (the "+" next to the device list).
    await page.locator('#node-input-btn-device-add').click();
    await page.locator('#tplink-config-search').click();
    const found = page.locator('#tplink-config-found');
    await found.waitFor({ state: 'visible' });
    const lamp = `${demo!.fleetBase}11|9999`;
    assert.ok((await found.locator('option').allTextContents()).some((t) => t.includes('Desk lamp')), 'the search lists the desk lamp');
    // The Tapo P110 answers only UDP 20002: picking it fills its KLAP transport and HTTP port and asks for its account.
    await found.selectOption(`${demo!.fleetBase}21|8080`);
    assert.equal(await page.locator('#node-config-input-transport').inputValue(), 'klap');
    assert.equal(await page.locator('#node-config-input-port').inputValue(), '8080');
    assert.match(await page.locator('#tplink-config-search-note').innerText(), /TP-Link account/);
    await found.selectOption(lamp);
    assert.equal(await page.locator('#node-config-input-transport').inputValue(), 'tcp');
    assert.equal(await page.locator('#node-config-input-host').inputValue(), `${demo!.fleetBase}11`);
    assert.equal(await page.locator('#node-config-input-name').inputValue(), 'Desk lamp');
    await page.screenshot({ path: path.join(ARTIFACTS, 'config-dialog.png') });
    await page.locator('#node-config-dialog-ok').click();
    await page.locator('#node-input-interval').fill('2');
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(ARTIFACTS, 'edit-dialog.png') });
    await page.locator('#node-dialog-ok').click();
    await page.locator('.red-ui-tray').first().waitFor({ state: 'detached' });
    // Back to the whole palette for the inject node.
    const search = page.locator('#red-ui-palette-search input');
    await search.click();
    await search.press('Control+a');
    await search.press('Backspace');
    await page.locator('.red-ui-palette-node[data-palette-type="inject"]').waitFor({ state: 'visible' });
  });

  it('wires an inject node sending true, deploys, clicks it: the simulated plug turns on and its status says so', async () => {
    const chart = (await page.locator('#red-ui-workspace').boundingBox()) as Box;
    const injectId = await dropFromPalette(page, 'inject', { x: chart.x + 200, y: chart.y + 200 });
    await page.locator(`${nodeSel(injectId)} rect.red-ui-flow-node`).dblclick();
    // msg.payload (the first property row): boolean true.
    const payloadRow = page.locator('#node-input-property-container li').first();
    await payloadRow.locator('.red-ui-typedInput-type-select').last().click();
    await page.locator('.red-ui-typedInput-options a[value="bool"]').filter({ visible: true }).first().click();
    await page.locator('#node-dialog-ok').click();
    await page.locator('.red-ui-tray').first().waitFor({ state: 'detached' });
    await drag(page, await centre(page, `${nodeSel(injectId)} .red-ui-flow-port-output .red-ui-flow-port`),
      await centre(page, `${nodeSel(plugId)} .red-ui-flow-port-input .red-ui-flow-port`));
    const wires = await page.evaluate((id) => (globalThis as unknown as PageGlobals).RED.nodes.filterLinks({ source: { id } }).length, injectId);
    assert.equal(wires, 1, 'the inject is wired to the plug');

    await page.locator('#red-ui-header-button-deploy').click();
    const status = page.locator(`${nodeSel(plugId)} .red-ui-flow-node-status-label`);
    await page.waitForFunction((sel) => (globalThis as unknown as PageGlobals).document.querySelector(sel)?.textContent === 'off', `${nodeSel(plugId)} .red-ui-flow-node-status-label`, { timeout: STEP_TIMEOUT_MS });

    const client = new SmartHomeClient({ host: `${demo!.fleetBase}11`, port: 9999, timeout: 3000 });
    try {
      assert.equal((await client.getSysInfo()).relay_state, 0, 'the desk lamp starts off');
      await page.locator(`${nodeSel(injectId)} .red-ui-flow-node-button-button`).first().click();
      let relay: unknown = 0;
      for (let i = 0; i < 50 && relay !== 1; i++) {
        relay = (await client.getSysInfo()).relay_state;
        if (relay !== 1) await page.waitForTimeout(100);
      }
      assert.equal(relay, 1, 'the simulated plug\'s relay is on');
    } finally {
      await client.close();
    }
    await page.waitForFunction((sel) => (globalThis as unknown as PageGlobals).document.querySelector(sel)?.textContent === 'on', `${nodeSel(plugId)} .red-ui-flow-node-status-label`, { timeout: STEP_TIMEOUT_MS });
    assert.equal(await status.textContent(), 'on');
    assert.match(await page.locator(`${nodeSel(plugId)} .red-ui-flow-node-status`).getAttribute('class') ?? '', /green/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'deployed.png') });
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
