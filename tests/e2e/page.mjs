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
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE_URL = process.env.SAGASCOPE_URL ?? 'http://127.0.0.1:8080/';
export const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Launches the system Chromium, headless. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/** How a content security policy violation is reported on the console (see `reportViolations`). */
const VIOLATION = 'securitypolicyviolation:';

/**
 * Runs in every page before its own scripts: reports each content security policy violation as a
 * console error, so that every test (through `errors()`) fails on one.
 */
function reportViolations(prefix) {
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error(`${prefix} ${e.effectiveDirective} blocked ${e.blockedURI || 'inline code'} (${e.sourceFile}:${e.lineNumber})`);
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
    /** Content security policy violations (`securitypolicyviolation` events), as text. */
    this.policyViolations = [];
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      this.consoleErrors.push(msg.text());
      if (msg.text().startsWith(VIOLATION)) this.policyViolations.push(msg.text());
    });
    page.on('pageerror', (err) => this.pageErrors.push(String(err)));
  }

  /**
   * Opens BASE_URL in a fresh context without waiting for the app, which may never mount:
   * `blockWasm` aborts every .wasm request; other options go to the context (`javaScriptEnabled`, …).
   */
  static async openBare(browser, { blockWasm = false, ...contextOptions } = {}) {
    const context = await browser.newContext({ serviceWorkers: 'block', ...contextOptions });
    await context.addInitScript(reportViolations, VIOLATION);
    const app = new AppPage(await context.newPage());
    if (blockWasm) await app.page.route('**/*.wasm', (route) => route.abort());
    await app.page.goto(BASE_URL);
    return app;
  }

  /**
   * Opens the page in a fresh 1280×720 context and waits for the app. Either a `path` relative to
   * BASE_URL, or link parameters: `{ preset, coordination, storage, seed, speed }`. `before` is a
   * function run in every document of the context before its own scripts (to break the browser
   * the page runs in). The service worker is blocked unless `serviceWorkers: 'allow'` (the offline
   * test): every other test sees the page as the network serves it.
   */
  static async open(browser, { path, viewport = { width: 1280, height: 720 }, colorScheme = 'light', before, serviceWorkers = 'block', ...params } = {}) {
    const context = await browser.newContext({ viewport, colorScheme, serviceWorkers });
    await context.addInitScript(reportViolations, VIOLATION);
    if (before) await context.addInitScript(before);
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

  /** Shift-clicks Step: everything at the next instant of simulated time. */
  async stepInstant() { await this.byTestId('step').click({ modifiers: ['Shift'] }); }
  async reset() { await this.byTestId('reset').click(); }

  /** Picks a preset by id. */
  async choosePreset(id) { await this.byTestId('preset').selectOption(id); }

  /** `orchestration` or `choreography`. */
  async setCoordination(style) {
    await this.coordinationOption(style).click();
    await this.waitForCoordination(style);
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

  /** Waits until step `n` (from 1) has the `data-status` `status`. */
  async waitForStepStatus(n, status) {
    await this.page.waitForFunction(([step, want]) => {
      const el = document.querySelector(`.saga-step[data-step="${step}"]`);
      return el && el.getAttribute('data-status') === want;
    }, [n, status]);
  }

  /** Waits until a service node is lit (the selected event concerns it). */
  async waitForServiceLit(name) { await this.page.waitForSelector(`[data-testid="service-${name}"].is-lit`); }

  /** The fault chips (active faults) drawn on a service node. */
  faultChips(name) { return this.service(name).locator('[data-chip]'); }

  /** The buttons that tell the sagas apart (one per saga when there are several). */
  sagaButtons() { return this.page.locator('[data-action="select-saga"]'); }

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

  /** The open fault menu's buttons that remove an active fault. */
  removeFaultButtons() { return this.byTestId('fault-menu').locator('[data-action="remove-fault"]'); }

  async closeFaultMenu() {
    await this.byTestId('fault-menu-close').click();
    await this.byTestId('fault-menu').waitFor({ state: 'detached' });
  }

  /** Removes every active fault shown in a node's menu. */
  async removeFaults(node) {
    const menu = await this.openFaultMenu(node);
    while ((await this.removeFaultButtons().count()) > 0) {
      await this.removeFaultButtons().first().click();
    }
    await this.closeFaultMenu();
  }

  /** How many messages wait in the dead-letter queue (choreography). */
  async deadLetters() { return Number(await this.byTestId('dead-letter-queue').getAttribute('data-count')); }

  /** Waits until `n` messages wait in the dead-letter queue. */
  async waitForDeadLetters(n, timeout) {
    await this.page.waitForSelector(`[data-testid="dead-letter-queue"][data-count="${n}"]`, { timeout });
  }

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

  /** Downloads an export (`trace`, `scenario`, `svg`, `mermaid`, `asl`, `commit-trace`, `commit-mermaid`): its file name and text. */
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

  /** Closes the notice (its ✕). */
  async dismissNotice() { await this.byTestId('notice').locator('[data-action="dismiss"]').click(); }

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

  /** One invariant's `data-holds` (`true` or `false`), by its data-invariant-name. */
  async invariantState(name) {
    return this.byTestId('invariants').locator(`[data-invariant-name="${name}"]`).getAttribute('data-holds');
  }

  /** Shows the 2PC / 3PC view with this protocol (`2pc`, `3pc`) and failure plan (`none`, `crash`, `crash-for-good`, `partition`). */
  async showCommit(protocol, plan) {
    await this.byTestId('view-commit').click();
    const view = this.byTestId('commit-view');
    await view.waitFor();
    await this.byTestId(`commit-protocol-${protocol}`).click();
    await this.byTestId(`commit-plan-${plan}`).click();
    await this.page.waitForSelector(`[data-testid="commit-view"][data-protocol="${protocol}"][data-plan="${plan}"]`);
  }

  /** The 2PC / 3PC view's lesson, its figure by key (`outcome`, `messages`, `locks`, `blocked`, `in-doubt`, …), and how many locks it draws held to the end. */
  async commitLesson() { return this.byTestId('commit-lesson').innerText(); }
  async commitFigure(key) {
    return this.byTestId('commit-figures').locator(`[data-figure="${key}"] td.commit__value`).innerText();
  }
  /** The saga's side of the same figure, as the run stands. */
  async commitSagaFigure(key) {
    return this.byTestId('commit-figures').locator(`[data-figure="${key}"] td.commit__saga`).innerText();
  }
  async commitLocksHeld() { return this.byTestId('commit-view').locator('.commit__lock--held').count(); }
  /** The guarantees the 2PC / 3PC view shows broken, as their texts. */
  async commitBroken() {
    return this.byTestId('commit-guarantees').locator('li[data-holds="false"]').allInnerTexts();
  }

  /** What one invariant's row says of its state (when broken: when, and what broke). */
  async invariantDetail(name) {
    return this.byTestId('invariants').locator(`[data-invariant-name="${name}"] .invariant__state`).innerText();
  }

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
    return this.shownLogLines();
  }

  /** The lines of the event log as shown (only a node's lines while the log is filtered to it). */
  async shownLogLines() {
    // textContent, not innerText: lines scrolled out of view are not rendered (the log's
    // `content-visibility: auto`), and innerText reads them as empty.
    return this.byTestId('event-log').locator('.log__text').allTextContents();
  }

  /** Every line of the event log (a locator), or those containing `text`. */
  logLineElements(text) {
    return this.byTestId('event-log').locator('.log__line', text === undefined ? undefined : { hasText: text });
  }

  /** Waits until the log has more than `n` lines. */
  async waitForLogLinesAbove(n) {
    await this.page.waitForFunction((m) => document.querySelectorAll('[data-testid="event-log"] .log__line').length > m, n);
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

  /** Shows a tab of the data panel (`tables`, `dead-letters`, `manual`). */
  async showTab(tab) {
    await this.byTestId(`tab-${tab}`).click();
    await this.page.waitForSelector(`[data-testid="tab-${tab}"][aria-selected="true"]`);
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

  /** Simulated time of the moment shown, in milliseconds (`<main data-now-ms>`). */
  async nowMs() { return Number(await this.root.getAttribute('data-now-ms')); }

  /** Whether the clock runs (`<main data-playing>`). */
  async playing() { return (await this.root.getAttribute('data-playing')) === 'true'; }

  /** Waits until the moment shown has `n` events (aria-valuenow). */
  async waitForEventsShown(n, timeout = 10_000) {
    await this.page.waitForSelector(`[data-testid="timeline"][aria-valuenow="${n}"]`, { timeout });
  }

  /** Waits until the run is over: Step has nothing left to do and the clock stands. */
  async waitForRunOver(timeout) {
    await this.page.waitForFunction(
      () => document.querySelector('[data-testid="step"]')?.disabled
        && document.querySelector('main')?.dataset.playing === 'false',
      null,
      { timeout },
    );
  }

  /** The timeline strip's inner width in pixels. */
  async timelineWidth() { return this.timeline.evaluate((el) => el.clientWidth); }

  /**
   * Jumps `n` times to pseudo-random places of the strip, each timed in the page from the pointer
   * press to the frame after the page has redrawn: `{ ms, fraction, now }` (now: aria-valuenow).
   */
  async timedJumps(n) {
    return this.timeline.evaluate(async (el, count) => {
      const rect = el.getBoundingClientRect();
      const out = [];
      let x = 0.37;
      for (let i = 0; i < count; i += 1) {
        x = (x * 7.31 + 0.13) % 1;
        const clientX = rect.left + el.clientLeft + x * el.clientWidth;
        const clientY = rect.top + rect.height / 2;
        const t0 = performance.now();
        el.dispatchEvent(new PointerEvent('pointerdown', { clientX, clientY, bubbles: true, pointerId: 1 }));
        el.dispatchEvent(new PointerEvent('pointerup', { clientX, clientY, bubbles: true, pointerId: 1 }));
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        out.push({ ms: performance.now() - t0, fraction: x, now: Number(el.getAttribute('aria-valuenow')) });
      }
      return out;
    }, n);
  }

  /**
   * Presses ← `n` times, each timed in the page from the key to the frame after the page has
   * redrawn: `{ ms, before, after }` (aria-valuenow before and after).
   */
  async timedStepsBack(n) {
    return this.page.evaluate(async (count) => {
      const el = document.querySelector('[data-testid="timeline"]');
      const out = [];
      for (let i = 0; i < count; i += 1) {
        const before = Number(el.getAttribute('aria-valuenow'));
        const t0 = performance.now();
        document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        out.push({ ms: performance.now() - t0, before, after: Number(el.getAttribute('aria-valuenow')) });
      }
      return out;
    }, n);
  }

  // ---- teaching ----

  /** Presses a key with the focus wherever it is (a shortcut of the help overlay). */
  async press(key) { await this.page.keyboard.press(key); }

  /** Shows a view: `diagram`, `sequence` or `gantt`. */
  async setView(view) {
    await this.byTestId(`view-${view}`).click();
    await this.waitForView(view);
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

  /** The answers of the question shown (buttons `predict-choice-0`, `predict-choice-1`, …). */
  predictChoices() { return this.predictPanel.locator('[data-testid^="predict-choice-"]'); }

  /** The verdict of the question shown (`right`, `wrong`), or null before an answer. */
  async predictVerdict() { return this.predictPanel.getAttribute('data-verdict'); }

  /** The event the question shown is about (its data-seq). */
  async predictSeq() { return this.predictPanel.getAttribute('data-seq'); }

  /** The explanation shown once an answer is picked. */
  predictExplanation() { return this.predictPanel.locator('.predict__explanation'); }

  /** The score line under the questions. */
  get predictScore() { return this.byTestId('predict-score'); }

  /** Waits until predict mode is on or off (the toggle's aria-pressed). */
  async waitForPredictOn(on) {
    await this.page.waitForSelector(`[data-testid="predict-toggle"][aria-pressed="${on}"]`);
  }

  /** Waits until a question is shown or the score says the run has ended. */
  async waitForQuestionOrEnd(timeout = 20_000) {
    await this.page.waitForSelector('[data-testid="predict"], [data-testid="predict-score"]:has-text("The run has ended")', { timeout });
  }

  /** Whether the score says the run has ended. */
  async predictEnded() { return (await this.predictScore.filter({ hasText: 'The run has ended' }).count()) > 0; }

  /** Waits until the question shown has a verdict. */
  async waitForVerdict() { await this.page.waitForSelector('[data-testid="predict"][data-verdict]'); }

  /** Waits until no question with a verdict is shown. */
  async waitForNoVerdict() {
    await this.page.waitForFunction(() => !document.querySelector('[data-testid="predict"][data-verdict]'));
  }

  /** Waits until the question about event `seq` is answered and gone (another one, or none). */
  async waitForQuestionClosed(seq) {
    await this.page.waitForFunction((asked) => {
      const p = document.querySelector('[data-testid="predict"]');
      return !p || p.dataset.seq !== asked || !p.hasAttribute('data-verdict');
    }, seq);
  }

  /**
   * The parts of the answered question (tally, prompt, Continue) out of sight: outside the window
   * or scrolled out of the panel's own box.
   */
  async predictPartsOutOfSight() {
    return this.page.evaluate(() => {
      const panel = document.querySelector('[data-testid="predict"]').parentElement.getBoundingClientRect();
      const inside = (sel) => {
        const r = document.querySelector(sel).getBoundingClientRect();
        return r.top >= Math.max(0, panel.top) - 1 && r.bottom <= Math.min(innerHeight, panel.bottom) + 1;
      };
      return ['.predict__tally', '.predict__prompt', '[data-testid="predict-continue"]'].filter((sel) => !inside(sel));
    });
  }

  /** Waits until the verdict box has content (an answer was judged). */
  async waitForVerdictShown() { await this.byTestId('predict-verdict').locator('*').first().waitFor(); }

  // ---- glossary and help ----

  /** The narration's "read more" button, which opens the glossary at the narrated idea. */
  narrationGlossaryButton() { return this.byTestId('narration').locator('[data-action="glossary"]'); }

  get glossary() { return this.byTestId('glossary'); }

  /** The glossary entries marked as selected. */
  glossarySelectedEntries() { return this.glossary.locator('[aria-current="true"]'); }

  /** The glossary entry of a term. */
  glossaryEntry(term) { return this.glossary.locator(`#glossary-${term}`); }

  /** Every glossary entry: `{ term, links (hrefs), cites (count of <cite>) }`. */
  async glossaryEntries() {
    return this.glossary.locator('.glossary__entry').evaluateAll((es) => es.map((e) => ({
      term: e.dataset.term,
      links: [...e.querySelectorAll('.glossary__source a')].map((a) => a.getAttribute('href')),
      cites: e.querySelectorAll('.glossary__source cite').length,
    })));
  }

  /** The open help overlay's shortcuts: per row, the text of each of its keys. */
  async helpRows() {
    return this.byTestId('help-overlay').locator('.help__row').evaluateAll((rs) =>
      rs.map((r) => [...r.querySelectorAll('kbd')].map((k) => k.textContent)),
    );
  }

  // ---- focus ----

  /**
   * Marks the element with that data-testid, to tell later whether it is still the same one. The
   * mark is a property of the DOM object, not an attribute: a redraw in place rightly drops
   * attributes its markup does not have, and a new element never has the property.
   */
  async mark(testId) {
    await this.byTestId(testId).evaluate((el) => { el.e2eMark = 'same'; });
  }

  /** Whether the element with that data-testid is still the one `mark` marked (not redrawn). */
  async stillMarked(testId) {
    return (await this.byTestId(testId).evaluate((el) => el.e2eMark)) === 'same';
  }

  /** Waits until the control with that data-testid can be pressed. */
  async waitForEnabled(testId) {
    await this.page.waitForSelector(`[data-testid="${testId}"]:not([disabled])`);
  }

  /** Takes the focus off whatever has it (back to the page). */
  async blur() { await this.page.evaluate(() => document.activeElement?.blur()); }

  /** The focused element's data-testid, else its data-action, else its tag name. */
  async focusedName() {
    return this.page.evaluate(() => {
      const el = document.activeElement;
      return el?.getAttribute('data-testid') ?? el?.getAttribute('data-action') ?? el?.tagName;
    });
  }

  /** Whether the focus is on <body> (on nothing). */
  async focusOnBody() { return this.page.evaluate(() => document.activeElement === document.body); }

  /** Whether the focus is inside the element with that data-testid. */
  async focusInside(testId) {
    return this.page.evaluate((id) => Boolean(document.activeElement?.closest(`[data-testid="${id}"]`)), testId);
  }

  /** Waits until the focus is on the element with that data-testid. */
  async waitForFocusOn(testId) {
    await this.page.waitForFunction((id) => document.activeElement?.getAttribute('data-testid') === id, testId);
  }

  /** Waits until the focus is on a diagram node (`data-node`), on that one if named. */
  async waitForFocusOnNode(node) {
    await this.page.waitForFunction((n) => (n === null
      ? document.activeElement?.hasAttribute('data-node')
      : document.activeElement?.getAttribute('data-node') === n), node ?? null);
  }

  /** Waits until the focus is on a fault button (`data-fault`) of the fault menu. */
  async waitForFocusOnFault() {
    await this.page.waitForFunction(() => document.activeElement?.hasAttribute('data-fault'));
  }

  // ---- waiting ----

  /** The document's scroll size: `{ scrollWidth, scrollHeight }`. */
  async pageSize() {
    return this.page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      scrollHeight: document.documentElement.scrollHeight,
    }));
  }

  /** Lets `ms` of real time pass. */
  async idle(ms) { await this.page.waitForTimeout(ms); }

  async #waitForRoot(attr, value, options) {
    await this.page.waitForSelector(`main.app[${attr}="${value}"]`, options);
  }

  /** Waits until an earlier moment than the latest is shown (true) or the latest (false). */
  async waitForInPast(on) { await this.#waitForRoot('data-in-past', on); }

  /** Waits until the clock runs (true) or stands (false). */
  async waitForPlaying(on) { await this.#waitForRoot('data-playing', on); }

  /** Waits until both styles are shown side by side (true) or one (false). */
  async waitForSideBySide(on) { await this.#waitForRoot('data-side-by-side', on); }

  /** Waits until presenter mode is on or off. */
  async waitForPresenter(on) { await this.#waitForRoot('data-presenter', on); }

  /** Waits until the moment shown has a number of events other than `n`, and returns it. */
  async waitForEventsShownOtherThan(n) {
    await this.page.waitForFunction(
      (was) => Number(document.querySelector('[data-testid="timeline"]')?.getAttribute('aria-valuenow')) !== was,
      n,
    );
    return this.eventsShown();
  }

  /** Waits until the moment shown has more than `n` events. */
  async waitForEventsShownAbove(n) {
    await this.page.waitForFunction(
      (m) => Number(document.querySelector('[data-testid="timeline"]').getAttribute('aria-valuenow')) > m,
      n,
    );
  }

  /** Waits until the clock's text matches `pattern`. */
  async waitForClock(pattern) {
    await this.page.waitForFunction(
      ([source, flags]) => new RegExp(source, flags).test(document.querySelector('[data-testid="clock"]').textContent),
      [pattern.source, pattern.flags],
    );
  }

  /** Waits until the speed list's value is above `percent`. */
  async waitForSpeedAbove(percent) {
    await this.page.waitForFunction((s) => Number(document.querySelector('[data-testid="speed"]').value) > s, percent);
  }

  /** Waits until the speed list's value is below `percent`. */
  async waitForSpeedBelow(percent) {
    await this.page.waitForFunction((s) => Number(document.querySelector('[data-testid="speed"]').value) < s, percent);
  }

  /** Waits until the selected preset is `id`. */
  async waitForPreset(id) {
    await this.page.waitForFunction((p) => document.querySelector('[data-testid="preset"]').value === p, id);
  }

  /** Waits until the coordination segment's value is `style`. */
  async waitForCoordination(style) {
    await this.page.waitForSelector(`[data-testid="coordination"][data-value="${style}"]`);
  }

  /** A button of the coordination segment: `orchestration`, `choreography` or `side-by-side`. */
  coordinationOption(value) { return this.byTestId('coordination').locator(`[data-value="${value}"]`); }

  /** Waits until the view button `view` is pressed. */
  async waitForView(view) {
    await this.page.waitForSelector(`[data-testid="view-${view}"][aria-pressed="true"]`);
  }

  /** Waits until the document's theme is set, to something other than `theme`. */
  async waitForThemeOtherThan(theme) {
    await this.page.waitForFunction((t) => document.documentElement.getAttribute('data-theme') !== t && document.documentElement.getAttribute('data-theme'), theme);
  }

  /** Waits until the document's theme is `theme`. */
  async waitForTheme(theme, timeout) {
    await this.page.waitForFunction((t) => document.documentElement.getAttribute('data-theme') === t, theme, { timeout });
  }

  /** Whether the page is in full screen. */
  async fullScreen() { return this.page.evaluate(() => document.fullscreenElement !== null); }

  /** Waits until the page is in full screen, or the notice says why it cannot be. */
  async waitForFullScreenOrNotice() {
    await this.page.waitForFunction(() => document.fullscreenElement !== null
      || /full screen/i.test(document.querySelector('[data-testid="notice"]')?.textContent ?? ''));
  }

  /** Waits until the page has left full screen. */
  async waitForFullScreenLeft() { await this.page.waitForFunction(() => document.fullscreenElement === null); }

  // ---- selection: the log, the strip and the views ----

  /** The log line of the selected event (none while the narration is live). */
  selectedLogLine() { return this.byTestId('event-log').locator('.log__line[aria-current="true"]'); }

  /** The log line of event `seq`. */
  logLine(seq) { return this.byTestId('event-log').locator(`.log__line[data-seq="${seq}"]`); }

  /** The selected event's mark on the timeline strip. */
  timelineSelection() { return this.timeline.locator('.timeline__selected'); }

  /** Waits until the log's selected line is event `seq`. */
  async waitForSelectedInLog(seq) {
    await this.page.waitForFunction((s) => document.querySelector('.log__line[aria-current="true"]')?.dataset.seq === s, seq);
  }

  /** The diagram's drawing (hidden while another view shows). */
  get diagramSvg() { return this.page.locator('svg.diagram__svg'); }

  /** A view's drawing: `sequence-view` or `gantt-view`. */
  viewSvg(view) { return this.byTestId(`${view}-view`); }

  /** What a person clicks in a view to select an event: a sequence row's hit area, a Gantt span's box. */
  viewTargets(view) {
    const shape = { sequence: '[data-message] .seq-row__hit', gantt: '.gantt-span .gantt-span__box' }[view];
    return this.viewSvg(view).locator(shape);
  }

  /** The event (data-seq) a target of [`viewTargets`] selects. */
  async viewTargetSeq(target) { return target.locator('xpath=..').getAttribute('data-seq'); }

  /** Every element of a view that selects an event (`data-action="select-event"`). */
  viewEvents(view) { return this.viewSvg(view).locator('[data-action="select-event"]'); }

  /** The elements of a view marked as the selected event. */
  viewMarked(view) { return this.viewSvg(view).locator('[aria-current="true"]'); }

  /** The data-seq of each element of a locator. */
  static async seqs(locator) { return locator.evaluateAll((els) => els.map((e) => e.dataset.seq)); }

  // ---- the sequence view's scrolling pane ----

  /** The pane that scrolls the sequence view. */
  get viewPane() { return this.page.locator('.diagram__alt'); }

  /** The sequence view's band of lane heads. */
  sequenceHeads() { return this.viewSvg('sequence').locator('.seq-heads'); }

  /** Where the newest row and the Customer lane's head are, against the pane's visible box. */
  async sequencePosition() {
    return this.viewPane.evaluate((el) => {
      const box = el.getBoundingClientRect();
      const rows = el.querySelectorAll('.seq-row');
      const last = rows[rows.length - 1].getBoundingClientRect();
      const head = el.querySelector('[data-testid="sequence-lane-customer"]').getBoundingClientRect();
      return {
        overflows: el.scrollHeight > el.clientHeight + 50,
        scrollTop: el.scrollTop,
        newestInView: last.top >= box.top && last.bottom <= box.bottom + 1,
        headInView: head.top >= box.top - 1 && head.bottom <= box.top + 80,
      };
    });
  }

  /** Waits until the pane is scrolled to its end (and, if `scrolled`, away from its top). */
  async waitForPaneAtEnd({ scrolled = false } = {}) {
    await this.page.waitForFunction((away) => {
      const el = document.querySelector('.diagram__alt');
      return (!away || el.scrollTop > 0) && el.scrollTop + el.clientHeight >= el.scrollHeight - 2;
    }, scrolled);
  }

  /** Turns the mouse wheel over the pane by `dy` pixels. */
  async wheelPane(dy) {
    const box = await this.viewPane.boundingBox();
    await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await this.page.mouse.wheel(0, dy);
  }

  /** Waits until the pane is scrolled to its top. */
  async waitForPaneAtTop() {
    await this.page.waitForFunction(() => document.querySelector('.diagram__alt').scrollTop === 0);
  }

  // ---- the pointer on the timeline strip ----

  /** Moves the pointer to `fraction` of the strip and holds the button down. */
  async pointerDownOnTimeline(fraction) {
    const p = await this.timelinePoint(fraction);
    await this.page.mouse.move(p.x, p.y);
    await this.page.mouse.down();
  }

  /** Moves the pointer to `fraction` of the strip (in a few steps, as a hand does). */
  async movePointerOnTimeline(fraction) {
    const p = await this.timelinePoint(fraction);
    await this.page.mouse.move(p.x, p.y, { steps: 3 });
  }

  async pointerUp() { await this.page.mouse.up(); }

  // ---- side by side ----

  /** A service node in one style's twin diagram. */
  twinService(style, name) { return this.byTestId(`twin-${style}`).getByTestId(`service-${name}`); }

  /** The open fault menu's buttons for a fault kind (`data-fault`). */
  faultButtons(kind) { return this.byTestId('fault-menu').locator(`[data-fault="${kind}"]`); }

  /** Waits until the side-by-side table shows `value` for a figure of one style. */
  async waitForCompareFigure(figure, style, value, timeout) {
    await this.page.waitForSelector(`[data-testid="compare"] td[data-figure="${figure}"][data-style="${style}"][data-value="${value}"]`, { timeout });
  }

  /** Waits until both styles' outcome cells show `outcome`. */
  async waitForBothOutcomes(outcome, timeout = 20_000) {
    await this.page.waitForFunction((o) => {
      const cells = document.querySelectorAll('[data-testid="compare"] td[data-figure="outcome"]');
      return cells.length === 2 && [...cells].every((c) => c.dataset.value === o);
    }, outcome, { timeout });
  }

  /** The side-by-side table's cells outside the pane that scrolls it (`figure style`). */
  async compareCellsOutOfView() {
    return this.byTestId('compare').evaluate((table) => {
      let pane = table.parentElement;
      while (pane && getComputedStyle(pane).overflowY === 'visible') pane = pane.parentElement;
      const view = (pane ?? document.documentElement).getBoundingClientRect();
      return [...table.querySelectorAll('td[data-figure], th[data-figure]')]
        .filter((cell) => {
          const r = cell.getBoundingClientRect();
          return r.top < view.top || r.bottom > view.bottom || r.left < view.left || r.right > view.right;
        })
        .map((cell) => `${cell.dataset.figure} ${cell.dataset.style ?? 'header'}`);
    });
  }

  // ---- layout ----

  /** The bar's visible controls that reach past the window's right edge (their names). */
  async barControlsOffScreen() {
    return this.page.evaluate(() => [...document.querySelectorAll('.app__bar :is(button, select, input, summary)')]
      .filter((el) => el.checkVisibility() && el.getBoundingClientRect().right > innerWidth)
      .map((el) => el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? el.textContent.trim()));
  }

  /** Where the bar ends and the stage lies, the narration's type size and the page's size. */
  async layout() {
    return this.page.evaluate(() => ({
      bar: document.querySelector('.app__bar').getBoundingClientRect().bottom,
      stage: document.querySelector('.stage').getBoundingClientRect().top,
      stageBottom: document.querySelector('.stage').getBoundingClientRect().bottom,
      narration: parseFloat(getComputedStyle(document.querySelector('.narration')).fontSize),
      width: document.documentElement.scrollWidth,
      height: document.documentElement.scrollHeight,
    }));
  }

  /** The diagram toolbar's buttons that lie under its views switch or clock (`a under b (n px)`). */
  async toolbarOverlaps() {
    return this.page.evaluate(() => {
      const boxes = (sel) => [...document.querySelectorAll(sel)].map((el) => ({ el, r: el.getBoundingClientRect() }));
      const left = boxes('.toolbar__main button');
      const right = boxes('.toolbar__views button, .toolbar__clock');
      const name = (el) => el.getAttribute('data-testid') ?? el.getAttribute('data-action') ?? el.textContent.trim();
      const out = [];
      for (const a of left) {
        for (const b of right) {
          const x = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
          const y = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
          if (x > 1 && y > 1) out.push(`${name(a.el)} under ${name(b.el)} (${Math.round(x)} px)`);
        }
      }
      return out;
    });
  }

  // ---- accessibility (generic: the whole document) ----

  /** Runs axe-core over the whole document; its violations, each with up to four targets. */
  async axeViolations() {
    // Evaluated from the test, not added as a <script>: the page's content security policy
    // rightly refuses inline scripts, and DevTools evaluation is outside its reach.
    if (!(await this.page.evaluate(() => 'axe' in window))) await this.page.evaluate(await readFile(AXE, 'utf8'));
    return this.page.evaluate(async () => {
      const { violations } = await window.axe.run(document, { resultTypes: ['violations'] });
      return violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        count: v.nodes.length,
        nodes: v.nodes.slice(0, 4).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
      }));
    });
  }

  /**
   * The focused element (null on the page itself): `{ id, what, visible, focusVisible }`, `id` a
   * mark it keeps across calls, `visible` whether it shows that it has focus.
   */
  async focusedControl() { return this.page.evaluate(focusedElement); }

  /** Every visible, enabled control the page offers (buttons, form fields, [data-action]): `{ id, what, tabIndex }`. */
  async controls() { return this.page.evaluate(visibleControls); }

  /**
   * The CSS animation of the first diagram node seen running, read in the same frame as it is
   * found (a step of a fast run may be over before a second round trip).
   */
  async runningNodeAnimation(timeout = 10_000) {
    return this.page.evaluate((ms) => new Promise((resolve, reject) => {
      const until = performance.now() + ms;
      const look = () => {
        const box = document.querySelector('.saga-node--running .saga-node__box');
        if (box) return resolve(getComputedStyle(box).animationName);
        if (performance.now() > until) return reject(new Error('no node ran'));
        requestAnimationFrame(look);
      };
      look();
    }), timeout);
  }

  /** Emulates `prefers-reduced-motion: reduce`. */
  async reduceMotion() { await this.page.emulateMedia({ reducedMotion: 'reduce' }); }

  /** Every element of the document that animates or has a transition (`<tag class="…">`). */
  async movingElements() {
    return this.page.evaluate(() => [...document.querySelectorAll('*')]
      .filter((el) => {
        const style = getComputedStyle(el);
        return style.animationName !== 'none' || style.transitionDuration.split(',').some((d) => parseFloat(d) > 0);
      })
      .map((el) => `<${el.tagName.toLowerCase()} class="${el.getAttribute('class') ?? ''}">`));
  }

  /** The Leptos root, `<main class="app">`. */
  get root() {
    return this.page.locator('main.app');
  }

  /** The element with `data-testid="id"` (the stable test contract). */
  byTestId(id) {
    return this.page.getByTestId(id);
  }

  /** The loading placeholder as a status for assistive technology (`role="status"`). */
  get bootStatus() {
    return this.page.locator('body > .boot[role="status"]');
  }

  /** The text of the whole body. */
  async bodyText() { return this.page.locator('body').innerText(); }

  /** The document's title. */
  async title() { return this.page.title(); }

  /** The address in the address bar. */
  url() { return this.page.url(); }

  /** Changes only the address's `#` part, as pasting a link into the address bar of an open page does. */
  async setLocationHash(hash) { await this.page.evaluate((h) => { window.location.hash = h; }, hash); }

  /** Marks the document, to tell later whether it was reloaded ([`documentMarked`]). */
  async markDocument() { await this.page.evaluate(() => { window.sagascopeNotReloaded = true; }); }

  /** Whether the document still carries the mark of [`markDocument`] (it was not reloaded). */
  async documentMarked() { return this.page.evaluate(() => window.sagascopeNotReloaded); }

  /** Reloads the page (wait for the app with [`waitForMount`]). */
  async reload() { await this.page.reload(); }

  /** Overwrites the saved run and preferences (localStorage `sagascope.v1`) with `text`. */
  async writeSavedState(text) { await this.page.evaluate((t) => localStorage.setItem('sagascope.v1', t), text); }

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

// In-page functions (run with page.evaluate, so they may use nothing from this module).

/** What the focused element is, and whether it shows that it has focus. */
function focusedElement() {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  // A visually hidden field (the Import picker's file input) shows focus on its label.
  const box = el.getBoundingClientRect();
  const shown = box.width <= 1 || box.height <= 1 ? el.closest('label') ?? el : el;
  const style = getComputedStyle(shown);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
    && !/rgba\(.*,\s*0\)$|transparent/.test(style.outlineColor);
  const shadow = style.boxShadow !== 'none';
  // SVG controls (the diagram's nodes and fault chips) show focus by stroking their shape in the
  // focus colour instead of an outline.
  let stroke = false;
  if (el instanceof SVGElement) {
    const probe = document.createElement('span');
    probe.style.color = 'var(--focus)';
    document.body.append(probe);
    const focus = getComputedStyle(probe).color;
    probe.remove();
    stroke = [...el.querySelectorAll('rect, path, circle, polygon, ellipse')]
      .some((shape) => getComputedStyle(shape).stroke === focus);
  }
  if (!el.dataset.a11yId) el.dataset.a11yId = String(window.__a11yNext = (window.__a11yNext ?? 0) + 1);
  const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
  return {
    id: el.dataset.a11yId,
    what: `<${el.tagName.toLowerCase()}${el.dataset.testid ? ` data-testid="${el.dataset.testid}"` : ''}${el.dataset.action ? ` data-action="${el.dataset.action}"` : ''}> ${name}`,
    visible: outline || shadow || stroke,
    focusVisible: el.matches(':focus-visible'),
  };
}

/** Every visible, enabled control the page offers: buttons, form fields, [data-action]. */
function visibleControls() {
  const selector = 'button, select, input, summary, a[href], [data-action], [role="button"]';
  return [...document.querySelectorAll(selector)]
    .filter((el) => !el.disabled && !el.closest('[inert], [hidden], details:not([open]) > :not(summary)'))
    .filter((el) => {
      // The Import picker's file input is visually hidden inside its label, but still focusable.
      if (el.matches('input[type="file"]')) return true;
      const box = el.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    })
    .map((el) => {
      if (!el.dataset.a11yId) el.dataset.a11yId = String(window.__a11yNext = (window.__a11yNext ?? 0) + 1);
      const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      return {
        id: el.dataset.a11yId,
        what: `<${el.tagName.toLowerCase()}${el.dataset.testid ? ` data-testid="${el.dataset.testid}"` : ''}${el.dataset.action ? ` data-action="${el.dataset.action}"` : ''}> ${name}`,
        tabIndex: el.tabIndex,
      };
    });
}
