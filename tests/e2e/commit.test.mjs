// End-to-end tests of the alternative a saga replaces, as a student meets it in the 2PC / 3PC
// view: the run's customers booked as distributed transactions. Two-phase commit with the
// coordinator crashed after the votes blocks, locks held, while the saga under the same crash
// (its orchestrator down at the same moment) holds none, and completes once it is back;
// three-phase commit does not block, but a partition splits its decision and the view says so.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, withPage } from './page.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('2PC blocks with locks held while the saga under the same crash finishes; 3PC does not block but splits under a partition', async () => {
  await withPage(browser, { preset: 'happy-path', coordination: 'orchestration', speed: 100 }, async (app) => {
    await app.play();
    await app.waitForRunOver(30_000);
    assert.equal(await app.outcome(), 'completed', 'the saga finishes');

    await app.showCommit('2pc', 'none');
    assert.match(await app.commitFigure('outcome'), /Ada: committed/);
    assert.match(await app.commitLesson(), /Notification takes no part/);
    assert.equal(await app.commitLocksHeld(), 0);
    const messages2pc = Number(await app.commitFigure('messages'));

    await app.showCommit('2pc', 'crash-for-good');
    assert.match(await app.commitLesson(), /^Blocked:/);
    assert.match(await app.commitFigure('outcome'), /Ada: blocked, locks held/);
    assert.equal(await app.commitLocksHeld(), 3, 'Reservation, Payment and Calendar hold their locks');
    assert.deepEqual(await app.commitBroken(), [], 'blocking breaks no guarantee');
    // Beside it, the saga under the same failure: its orchestrator crashes at the same moment
    // and never comes back, so it stops too, but it holds no lock.
    assert.match(await app.commitSagaFigure('failure'), /^orchestrator down at \d+\.\d\d s, for good$/);
    assert.equal(await app.commitSagaFigure('outcome'), 'Ada: running');
    assert.match(await app.commitSagaFigure('locks'), /^none/);

    // Back in 10 s: the saga picks up from its log and completes; 2PC's participants waited
    // the 10 s in doubt, and the coordinator, finding no decision in its log, aborts.
    await app.showCommit('2pc', 'crash');
    assert.match(await app.commitSagaFigure('failure'), /^orchestrator down at .*, for 10\.00 s$/);
    assert.equal(await app.commitSagaFigure('outcome'), 'Ada: completed');
    assert.match(await app.commitFigure('outcome'), /Ada: aborted/);
    assert.match(await app.commitLesson(), /^Blocked for 10\.00 s: 3 participant\(s\) had voted yes for Ada's booking/);
    await app.showCommit('2pc', 'crash-for-good');
    await app.screenshot('commit-2pc-blocked');
    // The Share menu exports this comparison's transactions: the sequence and the trace file.
    const mmd = await app.exportFile('commit-mermaid');
    assert.match(mmd.name, /-2pc-crash-for-good\.commit\.mmd$/);
    assert.match(mmd.text, /Coordinator->>Calendar: T1 prepare/);
    assert.match(mmd.text, /Note over Coordinator: crashed/);
    const trace = await app.exportFile('commit-trace');
    const file = JSON.parse(trace.text);
    assert.equal(file.protocol, '2pc');
    assert.equal(file.plan, 'crash-for-good');
    assert.deepEqual(file.broken, []);

    await app.showCommit('3pc', 'crash-for-good');
    assert.doesNotMatch(await app.commitLesson(), /Blocked/);
    assert.match(await app.commitFigure('outcome'), /Ada: aborted/);
    assert.equal(await app.commitLocksHeld(), 0);

    await app.showCommit('3pc', 'none');
    assert.ok(Number(await app.commitFigure('messages')) > messages2pc, '3PC sends a round more');

    await app.showCommit('3pc', 'partition');
    assert.match(await app.commitLesson(), /^Split:/);
    const broken = await app.commitBroken();
    assert.equal(broken.length, 1, broken.join('\n'));
    assert.match(broken[0], /All participants commit, or all abort: transaction 1: .* aborted, but Reservation committed/);
    await app.screenshot('commit-3pc-split');
  });
});

test('a link opens the 2PC / 3PC view with its protocol and failure', async () => {
  await withPage(browser, { preset: 'happy-path', protocol: '3pc', plan: 'partition', speed: 100 }, async (app) => {
    const view = app.byTestId('commit-view');
    await view.waitFor();
    assert.equal(await view.getAttribute('data-protocol'), '3pc');
    assert.equal(await view.getAttribute('data-plan'), 'partition');
    assert.match(await app.commitLesson(), /^Split:/);
  });
  await withPage(browser, { preset: 'happy-path', plan: 'meteor', speed: 100 }, async (app) => {
    assert.match(await app.notice(), /plan="meteor" is not understood/);
    assert.equal(await app.byTestId('commit-view').count(), 0, 'an unknown plan opens nothing');
  });
});
