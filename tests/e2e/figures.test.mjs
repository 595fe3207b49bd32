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
    await app.press('End');
    await app.play();
    // The run is over when Step has nothing left to do.
    await app.waitForRunOver(60_000);
    const total = await app.eventsInRun();
    assert.ok(total > 2000, `a long run (${total} events)`);

    // Jumps to pseudo-random places of the strip, each timed from the pointer press to the frame
    // after the page has redrawn.
    const jumps = await app.timedJumps(30);
    const perPixel = Math.ceil(total / (await app.timelineWidth()));
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
    await app.press('End');
    const backs = await app.timedStepsBack(30);
    for (const b of backs) assert.ok(b.after < b.before, `a step back from ${b.before} went to ${b.after}`);

    console.log(`figures: time travel in the page, a ${total}-event run: jump to a random moment ${summary(jumps.map((j) => j.ms))}; one step back ${summary(backs.map((b) => b.ms))} (input to the next frame, everything redrawn)`);
    assert.deepEqual(app.errors(), [], 'no console or page errors');
  } finally {
    await app.close();
  }
});
