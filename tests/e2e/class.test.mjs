// End-to-end tests of the rough edges a class trips on: before Play the banner says the run is
// ready, not running; a compensation out of retries is named on its node (the refund failed,
// not the charge); picking a fault from a node's menu gives the focus back to the node, so that
// Space plays on instead of injecting the same fault again; a node click that filters the log
// says so over the diagram, and Escape shows every event again; with two sagas each node says,
// by letter and colour, whose status it shows; a database value a narrow column cuts short is
// whole in its title, when its row is pointed at and when the tables are focused; at 1280×720 the monitor shows every
// invariant without scrolling, and the preset menu its whole title.
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

describe('a class does not trip', () => {
  test('before Play the banner says Ready, and Running once something happened', async () => {
    await withPage(browser, { preset: 'card-declined', speed: 4 }, async (app) => {
      const banner = app.byTestId('outcome');
      assert.match(await banner.textContent(), /Ready/);
      assert.doesNotMatch(await banner.textContent(), /Running/);
      await app.step();
      await app.page.waitForFunction(() => !/Ready/.test(document.querySelector('[data-testid="outcome"]').textContent));
      assert.match(await banner.textContent(), /Running/);
    });
  });

  for (const coordination of ['orchestration', 'choreography']) {
    test(`${coordination}: a refund out of retries is named on Payment, not the charge it undoes`, async () => {
      await withPage(browser, { preset: 'compensation-fails', coordination, speed: 100 }, async (app) => {
        await app.play();
        await app.waitForOutcome('rollback-incomplete');
        const payment = (await app.service('payment').textContent()).replace(/\s+/g, ' ');
        assert.match(payment, /undo failed/, payment);
        assert.match(payment, /2 Refund payment/, payment);
        const row = await app.service('payment').locator('.saga-step[data-step="2"] .saga-step__name').textContent();
        assert.equal(row.trim(), '2 Refund payment');
        assert.doesNotMatch(payment, /✗ failed/, payment);
        await app.screenshot(`${coordination}-refund-failed-named`);
      });
    });
  }

  test('picking a fault gives the focus back to its node, and Space plays on', async () => {
    await withPage(browser, { preset: 'happy-path', speed: 2 }, async (app) => {
      await app.service('calendar').focus();
      await app.press('Enter');
      await app.byTestId('fault-menu').waitFor();
      await app.waitForFocusOnFault();
      await app.press('Enter');
      await app.faultChips('calendar').first().waitFor();
      await app.waitForFocusOnNode('service-calendar');
      await app.press(' ');
      await app.waitForPlaying(true);
      await app.press(' ');
      await app.waitForPlaying(false);
      assert.equal(await app.faultChips('calendar').count(), 1, 'the fault was not picked again');
      // Space on a node plays; Enter opens its menu.
      await app.press('Escape');
      await app.byTestId('fault-menu').waitFor({ state: 'detached' });
      await app.waitForFocusOnNode('service-calendar');
      await app.press(' ');
      await app.waitForPlaying(true);
      assert.equal(await app.byTestId('fault-menu').count(), 0, 'Space did not open the menu');
    });
  });

  test('a node click that filters the log says so over the diagram, and Escape clears it', async () => {
    await withPage(browser, { preset: 'card-declined', speed: 100 }, async (app) => {
      await app.play();
      await app.waitForOutcome('compensated');
      assert.equal(await app.byTestId('diagram-filter').count(), 0);
      await app.openFaultMenu('calendar');
      await app.byTestId('log-show-all').waitFor();
      const chip = app.byTestId('diagram-filter');
      assert.match(await chip.textContent(), /Log: Calendar only/);
      await app.press('Escape');
      await app.byTestId('fault-menu').waitFor({ state: 'detached' });
      assert.equal(await chip.count(), 1, 'the first Escape closes the menu only');
      await app.screenshot('diagram-filter-chip');
      await app.press('Escape');
      await chip.waitFor({ state: 'detached' });
      await app.byTestId('log-show-all').waitFor({ state: 'detached' });
    });
  });

  test('with two sagas each service node says whose status it shows', async () => {
    await withPage(browser, { preset: 'two-customers', speed: 100 }, async (app) => {
      await app.play();
      await app.waitUntilPaused();
      const badge = (name) => app.service(name).locator('.saga-node__saga-letter').textContent();
      assert.equal(await badge('payment'), 'A');
      await app.sagaButtons().nth(1).click();
      await app.page.waitForFunction(() => document.querySelector('[data-testid="service-payment"] .saga-node__saga-letter')?.textContent === 'B');
      assert.equal(await badge('calendar'), 'B');
      await app.screenshot('two-sagas-lettered-nodes');
    });
  });

  test('a database value cut short is whole in its title and when its row is pointed at', async () => {
    await withPage(browser, { preset: 'no-semantic-lock', speed: 100 }, async (app) => {
      await app.play();
      await app.waitUntilPaused();
      const cell = app.page.locator('[data-table="slots"] td[title]').first();
      const title = await cell.getAttribute('title');
      assert.equal((await cell.textContent()).trim(), title);
      const cut = () => cell.evaluate((td) => td.scrollWidth > td.clientWidth + 1);
      assert.equal(await cut(), true, 'the column cuts the slot short');
      await cell.hover();
      await app.page.waitForFunction((t) => {
        const td = document.querySelector(`[data-table="slots"] td[title="${t}"]`);
        return td && td.scrollWidth <= td.clientWidth + 1;
      }, title);
      await app.screenshot('database-value-whole');
      // From the keyboard: the tables' panel focused shows the value whole too.
      await app.page.mouse.move(0, 0);
      await app.page.waitForFunction((t) => {
        const td = document.querySelector(`[data-table="slots"] td[title="${t}"]`);
        return td && td.scrollWidth > td.clientWidth + 1;
      }, title);
      await app.page.locator('.data__body').focus();
      await app.page.waitForFunction((t) => {
        const td = document.querySelector(`[data-table="slots"] td[title="${t}"]`);
        return td && td.scrollWidth <= td.clientWidth + 1;
      }, title);
    });
  });

  test('at 1280×720 the monitor lists every invariant without scrolling, a broken one in full', async () => {
    await withPage(browser, { preset: 'no-semantic-lock', speed: 100 }, async (app) => {
      await app.play();
      await app.waitUntilPaused();
      const rows = await app.page.evaluate(() => {
        const pane = document.querySelector('.side__invariants').getBoundingClientRect();
        return [...document.querySelectorAll('[data-testid="invariants"] .invariant')].map((li) => {
          const r = li.getBoundingClientRect();
          return { n: li.dataset.invariant, inside: r.top >= pane.top - 0.5 && r.bottom <= pane.bottom + 0.5 && r.height > 0 };
        });
      });
      assert.ok(rows.length >= 10, `${rows.length} invariants`);
      assert.deepEqual(rows.filter((r) => !r.inside), [], 'every invariant is in view');
      const broken = app.byTestId('invariants').locator('.invariant--broken .invariant__state');
      assert.ok(await broken.first().isVisible(), 'what broke is shown');
      assert.match(await broken.first().innerText(), /broken at/);
      await app.screenshot('monitor-every-invariant');
    });
  });

  test('at 1280×720 the preset menu shows its whole title', async () => {
    await withPage(browser, { preset: 'orchestrator-crash', speed: 4 }, async (app) => {
      const fit = await app.page.evaluate(() => {
        const select = document.querySelector('[data-testid="preset"]');
        const style = getComputedStyle(select);
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const text = select.selectedOptions[0].textContent;
        // The room left for the title: the box less its padding and the arrow (20 px).
        const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
        return { text, need: ctx.measureText(text).width, room };
      });
      assert.equal(fit.text.trim(), 'Orchestrator crash');
      assert.ok(fit.need <= fit.room, `"${fit.text}" needs ${fit.need.toFixed(0)} px, has ${fit.room.toFixed(0)}`);
    });
  });
});
