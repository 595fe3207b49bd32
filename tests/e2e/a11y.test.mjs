// Accessibility: axe-core finds no serious or critical violation on the page, in the light and
// the dark theme, at rest, after runs played to the end (one or two sagas, dead letters, a stuck
// compensation, broken invariants), with a fault menu open and with the Share menu open; and the
// keyboard alone reaches every control, each showing where focus is.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AppPage, launchBrowser, withPage } from './page.mjs';

/** The impacts that fail a test; moderate and minor ones are only printed. */
const BLOCKING = new Set(['serious', 'critical']);

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});


/** A violation as a developer needs it: what, how bad, where, and why. */
function describeViolation(v) {
  const nodes = v.nodes
    .map((n) => `    at ${n.target}\n      ${(n.summary ?? '').replaceAll('\n', '\n      ')}`)
    .join('\n');
  const more = v.count > v.nodes.length ? `\n    … and ${v.count - v.nodes.length} more` : '';
  return `  ${v.id} (${v.impact}): ${v.help}\n    ${v.helpUrl}\n${nodes}${more}`;
}

/** Moderate and minor rules already printed (each is printed once, where first seen). */
const printed = new Set();

/** What axe finds serious or critical in the page as it is now, described; prints the rest. */
async function blockingViolations(app, where) {
  const violations = await app.axeViolations();
  const blocking = violations.filter((v) => BLOCKING.has(v.impact));
  const minor = violations.filter((v) => !BLOCKING.has(v.impact) && !printed.has(v.id));
  minor.forEach((v) => printed.add(v.id));
  if (minor.length) console.log(`axe, ${where}: moderate/minor (not failing)\n${minor.map(describeViolation).join('\n')}`);
  return blocking.length ? [`axe, ${where}: ${blocking.length} serious or critical violation(s)`, ...blocking.map(describeViolation)] : [];
}

/** Asserts axe finds nothing serious or critical in the page as it is now. */
async function assertAccessible(app, where) {
  const found = await blockingViolations(app, where);
  assert.deepEqual(found, [], found.join('\n'));
}

/** Switches the theme with the bar's button (as often as it takes) until the document wears it. */
async function switchTheme(app, theme) {
  const wearing = () => app.theme();
  for (let i = 0; i < 2 && (await wearing()) !== theme; i += 1) {
    await app.byTestId('theme').click();
  }
  await app.waitForTheme(theme, 2_000);
}

/** Checks the page as it is now in the light theme, then in the dark one (reporting both). */
async function assertAccessibleInBothThemes(app, where) {
  const found = [];
  for (const theme of ['light', 'dark']) {
    await switchTheme(app, theme);
    found.push(...(await blockingViolations(app, `${where}, ${theme} theme`)));
  }
  assert.deepEqual(found, [], found.join('\n'));
}

