// End-to-end tests of more rough edges a class trips on: the Gantt view opens on the moment shown
// and follows it (play, Home, End), its row labels staying in view while it scrolls sideways;
// the event bus's topic pills never overlap and each text fits its pill, at every width the page
// is shown at; with several sagas each has a colour, that reads on both themes, on its tokens,
// on the node's badge and on every step row (which carries its letter), and on its Gantt lanes;
// with one saga none of that shows.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, withPage } from './page.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Where the Gantt view's now-line and row labels are, against its scrolling pane (CSS px). */
function ganttGeometry() {
  const pane = document.querySelector('.diagram__alt');
  const box = pane.getBoundingClientRect();
  const now = document.querySelector('.gantt__now-line').getBoundingClientRect();
  const labels = [...document.querySelectorAll('.gantt__row-label')].map((t) => {
    const r = t.getBoundingClientRect();
    return { text: t.textContent, left: r.left - box.left, right: r.right - box.left };
  });
  const cover = document.querySelector('.gantt__labels').getBoundingClientRect();
  return {
    scrollLeft: pane.scrollLeft,
    scrollable: pane.scrollWidth - pane.clientWidth,
    width: pane.clientWidth,
    now: now.left - box.left,
    covered: cover.right - box.left,
    labels,
  };
}

/** Whether the now-line is in view, right of the row labels. */
function nowInView(g) {
  return g.now >= g.covered && g.now <= g.width;
}

