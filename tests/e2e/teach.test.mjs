// End-to-end tests of time travel and the teaching controls: scrubbing back and playing on replays
// exactly the same trace; Step back retraces every step; a fault changed at a past moment forks a
// new future; every keyboard shortcut of the help table works, and a whole class can be run from
// the keyboard; side by side shows both styles' outcomes; predict mode asks, explains and scores
// without changing the run; the glossary opens at the entry the narration names; the overlays
// give the focus back, and the new controls fit the screen (in presenter mode too).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AppPage, launchBrowser, withPage } from './page.mjs';

/** The page's top speed (100×): runs end in well under a second of real time. */
const TOP = 100;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Plays the run to its end and returns the whole log (times and text). */
async function playToEnd(app, outcome) {
  await app.play();
  await app.waitForOutcome(outcome);
  await app.waitUntilPaused();
  return app.logEntries();
}

/** What a moment looks like: events shown, the clock and the log. */
async function moment(app) {
  return { events: await app.eventsShown(), clock: await app.clock(), log: await app.logEntries() };
}

/** Waits until the moment shown has a number of events different from `n`, and returns it. */
function eventsOtherThan(app, n) {
  return app.waitForEventsShownOtherThan(n);
}

for (const coordination of ['orchestration', 'choreography']) {
  describe(`time travel (${coordination})`, () => {
    test('scrubbing back shows the exact prefix, and playing on replays the same trace', async () => {
      await withPage(browser, { preset: 'transient-payment', coordination, speed: TOP }, async (app) => {
        const full = await playToEnd(app, 'completed');
        const total = await app.eventsInRun();
        assert.equal(full.length, total, 'the log shows every event');
        assert.equal(await app.eventsShown(), total);
        assert.equal(await app.inPast(), false);
        assert.ok(full.some((l) => /Charge card fails \(transient error\)/.test(l)), 'the run retries');
        await app.waitForLogAtEnd();
        // Back to the start and to the latest moment: the whole log is drawn again, to its end.
        await app.press('Home');
        await app.waitForEventsShown(1);
        await app.press('End');
        await app.waitForEventsShown(total);
        await app.waitForLogAtEnd();

        // Click the strip at 30 %: the moment right after the event there.
        await app.clickTimeline(0.3);
        await app.waitForInPast(true);
        const shown = await app.eventsShown();
        const under = Math.floor(0.3 * total) + 1;
        assert.ok(shown >= under - 1 && shown <= under + 3, `30 % of ${total} events lands on ${shown}`);
        assert.equal(await app.eventsInRun(), total, 'the future is still on the timeline');
        assert.equal(await app.outcome(), 'running');
        assert.deepEqual(await app.logEntries(), full.slice(0, shown), 'the log is exactly the prefix');
        // The event under the pointer is selected: in the log and on the strip.
        const selected = app.selectedLogLine();
        assert.equal(await selected.count(), 1);
        const seq = Number(await selected.getAttribute('data-seq'));
        assert.ok(Math.abs(seq - Math.floor(0.3 * total)) <= 1 && seq < shown, `selected #${seq}`);
        assert.equal(await app.timelineSelection().count(), 1);
        assert.match(await app.narration(), new RegExp(`#${seq}\\b`));
        await app.byTestId('to-latest').waitFor();
        await app.screenshot(`teach-${coordination}-scrubbed-back`);

        // ← goes further back, one step at a time, always showing a prefix.
        let last = shown;
        for (let i = 0; i < 3; i += 1) {
          await app.press('ArrowLeft');
          const now = await eventsOtherThan(app, last);
          assert.ok(now < last, `← went back from ${last} to ${now}`);
          assert.deepEqual(await app.logEntries(), full.slice(0, now));
          last = now;
        }
        assert.equal(await app.inPast(), true);

        // Play on: the same future, event for event.
        const replay = await playToEnd(app, 'completed');
        assert.deepEqual(replay, full, 'replaying from the past gives the uninterrupted trace');
        assert.equal(await app.inPast(), false);
        // Playing on went back to live narration: no event held selected, the log at its end.
        assert.equal(await app.byTestId('narration-live').count(), 0, 'no "Back to live" left');
        assert.equal(await app.selectedLogLine().count(), 0);
        await app.waitForLogAtEnd();
        assert.equal(await app.byTestId('to-latest').count(), 0);
        assert.equal(await app.eventsShown(), total);
      });
    });

    test('dragging along the strip follows the pointer', async () => {
      await withPage(browser, { preset: 'transient-payment', coordination, speed: TOP }, async (app) => {
        await playToEnd(app, 'completed');
        const total = await app.eventsInRun();
        await app.pointerDownOnTimeline(0.1);
        const seen = [await app.eventsShown()];
        for (const f of [0.25, 0.4, 0.55, 0.7, 0.85]) {
          await app.movePointerOnTimeline(f);
          seen.push(await eventsOtherThan(app, seen.at(-1)));
        }
        for (let i = 1; i < seen.length; i += 1) {
          assert.ok(seen[i] > seen[i - 1], `moving right goes forward: ${seen.join(', ')}`);
        }
        assert.ok(seen[0] <= Math.ceil(0.1 * total) + 3 && seen.at(-1) < total, seen.join(', '));
        // Back to the left while still holding the button: back in time.
        await app.movePointerOnTimeline(0.3);
        const left = await eventsOtherThan(app, seen.at(-1));
        assert.ok(left < seen.at(-1), `moving left goes back: ${left}`);
        await app.screenshot(`teach-${coordination}-dragging`);
        await app.pointerUp();
        // Released: moving over the strip no longer changes the moment.
        await app.movePointerOnTimeline(0.9);
        await app.idle(200);
        assert.equal(await app.eventsShown(), left, 'no drag after the button is up');
        assert.equal(await app.inPast(), true);
        await app.press('End');
        await app.waitForInPast(false);
        assert.equal(await app.eventsShown(), total);
      });
    });

    test('Step back retraces each step exactly', async () => {
      await withPage(browser, { preset: 'slot-taken', coordination }, async (app) => {
        const moments = [await moment(app)];
        for (let i = 0; i < 5; i += 1) {
          await app.step();
          await eventsOtherThan(app, moments.at(-1).events);
          moments.push(await moment(app));
        }
        assert.ok(moments.at(-1).events >= 5, 'five steps made events');
        // Back by turns with the ⇤ button and the ← key.
        for (let i = 4; i >= 0; i -= 1) {
          if (i % 2 === 0) await app.stepBack();
          else await app.press('ArrowLeft');
          await app.waitForEventsShown(moments[i].events);
          assert.deepEqual(await moment(app), moments[i], `moment ${i}`);
          assert.equal(await app.inPast(), true);
          if (i === 2) await app.screenshot(`teach-${coordination}-step-back`);
        }
        assert.ok(await app.byTestId('step-back').isDisabled(), 'nothing before the start');
        // Step goes forward through the same moments.
        await app.step();
        await app.waitForEventsShown(moments[1].events);
        assert.deepEqual(await moment(app), moments[1]);
        await app.toLatest();
        await app.waitForInPast(false);
        assert.deepEqual(await moment(app), moments[5]);
      });
    });

    test('a fault changed at a past moment forks a new future', async () => {
      await withPage(browser, { preset: 'happy-path', coordination, speed: TOP }, async (app) => {
        const old = await playToEnd(app, 'completed');
        const total = await app.eventsInRun();
        const created = AppPage.indexOf(old, /Reservation created for Ada/);
        const charged = AppPage.indexOf(old, /Payment charges/);
        assert.ok(created >= 0 && charged > created, old.join('\n'));

        // Go to the event that created the reservation, then back until Payment has not begun.
        await app.clickTimeline((created + 0.5) / total);
        await app.waitForInPast(true);
        let log = await app.logEntries();
        while (log.some((l) => /Charge card begins|Payment charges/.test(l))) {
          const was = await app.eventsShown();
          await app.press('ArrowLeft');
          await eventsOtherThan(app, was);
          log = await app.logEntries();
        }
        assert.ok(log.some((l) => /Reservation created for Ada/.test(l)), 'the reservation exists');
        const at = await app.eventsShown();
        assert.deepEqual(log, old.slice(0, at));

        await app.injectFault('payment', 'business_failure', { text: 'Card declined' });
        const notice = await app.waitForNotice(/A new future/);
        assert.match(notice, new RegExp(`after event ${at}\\)`));
        assert.match(notice, new RegExp(`the ${total - at} events? that had come after it`));
        assert.equal(await app.inPast(), false, 'the fork is the new latest moment');
        assert.equal(await app.eventsInRun(), await app.eventsShown(), 'the old future is gone');
        await app.screenshot(`teach-${coordination}-fork`);

        const fresh = await playToEnd(app, 'compensated');
        assert.deepEqual(fresh.slice(0, at), old.slice(0, at), 'the past is kept');
        assert.notDeepEqual(fresh.slice(at), old.slice(at), 'the future is new');
        assert.ok(fresh.some((l) => /refuses Charge card: card declined/.test(l)), fresh.join('\n'));
        assert.ok(!fresh.some((l) => /Payment charges|Saga A completed/.test(l)));
        assert.ok(old.some((l) => /Saga A completed/.test(l)));
        assert.ok(await app.invariantsHold());
      });
    });
  });
}

