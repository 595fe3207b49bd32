// End-to-end tests of stepping: Step (→) shows exactly one more event, even inside an instant
// where one thing happening causes several events, and the log, the timeline and the diagram
// follow it event by event; Shift+Step (Shift+→, or Shift-click) moves one instant, everything
// at the next moment of simulated time; ⇤ (←) goes back one event, Shift+← to the start of the
// instant shown.
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

/** The moment shown: events, simulated time, log lines and the diagram's markup. */
async function moment(app) {
  return {
    events: await app.eventsShown(),
    ms: await app.nowMs(),
    lines: (await app.logLines()).length,
    diagram: await app.diagramSvg.first().innerHTML(),
  };
}

for (const coordination of ['orchestration', 'choreography']) {
  describe(`stepping (${coordination})`, () => {
    test('Step shows exactly one more event, also inside an instant', async () => {
      await withPage(browser, { preset: 'restaurant-rejects', coordination }, async (app) => {
        let was = await moment(app);
        let sameInstant = 0;
        let diagramChangedInside = 0;
        for (let i = 0; i < 30; i += 1) {
          await app.press('ArrowRight');
          await app.waitForEventsShown(was.events + 1);
          const now = await moment(app);
          assert.equal(now.events, was.events + 1, `press ${i}: one event`);
          assert.ok(now.ms >= was.ms);
          assert.ok(now.lines >= was.lines, 'the log grows with the events');
          if (now.ms === was.ms && was.events > 0) {
            sameInstant += 1;
            if (now.diagram !== was.diagram) diagramChangedInside += 1;
          }
          assert.equal(await app.inPast(), false, 'stepping forward is not looking back');
          was = now;
        }
        assert.ok(sameInstant >= 5, `events of one instant shown one by one (${sameInstant})`);
        assert.ok(diagramChangedInside >= 3, `the diagram follows inside an instant (${diagramChangedInside})`);
        const total = await app.eventsInRun();
        assert.equal(total, was.events, 'nothing ahead of the moment is on the timeline');
        await app.screenshot(`step-one-event-${coordination}`);

        // Back one event at a time: the page says it is looking back, and keeps the future.
        await app.press('ArrowLeft');
        await app.waitForEventsShown(was.events - 1);
        assert.equal(await app.inPast(), true);
        assert.equal(await app.eventsInRun(), total);
        await app.stepBack();
        await app.waitForEventsShown(was.events - 2);
        await app.press('ArrowRight');
        await app.waitForEventsShown(was.events - 1);
        await app.press('ArrowRight');
        await app.waitForEventsShown(was.events);
        assert.deepEqual(await moment(app), was, 'forward again: the same moment');
      });
    });

    test('Shift+Step moves one instant, Shift+Step back to its start', async () => {
      await withPage(browser, { preset: 'restaurant-rejects', coordination }, async (app) => {
        const instants = [await moment(app)];
        for (let i = 0; i < 8; i += 1) {
          const was = instants.at(-1);
          if (i % 2 === 0) await app.press('Shift+ArrowRight');
          else await app.byTestId('step').click({ modifiers: ['Shift'] });
          await app.waitForEventsShownAbove(was.events);
          const now = await moment(app);
          assert.ok(now.ms > was.ms || i === 0, `instant ${i} is later`);
          instants.push(now);
        }
        assert.ok(instants.some((m, i) => i > 0 && m.events - instants[i - 1].events > 1),
          'an instant of several events moved at once');
        // The instant was whole: the next event is later.
        const last = instants.at(-1);
        await app.press('ArrowRight');
        await app.waitForEventsShown(last.events + 1);
        assert.ok(await app.nowMs() > last.ms, 'nothing of the instant was left');
        await app.press('ArrowLeft');
        await app.waitForEventsShown(last.events);
        // Shift+← goes to the start of the instant shown, then of the one before.
        await app.press('Shift+ArrowLeft');
        await app.waitForEventsShown(instants[7].events);
        assert.equal(await app.nowMs(), instants[7].ms);
        assert.equal(await app.inPast(), true);
        await app.byTestId('step-back').click({ modifiers: ['Shift'] });
        await app.waitForEventsShown(instants[6].events);
        // From inside an instant, it goes back to that instant's start.
        const inside = instants.findIndex((m, i) => i > 0 && m.events - instants[i - 1].events > 1);
        await app.press('End');
        await app.waitForInPast(false);
        await app.press('Home');
        await app.waitForEventsShown(instants[0].events);
        for (let n = instants[0].events; n < instants[inside - 1].events + 1; n += 1) {
          await app.press('ArrowRight');
          await app.waitForEventsShown(n + 1);
        }
        await app.press('Shift+ArrowLeft');
        await app.waitForEventsShown(instants[inside - 1].events);
      });
    });
  });
}

test('the help says which step is which', async () => {
  await withPage(browser, {}, async (app) => {
    await app.press('?');
    const help = await app.byTestId('help-overlay').innerText();
    assert.match(help, /One event back, one event forward/);
    assert.match(help, /Shift[\s\S]*One instant back, one instant forward/);
    assert.match(await app.byTestId('step').getAttribute('title'), /One event forward.*Shift.*instant/);
  });
});