describe('a class does not trip (2)', () => {
  test('the Gantt view opens on the moment shown and follows it; its row labels stay in view', async () => {
    // An 18 s run: its timeline is far wider than the pane.
    await withPage(browser, { preset: 'compensation-fails', coordination: 'orchestration', speed: 100, play: 1 }, async (app) => {
      await app.waitUntilPaused(60_000);
      await app.setView('gantt');
      await app.viewSvg('gantt').waitFor();
      await app.page.waitForFunction(() => document.querySelector('.diagram__alt').scrollLeft > 0);
      let g = await app.page.evaluate(ganttGeometry);
      assert.ok(g.scrollable > 500, `the timeline is wider than the pane (${g.scrollable} px more)`);
      assert.ok(nowInView(g), `opens with now in view: ${JSON.stringify(g)}`);
      await app.screenshot('gantt-opens-at-now');

      // Scrolled sideways, the row labels stay at the pane's left edge.
      await app.page.evaluate(() => { document.querySelector('.diagram__alt').scrollLeft = 700; });
      g = await app.page.evaluate(ganttGeometry);
      assert.equal(g.scrollLeft, 700);
      assert.deepEqual(g.labels.map((l) => l.text), ['Orchestrator', 'Reservation', 'Payment', 'Calendar', 'Notification']);
      for (const l of g.labels) assert.ok(l.left >= 0 && l.right <= g.covered, `${l.text} in view: ${JSON.stringify(l)}`);
      await app.screenshot('gantt-labels-stay');

      // Home shows the start: the view follows to it; End back to the latest moment.
      await app.page.locator('body').click({ position: { x: 5, y: 5 } });
      await app.press('Home');
      await app.page.waitForFunction(() => document.querySelector('.diagram__alt').scrollLeft === 0);
      assert.ok(nowInView(await app.page.evaluate(ganttGeometry)));
      await app.press('End');
      await app.page.waitForFunction(() => {
        const pane = document.querySelector('.diagram__alt');
        return pane.scrollLeft > 0 && pane.scrollLeft >= pane.scrollWidth - pane.clientWidth - 1;
      });
      assert.ok(nowInView(await app.page.evaluate(ganttGeometry)));
    });
  });

  test('the Gantt view follows the run while it plays', async () => {
    await withPage(browser, { preset: 'slow-consumer', coordination: 'choreography', speed: 100 }, async (app) => {
      await app.setView('gantt');
      await app.viewSvg('gantt').waitFor();
      await app.play();
      await app.waitUntilPaused(60_000);
      await app.page.waitForFunction(() => document.querySelector('.diagram__alt').scrollLeft > 0);
      const g = await app.page.evaluate(ganttGeometry);
      assert.ok(g.scrollable > 200, `${g.scrollable}`);
      assert.ok(nowInView(g), JSON.stringify(g));
    });
  });

  for (const [width, height] of [[1024, 700], [1280, 720], [1920, 1080]]) {
    test(`at ${width}×${height} the event bus's topic pills never overlap and each text fits its pill`, async () => {
      for (const preset of ['cancel-after-pivot', 'dirty-read']) {
        await withPage(browser, { preset, coordination: 'choreography', speed: 100, play: 1, viewport: { width, height } }, async (app) => {
          await app.waitUntilPaused(60_000);
          const trouble = await app.byTestId('event-bus').evaluate((bus) => {
            const out = [];
            const outer = bus.querySelector('.saga-node__box').getBoundingClientRect();
            const title = bus.querySelector('.saga-node__title').getBoundingClientRect();
            const pills = [...bus.querySelectorAll('.topic')].map((g) => ({
              name: g.textContent,
              box: g.querySelector('.topic__box').getBoundingClientRect(),
              text: g.querySelector('.topic__text').getBoundingClientRect(),
            }));
            const apart = (a, b) => a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
            for (const [i, p] of pills.entries()) {
              if (p.text.left < p.box.left || p.text.right > p.box.right) out.push(`${p.name}: text leaves its pill`);
              if (p.box.left < outer.left || p.box.right > outer.right || p.box.top < outer.top || p.box.bottom > outer.bottom) out.push(`${p.name}: leaves the bus`);
              if (!apart(p.box, title)) out.push(`${p.name}: covers the title`);
              for (const q of pills.slice(i + 1)) if (!apart(p.box, q.box)) out.push(`${p.name} overlaps ${q.name}`);
            }
            return { out, count: pills.length, more: bus.querySelectorAll('.topic--more').length };
          });
          assert.deepEqual(trouble.out, [], `${preset}`);
          assert.equal(trouble.more, 0, `${preset}: every topic has a pill`);
          assert.ok(trouble.count >= 9, `${preset}: ${trouble.count} pills`);
          if (width === 1280) await app.screenshot(`bus-pills-${preset}`);
        });
      }
    });
  }

  /** Contrast ratio of two `rgb(…)` colours. */
  const contrast = (a, b) => {
    const lum = (c) => {
      const [r, g, bl] = c.match(/[\d.]+/g).slice(0, 3).map((x) => {
        const v = Number(x) / 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
    };
    const [x, y] = [lum(a) + 0.05, lum(b) + 0.05];
    return Math.max(x, y) / Math.min(x, y);
  };

  for (const colorScheme of ['light', 'dark']) {
    test(`${colorScheme}: with two sagas, A and B each have a colour on tokens, badges, step rows and Gantt lanes`, async () => {
      await withPage(browser, { preset: 'two-customers', coordination: 'choreography', speed: 100, colorScheme }, async (app) => {
        // Step until a token of each saga is in flight.
        for (let i = 0; i < 40; i++) {
          if (await app.page.locator('.token[data-saga="A"]').count() && await app.page.locator('.token[data-saga="B"]').count()) break;
          await app.step();
        }
        const colours = await app.page.evaluate(() => {
          const fill = (sel) => {
            const el = document.querySelector(sel);
            return el ? getComputedStyle(el).fill : null;
          };
          return {
            tokenA: fill('.token:not(.token--reply)[data-saga="A"] .token__shape'),
            tokenB: fill('.token:not(.token--reply)[data-saga="B"] .token__shape'),
            badge: fill('[data-testid="service-payment"] .saga-node__saga circle'),
            badgeSaga: document.querySelector('[data-testid="service-payment"] .saga-node__saga')?.dataset.saga,
            tab: fill('[data-testid="service-payment"] .saga-step[data-saga] .saga-step__saga'),
            letters: [...document.querySelectorAll('[data-testid="service-payment"] .saga-step__letter')].map((t) => t.textContent),
            // What tokens and badges are drawn on: a service node.
            surface: getComputedStyle(document.querySelector('[data-testid="service-payment"] > .saga-node__box')).fill,
          };
        });
        assert.ok(colours.tokenA && colours.tokenB, JSON.stringify(colours));
        assert.notEqual(colours.tokenA, colours.tokenB, 'A and B tokens differ');
        assert.equal(colours.badgeSaga, 'A');
        assert.equal(colours.badge, colours.tokenA, 'the badge has A\'s colour');
        assert.equal(colours.tab, colours.tokenA, 'the step row has A\'s colour');
        assert.deepEqual(colours.letters, ['A'], 'the step row says A');
        for (const c of [colours.tokenA, colours.tokenB]) {
          assert.ok(contrast(c, colours.surface) >= 3, `${c} on ${colours.surface}: ${contrast(c, colours.surface).toFixed(2)}`);
        }
        await app.screenshot(`two-sagas-colours-${colorScheme}`);

        // Show B's steps: the badge, tabs and letters turn to B.
        await app.sagaButtons().nth(1).click();
        await app.page.waitForSelector('[data-testid="service-payment"] .saga-node__saga[data-saga="B"]');
        const b = await app.page.evaluate(() => ({
          badge: getComputedStyle(document.querySelector('[data-testid="service-payment"] .saga-node__saga circle')).fill,
          tabs: [...document.querySelectorAll('.saga-step[data-saga="B"] .saga-step__saga')].map((p) => getComputedStyle(p).fill),
          letters: [...new Set([...document.querySelectorAll('.saga-step__letter')].map((t) => t.textContent))],
        }));
        assert.equal(b.badge, colours.tokenB);
        assert.equal(b.tabs.length, 6, 'five steps and the failure notice');
        assert.ok(b.tabs.every((f) => f === colours.tokenB));
        assert.deepEqual(b.letters, ['B']);

        // The Gantt view's lanes: tinted and lettered per saga.
        await app.play();
        await app.waitUntilPaused(60_000);
        await app.setView('gantt');
        const lanes = await app.page.evaluate(() => ({
          a: getComputedStyle(document.querySelector('.gantt__lane-chip')).fill,
          oddRow: getComputedStyle(document.querySelector('.gantt__row--odd')).fill,
          chips: [...document.querySelectorAll('.gantt__lane-label')].map((g) => [g.dataset.saga, getComputedStyle(g.querySelector('.gantt__lane-chip')).fill]),
        }));
        const byLetter = Object.fromEntries(lanes.chips);
        assert.equal(byLetter.A, colours.tokenA);
        assert.equal(byLetter.B, colours.tokenB);
        // The lanes' chips read on the striped rows (--surface-2) too.
        for (const c of [byLetter.A, byLetter.B]) {
          assert.ok(contrast(c, lanes.oddRow) >= 3, `${c} on ${lanes.oddRow}: ${contrast(c, lanes.oddRow).toFixed(2)}`);
        }
        await app.screenshot(`two-sagas-gantt-${colorScheme}`);
      });
    });
  }

  test('with one saga no saga colour or letter shows on the nodes', async () => {
    await withPage(browser, { preset: 'card-declined', coordination: 'choreography', speed: 100, play: 1 }, async (app) => {
      await app.waitUntilPaused(60_000);
      const marks = await app.page.evaluate(() => document.querySelectorAll(
        '.diagram__nodes [data-saga], .saga-step--lettered, .saga-node__saga, .saga-node__who',
      ).length);
      assert.equal(marks, 0);
      await app.setView('gantt');
      assert.equal(await app.page.locator('.gantt__lane, .gantt__lane-label').count(), 0);
    });
  });
});