describe('axe-core finds no serious or critical violation', () => {
  test('the page as it opens', async () => {
    await withPage(browser, {}, async (app) => {
      await assertAccessibleInBothThemes(app, 'the page as it opens');
    });
  });

  test('a card-declined run played to the end', async () => {
    await withPage(browser, { preset: 'card-declined', speed: 100, play: 1 }, async (app) => {
      await app.waitForOutcome('compensated');
      await app.waitUntilPaused();
      assert.ok((await app.logLines()).length > 5, 'the log shows the run');
      await assertAccessibleInBothThemes(app, 'after a card-declined run');
      // The selected event, its narration and the "Back to live" button.
      await app.logLineElements().first().click();
      await app.byTestId('narration-live').waitFor();
      await assertAccessibleInBothThemes(app, 'with an event of the log selected');
      // The glossary, opened from the narration's "read more" (checked once the page opens it).
      const more = app.narrationGlossaryButton();
      if (await more.count()) {
        await more.first().click();
        const opened = await app.glossary.waitFor({ timeout: 3_000 }).then(() => true, () => false);
        if (opened) await assertAccessibleInBothThemes(app, 'with the glossary open');
      }
    });
  });

  // Two sagas (their letters on each saga colour), dead letters, a stuck compensation and broken
  // invariants, each with every tab of the data panel shown.
  for (const [preset, coordination] of [
    ['two-customers', 'choreography'],
    ['poison-redrive', 'choreography'],
    ['compensation-fails', 'orchestration'],
    ['no-idempotency', 'choreography'],
  ]) {
    test(`${preset} (${coordination}) played until it rests, every data tab`, async () => {
      await withPage(browser, { preset, coordination, speed: 100, play: 1 }, async (app) => {
        await app.waitUntilPaused(30_000);
        for (const tab of ['tables', 'dead-letters', 'manual']) {
          await app.showTab(tab);
          await assertAccessibleInBothThemes(app, `${preset}, ${coordination}, tab ${tab}`);
        }
      });
    });
  }

  test("a service's fault menu open, with an active fault", async () => {
    await withPage(browser, {}, async (app) => {
      const menu = await app.openFaultMenu('payment');
      await assertAccessibleInBothThemes(app, 'with the fault menu open');
      await app.faultButtons('business_failure').first().click();
      await app.removeFaultButtons().first().waitFor();
      await assertAccessibleInBothThemes(app, 'with the fault menu listing an active fault');
    });
  });

  test('the Share menu open, and the shared link shown', async () => {
    await withPage(browser, {}, async (app) => {
      await app.openShareMenu();
      await app.byTestId('share').waitFor();
      await assertAccessibleInBothThemes(app, 'with the Share menu open');
      await app.share();
      await assertAccessibleInBothThemes(app, 'with the shared link shown');
    });
  });

  test('the teaching views: sequence, timeline, side by side, a past moment, predict, help, glossary', async () => {
    await withPage(browser, { preset: 'transient-payment', speed: 100, play: 1 }, async (app) => {
      await app.waitUntilPaused(30_000);
      for (const view of ['sequence', 'gantt', 'commit']) {
        await app.byTestId(`view-${view}`).click();
        await app.viewSvg(view).waitFor();
        await assertAccessibleInBothThemes(app, `the ${view} view`);
      }
      await app.byTestId('view-diagram').click();
      await app.byTestId('step-back').click();
      await app.byTestId('to-latest').waitFor();
      await assertAccessibleInBothThemes(app, 'a past moment, with the timeline');
      await app.press('?');
      await app.byTestId('help-overlay').waitFor();
      await assertAccessibleInBothThemes(app, 'the help overlay');
      await app.press('Escape');
      await app.press('g');
      await app.glossary.waitFor();
      await assertAccessibleInBothThemes(app, 'the glossary');
      await app.press('Escape');
      await app.coordinationOption('side-by-side').click();
      await app.byTestId('side-by-side').waitFor();
      // The focus stays on the Both button it pressed; Space from the page plays.
      await app.blur();
      await app.press(' ');
      for (const style of ['orchestration', 'choreography']) {
        await app.waitForCompareFigure('outcome', style, 'completed', 30_000);
      }
      await assertAccessibleInBothThemes(app, 'both styles side by side');
    });
    await withPage(browser, { preset: 'card-declined', speed: 20 }, async (app) => {
      await app.byTestId('predict-toggle').click();
      await app.play();
      await app.predictPanel.waitFor({ timeout: 20_000 });
      await assertAccessibleInBothThemes(app, 'a predict question');
      await app.byTestId('predict-choice-0').click();
      await app.waitForVerdictShown();
      await assertAccessibleInBothThemes(app, 'a predict answer');
    });
  });

  test('the dark theme follows the system until the switch is used', async () => {
    await withPage(browser, { colorScheme: 'dark' }, async (app) => {
      assert.equal(await app.theme(), null);
      await assertAccessible(app, 'the page in the system dark scheme');
    });
  });
});

/**
 * Presses Tab until focus comes back to an element it already visited (it passes through the
 * browser's own controls after the last one and wraps to the first); returns every element it
 * stopped on, in order.
 */
async function tabThrough(app, limit = 600) {
  const seen = [];
  const ids = new Set();
  for (let i = 0; i < limit; i += 1) {
    await app.press('Tab');
    const el = await app.focusedControl();
    if (!el) continue;
    if (ids.has(el.id)) return seen;
    ids.add(el.id);
    seen.push(el);
  }
  assert.fail(`Tab never came back to an element it visited in ${limit} presses`);
}

describe('the keyboard alone', () => {
  for (const theme of ['light', 'dark']) {
    test(`Tab reaches every control, each with a visible focus indicator (${theme} theme)`, async () => {
      await withPage(browser, { preset: 'card-declined', speed: 100, play: 1 }, async (app) => {
        await app.waitForOutcome('compensated');
        await app.waitUntilPaused();
        await switchTheme(app, theme);
        await app.openShareMenu();
        const focused = await tabThrough(app);
        assert.ok(focused.length > 20, `Tab stopped on only ${focused.length} elements`);
        const invisible = focused.filter((f) => !f.visible);
        assert.deepEqual(invisible.map((f) => f.what), [], 'every focused element shows a focus indicator');
        const all = await app.controls();
        const unreachable = all.filter((c) => c.tabIndex < 0 || !focused.some((f) => f.id === c.id));
        assert.deepEqual(
          unreachable.map((c) => `${c.what} (tabindex ${c.tabIndex})`),
          [],
          'every button and [data-action] is reached by Tab',
        );
      });
    });
  }
});

test('prefers-reduced-motion: reduce stops every animation and transition', async () => {
  await withPage(browser, { speed: 25 }, async (app) => {
    await app.play();
    assert.notEqual(await app.runningNodeAnimation(), 'none', 'a running node pulses');
    await app.reduceMotion();
    const moving = await app.movingElements();
    assert.deepEqual(moving, [], 'nothing animates or transitions');
  });
});
