#!/usr/bin/env python
"""HTTP benchmark of public pages against /healthz on the same server, in one run.

Starts gunicorn (2 workers, debug off) on a loopback port against DATABASE_URL
(default: a fresh SQLite file seeded with `seed_demo`), then measures with wrk,
alternating A B A B so machine noise hits both sides alike. Prints requests/s,
p95 latency and the ratio page / healthz for each page.

    .venv/bin/python bench/http_pages.py [--duration 5] [--rounds 2] [--path /r/410311/ ...]

Needs `wrk` (apt-get install wrk). Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
LUA_P95 = """
done = function(summary, latency, requests)
  io.write(string.format("P95_US %d\\n", latency:percentile(95)))
end
"""
DEFAULT_PATHS = ["/r/410311/social-assistance/", "/r/410311/", "/search/?q=低保"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, env, **kw):
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, **kw)


def wrk(url: str, duration: int, script: str) -> tuple[float, float]:
    out = subprocess.run(
        ["wrk", "-t1", "-c8", f"-d{duration}s", "-s", script, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p95_ms = int(re.search(r"P95_US (\d+)", out).group(1)) / 1000
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} 个非 2xx/3xx 响应，基准无效")
    return rps, p95_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--path", action="append", dest="paths")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("需要 wrk：apt-get install -y wrk")
    paths = args.paths or DEFAULT_PATHS

    tmp = Path(tempfile.mkdtemp(prefix="bench-http-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    seed_env = {**env, "DJANGO_SETTINGS_MODULE": "catalog_portal.settings.demo"}
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], seed_env)
    run([PY, "manage.py", "seed_demo"], seed_env, stdout=subprocess.DEVNULL)
    serve_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "catalog_portal.settings.base",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-" + "k" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_STATIC_ROOT": str(tmp / "static"),
    }
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], serve_env)
    port = free_port()
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "catalog_portal.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=serve_env,
    )
    base = f"http://127.0.0.1:{port}"
    script = tmp / "p95.lua"
    script.write_text(LUA_P95)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        for path in paths:  # warm caches and check the page answers 200
            with urllib.request.urlopen(
                base + urllib.request.quote(path, safe="/?=&"), timeout=10
            ) as r:
                assert r.status == 200, path
        print(
            f"{'page':40} {'req/s':>9} {'p95 ms':>8} {'healthz req/s':>14} {'ratio':>6}"
        )
        for path in paths:
            url = base + urllib.request.quote(path, safe="/?=&")
            page, health = [], []
            for _ in range(args.rounds):
                health.append(wrk(base + "/healthz", args.duration, str(script)))
                page.append(wrk(url, args.duration, str(script)))
            rps = sum(r for r, _ in page) / len(page)
            p95 = max(p for _, p in page)
            hrps = sum(r for r, _ in health) / len(health)
            print(f"{path:40} {rps:9.1f} {p95:8.1f} {hrps:14.1f} {rps / hrps:6.2f}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
