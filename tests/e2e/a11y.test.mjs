// Accessibility: axe-core finds no serious or critical violation on the page, in the light and
// the dark theme, at rest, after runs played to the end (one or two sagas, dead letters, a stuck
// compensation, broken invariants), with a fault menu open and with the Share menu open; and the
// keyboard alone reaches every control, each showing where focus is.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, withPage } from './page.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The impacts that fail a test; moderate and minor ones are only printed. */
const BLOCKING = new Set(['serious', 'critical']);

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});


/** Runs axe over the whole document; returns its violations, each with up to four targets. */
async function axeViolations(app) {
  if (!(await app.page.evaluate(() => 'axe' in window))) await app.page.addScriptTag({ path: AXE });
  return app.page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { resultTypes: ['violations'] });
    return violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      count: v.nodes.length,
      nodes: v.nodes.slice(0, 4).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  });
}

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
  const violations = await axeViolations(app);
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
  const wearing = () => app.page.evaluate(() => document.documentElement.dataset.theme ?? null);
  for (let i = 0; i < 2 && (await wearing()) !== theme; i += 1) {
    await app.byTestId('theme').click();
  }
  await app.page.waitForSelector(`html[data-theme="${theme}"]`, { state: 'attached', timeout: 2_000 });
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
      await app.byTestId('event-log').locator('[data-action="select-event"]').first().click();
      await app.byTestId('narration-live').waitFor();
      await assertAccessibleInBothThemes(app, 'with an event of the log selected');
      // The glossary, opened from the narration's "read more" (checked once the page opens it).
      const more = app.byTestId('narration').locator('[data-action="glossary"]');
      if (await more.count()) {
        await more.first().click();
        const opened = await app.byTestId('glossary').waitFor({ timeout: 3_000 }).then(() => true, () => false);
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
          await app.byTestId(`tab-${tab}`).click();
          await app.page.waitForSelector(`[data-testid="tab-${tab}"][aria-selected="true"]`);
          await assertAccessibleInBothThemes(app, `${preset}, ${coordination}, tab ${tab}`);
        }
      });
    });
  }

  test("a service's fault menu open, with an active fault", async () => {
    await withPage(browser, {}, async (app) => {
      const menu = await app.openFaultMenu('payment');
      await assertAccessibleInBothThemes(app, 'with the fault menu open');
      await menu.locator('[data-fault="business_failure"]').first().click();
      await menu.locator('[data-action="remove-fault"]').first().waitFor();
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
      for (const view of ['sequence', 'gantt']) {
        await app.byTestId(`view-${view}`).click();
        await app.byTestId(`${view}-view`).waitFor();
        await assertAccessibleInBothThemes(app, `the ${view} view`);
      }
      await app.byTestId('view-diagram').click();
      await app.byTestId('step-back').click();
      await app.byTestId('to-latest').waitFor();
      await assertAccessibleInBothThemes(app, 'a past moment, with the timeline');
      await app.page.keyboard.press('?');
      await app.byTestId('help-overlay').waitFor();
      await assertAccessibleInBothThemes(app, 'the help overlay');
      await app.page.keyboard.press('Escape');
      await app.page.keyboard.press('g');
      await app.byTestId('glossary').waitFor();
      await assertAccessibleInBothThemes(app, 'the glossary');
      await app.page.keyboard.press('Escape');
      await app.byTestId('coordination').locator('[data-value="side-by-side"]').click();
      await app.byTestId('side-by-side').waitFor();
      await app.page.keyboard.press(' ');
      for (const style of ['orchestration', 'choreography']) {
        await app.page.waitForSelector(`[data-testid="compare"] td[data-figure="outcome"][data-style="${style}"][data-value="completed"]`, { timeout: 30_000 });
      }
      await assertAccessibleInBothThemes(app, 'both styles side by side');
    });
    await withPage(browser, { preset: 'card-declined', speed: 20 }, async (app) => {
      await app.byTestId('predict-toggle').click();
      await app.play();
      await app.byTestId('predict').waitFor({ timeout: 20_000 });
      await assertAccessibleInBothThemes(app, 'a predict question');
      await app.byTestId('predict-choice-0').click();
      await app.byTestId('predict-verdict').locator('*').first().waitFor();
      await assertAccessibleInBothThemes(app, 'a predict answer');
    });
  });

  test('the dark theme follows the system until the switch is used', async () => {
    await withPage(browser, { colorScheme: 'dark' }, async (app) => {
      assert.equal(await app.page.evaluate(() => document.documentElement.dataset.theme ?? null), null);
      await assertAccessible(app, 'the page in the system dark scheme');
    });
  });
});

