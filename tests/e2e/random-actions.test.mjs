// Seeded random actions on the built page: clicks on any enabled control, node or chip, every
// documented shortcut, seeds typed, presets and speeds picked, the timeline scrubbed, random and
// damaged scenarios dropped on the page, random and damaged links pasted. After every action: no
// crash, no error, the outcome and the monitor there, and the event log in step with the engine.
//
// CI runs SAGASCOPE_ACTIONS (default 2,500) actions for each of SAGASCOPE_ACTION_SEEDS (default
// 1,2,3,4); for a long run, for example SAGASCOPE_ACTIONS=25000. A failure prints its seed and the
// shortest sequence found that still fails, and saves it in fixtures/random-actions/, where it is
// replayed on every run from then on (commit it with the fix). Every action of a seed is written
// to target/test-logs/random-actions-seed-N.jsonl.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { AppPage, launchBrowser } from './page.mjs';
import { actInPage, gatherErrors } from './random-actions.mjs';

const SEEDS = (process.env.SAGASCOPE_ACTION_SEEDS ?? '1,2,3,4').split(',').map(Number);
const PER_SEED = Number(process.env.SAGASCOPE_ACTIONS ?? 2500);
const BATCH = 250;
const KEPT = new URL('./fixtures/random-actions/', import.meta.url);
/** Where each seed's whole action log is written (one action a line). */
const LOGS = new URL('../../target/test-logs/', import.meta.url);
const LONG_RUN = new URL('./fixtures/long-run.json', import.meta.url);
/** How many replays shrinking a failure may take. */
const SHRINK_BUDGET = 80;

let browser;
/** What the actions draw from: scenario files to damage, and a link's `#` part. */
let material;
before(async () => {
  browser = await launchBrowser();
  const app = await AppPage.open(browser, { preset: 'card-declined', speed: 100 });
  try {
    const exported = (await app.exportFile('scenario')).text;
    const link = await app.share();
    material = {
      scenarios: [exported, await readFile(LONG_RUN, 'utf8')],
      fragment: new URL(link).hash,
    };
  } finally {
    await app.close();
  }
});
after(async () => {
  await browser?.close();
});

async function openPage() {
  return AppPage.open(browser, { speed: 100, before: gatherErrors });
}

/** Replays `actions` on a fresh page: the failure they lead to, or null. */
async function replay(actions) {
  const app = await openPage();
  try {
    const { failure } = await app.page.evaluate(actInPage, { actions, ...material });
    return failure;
  } catch (e) {
    return { reason: `the page broke: ${e}` };
  } finally {
    await app.close();
  }
}

/** The shortest sequence found (removing chunks, then single actions) that still fails. */
async function shrink(actions) {
  let best = actions;
  let budget = SHRINK_BUDGET;
  for (let size = Math.ceil(best.length / 2); size >= 1 && budget > 0; size = Math.floor(size / 2)) {
    for (let at = best.length - size; at >= 0 && budget > 0; at -= size) {
      const shorter = [...best.slice(0, at), ...best.slice(at + size)];
      budget -= 1;
      if (shorter.length && (await replay(shorter))) best = shorter;
    }
  }
  return best;
}

async function keep(seed, reason, actions) {
  await mkdir(KEPT, { recursive: true });
  const file = new URL(`seed-${seed}-${Date.now()}.json`, KEPT);
  await writeFile(file, `${JSON.stringify({ seed, reason, actions }, null, 1)}\n`);
  return file.pathname;
}

for (const seed of SEEDS) {
  test(`${PER_SEED} random actions from seed ${seed} leave the page working and in step with the engine`, async () => {
    const app = await openPage();
    const log = [];
    let state;
    let failure = null;
    try {
      for (let done = 0; done < PER_SEED && !failure; done += BATCH) {
        const count = Math.min(BATCH, PER_SEED - done);
        const result = await app.page.evaluate(actInPage, { seed, state, count, ...material });
        log.push(...result.actions);
        state = result.state;
        failure = result.failure;
      }
      // An error the page saw outside the checks (after the last action) fails the run too.
      if (!failure && app.errors().length) {
        failure = { reason: `error: ${app.errors().join(' | ')}` };
      }
    } finally {
      await app.close();
    }
    await mkdir(LOGS, { recursive: true });
    await writeFile(new URL(`random-actions-seed-${seed}.jsonl`, LOGS), log.map((a) => `${JSON.stringify(a)}\n`).join(''));
    if (failure) {
      const shortest = await shrink(log);
      const file = await keep(seed, failure.reason, shortest);
      assert.fail(
        `seed ${seed}, action ${log.length}: ${failure.reason}\n` +
          `shortest sequence that fails (${shortest.length} actions, kept in ${file}):\n` +
          shortest.map((a) => JSON.stringify(a)).join('\n'),
      );
    }
    const kinds = {};
    for (const a of log) kinds[a.kind] = (kinds[a.kind] ?? 0) + 1;
    console.log(`figures: random actions, seed ${seed}: ${log.length} actions (${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', ')})`);
  });
}

test('every kept failing sequence now replays without failing', async () => {
  const files = (await readdir(KEPT).catch(() => [])).filter((f) => f.endsWith('.json'));
  for (const name of files) {
    const { actions, reason } = JSON.parse(await readFile(new URL(name, KEPT), 'utf8'));
    const failure = await replay(actions);
    assert.equal(failure, null, `${name} (it once failed with: ${reason}) fails: ${failure?.reason}`);
  }
});

test('the checks fail on a broken page, and shrinking finds the action that broke it', async () => {
  const steps = Array.from({ length: 12 }, () => ({ kind: 'key', key: 'ArrowRight' }));
  for (const what of ['log', 'error', 'crash', 'monitor']) {
    const actions = [...steps.slice(0, 6), { kind: 'break', what }, ...steps.slice(6)];
    const failure = await replay(actions);
    assert.ok(failure, `breaking the ${what} is seen`);
    assert.equal(failure.index, 6, `at the action that broke the ${what}: ${failure.reason}`);
  }
  const shortest = await shrink([...steps.slice(0, 5), { kind: 'break', what: 'error' }, ...steps.slice(5)]);
  assert.deepEqual(shortest, [{ kind: 'break', what: 'error' }]);
});
