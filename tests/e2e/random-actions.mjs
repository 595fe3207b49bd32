// Seeded random actions on the page, run inside it in batches (one round trip per batch), and the
// checks made after every action. `actInPage` is passed to page.evaluate, so it may use nothing
// from this module: everything it needs is inside it or in its argument.
//
// An action is plain data (`{ kind: 'click', selector, index }`, `{ kind: 'key', key }`, …), so a
// failing sequence can be printed, shrunk, saved and replayed without the random generator.

/**
 * Runs in the page. Either generates `count` actions from `seed` (continuing the generator from
 * `state`) or replays `actions`; performs each, waits for the page to settle, and checks it.
 * Returns `{ actions, state, failure }`: the actions performed (plain data), the generator's
 * state to continue from, and the first failure (`{ index, action, reason }`) if any.
 */
export async function actInPage({ seed, state, count, actions: replay, scenarios, fragment }) {
  // mulberry32: small, seeded, the same in every browser.
  let s = state ?? seed >>> 0;
  const random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (list) => list[Math.floor(random() * list.length)];

  const KEYS = [' ', 'ArrowRight', 'ArrowLeft', '[', ']', 'f', 't', '?', 'p', 'v', 'q', 'b', 'c',
    'r', 'g', 's', 'Home', 'End', 'Escape', 'Enter', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  const SEEDS = ['7', '0', '42', '-1', '', 'abc', '99999999999999999999999', '3.5', '<b>1</b>', ' 12 '];
  // What a click may not do here: leave the page, open a file picker, or start a download.
  const OFF_LIMITS = 'a[href], input[type="file"], [data-action="export"], .crash *';

  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && !el.closest('[hidden], [inert]');
  };
  const clickable = () => [...document.querySelectorAll(
    'main button, main summary, main [data-action], main [data-node], main [data-chip], main [role="tab"]',
  )].filter((el) => !el.matches(OFF_LIMITS) && !el.disabled && visible(el));

  /** A selector that finds `el` again: its tag and every data-* attribute (no e2e marks). */
  const describe = (el) => {
    const attrs = [...el.attributes]
      .filter((a) => a.name.startsWith('data-') && a.name !== 'data-status' && a.name !== 'data-count')
      .map((a) => `[${a.name}="${CSS.escape(a.value)}"]`)
      .join('');
    const selector = `${el.tagName.toLowerCase()}${attrs}`;
    const index = [...document.querySelectorAll(selector)].indexOf(el);
    return { selector, index: Math.max(index, 0) };
  };

  const damage = (text) => {
    const at = Math.floor(random() * Math.max(text.length, 1));
    return pick([
      () => text.slice(0, at),
      () => text.slice(0, at) + pick(['"', '}', '{', ',', '\u0000', '9e999', '<']) + text.slice(at + 1),
      () => text.replace(/"version":\s*1/, '"version": 7'),
      () => text.replace(/"seed":\s*\d+/, '"seed": -5'),
      () => text.replace(/"sagas":\s*\[/, '"sagas": [{"customer":"<img src=x>","slot":"\\""},'),
      () => JSON.stringify({ scenario: text.length }),
      () => '',
      () => text,
    ])();
  };

  /** Makes one random action (plain data). */
  const generate = () => {
    const roll = random();
    if (roll < 0.45) {
      const controls = clickable();
      if (controls.length) return { kind: 'click', ...describe(pick(controls)) };
    }
    if (roll < 0.7) return { kind: 'key', key: pick(KEYS) };
    if (roll < 0.76) return { kind: 'seed', text: pick(SEEDS) };
    if (roll < 0.82) {
      const options = [...document.querySelectorAll('[data-testid="preset"] option')].map((o) => o.value);
      if (options.length) return { kind: 'select', testId: 'preset', value: pick(options) };
    }
    if (roll < 0.86) {
      const options = [...document.querySelectorAll('[data-testid="speed"] option')].map((o) => o.value);
      if (options.length) return { kind: 'select', testId: 'speed', value: pick(options) };
    }
    if (roll < 0.93) return { kind: 'scrub', fraction: Math.round(random() * 1000) / 1000 };
    if (roll < 0.965) return { kind: 'import', text: damage(pick(scenarios)) };
    return { kind: 'link', fragment: damage(fragment) };
  };

  const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);

  /** Carries out an action; returns false when its target is not there (then it is skipped). */
  const perform = (action) => {
    switch (action.kind) {
      case 'click': {
        const el = document.querySelectorAll(action.selector)[action.index];
        if (!el) return false;
        if (typeof el.click === 'function' && !(el instanceof SVGElement)) el.click();
        else el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
        return true;
      }
      case 'key': {
        const target = document.activeElement ?? document.body;
        target.dispatchEvent(new KeyboardEvent('keydown', { key: action.key, bubbles: true, cancelable: true }));
        return true;
      }
      case 'seed': {
        const input = byTestId('seed');
        if (!input) return false;
        input.value = action.text;
        input.dispatchEvent(new Event('change', { bubbles: true }));
        return true;
      }
      case 'select': {
        const select = byTestId(action.testId);
        if (!select) return false;
        select.value = action.value;
        select.dispatchEvent(new Event('change', { bubbles: true }));
        return true;
      }
      case 'scrub': {
        const strip = byTestId('timeline');
        if (!strip) return false;
        const r = strip.getBoundingClientRect();
        const at = { bubbles: true, clientX: r.left + action.fraction * r.width, clientY: r.top + r.height / 2, pointerId: 1 };
        strip.dispatchEvent(new PointerEvent('pointerdown', at));
        strip.dispatchEvent(new PointerEvent('pointerup', at));
        return true;
      }
      case 'import': {
        const data = new DataTransfer();
        data.items.add(new File([action.text], 'random.json', { type: 'application/json' }));
        document.querySelector('main')?.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
        return true;
      }
      case 'link':
        window.location.hash = action.fragment;
        return true;
      // Never generated: the self-test breaks the page on purpose, to see each check fail.
      case 'break':
        if (action.what === 'log') document.querySelector('[data-testid="event-log"] .log__list > li')?.remove();
        if (action.what === 'error') console.error('broken on purpose');
        if (action.what === 'crash') document.body.append(Object.assign(document.createElement('div'), { className: 'crash' }));
        if (action.what === 'monitor') byTestId('invariants')?.remove();
        return true;
      default:
        throw new Error(`unknown action ${action.kind}`);
    }
  };

  /** What is wrong with the page now, or null. */
  const check = () => {
    if (document.querySelector('.crash')) return `the page stopped: ${document.querySelector('.crash').innerText}`;
    const errors = window.sagascopeErrors ?? [];
    if (errors.length) return `error: ${errors.join(' | ')}`;
    for (const id of ['outcome', 'invariants', 'event-log', 'timeline']) {
      if (!byTestId(id)) return `no ${id}`;
    }
    // The log agrees with the engine: the strip's position is the engine's event count.
    const now = Number(byTestId('timeline').getAttribute('aria-valuenow'));
    const lines = document.querySelectorAll('[data-testid="event-log"] .log__list > li').length;
    const head = document.querySelector('[data-testid="event-log"] .log__head')?.textContent ?? '';
    const all = head.match(/^(\d+) events$/);
    const some = head.match(/only · (\d+)\/(\d+)/);
    if (all) {
      if (Number(all[1]) !== now) return `the log counts ${all[1]} events, the engine is at ${now}`;
      if (lines !== now) return `the log shows ${lines} lines for ${now} events`;
    } else if (some) {
      if (Number(some[2]) !== now) return `the log counts ${some[2]} events, the engine is at ${now}`;
      if (lines !== Number(some[1])) return `the filtered log shows ${lines} lines, its head says ${some[1]}`;
    } else {
      return `the log's head reads "${head}"`;
    }
    return null;
  };

  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  const done = [];
  const total = replay ? replay.length : count;
  for (let i = 0; i < total; i++) {
    const action = replay ? replay[i] : generate();
    let reason;
    try {
      if (!perform(action)) continue;
      done.push(action);
      await settle();
      reason = check();
    } catch (e) {
      done.push(action);
      reason = `the test's own action threw: ${e}`;
    }
    if (reason) return { actions: done, state: s, failure: { index: done.length - 1, action, reason } };
  }
  return { actions: done, state: s, failure: null };
}

/**
 * Runs in every document before the page's scripts: gathers uncaught exceptions, rejected
 * promises and console errors into `window.sagascopeErrors` for `actInPage` to check.
 */
export function gatherErrors() {
  window.sagascopeErrors = [];
  window.addEventListener('error', (e) => window.sagascopeErrors.push(`uncaught: ${e.message}`));
  window.addEventListener('unhandledrejection', (e) => window.sagascopeErrors.push(`rejected: ${e.reason}`));
  const error = console.error.bind(console);
  console.error = (...args) => {
    window.sagascopeErrors.push(args.map(String).join(' '));
    error(...args);
  };
}
