// End-to-end tests of presenter mode as a projector shows it, at 1280×720 and 1920×1080: the
// diagram and the narration fill the screen while the tables, the log and the monitor wait in a
// drawer that opens on demand (D), and side by side shows one run at a time, or the comparison,
// picked by a switch. The smallest rendered font size of every visible piece of text
// is measured (SVG text scaled as drawn, CSS zoom included) and printed as figures:
//
// - the stage's text (banner, narration, toolbar, timeline, tables, log, monitor, comparison,
//   menus) must be 18 px at least;
// - the teacher's control bar, 15 px at least: it is for the person at the keyboard, and 18 px
//   controls do not fit one 1280 px row;
// - the diagram's own SVG text, 18 px at least at both sizes: presenter mode draws the diagram
//   in a layout of its own (larger nodes and type, in a coordinate system shaped like the
//   diagram's column, about a unit a pixel at 1280×720), side by side's one run included.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, withPage } from './page.mjs';
import { AUDIENCE, CONTROLS, measure } from './fonts.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function presenter(app) {
  await app.press('p');
  await app.page.waitForSelector('main.app--presenter');
  // Let the diagram settle in its new size.
  await app.page.waitForTimeout(300);
}

describe('presenter mode reads from the back row', () => {
  for (const [width, height] of [[1280, 720], [1920, 1080]]) {
    for (const [preset, coordination] of [['card-declined', 'orchestration'], ['transient-payment', 'choreography'], ['no-semantic-lock', 'orchestration']]) {
      test(`${width}×${height}, ${preset} in ${coordination}: no panel text under ${AUDIENCE} px, the drawer closed`, async () => {
        await withPage(browser, { preset, coordination, speed: 100, viewport: { width, height } }, async (app) => {
          await presenter(app);
          await app.play();
          await app.waitUntilPaused();
          const m = await measure(app);
          console.log(`figures: presenter mode ${width}×${height}, ${preset} (${coordination}): smallest stage text ${m.stage} px over ${m.count} texts, smallest control ${m.bar} px, smallest diagram (SVG) text ${m.drawn} px`);
          await app.screenshot(`presenter-${width}x${height}-${preset}-${coordination}`);
          assert.deepEqual(m.small, [], `stage text under ${AUDIENCE} px`);
          assert.deepEqual(m.smallBar, [], `control text under ${CONTROLS} px`);
          assert.deepEqual(m.smallDrawn, [], `diagram text under ${AUDIENCE} px`);
          // The diagram and the narration are there; the drawer's panels are not.
          assert.ok(await app.page.locator('.diagram').isVisible());
          assert.ok(await app.page.locator('.side__narration').isVisible());
          assert.equal(await app.page.locator('.log').isVisible(), false, 'the log waits in the drawer');
        });
      });
    }
  }

  test('the teacher\'s bar shows every preset\'s whole title at 1280 px, in one row', async () => {
    await withPage(browser, { preset: 'declined-dirty-read', viewport: { width: 1280, height: 720 } }, async (app) => {
      await app.press('p');
      await app.page.waitForSelector('main.app--presenter');
      const fit = await app.page.evaluate(() => {
        const select = document.querySelector('[data-control="preset"]');
        const style = getComputedStyle(select);
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        // The text's room: the box less its padding and the arrow (about 20 px).
        const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
        const cut = [...select.options].filter((o) => ctx.measureText(o.text).width > room).map((o) => o.text);
        const bar = document.querySelector('.bar');
        return { cut, room, overflow: bar.scrollWidth - bar.clientWidth, height: bar.getBoundingClientRect().height };
      });
      assert.deepEqual(fit.cut, [], `titles cut in ${fit.room} px`);
      assert.ok(fit.overflow <= 0, `the bar overflows by ${fit.overflow} px`);
      assert.ok(fit.height < 60, `one row (${fit.height} px)`);
      // Play and Step keep their names for screen readers.
      assert.equal(await app.page.getByRole('button', { name: 'Play', exact: true }).count(), 1);
      assert.match(await app.byTestId('step').textContent(), /Step/);
    });
  });

  test('the drawer opens on demand with the tables, the log and the monitor, still readable', async () => {
    await withPage(browser, { preset: 'no-semantic-lock', speed: 100 }, async (app) => {
      await presenter(app);
      await app.play();
      await app.waitUntilPaused();
      await app.byTestId('drawer').click();
      await app.page.waitForSelector('main.app--drawer');
      for (const part of ['.data', '.log', '[data-testid="invariants"]']) {
        assert.ok(await app.page.locator(part).first().isVisible(), `${part} shows in the drawer`);
      }
      await app.page.waitForTimeout(200);
      const m = await measure(app);
      console.log(`figures: presenter mode 1280×720 with the drawer open: smallest stage text ${m.stage} px over ${m.count} texts`);
      await app.screenshot('presenter-drawer-open');
      assert.deepEqual(m.small, [], `stage text under ${AUDIENCE} px with the drawer open`);
      // The measure sees a piece of text made small (the check can fail).
      await app.page.evaluate(() => { document.querySelector('[data-testid="invariants"] .invariant__state').style.fontSize = '12px'; });
      const broken = await measure(app);
      assert.equal(broken.stage, 12);
      assert.ok(broken.small.length >= 1);
      // D closes it again.
      await app.press('d');
      await app.page.waitForSelector('main:not(.app--drawer)');
      assert.equal(await app.page.locator('.log').isVisible(), false);
    });
  });

  test('side by side shows one run at a time, as large as one alone, or the comparison', async () => {
    await withPage(browser, { preset: 'card-declined', speed: 100 }, async (app) => {
      await presenter(app);
      await app.press('b');
      await app.byTestId('side-by-side').waitFor();
      await app.play();
      await app.waitUntilPaused();
      await app.page.waitForTimeout(200);
      const twins = app.page.locator('.twin');
      const shown = async () => {
        const all = await twins.evaluateAll((els) => els.filter((e) => e.getBoundingClientRect().width > 0).map((e) => e.dataset.testid.replace('twin-', '')));
        return all;
      };
      assert.deepEqual(await shown(), ['orchestration']);
      const m = await measure(app);
      console.log(`figures: presenter mode 1280×720 side by side: smallest stage text ${m.stage} px over ${m.count} texts, smallest diagram (SVG) text ${m.drawn} px`);
      await app.screenshot('presenter-side-by-side');
      assert.deepEqual(m.small, [], `stage text under ${AUDIENCE} px side by side`);
      assert.deepEqual(m.smallDrawn, [], `diagram text under ${AUDIENCE} px side by side`);
      // The run shown is whole: its drawing ends above the timeline.
      const fits = await app.page.evaluate(() => {
        const svg = document.querySelector('[data-testid="twin-orchestration"] svg').getBoundingClientRect();
        const pane = document.querySelector('.diagram__alt').getBoundingClientRect();
        return svg.bottom <= pane.bottom + 0.5;
      });
      assert.ok(fits, 'the run shown fits the pane');
      await app.byTestId('twin-switch').locator('[data-value="choreography"]').click();
      await app.page.waitForFunction(() => document.querySelector('[data-testid="twin-choreography"]')?.getBoundingClientRect().width > 0);
      assert.deepEqual(await shown(), ['choreography']);
      // The switch's third place: the comparison alone, readable, every figure in view.
      await app.byTestId('twin-switch').locator('[data-value="comparison"]').click();
      await app.byTestId('compare').waitFor({ state: 'visible' });
      assert.deepEqual(await shown(), []);
      const cells = await app.page.evaluate(() => {
        const pane = document.querySelector('.diagram__alt').getBoundingClientRect();
        return [...document.querySelectorAll('[data-testid="compare"] td[data-figure]')].filter((td) => {
          const r = td.getBoundingClientRect();
          return r.top < pane.top || r.bottom > pane.bottom + 0.5 || r.right > pane.right + 0.5;
        }).length;
      });
      assert.equal(cells, 0, 'every figure of the comparison is in view');
      const c = await measure(app);
      console.log(`figures: presenter mode 1280×720 side by side, the comparison: smallest stage text ${c.stage} px over ${c.count} texts`);
      await app.screenshot('presenter-comparison');
      assert.deepEqual(c.small, [], `comparison text under ${AUDIENCE} px`);
    });
  });
});
