// Smoke tests: the built page loads, the wasm app mounts and nothing errors; and the page is
// never blank (a loading message if the wasm fails, a <noscript> message without JavaScript).
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { AppPage, BASE_URL, launchBrowser } from './page.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('the page loads and the app mounts with no errors', async () => {
  const app = await AppPage.open(browser);
  try {
    assert.match(await app.page.title(), /Sagascope/);
    assert.match(await app.root.innerText(), /Sagascope/);
    assert.equal(await app.bootMessage.isVisible(), false, 'the loading message is hidden once mounted');
    // Let any late errors (async tasks, timers started at mount) surface.
    await app.page.waitForTimeout(500);
    assert.deepEqual(app.pageErrors, [], 'no page errors');
    assert.deepEqual(app.consoleErrors, [], 'no console errors');
    const shot = await app.screenshot('smoke');
    assert.ok((await stat(shot)).size > 1000, 'screenshot saved');
  } finally {
    await app.close();
  }
});

test('the page is never blank: the loading message stays if the wasm cannot load', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    const page = await context.newPage();
    await page.route('**/*.wasm', (route) => route.abort());
    await page.goto(BASE_URL);
    const boot = page.locator('body > .boot[role="status"]');
    await boot.waitFor({ state: 'visible' });
    assert.match(await boot.innerText(), /Loading Sagascope/);
    assert.equal(await page.locator('main.app').count(), 0);
  } finally {
    await context.close();
  }
});

test('without JavaScript the page says why it needs it', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.goto(BASE_URL);
    assert.match(await page.locator('body').innerText(), /needs JavaScript and WebAssembly/);
    assert.equal(await page.locator('body > .boot[role="status"]').isVisible(), false);
  } finally {
    await context.close();
  }
});
