// Smoke tests: the built page loads, the wasm app mounts and nothing errors; and the page is
// never blank (a loading message if the wasm fails, a <noscript> message without JavaScript).
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { AppPage, launchBrowser } from './page.mjs';

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
    assert.match(await app.title(), /Sagascope/);
    assert.match(await app.root.innerText(), /Sagascope/);
    assert.equal(await app.bootMessage.isVisible(), false, 'the loading message is hidden once mounted');
    // Let any late errors (async tasks, timers started at mount) surface.
    await app.idle(500);
    assert.deepEqual(app.pageErrors, [], 'no page errors');
    assert.deepEqual(app.consoleErrors, [], 'no console errors');
    const shot = await app.screenshot('smoke');
    assert.ok((await stat(shot)).size > 1000, 'screenshot saved');
  } finally {
    await app.close();
  }
});

test('the page is never blank: the loading message stays if the wasm cannot load', async () => {
  const app = await AppPage.openBare(browser, { blockWasm: true, viewport: { width: 1280, height: 720 } });
  try {
    const boot = app.bootStatus;
    await boot.waitFor({ state: 'visible' });
    assert.match(await boot.innerText(), /Loading Sagascope/);
    assert.equal(await app.root.count(), 0);
  } finally {
    await app.close();
  }
});

test('without JavaScript the page says why it needs it', async () => {
  const app = await AppPage.openBare(browser, { javaScriptEnabled: false });
  try {
    assert.match(await app.bodyText(), /needs JavaScript and WebAssembly/);
    assert.equal(await app.bootStatus.isVisible(), false);
  } finally {
    await app.close();
  }
});