describe('time travel: removing a fault', () => {
  for (const coordination of ['orchestration', 'choreography']) {
    test(`${coordination}: removing the declined card at a past moment forks a future that completes`, async () => {
      await withPage(browser, { preset: 'card-declined', coordination, speed: TOP }, async (app) => {
        const old = await playToEnd(app, 'compensated');
        const total = await app.eventsInRun();
        await app.clickTimeline((AppPage.indexOf(old, /Reservation created for Ada/) + 0.5) / total);
        await app.waitForInPast(true);
        const at = await app.eventsShown();
        assert.ok(!(await app.logEntries()).some((l) => /refuses Charge card/.test(l)), 'before the refusal');
        await app.removeFaults('payment');
        assert.match(await app.waitForNotice(/A new future/), new RegExp(`after event ${at}\\)`));
        const fresh = await playToEnd(app, 'completed');
        assert.deepEqual(fresh.slice(0, at), old.slice(0, at));
        assert.ok(fresh.some((l) => /Fault over \(removed\): Charge card: card declined/.test(l)), fresh.join('\n'));
        assert.ok(fresh.some((l) => /Payment charges €40\.00/.test(l)));
        assert.ok(!fresh.some((l) => /refuses Charge card|compensat/i.test(l)));
        assert.ok(await app.invariantsHold());
      });
    });
  }
});

