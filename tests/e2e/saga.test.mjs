// End-to-end tests of the live page, in both coordination styles: the happy path completes;
// each service's business failure is compensated in exact reverse order; a transient fault is
// retried until it works; a poison message reaches the dead-letter queue and redrive clears it;
// a fault injected mid-run takes effect; and nothing logs an error on the way.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, withPage } from './page.mjs';

/** Fast enough to keep the suite short, slow enough to see tokens move in the screenshots. */
const FAST = 50;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Asserts that the patterns occur in the log in this order. */
function assertInOrder(lines, patterns) {
  let last = -1;
  for (const pattern of patterns) {
    const at = lines.findIndex((l, i) => i > last && pattern.test(l));
    assert.ok(at > last, `expected ${pattern} after line ${last} in:\n${lines.join('\n')}`);
    last = at;
  }
}

/** Business failures, and the compensations each must cause, in order. */
const BUSINESS_FAILURES = [
  {
    service: 'payment',
    text: 'Card declined',
    order: [/refuses Charge card: card declined/, /^Reservation cancelled/, /told: reservation failed/],
    never: [/^Payment refunds/, /releases the slot/],
  },
  {
    service: 'calendar',
    text: 'Slot already taken',
    order: [/refuses Book slot: slot already taken/, /^Payment refunds/, /^Reservation cancelled/, /told: reservation failed/],
    never: [/releases the slot/],
  },
  {
    service: 'reservation',
    text: 'Restaurant rejects',
    order: [/refuses Confirm reservation: restaurant rejects/, /releases the slot/, /^Payment refunds/, /^Reservation cancelled/, /told: reservation failed/],
    never: [/told: confirmed/],
  },
];

for (const coordination of ['orchestration', 'choreography']) {
  describe(coordination, () => {
    test('the happy path completes', async () => {
      await withPage(browser, { coordination, speed: FAST }, async (app) => {
        assert.equal(await app.outcome(), 'running');
        await app.play();
        await app.idle(150);
        await app.screenshot(`${coordination}-happy-path-running`);
        await app.waitForOutcome('completed');
        await app.waitUntilPaused();
        for (const s of ['reservation', 'payment', 'calendar', 'notification']) {
          assert.equal(await app.serviceStatus(s), 'succeeded', s);
        }
        assert.ok(await app.invariantsHold());
        const lines = await app.logLines();
        assertInOrder(lines, [/Reservation created for Ada: PENDING/, /Payment charges €40.00/, /Calendar books/, /Reservation confirmed/, /told: confirmed/, /Saga A completed/]);
        if (coordination === 'choreography') {
          assert.ok(lines.some((l) => /publishes PaymentCharged/.test(l)), 'events flow over the bus');
          assert.match(await app.byTestId('event-bus').innerHTML(), /PaymentCharged ×1/);
        }
        await app.screenshot(`${coordination}-happy-path-completed`);
      });
    });

    for (const failure of BUSINESS_FAILURES) {
      test(`${failure.text} is compensated in reverse order`, async () => {
        await withPage(browser, { coordination, speed: FAST }, async (app) => {
          await app.injectFault(failure.service, 'business_failure', { text: failure.text });
          await app.reset();
          await app.play();
          await app.waitForOutcome('compensated');
          assert.equal(await app.serviceStatus(failure.service), 'failed');
          const lines = await app.logLines();
          assertInOrder(lines, failure.order);
          for (const pattern of failure.never) {
            assert.ok(!lines.some((l) => pattern.test(l)), `nothing like ${pattern} happens`);
          }
          assert.equal(await app.stepStatus(1), 'compensated');
          assert.ok(await app.invariantsHold());
          assert.match(await app.narration(), /compensat/i);
          await app.screenshot(`${coordination}-${failure.service}-business-failure`);
        });
      });
    }

    test('a transient fault is retried until it works', async () => {
      await withPage(browser, { coordination, speed: FAST }, async (app) => {
        await app.injectFault('payment', 'transient_error');
        await app.reset();
        await app.play();
        await app.waitForOutcome('completed');
        const lines = await app.logLines();
        const failures = lines.filter((l) => /Charge card fails \(transient error\)/.test(l));
        assert.equal(failures.length, 2, lines.join('\n'));
        const retry = coordination === 'orchestration'
          ? /Orchestrator tries Charge card again \(attempt 3\)/
          : /receives the message for Charge card again \(receive 3\)/;
        assertInOrder(lines, [/Charge card fails/, /Charge card fails/, retry, /Payment charges €40.00/, /Saga A completed/]);
        assert.equal(await app.serviceStatus('payment'), 'succeeded');
        assert.ok(await app.invariantsHold());
      });
    });

    test('a fault injected mid-run takes effect from that moment', async () => {
      await withPage(browser, { coordination, speed: 4 }, async (app) => {
        // Run until the reservation exists, then refuse the booking that comes next.
        await app.play();
        await app.waitForStepStatus(1, 'succeeded');
        await app.pause();
        assert.equal(await app.outcome(), 'running');
        await app.injectFault('calendar', 'business_failure');
        await app.screenshot(`${coordination}-fault-injected-mid-run`);
        await app.play();
        await app.waitForOutcome('compensated');
        const lines = await app.logLines();
        assertInOrder(lines, [/Reservation created/, /Fault: Book slot: slot already taken/, /refuses Book slot/, /^Payment refunds/, /^Reservation cancelled/]);
        assert.ok(await app.invariantsHold());
      });
    });
  });
}

