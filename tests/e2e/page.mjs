// Page object for Sagascope's end-to-end tests: actions (play, step, inject a fault, ...) and
// reads (outcome, statuses, the event log) built on the data-testid contract in DESIGN.md.
//
// Runs are made fast with the page's documented link parameter `?speed=N` (N× real time, up to
// 100×); everything else goes through the controls a person uses.
//
// Environment:
//   SAGASCOPE_URL  base URL of the built app (scripts/test serves dist/ and sets it)
//   CHROMIUM       browser binary (default /usr/bin/chromium; playwright-core never downloads one)
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE_URL = process.env.SAGASCOPE_URL ?? 'http://127.0.0.1:8080/';
export const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');

/** Launches the system Chromium, headless. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/** Runs `body` with a fresh page (see [`AppPage.open`]) and checks that it logged no errors. */
export async function withPage(browser, options, body) {
  const app = await AppPage.open(browser, options);
  try {
    await body(app);
    assert.deepEqual(app.errors(), [], 'no console or page errors');
  } finally {
    await app.close();
  }
}

export class AppPage {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
    /** Console messages of type "error" (includes failed resource loads). */
    this.consoleErrors = [];
    /** Uncaught exceptions in the page (a wasm panic shows up here or in the console). */
    this.pageErrors = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => this.pageErrors.push(String(err)));
  }

  /**
   * Opens the page in a fresh 1280×720 context and waits for the app. Either a `path` relative to
   * BASE_URL, or link parameters: `{ preset, coordination, storage, seed, speed }`.
   */
  static async open(browser, { path, viewport = { width: 1280, height: 720 }, colorScheme = 'light', ...params } = {}) {
    const context = await browser.newContext({ viewport, colorScheme });
    const app = new AppPage(await context.newPage());
    await app.page.goto(new URL(path ?? AppPage.link(params), BASE_URL).href);
    await app.waitForMount();
    await app.byTestId('outcome').waitFor();
    return app;
  }

  /** A link with the page's parameters (`?preset=…&coordination=…&speed=…`). */
  static link(params = {}) {
    const query = new URLSearchParams(
      Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]),
    ).toString();
    return query ? `?${query}` : '';
  }

  // ---- the bar ----

  async play() { await this.byTestId('play').click(); }
  async pause() { await this.byTestId('pause').click(); }
  async step() { await this.byTestId('step').click(); }
  async reset() { await this.byTestId('reset').click(); }

  /** Picks a preset by id. */
  async choosePreset(id) { await this.byTestId('preset').selectOption(id); }

  /** `orchestration` or `choreography`. */
  async setCoordination(style) {
    await this.byTestId('coordination').locator(`[data-value="${style}"]`).click();
    await this.page.waitForSelector(`[data-testid="coordination"][data-value="${style}"]`);
  }

  /** `per_service` or `shared`. */
  async setStorage(storage) {
    await this.byTestId('storage').locator(`[data-value="${storage}"]`).click();
    await this.page.waitForSelector(`[data-testid="storage"][data-value="${storage}"]`);
  }

  /** Types a seed and commits it (Enter). */
  async setSeed(text) {
    const seed = this.byTestId('seed');
    await seed.fill(String(text));
    await seed.press('Enter');
  }

  // ---- the diagram ----

  /** A service node: `reservation`, `payment`, `calendar` or `notification`. */
  service(name) { return this.byTestId(`service-${name}`); }

  /** The `data-status` of a service node. */
  async serviceStatus(name) { return this.service(name).getAttribute('data-status'); }

  /** The `data-status` of step `n` (from 1). */
  async stepStatus(n) { return this.page.locator(`.saga-step[data-step="${n}"]`).first().getAttribute('data-status'); }

  /** Opens a node's fault menu by clicking the node (a service name, or a data-testid). */
  async openFaultMenu(node) {
    const target = ['reservation', 'payment', 'calendar', 'notification'].includes(node)
      ? this.service(node)
      : this.byTestId(node);
    await target.click();
    await this.byTestId('fault-menu').waitFor();
    return this.byTestId('fault-menu');
  }

  /** Injects a fault from a node's menu: its `data-fault` kind, optionally the button's text. */
  async injectFault(node, kind, { text } = {}) {
    const menu = await this.openFaultMenu(node);
    let button = menu.locator(`[data-fault="${kind}"]`);
    if (text) button = button.filter({ hasText: text });
    await button.first().click();
    await this.closeFaultMenu();
  }

  async closeFaultMenu() {
    await this.byTestId('fault-menu-close').click();
    await this.byTestId('fault-menu').waitFor({ state: 'detached' });
  }

  /** Removes every active fault shown in a node's menu. */
  async removeFaults(node) {
    const menu = await this.openFaultMenu(node);
    while ((await menu.locator('[data-action="remove-fault"]').count()) > 0) {
      await menu.locator('[data-action="remove-fault"]').first().click();
    }
    await this.closeFaultMenu();
  }

  /** How many messages wait in the dead-letter queue (choreography). */
  async deadLetters() { return Number(await this.byTestId('dead-letter-queue').getAttribute('data-count')); }

  async redrive() { await this.byTestId('redrive').click(); }

  // ---- share, export, import ----

  /** Clicks Share and returns the link shown to copy (the full address). */
  async share() {
    await this.openShareMenu();
    await this.byTestId('share').click();
    const field = this.byTestId('share-link');
    await field.waitFor();
    return field.inputValue();
  }

  /** Opens the bar's Share menu (share, export, import), if it is closed. */
  async openShareMenu() {
    const menu = this.byTestId('export');
    if (!(await menu.evaluate((el) => el.open))) await menu.locator('summary').click();
  }

  /** Downloads an export (`trace`, `scenario`, `svg`, `mermaid`, `asl`): its file name and text. */
  async exportFile(format) {
    await this.openShareMenu();
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.byTestId(`export-${format}`).click(),
    ]);
    const path = await download.path();
    return { name: download.suggestedFilename(), text: await readFile(path, 'utf8') };
  }

  /** Picks a scenario file in the Import picker. */
  async importFile(name, text) {
    await this.byTestId('import').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
  }

  /** Drops a scenario file on the page, as dragging it from the desktop does. */
  async dropFile(name, text) {
    await this.root.evaluate((main, [fileName, body]) => {
      const data = new DataTransfer();
      data.items.add(new File([body], fileName, { type: 'application/json' }));
      main.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, [name, text]);
  }

  /** The notice's text ('' when there is none). */
  async notice() {
    const notice = this.byTestId('notice');
    return (await notice.count()) ? notice.innerText() : '';
  }

  /** Waits until the notice says something matching `pattern`, and returns it. */
  async waitForNotice(pattern, timeout = 10_000) {
    const notice = this.byTestId('notice').filter({ hasText: pattern });
    await notice.waitFor({ timeout });
    return notice.innerText();
  }

  /** The simulated clock as shown (`t = 1.2 s`). */
  async clock() { return this.byTestId('clock').innerText(); }

  /** Whether a safeguard (`idempotency`, `semantic-lock`, `outbox`) is on. */
  async safeguardOn(name) {
    return (await this.byTestId(`safeguard-${name}`).getAttribute('aria-pressed')) === 'true';
  }

  /** Switches a safeguard on or off from the bar's Safeguards menu (the run starts again). */
  async setSafeguard(name, on) {
    if ((await this.safeguardOn(name)) === on) return;
    const menu = this.byTestId('safeguards');
    if ((await menu.getAttribute('open')) === null) await menu.locator('summary').click();
    await this.byTestId(`safeguard-${name}`).click();
    // The run starts again and the bar is drawn anew with the menu closed: the switch is there,
    // not visible.
    await this.page.waitForSelector(`[data-testid="safeguard-${name}"][aria-pressed="${on}"]`, { state: 'attached' });
  }

  /** The selected preset's id. */
  async preset() { return this.byTestId('preset').inputValue(); }

  // ---- outcome, invariants, log ----

  async outcome() { return this.byTestId('outcome').getAttribute('data-outcome'); }

  /** Waits until `data-outcome` is `value` (the run is played at the page's speed). */
  async waitForOutcome(value, timeout = 20_000) {
    await this.page.waitForSelector(`[data-testid="outcome"][data-outcome="${value}"]`, { timeout });
  }

  /** Waits until the clock has stopped by itself (the run came to rest). */
  async waitUntilPaused(timeout = 20_000) {
    await this.page.waitForSelector('main.app[data-playing="false"]', { timeout });
  }

  /** Whether every invariant holds. */
  async invariantsHold() { return (await this.byTestId('invariants').getAttribute('data-all-hold')) === 'true'; }

  /** The narration's text. */
  async narration() { return this.byTestId('narration').innerText(); }

  /** Stops filtering the log to a node, if it is. */
  async showWholeLog() {
    const all = this.byTestId('log-show-all');
    if (await all.count()) await all.click();
  }

  /** Every line of the event log, in order. */
  async logLines() {
    await this.showWholeLog();
    // textContent, not innerText: lines scrolled out of view are not rendered (the log's
    // `content-visibility: auto`), and innerText reads them as empty.
    return this.byTestId('event-log').locator('.log__text').allTextContents();
  }

  /** Waits until the log is scrolled to its end: the newest line in full view. */
  async waitForLogAtEnd(timeout = 5_000) {
    await this.page.waitForFunction(() => {
      const list = document.querySelector('[data-testid="event-log"] .log__list');
      const last = list?.lastElementChild;
      if (!last) return false;
      const box = list.getBoundingClientRect();
      const line = last.getBoundingClientRect();
      return line.top >= box.top - 1 && line.bottom <= box.bottom + 1;
    }, null, { timeout });
  }

  /** The index of the first log line matching `pattern` (-1 if none). */
  static indexOf(lines, pattern) { return lines.findIndex((l) => pattern.test(l)); }

  /** Every line of the event log with its time (`0.12 s  A  Saga A started`), in order. */
  async logEntries() {
    await this.showWholeLog();
    return this.byTestId('event-log').locator('.log__line').evaluateAll((lines) => lines.map(
      (line) => [...line.children].map((part) => part.textContent.trim()).filter(Boolean).join('\n'),
    ));
  }

  // ---- time travel ----

  async stepBack() { await this.byTestId('step-back').click(); }

  /** Clicks "Latest ⇥" (shown while an earlier moment is shown). */
  async toLatest() { await this.byTestId('to-latest').click(); }

  /** The timeline strip (a slider: a tick per event). */
  get timeline() { return this.byTestId('timeline'); }

  /** How many events had happened at the moment shown (the strip's aria-valuenow). */
  async eventsShown() { return Number(await this.timeline.getAttribute('aria-valuenow')); }

  /** How many events the run has up to its latest moment (the strip's aria-valuemax). */
  async eventsInRun() { return Number(await this.timeline.getAttribute('aria-valuemax')); }

  /** Where a point at `fraction` (0 to 1) of the strip's width is, in page coordinates. */
  async timelinePoint(fraction) {
    const box = await this.timeline.boundingBox();
    return { x: box.x + box.width * fraction, y: box.y + box.height / 2 };
  }

  /** Clicks the strip at `fraction` (0 to 1) of its width: the page goes to the event there. */
  async clickTimeline(fraction) {
    const { x, y } = await this.timelinePoint(fraction);
    await this.page.mouse.click(x, y);
  }

  /** Whether an earlier moment than the latest is shown (`<main data-in-past>`). */
  async inPast() { return (await this.root.getAttribute('data-in-past')) === 'true'; }

  /** Whether the clock runs (`<main data-playing>`). */
  async playing() { return (await this.root.getAttribute('data-playing')) === 'true'; }

  /** Waits until the moment shown has `n` events (aria-valuenow). */
  async waitForEventsShown(n, timeout = 10_000) {
    await this.page.waitForSelector(`[data-testid="timeline"][aria-valuenow="${n}"]`, { timeout });
  }

  // ---- teaching ----

  /** Presses a key with the focus wherever it is (a shortcut of the help overlay). */
  async press(key) { await this.page.keyboard.press(key); }

  /** Shows a view: `diagram`, `sequence` or `gantt`. */
  async setView(view) {
    await this.byTestId(`view-${view}`).click();
    await this.page.waitForSelector(`[data-testid="view-${view}"][aria-pressed="true"]`);
  }

  /** The view the main area shows (`diagram`, `sequence`, `gantt` or `side-by-side`). */
  async view() { return this.page.locator('.diagram__canvas').getAttribute('data-view'); }

  /** The coordination segment's value: `orchestration` or `choreography`. */
  async coordination() { return this.byTestId('coordination').getAttribute('data-value'); }

  /** Whether both styles are shown side by side (`<main data-side-by-side>`). */
  async sideBySide() { return (await this.root.getAttribute('data-side-by-side')) === 'true'; }

  /** One figure (a column) of the side-by-side table: `{ orchestration, choreography }`, each cell's data-value. */
  async compareFigure(figure) {
    const cell = (style) => this.byTestId('compare').locator(`td[data-figure="${figure}"][data-style="${style}"]`).getAttribute('data-value');
    return { orchestration: await cell('orchestration'), choreography: await cell('choreography') };
  }

  /** The whole side-by-side table: `{ figure: { orchestration, choreography } }` (data-values). */
  async compareTable() {
    return this.byTestId('compare').locator('td[data-figure]').evaluateAll((cells) => {
      const table = {};
      for (const c of cells) (table[c.dataset.figure] ??= {})[c.dataset.style] = c.dataset.value;
      return table;
    });
  }

  /** Whether presenter mode is on (`<main data-presenter>`). */
  async presenter() { return (await this.root.getAttribute('data-presenter')) === 'true'; }

  /** Whether predict mode is on (the toggle's aria-pressed). */
  async predictOn() { return (await this.byTestId('predict-toggle').getAttribute('aria-pressed')) === 'true'; }

  /** The theme the document is set to (`<html data-theme>`; null follows the system). */
  async theme() { return this.page.evaluate(() => document.documentElement.getAttribute('data-theme')); }

  /** The light or dark theme in effect, as the page's colours show it. */
  async themeInEffect() {
    return this.page.evaluate(() => {
      const picked = document.documentElement.getAttribute('data-theme');
      if (picked) return picked;
      return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
    });
  }

  /** Every preset id, in the preset list's order. */
  async presetIds() {
    return this.byTestId('preset').locator('option').evaluateAll((options) => options.map((o) => o.value));
  }

  /** The speed list's value, in percent (100 = real time). */
  async speed() { return Number(await this.byTestId('speed').inputValue()); }

  /** Opens the help overlay with the bar's ? button. */
  async openHelp() {
    await this.byTestId('help').click();
    await this.byTestId('help-overlay').waitFor();
  }

  /** The glossary entry marked as selected (its data-term), or null. */
  async glossarySelected() {
    const entry = this.byTestId('glossary').locator('[aria-current="true"]');
    return (await entry.count()) ? entry.getAttribute('data-term') : null;
  }

  /** The predict question panel. */
  get predictPanel() { return this.byTestId('predict'); }

  /** The Leptos root, `<main class="app">`. */
  get root() {
    return this.page.locator('main.app');
  }

  /** The element with `data-testid="id"` (the stable test contract). */
  byTestId(id) {
    return this.page.getByTestId(id);
  }

  /** The loading placeholder shown until the wasm app mounts. */
  get bootMessage() {
    return this.page.locator('body > .boot');
  }

  async waitForMount(timeout = 30_000) {
    await this.root.waitFor({ state: 'visible', timeout });
  }

  /** Every console error and page error seen so far. */
  errors() {
    return [...this.pageErrors, ...this.consoleErrors];
  }

  /** Saves a PNG to tests/e2e/screenshots/NAME.png and returns its path. */
  async screenshot(name) {
    await mkdir(SCREENSHOTS, { recursive: true });
    const path = join(SCREENSHOTS, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  async close() {
    await this.page.context().close();
  }
}