/** Every shortcut the help overlay lists, read from the page (kbd labels, one entry per row). */
async function helpTable(app) {
  await app.press('?');
  const overlay = app.byTestId('help-overlay');
  await overlay.waitFor();
  const rows = await app.helpRows();
  await app.press('Escape');
  await overlay.waitFor({ state: 'detached' });
  return rows;
}

/**
 * Checks every shortcut with the focus put by `focus()` before each key press. `pressesButton`:
 * the focus is on a button, so Space presses that button instead of playing.
 */
async function checkEveryShortcut(app, focus, { pressesButton = false } = {}) {
  const tried = new Set();
  const press = async (key, label = key) => {
    await focus();
    await app.press(key);
    tried.add(label);
  };

  /** Steps with → until the clock has left 0 s (the first events happen at 0 s). */
  const stepPastZero = async () => {
    for (let i = 0; i < 10 && /t = 0\.00 s/.test(await app.clock()); i += 1) {
      const was = await app.eventsShown();
      await press('ArrowRight', '→');
      await eventsOtherThan(app, was);
    }
    assert.doesNotMatch(await app.clock(), /t = 0\.00 s/);
  };

  if (pressesButton) {
    // Space on the focused Reset button resets (the button's own key), it does not play.
    await stepPastZero();
    await press(' ', 'Space');
    await app.waitForClock(/t = 0\.00 s/);
    assert.equal(await app.playing(), false);
  } else {
    await press(' ', 'Space');
    await app.waitForPlaying(true);
    await app.idle(300);
    await press(' ', 'Space');
    await app.waitForPlaying(false);
  }

  // → and ←, Home and End.
  let n = await app.eventsShown();
  await press('ArrowRight', '→');
  n = await eventsOtherThan(app, n);
  await press('ArrowRight', '→');
  const ahead = await eventsOtherThan(app, n);
  assert.ok(ahead > n);
  await press('ArrowLeft', '←');
  assert.equal(await eventsOtherThan(app, ahead), n, '← undoes →');
  await app.waitForInPast(true);
  await press('Home');
  await app.waitForEventsShown(0);
  await press('End');
  await app.waitForInPast(false);
  assert.equal(await app.eventsShown(), ahead);

  // Shift+→ and Shift+←: one instant forward, back to its start.
  const instant = await app.eventsShown();
  await press('Shift+ArrowRight', 'Shift');
  const after = await eventsOtherThan(app, instant);
  assert.ok(after > instant);
  await press('Shift+ArrowLeft', 'Shift');
  assert.ok(await eventsOtherThan(app, after) <= instant, 'Shift+← undoes Shift+→');
  await press('End');
  await app.waitForInPast(false);

  // [ and ]: the speed list moves one notch.
  const speed = await app.speed();
  await press(']');
  await app.waitForSpeedAbove(speed);
  const faster = await app.speed();
  await press('[');
  await app.waitForSpeedBelow(faster);
  assert.equal(await app.speed(), speed);

  // 1 … 9: the n-th preset.
  const ids = await app.presetIds();
  assert.ok(ids.length >= 9);
  for (const digit of [3, 9, 1]) {
    await press(String(digit), digit === 1 ? '1' : digit === 9 ? '9' : '…');
    await app.waitForPreset(ids[digit - 1]);
  }
  tried.add('…');

  // R: the run starts again at 0 s.
  await stepPastZero();
  await press('r', 'R');
  await app.waitForClock(/t = 0\.00 s/);
  assert.equal(await app.eventsShown(), 0);

  // C: the other style, and back.
  const style = await app.coordination();
  const other = style === 'orchestration' ? 'choreography' : 'orchestration';
  await press('c', 'C');
  await app.waitForCoordination(other);
  await press('c', 'C');
  await app.waitForCoordination(style);

  // B: both styles side by side, and back.
  await press('b', 'B');
  await app.waitForSideBySide(true);
  await app.byTestId('twin-orchestration').waitFor();
  await press('b', 'B');
  await app.waitForSideBySide(false);
  assert.equal(await app.byTestId('side-by-side').count(), 0);

  // V: diagram → sequence → Gantt → 2PC / 3PC → diagram.
  for (const [view, svg] of [['sequence', 'sequence-view'], ['gantt', 'gantt-view'], ['commit', 'commit-view'], ['diagram', null]]) {
    await press('v', 'V');
    await app.waitForView(view);
    if (svg) assert.ok(await app.byTestId(svg).isVisible(), `${svg} shows`);
    else assert.ok(await app.diagramSvg.isVisible(), 'the diagram shows');
  }

  // Q: predict mode on and off.
  await press('q', 'Q');
  await app.waitForPredictOn(true);
  await press('q', 'Q');
  await app.waitForPredictOn(false);

  // P: presenter mode on and off; D, in presenter mode, opens its drawer and closes it.
  await press('p', 'P');
  await app.waitForPresenter(true);
  await press('d', 'D');
  await app.page.waitForSelector('main.app--drawer');
  await press('d', 'D');
  await app.page.waitForSelector('main.app:not(.app--drawer)');
  await press('p', 'P');
  await app.waitForPresenter(false);

  // T: the other theme, and back.
  const theme = await app.themeInEffect();
  await press('t', 'T');
  await app.waitForThemeOtherThan(theme);
  assert.notEqual(await app.themeInEffect(), theme);
  await press('t', 'T');
  await app.waitForTheme(theme);

  // ? and Esc: the help; G and Esc: the glossary.
  await press('?');
  await app.byTestId('help-overlay').waitFor();
  await press('Escape', 'Esc');
  await app.byTestId('help-overlay').waitFor({ state: 'detached' });
  await press('g', 'G');
  await app.glossary.waitFor();
  await press('Escape', 'Esc');
  await app.glossary.waitFor({ state: 'detached' });

  // F: full screen, or the notice says why not; F again leaves it.
  await press('f', 'F');
  await app.waitForFullScreenOrNotice();
  if (await app.fullScreen()) {
    await press('f', 'F');
    await app.waitForFullScreenLeft();
  }

  // S: the focus jumps to the diagram's services (from any view).
  await app.setView('sequence');
  await press('s', 'S');
  await app.waitForFocusOnNode();
  assert.equal(await app.view(), 'diagram', 'S shows the diagram');
  await app.blur();

  // Tab and Enter: a service's fault menu; Esc closes it.
  await app.service('payment').focus();
  await app.press('Enter');
  await app.byTestId('fault-menu').waitFor();
  await app.press('Escape');
  await app.byTestId('fault-menu').waitFor({ state: 'detached' });
  // Escape gives the focus back to the node (on the next frame): wait for it before moving on.
  await app.waitForFocusOnNode('service-payment');
  tried.add('Tab').add('Enter');

  // In a text field the keys are typed, not shortcuts.
  const preset = await app.preset();
  await app.byTestId('seed').focus();
  await app.press('End');
  await app.press('2');
  await app.press('r');
  assert.equal(await app.byTestId('seed').inputValue(), '12r');
  assert.equal(await app.preset(), preset);
  await app.byTestId('seed').fill('1');

  // L: the guided lessons (Esc closes the list); in a lesson, PageDown or . the next stop,
  // PageUp or , the previous one.
  await press('l', 'L');
  await app.byTestId('lesson-list').waitFor();
  await press('Escape', 'Esc');
  await app.byTestId('lesson-list').waitFor({ state: 'detached' });
  await press('l', 'L');
  await app.byTestId('lesson-open-happy-path').click();
  await app.byTestId('lesson').waitFor();
  const at = (n) => app.page.waitForFunction((n) => document.querySelector('[data-testid="lesson-stop"]')?.textContent.trim().startsWith(`Stop ${n} of`), n);
  // (A lesson begun before opens where it was left: count from there.)
  const from = Number((await app.byTestId('lesson-stop').innerText()).match(/Stop (\d+)/)[1]);
  for (const [key, stop] of [['PageDown', from + 1], ['PageUp', from], ['.', from + 1], [',', from]]) {
    await press(key);
    await at(stop);
  }
  await app.byTestId('lesson-close').click();
  await app.byTestId('lesson').waitFor({ state: 'detached' });
  return tried;
}

