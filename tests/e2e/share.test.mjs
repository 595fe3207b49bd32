// End-to-end tests of sharing, exporting, importing and remembering: a shared link opens the
// same run at the same moment in a fresh page; a damaged link or file is reported and changes
// nothing; exports download sane files; a damaged remembered state is discarded with a notice.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, withPage } from './page.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Steps `n` times (each step runs to the next event). */
async function stepTimes(app, n) {
  for (let i = 0; i < n; i += 1) await app.step();
}

/** What two pages must agree on to show the same moment of the same run. */
async function moment(app) {
  return {
    outcome: await app.outcome(),
    clock: await app.clock(),
    preset: await app.preset(),
    coordination: await app.byTestId('coordination').getAttribute('data-value'),
    seed: await app.byTestId('seed').inputValue(),
    lines: await app.logLines(),
  };
}

test('a shared link opens the same run at the same moment in a fresh page', async () => {
  await withPage(browser, { preset: 'restaurant-rejects', coordination: 'choreography', seed: 7 }, async (app) => {
    await stepTimes(app, 14);
    const here = await moment(app);
    const url = await app.share();
    assert.match(url, /#v=1&/);
    assert.ok(app.url().endsWith(url.slice(url.indexOf('#'))), 'the address bar holds the link');
    assert.match(await app.notice(), /Copy this link|Link copied/);

    const path = new URL(url).pathname + new URL(url).hash;
    await withPage(browser, { path }, async (there) => {
      assert.match(await there.notice(), /Opened a shared link/);
      const other = await moment(there);
      assert.deepEqual(other, here);
      assert.equal(other.lines.length, here.lines.length, 'same event count');
      await there.screenshot('share-opened');
    });
  });
});

test('a link shared from a page opened with play=1 opens its moment paused, in the view showing', async () => {
  await withPage(browser, { preset: 'happy-path', speed: 1, play: 1 }, async (app) => {
    // Mid-run at 1×: the share pauses it here.
    await app.page.waitForTimeout(1200);
    await app.showCommit('2pc', 'crash');
    const url = await app.share();
    assert.doesNotMatch(url, /[?&]play=/, url);
    assert.match(url, /[?&]protocol=2pc&plan=crash#v=1&/, url);
    const here = await moment(app);
    const path = new URL(url).pathname + new URL(url).search + new URL(url).hash;
    await withPage(browser, { path }, async (there) => {
      // Paused at the moment shared: nothing more happens.
      const before = await moment(there);
      assert.deepEqual(before, here);
      await there.page.waitForTimeout(1500);
      assert.deepEqual(await moment(there), here, 'still at the moment shared');
      assert.equal(await there.byTestId('commit-view').getAttribute('data-plan'), 'crash');
    });
  });
});

test('a tampered or truncated link shows the problem and the default run still works', async () => {
  for (const fragment of ['#v=1&p=happy-path&c=zz&seed=1', '#v=1&s=eyJ2ZXJzaW9', '#v=9&p=happy-path']) {
    await withPage(browser, { path: `?speed=50${fragment}` }, async (app) => {
      assert.match(await app.notice(), /This link cannot be opened: .+\. Showing the default run/);
      assert.equal(await app.preset(), 'happy-path');
      await app.play();
      await app.waitForOutcome('completed');
    });
  }
});

test('a link pasted into an open page opens its run; a bad one says why and keeps the run', async () => {
  let link;
  let there;
  await withPage(browser, { preset: 'restaurant-rejects', coordination: 'choreography', seed: 7 }, async (app) => {
    await stepTimes(app, 9);
    const url = await app.share();
    link = url.slice(url.indexOf('#'));
    there = await moment(app);
  });
  await withPage(browser, { preset: 'card-declined' }, async (app) => {
    await stepTimes(app, 4);
    const before = await moment(app);
    assert.notDeepEqual(before, there);

    // Only the `#` part changes, as when a link is pasted into the address bar: no reload.
    await app.markDocument();
    await app.setLocationHash(link);
    await app.waitForNotice(/Opened a shared link/);
    assert.deepEqual(await moment(app), there);
    assert.equal(await app.documentMarked(), true, 'same page');

    for (const bad of ['#v=1&p=happy-path&c=zz&seed=1', '#v=1&s=eyJ2ZXJzaW9', '#v=9&p=happy-path']) {
      await app.setLocationHash(bad);
      await app.waitForNotice(/This link cannot be opened: .+\. The run stays as it was/);
      assert.deepEqual(await moment(app), there, `${bad} changes nothing`);
      // Back to the good link, so that the next bad one has a notice to replace.
      await app.setLocationHash(link);
      await app.waitForNotice(/Opened a shared link/);
    }
  });
});

test('a query with values Sagascope does not know says so and opens the defaults', async () => {
  await withPage(browser, { path: '?speed=50&preset=nope&coordination=sideways&seed=abc' }, async (app) => {
    const notice = await app.notice();
    assert.match(notice, /does not know/);
    assert.match(notice, /preset="nope"/);
    assert.match(notice, /coordination="sideways"/);
    assert.match(notice, /seed="abc"/);
    assert.equal(await app.preset(), 'happy-path');
    await app.play();
    await app.waitForOutcome('completed');
  });
});

test('a valid scenario file is imported and an invalid one changes nothing', async () => {
  let scenario;
  await withPage(browser, { preset: 'card-declined', seed: 3 }, async (app) => {
    ({ text: scenario } = await app.exportFile('scenario'));
  });
  await withPage(browser, { speed: 50 }, async (app) => {
    await stepTimes(app, 3);
    const before = await moment(app);
    await app.importFile('broken.json', '{"version": 1, "sagas": [}');
    const message = await app.waitForNotice(/was not opened/);
    assert.match(message, /line 1/i);
    await app.importFile('unknown.json', scenario.replace('{', '{"colour": "blue",'));
    assert.match(await app.waitForNotice(/unknown\.json was not opened/), /colour/);
    assert.deepEqual(await moment(app), before, 'the run stays exactly as it was');

    await app.importFile('card.json', scenario);
    await app.waitForNotice(/Opened card\.json/);
    assert.equal(await app.preset(), 'card-declined');
    assert.equal(await app.byTestId('seed').inputValue(), '3');
    assert.match(await app.clock(), /t = 0/);
    await app.play();
    await app.waitForOutcome('compensated');

    await app.dropFile('dropped.json', scenario.replace('"seed": 3', '"seed": 4'));
    await app.waitForNotice(/Opened dropped\.json/);
    assert.equal(await app.byTestId('seed').inputValue(), '4');
    assert.match(await app.clock(), /t = 0/);
  });
});

test('an exported trace is imported back; a foreign file is named and changes nothing', async () => {
  let trace;
  let asl;
  await withPage(browser, { preset: 'restaurant-rejects', coordination: 'choreography', seed: 7 }, async (app) => {
    await stepTimes(app, 12);
    ({ text: trace } = await app.exportFile('trace'));
    ({ text: asl } = await app.exportFile('asl'));
  });
  await withPage(browser, { speed: 50 }, async (app) => {
    await stepTimes(app, 3);
    const before = await moment(app);
    await app.importFile('machine.asl.json', asl);
    assert.match(
      await app.waitForNotice(/machine\.asl\.json was not opened/),
      /Step Functions state machine \(ASL\), not a Sagascope scenario or trace file\. The run stays as it was/,
    );
    await app.importFile('tampered.trace.json', trace.replace('"at_ms":0', '"at_ms":1'));
    assert.match(await app.waitForNotice(/tampered\.trace\.json was not opened/), /does not match its own scenario/);
    assert.deepEqual(await moment(app), before, 'the run stays exactly as it was');

    await app.importFile('run.trace.json', trace);
    assert.match(await app.waitForNotice(/Opened the run recorded in run\.trace\.json/), /events, reproduced/);
    assert.equal(await app.preset(), 'restaurant-rejects');
    assert.equal(await app.byTestId('seed').inputValue(), '7');
  });
});

test('exports download a scenario, a Mermaid sequence, a trace, ASL and a standalone SVG', async () => {
  await withPage(browser, { preset: 'card-declined', speed: 50 }, async (app) => {
    await app.play();
    await app.waitForOutcome('compensated');
    await app.waitUntilPaused();

    const scenario = await app.exportFile('scenario');
    assert.match(scenario.name, /\.scenario\.json$/);
    const parsed = JSON.parse(scenario.text);
    assert.equal(parsed.version, 1);
    assert.ok(Array.isArray(parsed.sagas) && parsed.sagas.length >= 1);

    const mermaid = await app.exportFile('mermaid');
    assert.match(mermaid.name, /\.mmd$/);
    assert.match(mermaid.text, /^sequenceDiagram/m);
    assert.match(mermaid.text, /->>/);

    const trace = await app.exportFile('trace');
    const pageEvents = JSON.parse(trace.text).events;
    assert.equal(pageEvents.length, (await app.logLines()).length);

    // The same run everywhere: the native runner, given the scenario the page exported, must
    // produce exactly the trace the page did (scripts/test builds it and sets SAGASCOPE_RUNNER).
    if (process.env.SAGASCOPE_RUNNER) {
      const dir = await mkdtemp(join(tmpdir(), 'sagascope-'));
      const file = join(dir, 'scenario.json');
      await writeFile(file, scenario.text);
      const native = execFileSync(process.env.SAGASCOPE_RUNNER, ['--scenario', file, '--export', 'trace'], {
        encoding: 'utf8',
      });
      assert.deepEqual(JSON.parse(native).events, pageEvents, 'page trace = native runner trace');
    }

    const asl = JSON.parse((await app.exportFile('asl')).text);
    assert.ok(asl.StartAt in asl.States);

    const svg = await app.exportFile('svg');
    assert.match(svg.text, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg.text, /<style>/);
    // The page's colours are resolved; a saga's colour stays a variable its own rule sets
    // (`.saga-0 { --saga: #… }`), so the file draws it without the page.
    const left = [...svg.text.matchAll(/var\((--[\w-]+)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(left)].filter((v) => v !== '--saga' && v !== '--saga-ink'), [], 'colours are resolved');
    if (left.length) assert.match(svg.text, /\.saga-0 \{[^}]*--saga: #[0-9a-f]{6}/i, 'the saga colour is defined in the file');
    assert.doesNotMatch(svg.text, /(fill|stroke|background|color): ;/, 'no colour left empty');
  });
});

test('the last run and preferences come back after a reload; a damaged entry is discarded', async () => {
  await withPage(browser, {}, async (app) => {
    await app.choosePreset('card-declined');
    await app.byTestId('speed').selectOption('200');
    await stepTimes(app, 2);
    const before = await moment(app);
    await app.reload();
    await app.waitForMount();
    assert.deepEqual(await moment(app), before);
    assert.equal(await app.byTestId('speed').inputValue(), '200');

    for (const damaged of ['{not json', '{"version":0}', 'x'.repeat(20_000)]) {
      await app.writeSavedState(damaged);
      await app.reload();
      await app.waitForMount();
      assert.match(await app.notice(), /discarded/);
      assert.equal(await app.preset(), 'happy-path');
      assert.equal(await app.byTestId('speed').inputValue(), '100');
    }
    await app.byTestId('speed').selectOption('400');
    await app.play();
    await app.waitForOutcome('completed');
  });
});
