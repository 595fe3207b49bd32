// End-to-end tests of presenter mode's drawing of the diagram at 1280×720, a projector's size:
// every text of every node (titles, statuses, steps, the orchestrator's log, topics, queues,
// dead letters, the customers) is drawn at 18 px at least, lies inside its node's box and
// overlaps no other text of it; leaving presenter mode gives the normal drawing back; and a
// service's fault menu fits the diagram, every fault button in view and inside the diagram's
// box.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, withPage } from './page.mjs';
import { AUDIENCE } from './fonts.mjs';

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
  await app.page.waitForSelector('svg.diagram__svg.diagram--presenter');
  await app.page.waitForTimeout(300);
}

/**
 * Every text of the diagram's nodes: where it is drawn, how large, and whether it leaves its
 * node's box or overlaps another text of its node (half a pixel of slack: anti-aliasing).
 */
function nodeTexts() {
  const svg = document.querySelector('svg.diagram__svg');
  const out = { texts: 0, smallest: Infinity, small: [], outside: [], overlaps: [] };
  const inside = (r, box) => r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
  const meet = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  for (const node of svg.querySelectorAll('[data-node]')) {
    const box = node.querySelector(':scope > .saga-node__box').getBoundingClientRect();
    const id = node.getAttribute('data-testid');
    const drawn = [];
    for (const text of node.querySelectorAll('text')) {
      if (!text.textContent.trim()) continue;
      // The glyphs' box: a text's own box is its line's (ascent to descent) as wide as it reads.
      const r = text.getBoundingClientRect();
      if (r.width < 0.5) continue;
      const m = text.getScreenCTM();
      const size = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.c, m.d);
      const what = `${id}: ${text.textContent.trim().slice(0, 40)}`;
      out.texts += 1;
      out.smallest = Math.min(out.smallest, Math.round(size * 10) / 10);
      if (size < 18) out.small.push(`${what} (${size.toFixed(1)} px)`);
      if (!inside(r, box)) out.outside.push(`${what} [${[r.left, r.top, r.right, r.bottom].map(Math.round)}] not in [${[box.left, box.top, box.right, box.bottom].map(Math.round)}]`);
      // A line box is taller than its glyphs: compare the middle two thirds.
      const h = r.height / 6;
      drawn.push({ what, r: { left: r.left, right: r.right, top: r.top + h, bottom: r.bottom - h } });
    }
    for (let i = 0; i < drawn.length; i++) {
      for (const other of drawn.slice(i + 1)) {
        if (meet(drawn[i].r, other.r)) out.overlaps.push(`${drawn[i].what} × ${other.what}`);
      }
    }
  }
  return out;
}