describe('the keyboard', () => {
  test('every shortcut of the help table works with the focus on the page and on a bar button', async () => {
    await withPage(browser, { speed: 2 }, async (app) => {
      const table = await helpTable(app);
      assert.ok(table.length >= 10, 'the help lists the shortcuts');
      const blur = () => app.blur();
      const onPage = await checkEveryShortcut(app, blur);
      await app.screenshot('teach-keyboard-page');

      await app.reset();
      const onButton = () => app.byTestId('reset').focus();
      const fromButton = await checkEveryShortcut(app, onButton, { pressesButton: true });

      for (const keys of table) {
        for (const key of keys) {
          assert.ok(onPage.has(key), `shortcut ${key} tested with the focus on the page`);
          assert.ok(fromButton.has(key), `shortcut ${key} tested with the focus on a button`);
        }
      }
    });
  });

  test('a whole class runs from the keyboard, without a click', async () => {
    await withPage(browser, { speed: TOP }, async (app) => {
      const ids = await app.presetIds();
      await app.press('2');
      await app.waitForPreset(ids[1]);
      assert.equal(ids[1], 'card-declined');
      const atStart = await app.eventsShown();
      // Play, pause, look back, return, play to the end.
      await app.press(' ');
      await app.waitForPlaying(true);
      await app.waitForEventsShownAbove(8);
      await app.press(' ');
      await app.waitForPlaying(false);
      await app.press('ArrowLeft');
      await app.waitForInPast(true);
      await app.press('End');
      await app.waitForInPast(false);
      await app.press(' ');
      await app.waitForOutcome('compensated');
      await app.waitUntilPaused();
      const single = await app.logEntries();
      // Both styles, played from the start.
      await app.press('b');
      await app.waitForSideBySide(true);
      await app.press(' ');
      await app.waitForCompareFigure('outcome', 'choreography', 'compensated', 20_000);
      await app.waitUntilPaused();
      assert.deepEqual(await app.compareFigure('outcome'), { orchestration: 'compensated', choreography: 'compensated' });
      await app.screenshot('teach-keyboard-class');
      await app.press('b');
      await app.waitForSideBySide(false);
      // The sequence view, predict mode on and off, a reset, and a replay of the same trace.
      await app.press('v');
      await app.viewSvg('sequence').waitFor();
      await app.press('q');
      await app.waitForPredictOn(true);
      await app.press('q');
      await app.press('r');
      await app.waitForEventsShown(atStart);
      assert.match(await app.clock(), /t = 0\.00 s/);
      await app.press(' ');
      await app.waitForOutcome('compensated');
      await app.waitUntilPaused();
      assert.deepEqual(await app.logEntries(), single, 'the same run again');
      assert.equal(await app.focusOnBody(), true, 'nothing was clicked');
    });
  });
});

