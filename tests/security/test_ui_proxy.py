"""The Dagster UI listens on loopback; deploy/ puts it behind a login (issue 15, point 4)."""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CADDY = shutil.which("caddy")
needs_caddy = pytest.mark.skipif(
    CADDY is None, reason="caddy is not installed (Debian: apt-get install caddy; .ci/run does)"
)
USER, PASSWORD = "dataeng", "correct horse battery staple"


def make_ui_commands(**env: str) -> str:
    """What `make ui` would run, without running it (the install step counted as done)."""
    full = {k: v for k, v in os.environ.items() if k not in ("LAKEHOUSE_HOME", "DAGSTER_HOME")}
    done = subprocess.run(
        ["make", "-s", "-n", "-o", ".venv/.installed", "ui"],
        cwd=ROOT,
        env={**full, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_make_ui_binds_loopback_by_default() -> None:
    commands = make_ui_commands()
    assert "-h 127.0.0.1 -p 3000" in commands
    assert "0.0.0.0" not in commands


def test_make_ui_honours_the_homes_and_a_chosen_address(tmp_path: Path) -> None:
    commands = make_ui_commands(
        LAKEHOUSE_HOME=str(tmp_path / "lh"), DAGSTER_HOME=str(tmp_path / "dg"), UI_PORT="3100"
    )
    assert f"LAKEHOUSE_HOME={tmp_path / 'lh'} DAGSTER_HOME={tmp_path / 'dg'}" in commands
    assert "-h 127.0.0.1 -p 3100" in commands


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _get(url: str, auth: tuple[str, str] | None = None, timeout: float = 10) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait_until_answering(url: str, proc: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{proc.args!r} exited with {proc.returncode}")
        try:
            _get(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered at {url} within {seconds}s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def start_proxy(tmp_path: Path, upstream: str) -> Iterator[str]:
    assert CADDY is not None
    hashed = subprocess.run(
        [CADDY, "hash-password", "--plaintext", PASSWORD],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    port = _free_port()
    site = f"http://127.0.0.1:{port}"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "UI_PROXY_SITE": site,
        "UI_PROXY_USER": USER,
        "UI_PROXY_PASSWORD_HASH": hashed,
        "UI_UPSTREAM": upstream,
    }
    with open(tmp_path / "caddy.log", "wb") as log:
        proc = subprocess.Popen(
            [str(ROOT / "deploy" / "ui-proxy.sh")], env=env, stdout=log, stderr=log
        )
    try:
        _wait_until_answering(site, proc, 30)
        yield site
    finally:
        _stop(proc)


class _StubUI(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"dagster ui stub"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stub_ui() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StubUI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@needs_caddy
def test_proxy_asks_for_a_login_and_lets_the_right_one_through(
    tmp_path: Path, stub_ui: str
) -> None:
    with start_proxy(tmp_path, stub_ui) as site:
        status, _ = _get(site)
        assert status == 401
        assert _get(site, auth=(USER, "wrong"))[0] == 401
        assert _get(site, auth=("someone", PASSWORD))[0] == 401
        assert _get(site, auth=(USER, PASSWORD)) == (200, b"dagster ui stub")


def test_proxy_script_refuses_a_plain_password(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "UI_PROXY_SITE": "http://127.0.0.1:1",
        "UI_PROXY_USER": USER,
        "UI_PROXY_PASSWORD_HASH": PASSWORD,
    }
    done = subprocess.run(
        [str(ROOT / "deploy" / "ui-proxy.sh")], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "bcrypt hash" in done.stderr


@needs_caddy
@pytest.mark.slow
def test_proxy_reaches_the_real_dagster_ui(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "LAKEHOUSE_HOME": str(tmp_path / "home"),
        "DAGSTER_HOME": str(tmp_path / "dagster"),
    }
    (tmp_path / "dagster").mkdir()
    (tmp_path / "dagster" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    webserver = Path(sys.executable).parent / "dagster-webserver"
    with open(tmp_path / "webserver.log", "wb") as log:
        ui = subprocess.Popen(
            [str(webserver), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
    try:
        _wait_until_answering(f"http://127.0.0.1:{port}/server_info", ui, 120)
        with start_proxy(tmp_path, f"127.0.0.1:{port}") as site:
            assert _get(f"{site}/server_info")[0] == 401
            status, body = _get(f"{site}/server_info", auth=(USER, PASSWORD))
            assert status == 200
            assert b"dagster_webserver_version" in body
    finally:
        _stop(ui)
