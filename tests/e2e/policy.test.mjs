// The page runs under a strict content security policy (written by scripts/lib/csp.py when it is
// built). Every end-to-end test fails on a violation (page.mjs reports each one as a console
// error); these tests check that the policy is there, strict, the same as the hosts' `_headers`,
// and enforced, so that a violation would indeed be seen.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AppPage, BASE_URL, launchBrowser, withPage } from './page.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** The policy the page carries in its <meta http-equiv>. */
async function pagePolicy(app) {
  return app.page.evaluate(
    () => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? null,
  );
}

test('the page carries a strict policy, the same one the hosts are told to send', async () => {
  await withPage(browser, { preset: 'happy-path', speed: 100 }, async (app) => {
    const policy = await pagePolicy(app);
    assert.ok(policy, 'the page has a policy');
    const directives = new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    assert.deepEqual(directives.get('default-src'), ["'self'"]);
    assert.deepEqual(directives.get('script-src'), ["'self'", "'wasm-unsafe-eval'"]);
    assert.deepEqual(directives.get('style-src'), ["'self'"]);
    assert.deepEqual(directives.get('object-src'), ["'none'"]);
    assert.deepEqual(directives.get('base-uri'), ["'none'"]);
    assert.deepEqual(directives.get('form-action'), ["'none'"]);
    for (const loose of ["'unsafe-inline'", "'unsafe-eval'", '*']) {
      assert.ok(![...directives.values()].flat().includes(loose), `no ${loose}`);
    }
    // Nothing in the page is inline: every script is a file.
    const inline = await app.page.evaluate(() => [...document.scripts].filter((s) => !s.src).length);
    assert.equal(inline, 0, 'no inline script');
    const headers = await (await fetch(new URL('_headers', BASE_URL))).text();
    assert.ok(headers.includes(`Content-Security-Policy: ${policy}\n`), `_headers sends the same policy:\n${headers}`);
    // The page works under it: a run plays to its end.
    await app.play();
    await app.waitForOutcome('completed');
  });
});

test('the policy is enforced: inline code and inline styles are refused, and each refusal is seen', async () => {
  const app = await AppPage.open(browser, { preset: 'happy-path' });
  try {
    const ran = await app.page.evaluate(async () => {
      const probe = document.createElement('div');
      probe.innerHTML = '<img src="data:," onerror="window.inlineRan = true"><p style="color: red">x</p>';
      document.body.append(probe);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const styled = getComputedStyle(probe.querySelector('p')).color === 'rgb(255, 0, 0)';
      probe.remove();
      return { handler: window.inlineRan === true, styled };
    });
    assert.deepEqual(ran, { handler: false, styled: false }, 'neither the handler nor the style took effect');
    assert.ok(app.policyViolations.some((v) => v.includes('script-src')), app.policyViolations.join('\n'));
    assert.ok(app.policyViolations.some((v) => v.includes('style-src')), app.policyViolations.join('\n'));
  } finally {
    await app.close();
  }
});