describe('the bar while the run plays', () => {
  test('its controls stay the same elements: an open menu, the focus and a half-typed seed stay put', async () => {
    await withPage(browser, { preset: 'transient-payment', speed: 2 }, async (app) => {
      const controls = ['play', 'pause', 'step', 'step-back', 'seed', 'safeguards', 'coordination'];
      for (const id of controls) await app.mark(id);
      // The Safeguards menu stays open while the bar changes (a step by key turns Back on).
      const menu = app.byTestId('safeguards');
      await menu.locator('summary').click();
      await app.press('ArrowRight');
      await app.waitForEnabled('step-back');
      assert.notEqual(await menu.getAttribute('open'), null, 'the menu stays open');
      // Text typed into the seed stays, with the focus, while the run plays to its end and the
      // bar changes again (Play on, Pause and Step off).
      await app.play();
      await app.byTestId('seed').focus();
      await app.press('End');
      await app.press('9');
      await app.waitUntilPaused(30_000);
      assert.equal(await app.byTestId('pause').isDisabled(), true, 'the bar changed');
      assert.equal(await app.focusedName(), 'seed', 'the focus stays in the seed');
      assert.equal(await app.byTestId('seed').inputValue(), '19', 'the typed text stays');
      for (const id of controls) assert.ok(await app.stillMarked(id), `${id} was not drawn again`);
    });
  });
});

describe('the panels while the run plays', () => {
  test('are redrawn in place: a focused node keeps the focus, and nodes and tabs stay the same elements', async () => {
    await withPage(browser, { preset: 'transient-payment', speed: 2 }, async (app) => {
      const kept = ['service-payment', 'service-reservation', 'tab-tables', 'tab-dead-letters'];
      for (const id of kept) await app.mark(id);
      const status = () => app.byTestId('service-payment').getAttribute('data-status');
      const before = await status();
      await app.play();
      await app.byTestId('service-payment').focus();
      await app.waitUntilPaused(30_000);
      assert.notEqual(await status(), before, 'the node was redrawn with its new status');
      assert.equal(await app.focusedName(), 'service-payment', 'the focus stays on the node');
      for (const id of kept) assert.ok(await app.stillMarked(id), `${id} is the same element`);
    });
  });
});

describe('the views', () => {
  test('the sequence view follows the run as it plays, with its lane heads kept in sight', async () => {
    await withPage(browser, { preset: 'poison-redrive', coordination: 'choreography', speed: TOP }, async (app) => {
      await app.setView('sequence');
      /** Where the newest row and the Customer lane's head are, against the pane's visible box. */
      const where = () => app.sequencePosition();
      await playToEnd(app, 'completed');
      await app.waitForPaneAtEnd();
      let seen = await where();
      assert.ok(seen.overflows, 'the run is longer than the pane');
      assert.ok(seen.newestInView, 'the newest row is in view');
      assert.ok(seen.headInView, 'the lane heads stay at the top');
      assert.ok(await app.sequenceHeads().isVisible());

      // Scrolled back by the reader, the view stays put while stepping; playing follows again.
      await app.press('Home');
      await app.waitForEventsShown(1);
      // Enough instants for the rows to overflow the pane; the view follows them.
      for (let i = 0; i < 18; i += 1) await app.stepInstant();
      await app.waitForPaneAtEnd({ scrolled: true });
      await app.wheelPane(-5000);
      await app.waitForPaneAtTop();
      for (let i = 0; i < 3; i += 1) await app.step();
      seen = await where();
      assert.equal(seen.scrollTop, 0, 'stepping leaves the reader where they scrolled');
      assert.ok(seen.headInView);
      await playToEnd(app, 'completed');
      await app.waitForPaneAtEnd({ scrolled: true });
      seen = await where();
      assert.ok(seen.newestInView && seen.headInView, 'playing follows the run again');
    });
  });

  test('the sequence and Gantt views select events both ways with the log and the strip', async () => {
    await withPage(browser, { preset: 'slot-taken', coordination: 'choreography', speed: TOP }, async (app) => {
      const log = await playToEnd(app, 'compensated');
      const selectedInLog = () => app.selectedLogLine().getAttribute('data-seq');
      for (const view of ['sequence', 'gantt']) {
        await app.setView(view);
        const svg = app.viewSvg(view);
        assert.ok(await svg.isVisible());
        assert.ok(await app.diagramSvg.isHidden(), 'the diagram makes room');
        const targets = app.viewTargets(view);
        assert.ok((await targets.count()) >= 3, `${view} draws the run`);
        // Click one in the view: the log and the strip select it.
        const target = targets.nth(2);
        const seq = await app.viewTargetSeq(target);
        await target.click();
        await app.waitForSelectedInLog(seq);
        assert.equal(await app.viewMarked(view).first().getAttribute('data-seq'), seq);
        assert.equal(await app.timelineSelection().count(), 1);
        // Select the log line of another row of the view: the view marks that row.
        const drawn = await AppPage.seqs(app.viewEvents(view));
        const other = drawn.at(-2);
        assert.notEqual(other, seq);
        await app.logLine(other).click();
        assert.equal(await selectedInLog(), other);
        const marked = await AppPage.seqs(app.viewMarked(view));
        assert.ok(marked.length >= 1 && marked.every((m) => m === other), `marked ${marked}, selected ${other}`);
        await app.screenshot(`teach-view-${view}`);
        // The view follows the timeline: back in time, fewer rows.
        const before = await app.viewEvents(view).count();
        await app.clickTimeline(0.25);
        await app.waitForInPast(true);
        assert.ok((await app.viewEvents(view).count()) < before, `${view} shows the past`);
        await app.press('End');
        await app.waitForInPast(false);
      }
    });
  });
});