describe('choreography', () => {
  test('a poison message reaches the dead-letter queue and redrive clears it', async () => {
    await withPage(browser, { coordination: 'choreography', speed: FAST }, async (app) => {
      await app.injectFault('payment', 'poison');
      await app.reset();
      await app.play();
      await app.waitForDeadLetters(1, 20_000);
      await app.waitUntilPaused();
      assert.equal(await app.outcome(), 'awaiting-person', 'the saga waits for a person');
      assert.match(await app.byTestId('outcome').innerText(), /dead-letter queue/, 'and the banner says why');
      assert.match(await app.byTestId('dead-letter-queue').innerHTML(), /ReservationCreated/);
      assert.ok(await app.byTestId('redrive').isEnabled());
      await app.screenshot('choreography-dead-letter');

      await app.removeFaults('payment');
      await app.redrive();
      await app.waitForDeadLetters(0);
      await app.play();
      await app.waitForOutcome('completed');
      const lines = await app.logLines();
      assertInOrder(lines, [/moves to the dead-letter queue/, /is redriven back to Payment's queue/, /Payment charges €40.00/, /Saga A completed/]);
      assert.ok(await app.invariantsHold());
      assert.ok(!(await app.byTestId('redrive').isEnabled()));
    });
  });
});

describe('the page', () => {
  test('presets, switches and the seed restart the run cleanly', async () => {
    await withPage(browser, { speed: FAST }, async (app) => {
      await app.choosePreset('card-declined');
      await app.play();
      await app.waitForOutcome('compensated');
      await app.setCoordination('choreography');
      assert.equal(await app.outcome(), 'running');
      assert.match(await app.byTestId('clock').innerText(), /t = 0\.00 s/, 'a new run starts at 0 s');
      assert.equal(await app.logLineElements('Saga A').count(), 0);
      await app.byTestId('event-bus').waitFor();
      await app.setStorage('shared');
      assert.match(await app.byTestId('databases').innerText(), /Shared database/);
      await app.play();
      await app.waitForOutcome('compensated');

      await app.setSeed('12x');
      assert.match(await app.byTestId('notice').innerText(), /not a seed/);
      assert.equal(await app.byTestId('seed').inputValue(), '1', 'the old seed stays');
      assert.equal(await app.outcome(), 'compensated', 'a bad seed does not restart the run');
      await app.setSeed('7');
      assert.equal(await app.outcome(), 'running');
    });
  });

  test('an orchestration-only preset switches to orchestration and disables choreography', async () => {
    await withPage(browser, { coordination: 'choreography' }, async (app) => {
      await app.choosePreset('orchestrator-crash');
      await app.waitForCoordination('orchestration');
      assert.ok(await app.coordinationOption('choreography').isDisabled());
      assert.match(await app.byTestId('notice').innerText(), /needs an orchestrator/);
      await app.byTestId('orchestrator').waitFor();
    });
  });

  test('Step shows one more event each time, and the log links to the diagram', async () => {
    await withPage(browser, {}, async (app) => {
      const count = () => app.logLineElements().count();
      assert.equal(await count(), 0);
      await app.step();
      await app.waitForLogLinesAbove(0);
      const first = await count();
      await app.step();
      await app.waitForLogLinesAbove(first);
      for (let i = 0; i < 10; i++) await app.step();
      // Select the command sent to Reservation: its node lights up.
      const line = app.logLineElements('Orchestrator → Reservation').first();
      await line.click();
      await app.waitForServiceLit('reservation');
      assert.match(await app.narration(), /selected event/i);
      // Select a node: the log shows only its events.
      await app.service('payment').click();
      await app.byTestId('log-show-all').waitFor();
      const texts = await app.shownLogLines();
      assert.ok(texts.every((t) => /Payment|Charge card/.test(t)), texts.join('\n'));
      await app.closeFaultMenu();
      await app.showWholeLog();
      await app.screenshot('step-and-select');
    });
  });

  test('the keyboard reaches every control: Space plays, Enter opens a fault menu, Escape closes it', async () => {
    await withPage(browser, { speed: 4 }, async (app) => {
      await app.press('Space');
      await app.waitForPlaying(true);
      await app.press('Space');
      await app.waitForPlaying(false);
      await app.service('payment').focus();
      await app.press('Enter');
      await app.byTestId('fault-menu').waitFor();
      await app.waitForFocusOnFault();
      await app.press('Enter');
      await app.faultChips('payment').waitFor();
      await app.press('Escape');
      await app.byTestId('fault-menu').waitFor({ state: 'detached' });
      await app.waitForFocusOn('service-payment');
    });
  });

  test('the page follows the dark colour scheme and fits 1280×720', async () => {
    await withPage(browser, { colorScheme: 'dark', preset: 'two-customers', coordination: 'choreography', speed: 20 }, async (app) => {
      await app.play();
      await app.idle(600);
      const { scrollWidth, scrollHeight } = await app.pageSize();
      assert.ok(scrollWidth <= 1280 && scrollHeight <= 720, `page is ${scrollWidth}×${scrollHeight}`);
      assert.equal(await app.sagaButtons().count(), 2, 'two sagas told apart');
      await app.screenshot('dark-two-customers');
    });
  });
});