describe('presenter mode draws the diagram for the back row', () => {
  const runs = [
    ['card-declined', 'orchestration'],
    ['card-declined', 'choreography'],
    ['transient-payment', 'choreography'],
    ['no-semantic-lock', 'orchestration'],
    ['no-semantic-lock', 'choreography'],
    ['compensation-fails', 'orchestration'],
    ['compensation-fails', 'choreography'],
    ['two-customers', 'choreography'],
    ['poison-redrive', 'choreography'],
    ['database-down', 'orchestration'],
    ['database-down', 'choreography'],
    ['chaos', 'orchestration'],
    ['chaos', 'choreography'],
    ['big-and-small', 'orchestration'],
  ];
  for (const [preset, coordination] of runs) {
    test(`1280×720, ${preset} in ${coordination}: every node's text ${AUDIENCE} px or more, inside its box, none overlapping`, async () => {
      await withPage(browser, { preset, coordination, speed: 100 }, async (app) => {
        await presenter(app);
        // Half way (things in flight, services busy) and at the end.
        await app.step();
        await app.step();
        await app.step();
        const early = await app.page.evaluate(nodeTexts);
        await app.play();
        await app.waitUntilPaused();
        await app.page.waitForTimeout(200);
        const late = await app.page.evaluate(nodeTexts);
        console.log(`figures: presenter diagram 1280×720, ${preset} (${coordination}): ${late.texts} texts, smallest ${late.smallest} px`);
        await app.screenshot(`presenter-diagram-${preset}-${coordination}`);
        for (const m of [early, late]) {
          assert.ok(m.texts >= 12, `${m.texts} texts`);
          assert.deepEqual(m.small, [], `text under ${AUDIENCE} px`);
          assert.deepEqual(m.outside, [], 'text leaving its node');
          assert.deepEqual(m.overlaps, [], 'texts overlapping');
        }
      });
    });
  }

  test('1280×720: a dead letter, a queue at work and fault chips fit their presenter nodes', async () => {
    await withPage(browser, { preset: 'poison-redrive', coordination: 'choreography', speed: 4 }, async (app) => {
      await presenter(app);
      await app.injectFault('payment', 'latency');
      await app.injectFault('payment', 'transient_error');
      await app.play();
      await app.page.waitForFunction(() => document.querySelector('[data-testid="dead-letter-queue"]')?.getAttribute('data-count') !== '0', null, { timeout: 30_000 });
      await app.pause();
      await app.page.waitForTimeout(200);
      const m = await app.page.evaluate(nodeTexts);
      await app.screenshot('presenter-diagram-dead-letter');
      assert.ok(await app.page.locator('[data-testid="service-payment"] [data-chip]').count() >= 1, 'a fault chip on Payment');
      assert.match(await app.byTestId('dead-letter-queue').textContent(), /←|×/);
      assert.deepEqual(m.small, [], `text under ${AUDIENCE} px`);
      assert.deepEqual(m.outside, [], 'text leaving its node');
      assert.deepEqual(m.overlaps, [], 'texts overlapping');
    });
  });

  test('leaving presenter mode gives the normal drawing back, and its tokens follow the larger nodes', async () => {
    await withPage(browser, { preset: 'card-declined', speed: 1 }, async (app) => {
      const viewBox = () => app.page.locator('svg.diagram__svg').getAttribute('viewBox');
      assert.equal(await viewBox(), '0 0 1000.0 440.0');
      assert.equal(await app.page.locator('.diagram__svg .legend').count(), 1);
      await presenter(app);
      assert.equal(await viewBox(), '0 0 820.0 500.0');
      assert.equal(await app.page.locator('.diagram__svg .legend').count(), 0);
      // A command on its way to Reservation travels between the orchestrator and the service.
      await app.play();
      await app.page.waitForSelector('.tokens .token--command');
      await app.pause();
      const [token, orch, svc] = await app.page.evaluate(() => {
        const box = (el) => { const r = el.getBoundingClientRect(); return { x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2, left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
        return [box(document.querySelector('.tokens .token--command .token__shape')), box(document.querySelector('[data-testid="orchestrator"] > .saga-node__box')), box(document.querySelector('[data-testid="service-reservation"] > .saga-node__box'))];
      });
      const between = (v, a, b) => v >= Math.min(a, b) - 30 && v <= Math.max(a, b) + 30;
      assert.ok(between(token.x, orch.left, orch.right) || between(token.x, svc.left, svc.right), `token ${JSON.stringify(token)}`);
      assert.ok(between(token.y, orch.top, svc.bottom), `token ${JSON.stringify(token)} between the orchestrator and Reservation`);
      await app.press('p');
      await app.page.waitForSelector('main:not(.app--presenter)');
      assert.equal(await viewBox(), '0 0 1000.0 440.0');
      assert.equal(await app.page.locator('svg.diagram__svg.diagram--presenter').count(), 0);
    });
  });

  for (const coordination of ['orchestration', 'choreography']) {
    test(`1280×720, ${coordination}: every service's fault menu fits the diagram, each fault button in view`, async () => {
      await withPage(browser, { preset: 'happy-path', coordination, speed: 1 }, async (app) => {
        await presenter(app);
        for (const service of ['reservation', 'payment', 'calendar', 'notification']) {
          await app.openFaultMenu(`service-${service}`);
          const menu = app.byTestId('fault-menu');
          await menu.waitFor();
          const found = await app.page.evaluate(() => {
            const canvas = document.querySelector('.diagram__canvas').getBoundingClientRect();
            const menu = document.querySelector('[data-testid="fault-menu"]');
            const out = { count: 0, outside: [] };
            for (const b of menu.querySelectorAll('button')) {
              const r = b.getBoundingClientRect();
              out.count += 1;
              const inView = r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight;
              const inCanvas = r.left >= canvas.left - 0.5 && r.top >= canvas.top - 0.5 && r.right <= canvas.right + 0.5 && r.bottom <= canvas.bottom + 0.5;
              if (!inView || !inCanvas) out.outside.push(`${b.textContent.trim()} [${[r.left, r.top, r.right, r.bottom].map(Math.round)}]`);
            }
            return out;
          });
          if (service === 'payment') await app.screenshot(`presenter-fault-menu-${coordination}`);
          assert.ok(found.count >= 4, `${service}: ${found.count} buttons`);
          assert.deepEqual(found.outside, [], `${service}: fault buttons outside the view or the diagram`);
          await app.closeFaultMenu();
        }
      });
    });
  }
});
