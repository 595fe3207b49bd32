// End-to-end tests of the rules the engine keeps, as the page shows them: a pivot whose reply is
// lost goes forward in both styles; a cancel before the start changes nothing and both parties
// are told so; a dual write stalls the saga with the outbox off (the monitor names the broken
// invariant) and completes with it switched back on in the bar; a saga out of retries after the
// pivot waits for a person, and the banner says why.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, withPage } from './page.mjs';

const FAST = 100;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

for (const coordination of ['orchestration', 'choreography']) {
  describe(coordination, () => {
    test('a pivot whose reply is lost is asked again and the saga goes forward', async () => {
      await withPage(browser, { preset: 'pivot-reply-lost', coordination, speed: FAST }, async (app) => {
        await app.play();
        await app.waitForOutcome('completed');
        await app.waitUntilPaused();
        const lines = await app.logLines();
        assert.ok(lines.some((l) => /Reservation confirmed/.test(l)), lines.join('\n'));
        assert.ok(!lines.some((l) => /compensation begins|undo|refunds/i.test(l)), 'never turned back');
        assert.ok(await app.invariantsHold());
        await app.screenshot(`${coordination}-pivot-reply-lost`);
      });
    });

    test('a cancel before the start charges nothing and tells both parties', async () => {
      await withPage(browser, { preset: 'cancel-too-early', coordination, speed: FAST }, async (app) => {
        await app.play();
        await app.waitForOutcome('compensated');
        await app.waitUntilPaused();
        const lines = await app.logLines();
        assert.ok(!lines.some((l) => /Payment charges/.test(l)), lines.join('\n'));
        assert.ok(lines.some((l) => /nothing charged/.test(l)), lines.join('\n'));
        assert.ok(await app.invariantsHold());
      });
    });
  });
}

describe('choreography', () => {
  test('a dual write stalls the saga until the outbox is switched back on', async () => {
    await withPage(browser, { preset: 'dual-write', coordination: 'choreography', speed: FAST }, async (app) => {
      assert.equal(await app.safeguardOn('outbox'), false);
      await app.play();
      await app.waitUntilPaused();
      assert.equal(await app.outcome(), 'running', 'nobody tells the saga to go on');
      const lines = await app.logLines();
      assert.ok(lines.some((l) => /crashed before publishing .*: the event is lost/.test(l)), lines.join('\n'));
      assert.equal(await app.invariantsHold(), false);
      assert.equal(await app.invariantState('ends-properly'), 'false');
      await app.screenshot('choreography-dual-write-stalled');
      await app.setSafeguard('outbox', true);
      await app.play();
      await app.waitForOutcome('completed');
      assert.ok(await app.invariantsHold());
    });
  });
});

describe('orchestration', () => {
  test('a step after the pivot out of retries waits for a person, and the banner says why', async () => {
    const policy = (max_attempts) => ({ interval_ms: 500, max_attempts, backoff_rate: 2.0, max_delay_ms: 4000 });
    const scenario = {
      version: 1,
      name: 'Notify gives up',
      sagas: [{ customer: 'Ada', slot: 'Fri 19:30 · table 4' }],
      retry: { step: policy(3), compensation: policy(4), retriable: policy(2) },
      faults: [{ kind: 'transient_error', step: 5, times: 5 }],
    };
    await withPage(browser, { coordination: 'orchestration', speed: FAST }, async (app) => {
      await app.importFile('notify-gives-up.json', JSON.stringify(scenario));
      await app.play();
      await app.waitForOutcome('awaiting-person');
      const banner = await app.byTestId('outcome').innerText();
      assert.match(banner, /Awaiting a person/);
      assert.match(banner, /may only go forward/);
      assert.ok(await app.invariantsHold());
      await app.screenshot('orchestration-awaiting-person');
    });
  });
});