describe('side by side', () => {
  test('an orchestration-only preset leaves side by side, and cannot enter it, saying why', async () => {
    await withPage(browser, { preset: 'card-declined' }, async (app) => {
      await app.press('b');
      await app.waitForSideBySide(true);
      await app.choosePreset('orchestrator-crash');
      await app.waitForSideBySide(false);
      assert.equal(await app.coordination(), 'orchestration');
      assert.match(await app.byTestId('notice').innerText(), /needs an orchestrator/);
      await app.press('b');
      await app.waitForNotice(/cannot run side by side/);
      assert.equal(await app.sideBySide(), false);
      assert.equal(await app.byTestId('twin-choreography').count(), 0);
    });
  });

  // Presets whose two styles send different numbers of messages (on the happy path and a declined
  // card the fan-out makes them equal).
  for (const [preset, outcome] of [['slot-taken', 'compensated'], ['transient-payment', 'completed']]) {
    test(`${preset}: both styles run together and the table compares their outcomes`, async () => {
      await withPage(browser, { preset, speed: TOP }, async (app) => {
        await app.coordinationOption('side-by-side').click();
        await app.waitForSideBySide(true);
        await app.byTestId('twin-orchestration').waitFor();
        await app.byTestId('twin-choreography').waitFor();
        assert.equal(await app.view(), 'side-by-side');
        assert.ok(await app.byTestId('view-diagram').isDisabled(), 'the view switch rests meanwhile');
        await app.play();
        await app.waitForBothOutcomes(outcome, 20_000);
        await app.waitUntilPaused();
        await app.waitForOutcome(outcome);
        assert.deepEqual(await app.compareFigure('outcome'), { orchestration: outcome, choreography: outcome });
        const messages = await app.compareFigure('messages');
        for (const style of ['orchestration', 'choreography']) {
          assert.match(messages[style], /^\d+$/, `${style} messages`);
          assert.ok(Number(messages[style]) > 0, `${style} sent messages`);
        }
        assert.notEqual(messages.orchestration, messages.choreography, 'the styles differ in messages');
        const compensations = await app.compareFigure('compensations');
        const undone = outcome === 'compensated';
        for (const style of ['orchestration', 'choreography']) {
          assert.equal(Number(compensations[style]) > 0, undone, `${style} compensations`);
        }
        // At 1280 × 720 (a common projector) every figure of both runs shows without scrolling.
        const hidden = await app.compareCellsOutOfView();
        assert.deepEqual(hidden, [], 'cells outside the visible pane');
        await app.screenshot(`teach-side-by-side-${preset}`);

        await app.setCoordination('choreography');
        await app.waitForSideBySide(false);
        assert.equal(await app.byTestId('twin-orchestration').count(), 0);
        assert.equal(await app.byTestId('twin-choreography').count(), 0);
        assert.equal(await app.byTestId('compare').count(), 0);
        assert.ok(await app.diagramSvg.isVisible());
      });
    });
  }

  test('side by side: scrubbing back replays both runs, and a fault at a past moment forks both', async () => {
    await withPage(browser, { preset: 'transient-payment', speed: TOP }, async (app) => {
      await app.press('b');
      await app.waitForSideBySide(true);
      const full = await playToEnd(app, 'completed');
      const table = await app.compareTable();
      assert.deepEqual(table.outcome, { orchestration: 'completed', choreography: 'completed' });
      assert.ok(Number(table.retries.orchestration) > 0 && Number(table.retries.choreography) > 0, 'both retry');

      await app.clickTimeline(0.3);
      await app.waitForInPast(true);
      assert.deepEqual(await app.compareFigure('outcome'), { orchestration: 'running', choreography: 'running' }, 'both runs went back');
      await playToEnd(app, 'completed');
      assert.deepEqual(await app.compareTable(), table, 'both runs replay the same future');

      // Back to when the reservation exists, and decline the card in the left twin's menu.
      const total = await app.eventsInRun();
      await app.clickTimeline((AppPage.indexOf(full, /Reservation created for Ada/) + 0.5) / total);
      await app.waitForInPast(true);
      assert.ok(!(await app.logEntries()).some((l) => /Payment charges/.test(l)));
      await app.twinService('orchestration', 'payment').click();
      await app.faultButtons('business_failure').first().click();
      await app.waitForNotice(/A new future/);
      await app.closeFaultMenu();
      await playToEnd(app, 'compensated');
      const forked = await app.compareTable();
      assert.deepEqual(forked.outcome, { orchestration: 'compensated', choreography: 'compensated' }, 'the fault reached both');
      assert.equal(forked.compensations.orchestration, forked.compensations.choreography);
      assert.ok(Number(forked.compensations.orchestration) > 0);
      await app.screenshot('teach-side-by-side-fork');
    });
  });
});

