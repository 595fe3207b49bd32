// The page keeps working when the browser refuses what it would like to use: localStorage full,
// disabled or throwing (private windows, quotas, strict settings), a clipboard that refuses to be
// written, and full screen refused. Each broken browser is made before the page's own scripts run, in every
// document of the test (a reload too).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, withPage } from './page.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const BROKEN_STORAGE = {
  'localStorage is full': () => {
    Storage.prototype.setItem = function setItem() {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  },
  'localStorage is disabled': () => {
    Object.defineProperty(window, 'localStorage', {
      configurable: true,
      get() { throw new DOMException('Access is denied for this document.', 'SecurityError'); },
    });
  },
  'every localStorage call throws': () => {
    for (const name of ['getItem', 'setItem', 'removeItem', 'clear', 'key']) {
      Storage.prototype[name] = function broken() { throw new Error('storage is broken'); };
    }
  },
};

for (const [broken, breakIt] of Object.entries(BROKEN_STORAGE)) {
  test(`the page works when ${broken}: it plays, switches theme, shares and reloads`, async () => {
    await withPage(browser, { preset: 'card-declined', speed: 100, before: breakIt }, async (app) => {
      const probe = () => {
        try { localStorage.setItem('probe', '1'); return 'stored'; } catch { return 'refused'; }
      };
      assert.equal(await app.page.evaluate(probe), 'refused', 'the browser is broken as meant');
      await app.play();
      await app.waitForOutcome('compensated');
      const theme = await app.theme();
      await app.byTestId('theme').click();
      await app.waitForThemeOtherThan(theme);
      const link = await app.share();
      assert.match(link, /#/, 'a link is shown to copy');
      // Nothing could be remembered; the reload opens the link the address bar now holds.
      await app.reload();
      await app.waitForMount();
      await app.byTestId('outcome').waitFor();
      await app.play();
      await app.waitForOutcome('compensated');
    });
  });
}

test('a refused clipboard leaves the link shown to copy by hand, and says so', async () => {
  const refuse = () => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'));
  };
  await withPage(browser, { preset: 'happy-path', before: refuse }, async (app) => {
    const link = await app.share();
    assert.match(link, /#/);
    // Give the refusal time to arrive: the notice must still ask to copy, not claim a copy.
    await app.page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
    assert.match(await app.notice(), /^Copy this link/);
  });
});

test('a clipboard that accepts gets the link, and the notice says it was copied', async () => {
  const accept = () => {
    window.copied = [];
    navigator.clipboard.writeText = (text) => { window.copied.push(text); return Promise.resolve(); };
  };
  await withPage(browser, { preset: 'happy-path', before: accept }, async (app) => {
    const link = await app.share();
    await app.waitForNotice(/^Link copied/);
    assert.deepEqual(await app.page.evaluate(() => window.copied), [link]);
  });
});

test('a refused full-screen request says so in the notice, and leaves no error unhandled', async () => {
  // What Chromium answers a request with no key press or click behind it (found by the random
  // actions: the refusal came back as a rejected promise nobody handled).
  const refuse = () => {
    Element.prototype.requestFullscreen = () => Promise.reject(new TypeError('Permissions check failed'));
  };
  await withPage(browser, { preset: 'happy-path', before: refuse }, async (app) => {
    await app.press('f');
    await app.waitForNotice(/does not allow full screen/);
  });
});
