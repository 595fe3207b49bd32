// Figures measured in the page, printed (lines starting "figures:"), never asserted: how long going
// back and forth in time takes on a run of a few thousand events, from the input to the next frame.
// The test itself checks only that each move lands where it should.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { AppPage, launchBrowser } from './page.mjs';

const LONG_RUN = new URL('./fixtures/long-run.json', import.meta.url);

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

function summary(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `median ${at(0.5).toFixed(1)} ms, 90th percentile ${at(0.9).toFixed(1)} ms, max ${sorted.at(-1).toFixed(1)} ms`;
}

test('time travel on a long run: every jump lands on its event (timings printed)', async () => {
  const app = await AppPage.open(browser, { speed: 100 });
  try {
    await app.importFile('long-run.json', await readFile(LONG_RUN, 'utf8'));
    const strip = app.byTestId('timeline');
    await app.page.keyboard.press('End');
    await app.play();
    // The run is over when Step has nothing left to do.
    await app.page.waitForFunction(
      () => document.querySelector('[data-testid="step"]')?.disabled
        && document.querySelector('main')?.dataset.playing === 'false',
      null,
      { timeout: 60_000 },
    );
    const total = Number(await strip.getAttribute('aria-valuemax'));
    assert.ok(total > 2000, `a long run (${total} events)`);

    // Jumps to pseudo-random places of the strip, each timed from the pointer press to the frame
    // after the page has redrawn.
    const jumps = await strip.evaluate(async (el, n) => {
      const rect = el.getBoundingClientRect();
      const out = [];
      let x = 0.37;
      for (let i = 0; i < n; i += 1) {
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
    }, 30);
    const perPixel = Math.ceil(total / (await strip.evaluate((el) => el.clientWidth)));
    for (const j of jumps) {
      const expected = Math.min(total, Math.floor(j.fraction * total) + 1);
      // A step can hold several events: the moment is the end of the step holding the target.
      // The pointer's position is read in whole pixels, a pixel being a few events here.
      assert.ok(
        j.now >= expected - perPixel && j.now <= expected + perPixel + 40,
        `jump to ${expected} landed at ${j.now}`,
      );
    }

    // Steps back with the ← key from the latest moment.
    await app.page.keyboard.press('End');
    const backs = await app.page.evaluate(async (n) => {
      const el = document.querySelector('[data-testid="timeline"]');
      const out = [];
      for (let i = 0; i < n; i += 1) {
        const before = Number(el.getAttribute('aria-valuenow'));
        const t0 = performance.now();
        document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        out.push({ ms: performance.now() - t0, before, after: Number(el.getAttribute('aria-valuenow')) });
      }
      return out;
    }, 30);
    for (const b of backs) assert.ok(b.after < b.before, `a step back from ${b.before} went to ${b.after}`);

    console.log(`figures: time travel in the page, a ${total}-event run: jump to a random moment ${summary(jumps.map((j) => j.ms))}; one step back ${summary(backs.map((b) => b.ms))} (input to the next frame, everything redrawn)`);
    assert.deepEqual(app.errors(), [], 'no console or page errors');
  } finally {
    await app.close();
  }
});
