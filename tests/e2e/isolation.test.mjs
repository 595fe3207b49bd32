// End-to-end tests of isolation, as a student meets it: "Last table, two customers" overbooks
// the slot with the semantic lock off (the monitor's invariant 11 and Calendar's tables_left
// row say so), and not with it switched on in the bar; "Balance raced" forgets a charge on the
// gift card until commutative updates are switched on; "Refund after a dirty read" turns Grace
// away for a table Ada gives back, until the semantic lock keeps Ada's booking PENDING. Each
// switch travels in the shared link.
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

/** The cells of the first row of a database table, by its data-table name. */
async function firstRow(app, table) {
  return app.page
    .locator(`[data-table="${table}"] tbody tr`)
    .first()
    .locator('td')
    .allInnerTexts();
}

for (const coordination of ['orchestration', 'choreography']) {
  describe(coordination, () => {
    test('the last table is booked twice with the semantic lock off, once with it on', async () => {
      await withPage(browser, { preset: 'last-table', coordination, speed: FAST }, async (app) => {
        assert.equal(await app.safeguardOn('semantic-lock'), false);
        await app.play();
        await app.waitForRunOver(30_000);
        assert.equal(await app.invariantState('isolation'), 'false');
        await app.showTab('tables');
        // slot, tables, booked, left, lock
        assert.deepEqual((await firstRow(app, 'tables_left')).slice(0, 4), ['Fri 19:30', '1', '2', '0']);
        const lines = await app.logLines();
        assert.ok(lines.some((l) => /reads tables left at Fri 19:30: 1 table/.test(l)), lines.join('\n'));
        assert.ok(lines.some((l) => /the record said 0 tables by then/.test(l)), lines.join('\n'));
        await app.screenshot(`${coordination}-last-table-overbooked`);

        await app.setSafeguard('semantic-lock', true);
        await app.play();
        await app.waitForRunOver(30_000);
        assert.ok(await app.invariantsHold());
        assert.deepEqual((await firstRow(app, 'tables_left')).slice(0, 4), ['Fri 19:30', '1', '1', '0']);
        const locked = await app.logLines();
        assert.ok(locked.some((l) => /another saga's update was PENDING when it read/.test(l)), locked.join('\n'));
        assert.match(await app.share(), /semantic_lock\.on/);
      });
    });

    test('a customer is turned away for a table that comes back, unless the semantic lock is on', async () => {
      await withPage(browser, { preset: 'dirty-read', coordination, speed: FAST }, async (app) => {
        await app.play();
        await app.waitForRunOver(30_000);
        assert.equal(await app.invariantState('isolation'), 'false');
        assert.match(await app.invariantDetail('isolation'), /turned away .*a dirty read/);
        await app.showTab('tables');
        // The table came back, and nobody has it.
        assert.deepEqual((await firstRow(app, 'tables_left')).slice(0, 4), ['Fri 19:30', '1', '0', '1']);
        const lines = await app.logLines();
        assert.ok(lines.some((l) => /reads tables left at Fri 19:30: 0 tables/.test(l)), lines.join('\n'));
        await app.screenshot(`${coordination}-dirty-read`);

        await app.setSafeguard('semantic-lock', true);
        await app.play();
        await app.waitForRunOver(30_000);
        assert.ok(await app.invariantsHold());
        assert.deepEqual((await firstRow(app, 'tables_left')).slice(0, 4), ['Fri 19:30', '1', '1', '0']);
        const locked = await app.logLines();
        assert.ok(locked.some((l) => /PENDING for saga/.test(l)), locked.join('\n'));
      });
    });
  });
}

test('a raced gift card forgets a charge until commutative updates are switched on', async () => {
  await withPage(browser, { preset: 'balance-raced', coordination: 'orchestration', speed: FAST }, async (app) => {
    await app.play();
    await app.waitForRunOver(30_000);
    assert.equal(await app.invariantState('isolation'), 'false');
    assert.equal(await app.invariantState('money-adds-up'), 'true', 'the ledger itself adds up');
    await app.showTab('tables');
    // customer, started, balance, lock: two charges of €40 and yet €10 left of €50.
    assert.deepEqual((await firstRow(app, 'gift_cards')).slice(0, 3), ['Ada', '€50.00', '€10.00']);
    assert.equal(await app.page.locator('[data-table="ledger"] tbody tr').count(), 2);

    await app.setSafeguard('commutative-updates', true);
    await app.play();
    await app.waitForRunOver(30_000);
    assert.ok(await app.invariantsHold());
    // One charge, one decline: the card and the ledger agree.
    assert.deepEqual((await firstRow(app, 'gift_cards')).slice(0, 3), ['Ada', '€50.00', '€10.00']);
    assert.equal(await app.page.locator('[data-table="ledger"] tbody tr').count(), 1);
    assert.match(await app.share(), /commutative_updates\.on/);
  });
});

test('a saga whose look and booking read two values is a fuzzy read, until the look holds the flag', async () => {
  await withPage(browser, { preset: 'fuzzy-read', coordination: 'orchestration', speed: FAST }, async (app) => {
    await app.play();
    await app.waitForRunOver(30_000);
    assert.equal(await app.invariantState('isolation'), 'false');
    assert.match(await app.invariantDetail('isolation'), /read tables left at Fri 19:30 twice: 1 table in Create reservation, then 0 tables in Book slot.*a fuzzy read/);
    const lines = await app.logLines();
    assert.ok(lines.some((l) => /Reservation: Create reservation reads tables left at Fri 19:30: 1 table/.test(l)), lines.join('\n'));
    await app.screenshot('orchestration-fuzzy-read');

    await app.setSafeguard('semantic-lock', true);
    await app.play();
    await app.waitForRunOver(30_000);
    assert.ok(await app.invariantsHold());
    // Grace's look waits behind Ada's flag (and is refused, or runs out of tries, before
    // anything is charged).
    const locked = await app.logLines();
    assert.ok(locked.some((l) => /Create reservation waits: another saga's update was PENDING when it read/.test(l)), locked.join('\n'));
    await app.showTab('tables');
    assert.equal(await app.page.locator('[data-table="ledger"] tbody tr').count(), 1);
    assert.match(await app.share(), /semantic_lock\.on/);
  });
});

test('a charge declined for money later refunded is a dirty read, until the pessimistic view books first', async () => {
  await withPage(browser, { preset: 'declined-dirty-read', coordination: 'choreography', speed: FAST }, async (app) => {
    await app.play();
    await app.waitForRunOver(30_000);
    assert.equal(await app.invariantState('isolation'), 'false');
    assert.match(await app.invariantDetail('isolation'), /turned away \(Charge card\).*a dirty read/);

    await app.setSafeguard('pessimistic-view', true);
    await app.play();
    await app.waitForRunOver(30_000);
    assert.ok(await app.invariantsHold());
    await app.showTab('tables');
    // Only the second booking was charged: the first was refused before it touched the card.
    assert.equal(await app.page.locator('[data-table="ledger"] tbody tr').count(), 1);
    assert.deepEqual((await firstRow(app, 'gift_cards')).slice(0, 3), ['Ada', '€50.00', '€10.00']);
    assert.match(await app.share(), /pessimistic_view\.on/);
    await app.screenshot('choreography-pessimistic-view');
  });
});

test('a charge that arrives after its refund takes effect, until the version file refuses it', async () => {
  await withPage(browser, { preset: 'late-charge', coordination: 'orchestration', speed: FAST }, async (app) => {
    assert.equal(await app.safeguardOn('idempotency'), false);
    await app.play();
    await app.waitForRunOver(60_000);
    assert.equal(await app.invariantState('money-adds-up'), 'false');

    await app.setSafeguard('version-file', true);
    await app.play();
    await app.waitForRunOver(60_000);
    assert.ok(await app.invariantsHold());
    const lines = await app.logLines();
    assert.ok(lines.some((l) => /Payment refuses Charge card: its compensation came first/.test(l)), lines.join('\n'));
    await app.showTab('tables');
    // Payment's version file holds the refund first; the charges it refused never took effect.
    const payment = app.page.locator('[data-db="payment"] [data-table="version_file"] tbody tr');
    assert.match((await payment.first().allInnerTexts()).join(' '), /Refund payment/);
    const ledger = await app.page.locator('[data-table="ledger"] tbody tr').allInnerTexts();
    assert.ok(!ledger.some((r) => /CHARGED/.test(r)), ledger.join('\n'));
    assert.match(await app.share(), /version_file\.on/);
    await app.screenshot('orchestration-version-file');
  });
});