describe('predict mode', () => {
  for (const coordination of ['orchestration', 'choreography']) {
    test(`${coordination}: questions pause the run, answers are explained and scored, the trace is unchanged`, async () => {
      await withPage(browser, { preset: 'card-declined', coordination, speed: TOP }, async (app) => {
        await app.press('q');
        await app.waitForPredictOn(true);
        assert.match(await app.predictScore.innerText(), /No predictions yet/);
        await app.press(' ');
        let answered = 0;
        let right = 0;
        for (;;) {
          await app.waitForQuestionOrEnd();
          if (await app.predictEnded()) break;
          const panel = app.predictPanel;
          assert.equal(await app.playing(), false, 'the run waits for the answer');
          const shownAt = await app.eventsShown();
          const choices = await app.predictChoices().count();
          assert.ok(choices >= 2, 'a question has choices');
          if (answered === 0) {
            // Space before an answer does not skip the question.
            await app.press(' ');
            await app.idle(150);
            assert.equal(await panel.count(), 1);
            assert.equal(await app.predictVerdict(), null);
            await app.screenshot(`teach-predict-${coordination}-question`);
            await app.blur();
          }
          const pick = answered % choices;
          await app.press(String(pick + 1));
          await app.waitForVerdict();
          const verdict = await app.predictVerdict();
          const mark = await app.byTestId(`predict-choice-${pick}`).getAttribute('data-mark');
          assert.equal(verdict, mark, 'the verdict is the mark of the choice picked');
          if (verdict === 'right') right += 1;
          assert.ok((await app.predictExplanation().innerText()).length > 20, 'an explanation');
          assert.equal(await app.eventsShown(), shownAt, 'nothing happens while answering');
          answered += 1;
          if (answered === 1) await app.screenshot(`teach-predict-${coordination}-verdict`);
          // Space closes the question: the next one (about another event, or unanswered) or the score.
          const seq = await app.predictSeq();
          await app.press(' ');
          await app.waitForQuestionClosed(seq);
          assert.ok(answered < 30, 'the questions end');
        }
        assert.ok(answered >= 2, `several questions were asked (${answered})`);
        assert.equal(await app.outcome(), 'compensated');
        assert.match(await app.predictScore.innerText(), new RegExp(`Your score: ${right} of ${answered}\\b`));
        await app.screenshot(`teach-predict-${coordination}-score`);
        const predicted = await app.logEntries();

        // Without predict mode the same run gives the same trace.
        await app.press('q');
        await app.waitForPredictOn(false);
        await app.reset();
        const plain = await playToEnd(app, 'compensated');
        assert.deepEqual(predicted, plain, 'predict mode does not change the run');
      });
    });
  }

  // Once an answer is picked the panel holds the prompt, the choices, the verdict, the
  // explanation, the idea and Continue: all of it must be in sight at 1280×720 at once.
  test('the question stays readable next to its verdict at 1280×720', async () => {
    const problems = [];
    for (const coordination of ['orchestration', 'choreography']) {
      await withPage(browser, { preset: 'card-declined', coordination, speed: TOP }, async (app) => {
        await app.press('q');
        await app.press(' ');
        for (let asked = 0; ; asked += 1) {
          await app.waitForQuestionOrEnd();
          if (!(await app.predictPanel.count())) break;
          await app.blur();
          await app.press('1');
          await app.waitForVerdict();
          // In the window, and not scrolled out of the panel's own box.
          const cut = await app.predictPartsOutOfSight();
          if (cut.length) {
            problems.push(`${coordination}, question ${asked + 1}: ${cut.join(', ')} out of sight`);
            if (problems.length === 1) await app.screenshot('teach-predict-cut-off');
          }
          await app.press(' ');
          await app.waitForNoVerdict();
        }
      });
    }
    assert.deepEqual(problems, []);
  });
});

