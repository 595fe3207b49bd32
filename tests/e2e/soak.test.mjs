// A long class, accelerated: eight customers under chaos played at speed, time travel, a fault
// injected in the past (a fork), resets and preset switches, over and over. Prints the wasm
// memory, the JS heap (after a garbage collection), the page's element count and the time a
// step back takes, after the first round and after the last; fails if memory or elements grow
// by more than 10 % or anything errs. Time is printed, never asserted.
//
// CI plays SAGASCOPE_SOAK_MINUTES (default 30, three rounds) minutes of simulated class time;
// for hours of it, for example SAGASCOPE_SOAK_MINUTES=240.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { AppPage, launchBrowser } from './page.mjs';

const MINUTES = Number(process.env.SAGASCOPE_SOAK_MINUTES ?? 30);
const LONG_RUN = new URL('./fixtures/long-run.json', import.meta.url);

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Runs before the page: keeps the wasm instance Trunk starts, to read its memory. */
function keepWasm() {
  window.addEventListener('TrunkApplicationStarted', (e) => { window.sagascopeWasm = e.detail.wasm; });
}

/** Memory and size now, after a full garbage collection. */
async function measure(app, cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const page = await app.page.evaluate(() => ({
    wasm: window.sagascopeWasm?.memory?.buffer?.byteLength ?? 0,
    elements: document.getElementsByTagName('*').length,
  }));
  return { heap: usedSize, ...page };
}

/** The median time of 20 steps back, from the end of a long run. */
async function stepBackMs(app) {
  const backs = (await app.timedStepsBack(20)).map((b) => b.ms).sort((a, b) => a - b);
  return backs[Math.floor(backs.length / 2)];
}

/** Simulated seconds shown by the clock (`t = 12.3 s`). */
async function simulatedSeconds(app) {
  const match = (await app.clock()).match(/([\d.]+)\s*s/);
  return match ? Number(match[1]) : 0;
}

/** One round of a class: `{ played, stepBack }`, the simulated seconds it played and the time a
 * step back took at the end of the long run. */
async function round(app, longRun) {
  let played = 0;
  await app.dropFile('long-run.json', longRun);
  await app.waitForNotice(/^Opened long-run\.json/);
  await app.dismissNotice();
  await app.byTestId('chaos').click();
  await app.play();
  await app.waitUntilPaused(120_000);
  played += await simulatedSeconds(app);
  // Back to the middle of the run, break a service there (a fork), and play the new future.
  await app.clickTimeline(0.5);
  await app.injectFault('payment', 'transient_error');
  await app.play();
  await app.waitUntilPaused(120_000);
  played += await simulatedSeconds(app);
  const stepBack = await stepBackMs(app);
  await app.reset();
  await app.choosePreset('two-customers');
  await app.play();
  await app.waitUntilPaused(60_000);
  played += await simulatedSeconds(app);
  await app.press('r');
  return { played, stepBack };
}

/** What grew by more than 10 % from `first` to `last`. */
function grown(first, last) {
  return ['wasm', 'heap', 'elements']
    .filter((what) => last[what] > first[what] * 1.1)
    .map((what) => `${what} ${first[what]} → ${last[what]}`);
}

const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

test(`a long class (${MINUTES} simulated minutes of chaos, forks and resets) leaves memory and the page where they were`, async () => {
  const app = await AppPage.open(browser, { speed: 100, before: keepWasm });
  try {
    const cdp = await app.page.context().newCDPSession(app.page);
    const longRun = await readFile(LONG_RUN, 'utf8');
    const opening = await round(app, longRun);
    let played = opening.played;
    const first = { ...(await measure(app, cdp)), stepBackMs: opening.stepBack };
    let rounds = 1;
    let latest = opening;
    const started = Date.now();
    while (played < MINUTES * 60) {
      latest = await round(app, longRun);
      played += latest.played;
      rounds += 1;
    }
    const last = { ...(await measure(app, cdp)), stepBackMs: latest.stepBack };
    console.log(`figures: soak, ${rounds} rounds, ${(played / 60).toFixed(1)} simulated minutes in ${((Date.now() - started) / 1000).toFixed(0)} s: `
      + `wasm memory ${mib(first.wasm)} → ${mib(last.wasm)}, JS heap ${mib(first.heap)} → ${mib(last.heap)}, `
      + `elements ${first.elements} → ${last.elements}, step back median ${first.stepBackMs.toFixed(1)} → ${last.stepBackMs.toFixed(1)} ms`);
    assert.ok(first.wasm > 0, 'the wasm memory was read');
    assert.deepEqual(grown(first, last), [], 'nothing grew by more than 10 %');
    assert.deepEqual(app.errors(), [], 'no console or page errors');
  } finally {
    await app.close();
  }
});

test('the measures see a leak: JS objects and elements kept from round to round', async () => {
  const app = await AppPage.open(browser, { before: keepWasm });
  try {
    const cdp = await app.page.context().newCDPSession(app.page);
    const first = await measure(app, cdp);
    await app.page.evaluate(() => {
      window.leaked = Array.from({ length: 200_000 }, (_, i) => ({ i, text: `kept ${i}` }));
      for (let i = 0; i < 200; i += 1) document.body.append(document.createElement('div'));
    });
    const last = await measure(app, cdp);
    const seen = grown(first, last).map((g) => g.split(' ')[0]);
    assert.deepEqual(seen, ['heap', 'elements']);
  } finally {
    await app.close();
  }
});
