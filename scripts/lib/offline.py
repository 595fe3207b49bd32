#!/usr/bin/env python3
"""Trunk's post_build hook, after csp.py (see Trunk.toml): writes into the staged sw.js the list
of files the service worker stores for offline use, and a version named by their contents, so
that a new build installs a new cache and deletes the old one (never a mix of two builds).
"""
import hashlib
import json
import os
import sys

# Served to browsers but not needed offline, or the worker itself.
LEFT_OUT = {"sw.js", "_headers"}


def main():
    staging = os.environ.get("TRUNK_STAGING_DIR")
    if not staging:
        print("offline.py: TRUNK_STAGING_DIR is not set: run me as Trunk's post_build hook", file=sys.stderr)
        sys.exit(1)
    worker = os.path.join(staging, "sw.js")
    with open(worker, encoding="utf-8") as f:
        template = f.read()
    if "__FILES__" not in template or "__VERSION__" not in template:
        print("offline.py: sw.js has no __FILES__ or __VERSION__ to fill in", file=sys.stderr)
        sys.exit(1)
    files = []
    digest = hashlib.sha256()
    for root, _dirs, names in os.walk(staging):
        for name in sorted(names):
            path = os.path.join(root, name)
            relative = os.path.relpath(path, staging).replace(os.sep, "/")
            if relative in LEFT_OUT:
                continue
            files.append(relative)
            with open(path, "rb") as f:
                digest.update(relative.encode() + b"\0" + f.read())
    files.sort()
    # The page itself is stored as "./" (what a link to the site opens), not as index.html.
    urls = ["./" if f == "index.html" else f"./{f}" for f in files]
    worker_text = template.replace("__FILES__", json.dumps(urls)).replace(
        "__VERSION__", digest.hexdigest()[:16]
    )
    with open(worker, "w", encoding="utf-8") as f:
        f.write(worker_text)
    # Hosts that read `_headers` (written by csp.py) are told to let browsers check the worker
    # for a new build on every visit.
    with open(os.path.join(staging, "_headers"), "a", encoding="utf-8") as f:
        f.write("/sw.js\n  Cache-Control: no-cache\n")


if __name__ == "__main__":
    main()
