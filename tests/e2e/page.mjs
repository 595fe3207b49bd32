// Page object for Sagascope's end-to-end tests. Later tests extend AppPage with actions
// (play, step, inject a fault, ...) built on the data-testid contract in DESIGN.md.
//
// Environment:
//   SAGASCOPE_URL  base URL of the built app (scripts/test serves dist/ and sets it)
//   CHROMIUM       browser binary (default /usr/bin/chromium; playwright-core never downloads one)
import { mkdir } from 'node:fs/promises';
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

  /** Opens `path` (relative to BASE_URL) in a fresh 1280×720 context and waits for the app. */
  static async open(browser, { path = '', viewport = { width: 1280, height: 720 } } = {}) {
    const context = await browser.newContext({ viewport });
    const app = new AppPage(await context.newPage());
    await app.page.goto(new URL(path, BASE_URL).href);
    await app.waitForMount();
    return app;
  }

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
