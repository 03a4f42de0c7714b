"""Starts real `tertulia serve`s for the client-compatibility suite: one
site (`server`), and two sites that federate with each other (`sites`).

The server binary is the one `cargo` built for the Rust tests
(TERTULIA_BINARY, default target/debug/tertulia). It runs on a free
localhost port with a fresh SQLite database in a temporary directory, or on
PostgreSQL when TERTULIA_TEST_POSTGRES_URL is set (a new database is made
there and dropped afterwards).
"""

import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import uuid
import zlib
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
# The two `sites` reach each other on loopback, which a site refuses by
# default (it guards against reaching private addresses); and their random
# ports put neither on the other's allowlist, so they federate openly.
FEDERATING = {
    "TERTULIA_FEDERATION_ALLOW_PRIVATE_ADDRESSES": "true",
    "TERTULIA_FEDERATION_MODE": "open",
}


def tiny_png(width=4, height=3):
    """A valid, solid-red RGB PNG built by hand, so the suite needs no image
    library: signature, IHDR, one zlib-compressed IDAT, IEND."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))  # filter byte 0 per row
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture
def png_file(tmp_path):
    """Path of a freshly written tiny PNG."""
    path = tmp_path / "red.png"
    path.write_bytes(tiny_png())
    return path


def eventually(what, check, timeout=20):
    """Polls `check` until it returns something truthy, which it returns;
    for what crosses sites in the background (deliveries, fetches)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    # Another process may take the free port before the server binds it:
    # the server then exits, and is started again on another port.
    PORT_ATTEMPTS = 5

    def __init__(self, extra_env=None):
        self.binary = os.environ.get("TERTULIA_BINARY", str(ROOT / "target" / "debug" / "tertulia"))
        self.dir = tempfile.mkdtemp(prefix="tertulia-clients-")
        self.pg_admin = os.environ.get("TERTULIA_TEST_POSTGRES_URL")
        self.pg_name = None
        if self.pg_admin:
            self.pg_name = "tertulia_clients_" + uuid.uuid4().hex[:12]
            subprocess.run(["psql", self.pg_admin, "-qc", f"CREATE DATABASE {self.pg_name}"], check=True)
            self.database_url = self.pg_admin.rsplit("/", 1)[0] + "/" + self.pg_name
        else:
            self.database_url = f"sqlite://{self.dir}/tertulia.db"
        self.extra_env = extra_env or {}
        for _ in range(self.PORT_ATTEMPTS):
            if self._start(free_port()):
                return
        raise RuntimeError("tertulia serve did not start:\n" + Path(f"{self.dir}/serve.log").read_text())

    def _start(self, port):
        """Starts the server on `port`; False if it exited before listening."""
        self.port = port
        self.domain = f"localhost:{port}"
        self.base_url = f"http://{self.domain}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TERTULIA_")}
        self.env.update({
            "TERTULIA_DOMAIN": self.domain,
            "TERTULIA_BIND": f"127.0.0.1:{port}",
            "TERTULIA_DATABASE_URL": self.database_url,
            "TERTULIA_MEDIA_DIR": f"{self.dir}/media",
        })
        self.env.update(self.extra_env)
        self.log = open(f"{self.dir}/serve.log", "w")
        self.process = subprocess.Popen([self.binary, "serve"], env=self.env, cwd=self.dir,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.close()
                return False
            # Only this server's own log proves the port is its: another
            # process on it would answer /healthz too.
            if "Tertulia is listening" in Path(f"{self.dir}/serve.log").read_text():
                try:
                    if requests.get(f"{self.base_url}/healthz", timeout=1).ok:
                        return True
                except requests.ConnectionError:
                    pass
            time.sleep(0.05)
        raise RuntimeError("tertulia serve did not become healthy:\n" + Path(f"{self.dir}/serve.log").read_text())

    def cli(self, *args, stdin=""):
        result = subprocess.run([self.binary, *args], env=self.env, cwd=self.dir, input=stdin,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def create_user(self, username):
        self.cli("admin", "user", "create", "--username", username, "--email", f"{username}@acme.example",
                 "--password-stdin", stdin=PASSWORD + "\n")
        return f"{username}@acme.example"

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=10)
        self.log.close()
        if self.pg_name:
            subprocess.run(["psql", self.pg_admin, "-qc", f"DROP DATABASE IF EXISTS {self.pg_name} WITH (FORCE)"])
        shutil.rmtree(self.dir, ignore_errors=True)


def password_token(server, email, scopes):
    """An access token for `email` with `scopes`, through the password grant."""
    app = requests.post(f"{server.base_url}/api/v1/apps", timeout=10, data={
        "client_name": "Client suite", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": scopes}).json()
    token = requests.post(f"{server.base_url}/oauth/token", timeout=10, data={
        "grant_type": "password", "client_id": app["client_id"], "client_secret": app["client_secret"],
        "username": email, "password": PASSWORD, "scope": scopes}).json()
    return token["access_token"]


@pytest.fixture(scope="session")
def server():
    running = Server()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def sites():
    """Two sites, `hq` and `es`, that federate with each other."""
    hq, es = Server(FEDERATING), Server(FEDERATING)
    yield hq, es
    hq.stop()
    es.stop()