describe('the glossary', () => {
  test('"read more" opens the glossary at the narrated idea, with sources, and closes again', async () => {
    await withPage(browser, { preset: 'card-declined', speed: TOP }, async (app) => {
      await playToEnd(app, 'compensated');
      const more = app.narrationGlossaryButton();
      await more.waitFor();
      const term = await more.getAttribute('data-term');
      const clock = await app.clock();
      await more.click();
      const glossary = app.glossary;
      await glossary.waitFor();
      assert.equal(await app.glossarySelected(), term);
      assert.equal(await app.glossarySelectedEntries().count(), 1);
      assert.ok(await app.glossaryEntry(term).isVisible(), 'the entry is in view');
      await app.waitForFocusOn('close-glossary');
      const entries = await app.glossaryEntries();
      assert.ok(entries.length >= 15, `${entries.length} entries`);
      for (const e of entries) {
        assert.ok(e.links.length + e.cites > 0, `${e.term} names a source`);
        for (const href of e.links) assert.match(href, /^https:\/\//, `${e.term}: ${href}`);
      }
      await app.screenshot('teach-glossary');

      await app.byTestId('close-glossary').click();
      await glossary.waitFor({ state: 'detached' });
      assert.equal(await app.clock(), clock, 'the run is where it was');
      assert.equal(await app.outcome(), 'compensated');
      // G opens it with nothing marked; Escape closes it.
      await app.blur();
      await app.press('g');
      await glossary.waitFor();
      assert.equal(await app.glossarySelected(), null);
      await app.press('Escape');
      await glossary.waitFor({ state: 'detached' });
    });
  });

  test('the help overlay lists the shortcuts and starts presenter mode', async () => {
    await withPage(browser, {}, async (app) => {
      await app.openHelp();
      await app.waitForFocusOn('close-help');
      const presenter = app.byTestId('presenter');
      assert.equal(await presenter.getAttribute('aria-pressed'), 'false');
      await presenter.click();
      await app.waitForPresenter(true);
      assert.equal(await app.byTestId('presenter').getAttribute('aria-pressed'), 'true');
      await app.screenshot('teach-help-presenter');
      await app.byTestId('close-help').click();
      await app.byTestId('help-overlay').waitFor({ state: 'detached' });
      assert.equal(await app.presenter(), true, 'presenter mode stays on');
    });
  });
});

describe('overlays and layout', () => {
  // Closing the glossary or the help (✕ or Escape) gives the focus back to the button that opened
  // the dialog, as the fault menu does for its node: a keyboard user need not Tab through the
  // whole page again.
  test('closing the glossary or the help gives the focus back to the button that opened it', async () => {
    await withPage(browser, { preset: 'card-declined', speed: TOP }, async (app) => {
      await playToEnd(app, 'compensated');
      const focused = () => app.focusedName();
      const more = app.narrationGlossaryButton();
      for (const close of ['click', 'Escape']) {
        await more.focus();
        await app.press('Enter');
        await app.glossary.waitFor();
        await app.waitForFocusOn('close-glossary');
        if (close === 'click') await app.byTestId('close-glossary').click();
        else await app.press('Escape');
        await app.glossary.waitFor({ state: 'detached' });
        await app.idle(100);
        assert.equal(await focused(), 'glossary', `after closing the glossary (${close}) the focus is on "read more"`);

        await app.byTestId('help').focus();
        await app.press('Enter');
        await app.byTestId('help-overlay').waitFor();
        await app.waitForFocusOn('close-help');
        if (close === 'click') await app.byTestId('close-help').click();
        else await app.press('Escape');
        await app.byTestId('help-overlay').waitFor({ state: 'detached' });
        await app.idle(100);
        assert.equal(await focused(), 'help', `after closing the help (${close}) the focus is on "?"`);
      }
    });
  });

  // The help is a dialog with aria-modal="true": Tab must not move the focus out of it to the
  // controls behind it.
  test('Tab stays inside the help dialog', async () => {
    await withPage(browser, {}, async (app) => {
      await app.openHelp();
      for (let i = 0; i < 4; i += 1) {
        await app.press('Tab');
        const inside = await app.focusInside('help-overlay');
        assert.ok(inside, `Tab ${i + 1} keeps the focus in the help`);
      }
    });
  });

  // At 1280×720 every control of the bar (the Share menu, the theme switch, the ? help button)
  // must be on screen, without the page scrolling sideways (saga.test.mjs's "fits 1280×720" test
  // checks the page as a whole).
  test('every control of the bar is on screen at 1280×720, with one style or both', async () => {
    const problems = [];
    await withPage(browser, { preset: 'card-declined' }, async (app) => {
      for (const both of [false, true]) {
        if (both) {
          await app.coordinationOption('side-by-side').click();
          await app.waitForSideBySide(true);
        }
        const off = await app.barControlsOffScreen();
        for (const name of off) problems.push(`${both ? 'both styles' : 'one style'}: ${name}`);
        if (off.length) await app.screenshot(`teach-bar-overflow-${both ? 'both' : 'one'}`);
      }
    });
    assert.deepEqual(problems, [], 'a control of the bar is off screen');
  });

  // main.app's grid once had rows `auto auto minmax(0, 1fr)` for five children (bar, notice,
  // share, overlay, stage): the empty share box took the free height and pushed the stage down,
  // leaving a blank band under the bar at 1920×1080. The stage must start right under the bar.
  test('presenter mode at 1920×1080: larger type, and the stage fills the screen under the bar', async () => {
    await withPage(browser, { viewport: { width: 1920, height: 1080 } }, async (app) => {
      const layout = () => app.layout();
      const normal = await layout();
      await app.press('p');
      await app.waitForPresenter(true);
      const big = await layout();
      await app.screenshot('teach-presenter-1920');
      assert.ok(big.narration > normal.narration, `larger type: ${normal.narration} → ${big.narration} px`);
      for (const [mode, l] of [['normal', normal], ['presenter', big]]) {
        assert.ok(l.width <= 1920 && l.height <= 1080, `${mode}: the page is ${l.width}×${l.height}`);
        assert.ok(l.stage - l.bar < 24, `${mode}: the stage starts ${Math.round(l.stage - l.bar)} px under the bar`);
        assert.ok(l.stageBottom > 1080 - 24, `${mode}: the stage reaches the bottom (${Math.round(l.stageBottom)})`);
      }
    });
  });

  // At 1280×720 with predict mode on, the wider "? Predict on" button must not push the view
  // switch over the diagram toolbar's Chaos button.
  test('the diagram toolbar fits at 1280×720 with predict mode on or off', async () => {
    const problems = [];
    for (const preset of ['happy-path', 'two-customers']) {
      for (const coordination of ['orchestration', 'choreography']) {
        await withPage(browser, { preset, coordination }, async (app) => {
          for (const predict of [false, true]) {
            if (predict) {
              await app.press('q');
              await app.waitForPredictOn(true);
            }
            const overlaps = await app.toolbarOverlaps();
            if (overlaps.length) await app.screenshot(`teach-toolbar-overlap-${preset}-${coordination}`);
            for (const o of overlaps) problems.push(`${preset}, ${coordination}, predict ${predict ? 'on' : 'off'}: ${o}`);
          }
        });
      }
    }
    assert.deepEqual(problems, [], 'a control of the toolbar is covered');
  });
});