/** What the focused element is, and whether it shows that it has focus. */
function focusedElement() {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  // A visually hidden field (the Import picker's file input) shows focus on its label.
  const box = el.getBoundingClientRect();
  const shown = box.width <= 1 || box.height <= 1 ? el.closest('label') ?? el : el;
  const style = getComputedStyle(shown);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
    && !/rgba\(.*,\s*0\)$|transparent/.test(style.outlineColor);
  const shadow = style.boxShadow !== 'none';
  // SVG controls (the diagram's nodes and fault chips) show focus by stroking their shape in the
  // focus colour instead of an outline.
  let stroke = false;
  if (el instanceof SVGElement) {
    const probe = document.createElement('span');
    probe.style.color = 'var(--focus)';
    document.body.append(probe);
    const focus = getComputedStyle(probe).color;
    probe.remove();
    stroke = [...el.querySelectorAll('rect, path, circle, polygon, ellipse')]
      .some((shape) => getComputedStyle(shape).stroke === focus);
  }
  if (!el.dataset.a11yId) el.dataset.a11yId = String(window.__a11yNext = (window.__a11yNext ?? 0) + 1);
  const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
  return {
    id: el.dataset.a11yId,
    what: `<${el.tagName.toLowerCase()}${el.dataset.testid ? ` data-testid="${el.dataset.testid}"` : ''}${el.dataset.action ? ` data-action="${el.dataset.action}"` : ''}> ${name}`,
    visible: outline || shadow || stroke,
    focusVisible: el.matches(':focus-visible'),
  };
}

/** Every visible, enabled control the page offers: buttons, form fields, [data-action]. */
function controls() {
  const selector = 'button, select, input, summary, a[href], [data-action], [role="button"]';
  return [...document.querySelectorAll(selector)]
    .filter((el) => !el.disabled && !el.closest('[inert], [hidden], details:not([open]) > :not(summary)'))
    .filter((el) => {
      // The Import picker's file input is visually hidden inside its label, but still focusable.
      if (el.matches('input[type="file"]')) return true;
      const box = el.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    })
    .map((el) => {
      if (!el.dataset.a11yId) el.dataset.a11yId = String(window.__a11yNext = (window.__a11yNext ?? 0) + 1);
      const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      return {
        id: el.dataset.a11yId,
        what: `<${el.tagName.toLowerCase()}${el.dataset.testid ? ` data-testid="${el.dataset.testid}"` : ''}${el.dataset.action ? ` data-action="${el.dataset.action}"` : ''}> ${name}`,
        tabIndex: el.tabIndex,
      };
    });
}

/**
 * Presses Tab until focus comes back to an element it already visited (it passes through the
 * browser's own controls after the last one and wraps to the first); returns every element it
 * stopped on, in order.
 */
async function tabThrough(app, limit = 600) {
  const seen = [];
  const ids = new Set();
  for (let i = 0; i < limit; i += 1) {
    await app.page.keyboard.press('Tab');
    const el = await app.page.evaluate(focusedElement);
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
        const all = await app.page.evaluate(controls);
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
    const box = app.page.locator('.saga-node--running .saga-node__box').first();
    await box.waitFor({ state: 'attached' });
    assert.notEqual(await box.evaluate((el) => getComputedStyle(el).animationName), 'none', 'a running node pulses');
    await app.page.emulateMedia({ reducedMotion: 'reduce' });
    const moving = await app.page.evaluate(() => [...document.querySelectorAll('*')]
      .filter((el) => {
        const style = getComputedStyle(el);
        return style.animationName !== 'none' || style.transitionDuration.split(',').some((d) => parseFloat(d) > 0);
      })
      .map((el) => `<${el.tagName.toLowerCase()} class="${el.getAttribute('class') ?? ''}">`));
    assert.deepEqual(moving, [], 'nothing animates or transitions');
  });
});
