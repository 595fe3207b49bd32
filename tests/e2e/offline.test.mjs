// The page works offline once it has been opened: its service worker (public/sw.js, filled in by
// scripts/lib/offline.py) keeps this build's files. With the network cut, a reload opens the page
// and plays a preset to its end, and a shared link still opens its run. The page can be installed.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { AppPage, BASE_URL, launchBrowser } from './page.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('once opened, the page works with the network gone: a reload plays a preset, a shared link opens', async () => {
  const app = await AppPage.open(browser, { preset: 'card-declined', speed: 100, serviceWorkers: 'allow' });
  try {
    // The worker has stored this build's files once it is active.
    const stored = await app.page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      const names = await caches.keys();
      const cache = await caches.open(names.find((n) => n.startsWith('sagascope-')));
      return { active: Boolean(registration.active), files: (await cache.keys()).map((r) => new URL(r.url).pathname) };
    });
    assert.ok(stored.active, 'the worker is active');
    assert.ok(stored.files.some((f) => f.endsWith('.wasm')), `the wasm is stored: ${stored.files}`);
    const link = await app.share();

    await app.page.context().setOffline(true);
    // Nothing comes from the network now: a request that reached it would fail.
    assert.equal(await app.page.evaluate(() => fetch('/no-such-file', { cache: 'no-store' }).then(() => 'online', () => 'offline')), 'offline');
    await app.reload();
    await app.waitForMount();
    await app.choosePreset('card-declined');
    await app.play();
    await app.waitForOutcome('compensated');

    await app.page.goto(link);
    await app.waitForMount();
    await app.byTestId('outcome').waitFor();
    assert.equal(await app.preset(), 'card-declined', 'the shared link opened its run');
    assert.deepEqual(app.errors().filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e)), [], 'no errors but the refused network request');
  } finally {
    await app.close();
  }
});

test('a new build replaces the stored files whole: an older build\'s cache is deleted, one version stays', async () => {
  const app = await AppPage.open(browser, { serviceWorkers: 'allow' });
  try {
    // What an earlier build would have left behind, then this build's worker installed anew.
    await app.page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      await (await caches.open('sagascope-0123456789abcdef')).put('/old.js', new Response('old'));
      await registration.unregister();
    });
    await app.reload();
    await app.waitForMount();
    await app.page.evaluate(() => new Promise((resolve) => {
      const settled = (registration) => {
        const worker = registration.active;
        if (worker.state === 'activated') resolve();
        else worker.addEventListener('statechange', () => worker.state === 'activated' && resolve());
      };
      navigator.serviceWorker.ready.then(settled);
    }));
    const { names, files, listed } = await app.page.evaluate(async () => {
      const names = (await caches.keys()).filter((n) => n.startsWith('sagascope-'));
      const cache = await caches.open(names[0]);
      const files = (await cache.keys()).map((r) => new URL(r.url).pathname);
      const source = await (await fetch('sw.js')).text();
      return { names, files, listed: source.match(/const FILES = (\[.*\]);/)[1] };
    });
    assert.equal(names.length, 1, `one cache, the older build's deleted: ${names}`);
    assert.match(names[0], /^sagascope-[0-9a-f]{16}$/);
    assert.notEqual(names[0], 'sagascope-0123456789abcdef');
    // Every file the page loads is in the list: its scripts, styles and wasm.
    const loaded = await app.page.evaluate(() => performance.getEntriesByType('resource')
      .map((e) => new URL(e.name)).filter((u) => u.origin === location.origin).map((u) => u.pathname)
      .filter((p) => /\.(js|css|wasm)$/.test(p) && p !== '/sw.js'));
    for (const path of loaded) assert.ok(files.includes(path), `${path} is stored (${files})`);
    assert.equal(JSON.parse(listed).length, files.length, 'the worker stored exactly its list');
  } finally {
    await app.close();
  }
});

test('the page can be installed: Chromium finds nothing missing (manifest, icon, worker)', async () => {
  // A profile on disk: Chromium never offers to install from an incognito-like context.
  const profile = await mkdtemp(join(tmpdir(), 'sagascope-install-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await context.newPage();
    await page.goto(BASE_URL);
    await page.evaluate(() => navigator.serviceWorker.ready);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installabilityErrors, []);
    const { errors } = await cdp.send('Page.getAppManifest');
    assert.deepEqual(errors, [], 'the manifest reads without errors');
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
});
