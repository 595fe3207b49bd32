// End-to-end tests of the guided lessons, run from the keyboard as a teacher at a projector
// would: L opens the list (fetched on demand), a lesson opens its runs, PageDown and PageUp (or
// . and ,) move between stops, a pause stop plays to its event and holds there, a question is
// answered, a challenge is met by the engine's run, the student's progress survives a reload, a
// link opens a lesson, and a file that is not a valid lesson is refused in words, changing
// nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, withPage } from './page.mjs';
import { AUDIENCE, measure } from './fonts.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const stopText = (app) => app.byTestId('lesson-stop').innerText();

async function waitForStop(app, n) {
  await app.page.waitForFunction((n) => {
    const el = document.querySelector('[data-testid="lesson-stop"]');
    return el && el.textContent.trim().startsWith(`Stop ${n} of`);
  }, n);
}

async function openLesson(app, id) {
  await app.press('l');
  await app.byTestId('lesson-list').waitFor();
  await app.byTestId(`lesson-open-${id}`).click();
  await app.byTestId('lesson').waitFor();
}

describe('guided lessons', () => {
  test('the list offers every shipped lesson, with the student\'s progress', async () => {
    await withPage(browser, { speed: 100 }, async (app) => {
      await app.press('l');
      await app.byTestId('lesson-list').waitFor();
      const ids = await app.page.locator('[data-testid^="lesson-open-"]').evaluateAll((els) => els.map((e) => e.dataset.testid.replace('lesson-open-', '')));
      assert.ok(ids.length >= 5, ids.join(', '));
      for (const id of ['happy-path', 'compensations', 'forward-recovery', 'idempotency', 'dead-letter-queue']) {
        assert.ok(ids.includes(id), `${id} is offered`);
      }
      assert.match(await app.byTestId('lesson-list').innerText(), /Not started/);
      await app.screenshot('lessons-list');
      await app.press('Escape');
      await app.byTestId('lesson-list').waitFor({ state: 'detached' });
    });
  });

  test('compensations from the keyboard: open, pause, answer, challenge met by the run', async () => {
    await withPage(browser, { speed: 100 }, async (app) => {
      await openLesson(app, 'compensations');
      assert.match(await stopText(app), /^Stop 1 of 12/);
      // Stop 2 opens Card declined, and holds the run at the refusal for stop 3.
      await app.press('PageDown');
      await waitForStop(app, 2);
      await app.page.waitForFunction(() => document.querySelector('[data-testid="preset"]').value === 'card-declined');
      await app.blur();
      await app.press(' ');
      await app.waitUntilPaused();
      const refused = await app.logEntries();
      assert.ok(refused.length > 5, 'the run played');
      assert.notEqual(await app.outcome(), 'compensated', 'it held before the end');
      assert.ok(refused.some((line) => /refuse|declin/i.test(line)), 'it held at the refusal');
      // Stop 3 is that moment; stop 4 asks which steps are undone.
      await app.press('.');
      await waitForStop(app, 3);
      assert.equal((await app.logEntries()).length, refused.length, 'arriving at the moment held did not move the run');
      await app.press('.');
      await waitForStop(app, 4);
      await app.byTestId('lesson-choice-0').click();
      assert.equal(await app.byTestId('lesson-ask').getAttribute('data-verdict'), 'right');
      // Stop 5 plays to the end: compensated.
      await app.press('PageDown');
      await waitForStop(app, 5);
      await app.waitForOutcome('compensated');
      // Back and forward by the dots: straight to the challenge (stop 11), which reopens its run.
      await app.byTestId('lesson').locator('[data-action="lesson-go"][data-stop="9"]').click();
      await waitForStop(app, 10);
      await app.page.waitForFunction(() => document.querySelector('[data-testid="preset"]').value === 'restaurant-rejects');
      await app.press('PageDown');
      await waitForStop(app, 11);
      const challenge = app.byTestId('lesson-challenge');
      assert.equal(await challenge.getAttribute('data-met'), 'false');
      await app.screenshot('lesson-challenge-open');
      // The student breaks the refund for good and plays: the engine's run meets the goal.
      await app.injectFault('payment', 'compensation_fails', { text: /Refund payment fails for ever/ });
      await app.blur();
      await app.press(' ');
      await app.waitForOutcome('rollback-incomplete');
      await app.page.waitForFunction(() => document.querySelector('[data-testid="lesson-challenge"]')?.dataset.met === 'true');
      await app.screenshot('lesson-challenge-met');
      // PageUp goes back a stop.
      await app.press('PageUp');
      await waitForStop(app, 10);
    });
  });

  test('progress survives a reload, and a link opens a lesson where the student left it', async () => {
    await withPage(browser, { speed: 100, path: '?lesson=happy-path&speed=100' }, async (app) => {
      await app.byTestId('lesson').waitFor();
      assert.match(await stopText(app), /^Stop 1 of/);
      await app.press('.');
      await waitForStop(app, 2);
      await app.press('.');
      await waitForStop(app, 3);
      await app.page.reload();
      await app.waitForMount();
      await app.press('l');
      await app.byTestId('lesson-list').waitFor();
      const item = await app.byTestId('lesson-open-happy-path').innerText();
      assert.match(item, /[1-9]\d* of \d+ stops done/, item);
      await app.byTestId('lesson-open-happy-path').click();
      await app.byTestId('lesson').waitFor();
      const at = await stopText(app);
      assert.doesNotMatch(at, /^Stop 1 of/, `resumed: ${at}`);
    });
  });

  test('a link naming a lesson that does not exist says so and opens the run as usual', async () => {
    await withPage(browser, { path: '?preset=card-declined&lesson=no-such-lesson' }, async (app) => {
      const notice = await app.waitForNotice(/There is no lesson "no-such-lesson": the lessons are happy-path, /);
      assert.match(notice, /The run stays as it was/);
      assert.equal(await app.preset(), 'card-declined');
      assert.equal(await app.byTestId('lesson').count(), 0);
    });
    // A value that is not an id is named in the page's notice, not fetched.
    await withPage(browser, { path: '?lesson=..%2Findex' }, async (app) => {
      const notice = await app.waitForNotice(/lesson=.* is not understood/);
      assert.doesNotMatch(notice, /fetched/);
      assert.equal(await app.byTestId('lesson').count(), 0);
    });
  });

  test('a lesson file is opened from the import, and a broken one is refused in words', async () => {
    await withPage(browser, { preset: 'card-declined', speed: 100 }, async (app) => {
      const own = {
        sagascope_lesson: 1,
        id: 'my-lesson',
        title: 'My own lesson',
        summary: 'A teacher\'s file.',
        stops: [
          { say: 'Watch a declined card.', open: { preset: 'card-declined', coordination: 'choreography' } },
          { say: 'That is all.' },
        ],
      };
      await app.importFile('my-lesson.json', JSON.stringify(own));
      await app.byTestId('lesson').waitFor();
      assert.match(await app.byTestId('lesson').innerText(), /My own lesson/);
      await app.page.waitForFunction(() => document.querySelector('main').dataset.coordination === 'choreography');
      await app.byTestId('lesson-close').click();
      await app.byTestId('lesson').waitFor({ state: 'detached' });

      const before = await app.preset();
      const broken = { ...own, stops: [{ say: 'x', open: { preset: 'no-such-preset' } }] };
      await app.importFile('broken.json', JSON.stringify(broken));
      const notice = await app.waitForNotice(/broken\.json was not opened as a lesson/);
      assert.match(notice, /no-such-preset/);
      assert.equal(await app.preset(), before, 'the run stays as it was');
      assert.equal(await app.byTestId('lesson').count(), 0);
    });
  });

  test('the atomic commit lesson opens the 2PC / 3PC view with the protocol and failure of each stop', async () => {
    await withPage(browser, { speed: 100 }, async (app) => {
      await openLesson(app, 'atomic-commit');
      const commit = app.byTestId('commit-view');
      const expected = [
        [2, '2pc', 'none'],
        [3, '2pc', 'crash-for-good'],
        [5, '3pc', 'crash-for-good'],
        [7, '3pc', 'partition'],
      ];
      let at = 1;
      for (const [stop, protocol, plan] of expected) {
        while (at < stop) {
          await app.press('PageDown');
          at += 1;
          await waitForStop(app, at);
        }
        await commit.waitFor();
        await app.page.waitForSelector(`[data-testid="commit-view"][data-protocol="${protocol}"][data-plan="${plan}"]`);
        assert.equal(await app.view(), 'commit', `stop ${stop}`);
      }
      await app.screenshot('lesson-atomic-commit-partition');
      // The last stop opens the saga again: its diagram, not the commit view.
      while (at < 9) {
        await app.press('PageDown');
        at += 1;
        await waitForStop(app, at);
      }
      await app.page.waitForFunction(() => document.querySelector('.diagram__canvas')?.dataset.view === 'diagram');
      assert.equal(await commit.count(), 0);
    });
  });

  test('every shipped lesson runs end to end from the keyboard in presenter mode', async () => {
    await withPage(browser, { speed: 100 }, async (app) => {
      await app.press('p');
      await app.page.waitForSelector('main.app--presenter');
      await app.press('l');
      await app.byTestId('lesson-list').waitFor();
      const ids = await app.page.locator('[data-testid^="lesson-open-"]').evaluateAll((els) => els.map((e) => e.dataset.testid.replace('lesson-open-', '')));
      // Read from the back row: the list, and every stop of every lesson (at 1280×720).
      let smallest = Infinity;
      const readable = async (where) => {
        const m = await measure(app);
        assert.deepEqual(m.small, [], `${where}: text under ${AUDIENCE} px`);
        assert.deepEqual(m.smallDrawn, [], `${where}: diagram text under ${AUDIENCE} px`);
        smallest = Math.min(smallest, m.stage, m.drawn);
      };
      await readable('the list');
      await app.press('Escape');
      for (const id of ids) {
        await app.press('l');
        await app.byTestId(`lesson-open-${id}`).click();
        await app.page.waitForFunction((id) => document.querySelector('[data-testid="lesson"]')?.dataset.lesson === id, id);
        const total = Number((await stopText(app)).match(/of (\d+)/)[1]);
        for (let n = 2; n <= total; n += 1) {
          await app.blur();
          await app.press('PageDown');
          await waitForStop(app, n);
          // A stop that plays comes to rest (at its pause or the end) before the next.
          await app.waitUntilPaused(30_000);
          await readable(`${id}, stop ${n}`);
        }
        assert.equal(await app.byTestId('lesson-next').isDisabled(), true, `${id}: the last stop`);
        if (id === 'compensations') await app.screenshot('lesson-presenter');
        await app.byTestId('lesson-close').click();
        await app.byTestId('lesson').waitFor({ state: 'detached' });
      }
      assert.ok(ids.length >= 5);
      console.log(`figures: lessons in presenter mode at 1280×720: ${ids.length} lessons walked, smallest text shown ${smallest} px`);
    });
  });
});
