#!/usr/bin/env python3
"""Trunk's post_build hook (see Trunk.toml): makes the built page run under a strict content
security policy.

Trunk writes the code that starts the wasm as an inline <script type="module"> in index.html, and
a policy without 'unsafe-inline' refuses inline code. This hook, run on the staged build:
- moves every inline <script> into a file of its own, named by its hash and loaded with an
  integrity attribute, so the page runs only files it ships (under `trunk serve`, its live-reload
  script too);
- refuses to build a page with an inline <style>, a style="" attribute or an on…="" handler,
  which the policy would block at run time;
- writes the policy into the page (<meta http-equiv>) and into `_headers` (the file static hosts
  such as Netlify and Cloudflare Pages read; others: see the README's "Hosting").
"""
import base64
import hashlib
import os
import re
import sys

POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
])

INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)
FORBIDDEN = [
    (re.compile(r"<style[\s>]", re.I), "an inline <style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
]


def fail(message):
    print(f"csp.py: {message}", file=sys.stderr)
    sys.exit(1)


def externalise(staging, public_url, html):
    """Moves each inline script into `boot-<hash>.js`; returns the page without them."""

    def replace(match):
        attrs, body = match.group("attrs"), match.group("body")
        if re.search(r"\ssrc\s*=", attrs) or not body.strip():
            return match.group(0)
        # `trunk serve` adds a live-reload script whose address Trunk fills in when it serves
        # the page, not in a file: let the script read it from where it was loaded instead.
        body = body.replace("'{{__TRUNK_ADDRESS__}}'", "window.location.host")
        body = body.replace("'{{__TRUNK_WS_BASE__}}'", repr(public_url))
        data = body.encode()
        name = f"boot-{hashlib.sha256(data).hexdigest()[:16]}.js"
        with open(os.path.join(staging, name), "wb") as f:
            f.write(data)
        integrity = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
        attrs = re.sub(r'\snonce="[^"]*"', "", attrs)
        return f'<script{attrs} src="{public_url}{name}" integrity="{integrity}"></script>'

    return INLINE_SCRIPT.sub(replace, html)


def main():
    staging = os.environ.get("TRUNK_STAGING_DIR")
    if not staging:
        fail("TRUNK_STAGING_DIR is not set: run me as Trunk's post_build hook")
    public_url = os.environ.get("TRUNK_PUBLIC_URL", "/")
    if not public_url.endswith("/"):
        public_url += "/"
    page = os.path.join(staging, "index.html")
    with open(page, encoding="utf-8") as f:
        html = f.read()
    html = externalise(staging, public_url, html)
    # What is left inside <noscript> is not run either way; everything else must pass.
    checked = re.sub(r"<noscript>.*?</noscript>", "", html, flags=re.S)
    for pattern, what in FORBIDDEN:
        found = pattern.search(checked)
        if found:
            start = max(0, found.start() - 60)
            fail(f"index.html has {what}, which the policy blocks: …{checked[start:found.end() + 40]}…")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
    html, count = re.subn(r'(<meta charset="utf-8">)', r"\1\n    " + meta, html, count=1)
    if count != 1:
        fail('index.html has no <meta charset="utf-8"> to put the policy after')
    with open(page, "w", encoding="utf-8") as f:
        f.write(html)
    with open(os.path.join(staging, "_headers"), "w", encoding="utf-8") as f:
        f.write(f"/*\n  Content-Security-Policy: {POLICY}\n")


if __name__ == "__main__":
    main()
