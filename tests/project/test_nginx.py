"""deploy/nginx.conf in a real nginx (Debian's `nginx` package), in front of the live server or of a recorder of
what reaches the upstream: it passes `nginx -t`, serves /media/ and /static/ itself with their cache headers,
proxies the rest with the forwarded headers set by itself, and refuses bodies over Django's limits.

Only the addresses change from the compose file's: nginx listens on loopback, the upstream is this test's, and
/srv is a folder of the test's own. Skipped where nginx is not installed, except in CI (CI=true), where it fails."""

import getpass
import gzip
import http.client
import os
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from catalog.images import MAX_BYTES
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


@pytest.fixture(scope="module")
def nginx_binary():
    if NGINX is None:
        if IN_CI:
            pytest.fail("CI=true but nginx is not installed (apt-get install -y nginx)")
        pytest.skip("nginx is not installed (apt-get install -y nginx)")
    return NGINX


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _site_conf(*, port: int, upstream_port: int, srv: Path) -> str:
    """deploy/nginx.conf with this machine's addresses; each replaced line must be there exactly once. The upstream
    is an address here, so it needs no resolving (Debian's nginx, 1.22, predates `resolve`; the image's has it)."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in (
        ("    listen 80;\n", f"    listen 127.0.0.1:{port};\n"),
        ("    server web:8000 resolve;\n", f"    server 127.0.0.1:{upstream_port};\n"),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    assert text.count("root /srv;") == 2
    return text.replace("root /srv;", f"root {srv};")


def _main_conf(workdir: Path, site: Path) -> str:
    """What the official image's /etc/nginx/nginx.conf gives the site file: an http block with the MIME types."""
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""  # workers read the test's own folders
    mime = "include /etc/nginx/mime.types;" if os.path.exists("/etc/nginx/mime.types") else ""
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = " ".join(f"{kind}_temp_path {workdir / kind};" for kind in kinds)
    return (
        f"{user}worker_processes 1;\ndaemon off;\npid {workdir / 'nginx.pid'};\nerror_log {workdir / 'error.log'};\n"
        "events { worker_connections 64; }\n"
        f"http {{ {mime} default_type application/octet-stream; access_log {workdir / 'access.log'}; {temp}\n"
        f"include {site}; }}\n"
    )


class Nginx:
    def __init__(self, binary: str, workdir: Path, srv: Path, upstream_port: int):
        self.binary, self.workdir, self.port = binary, workdir, _free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        site = workdir / "site.conf"
        site.write_text(_site_conf(port=self.port, upstream_port=upstream_port, srv=srv))
        self.conf = workdir / "nginx.conf"
        self.conf.write_text(_main_conf(workdir, site))
        self.process = None

    def test_config(self) -> subprocess.CompletedProcess:
        return subprocess.run([self.binary, "-t", "-p", str(self.workdir), "-c", str(self.conf)],
                              capture_output=True, text=True, timeout=30)  # fmt: skip

    def start(self):
        self.process = subprocess.Popen([self.binary, "-p", str(self.workdir), "-c", str(self.conf)],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        self.stop()
        raise AssertionError("nginx did not start: " + (self.workdir / "error.log").read_text(errors="replace"))

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM to the master: a fast shutdown, workers included
            self.process.wait(timeout=15)

    def request(self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers={"Host": f"localhost:{self.port}", **(headers or {})})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()


class _Recorder(BaseHTTPRequestHandler):
    """An upstream that answers 200 and keeps the headers and body size of what nginx passed it."""

    seen: list = []

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.seen.append({"headers": dict(self.headers), "length": length, "path": self.path})
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Recorder.seen
    server.shutdown()
    server.server_close()


@pytest.fixture
def srv(tmp_path, settings):
    """/srv as in the nginx container: the media and static volumes, which Django writes here."""
    settings.MEDIA_ROOT = tmp_path / "srv" / "media"
    settings.STATIC_ROOT = tmp_path / "srv" / "static"
    return tmp_path / "srv"


def test_nginx_accepts_the_configuration(nginx_binary, tmp_path):
    result = Nginx(nginx_binary, tmp_path / "nginx", tmp_path / "srv", _free_port()).test_config()
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


def test_nginx_sets_the_forwarded_headers_itself_and_refuses_bodies_over_django_s_limits(
    nginx_binary, tmp_path, srv, recorder
):
    upstream_port, seen = recorder
    proxy = Nginx(nginx_binary, tmp_path / "nginx", srv, upstream_port).start()
    try:
        status, _, _ = proxy.request(
            "GET", "/catalogue/?page=2", headers={"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "https"}
        )
        assert status == 200
        [passed] = seen
        assert passed["path"] == "/catalogue/?page=2"
        assert passed["headers"]["Host"] == f"localhost:{proxy.port}"  # with its port, for Django's absolute URLs
        # nginx appends the address it saw: with TRUSTED_PROXY_COUNT=1 the shop reads that one, not the forgery
        assert passed["headers"]["X-Forwarded-For"] == "6.6.6.6, 127.0.0.1"
        assert passed["headers"]["X-Forwarded-Proto"] == "http"  # how the client came, not what it claimed

        largest = 10 * 1024 * 1024 + 2 * MAX_BYTES  # 10 MB of fields and two 5 MB images
        assert proxy.request("POST", "/dashboard/", body=b"x" * largest)[0] == 200
        assert seen[-1]["length"] == largest
        assert proxy.request("POST", "/dashboard/", body=b"x" * (largest + 1))[0] == 413
        assert len(seen) == 2  # the oversized body never reached the upstream

        status, _, body = proxy.request("GET", "/nginx-health")
        assert (status, body) == (200, b"ok\n")
    finally:
        proxy.stop()


def test_nginx_serves_uploads_and_collected_static_files_and_proxies_pages_to_the_shop(
    nginx_binary, tmp_path, srv, live_server, seeded
):
    # given: what web puts on the volumes - the placeholder (prepare_media), an upload, a collected file
    call_command("prepare_media")
    upload = default_storage.save("storefronts/logos/logo.jpg", ContentFile(b"\xff\xd8\xff\xe0 a picture"))
    page = default_storage.save("attributes/page.html", ContentFile(b"<script>alert(1)</script>"))
    css = b"body { color: #123456; }"
    storage = ManifestStaticFilesStorage(location=srv / "static")
    hashed = storage.hashed_name("css/shop.css", ContentFile(css))  # css/shop.<12 hex digits>.css, as Django names
    for name in ("css/shop.css", hashed):
        (srv / "static" / name).parent.mkdir(parents=True, exist_ok=True)
        (srv / "static" / name).write_bytes(css)
    (srv / "static" / f"{hashed}.gz").write_bytes(gzip.compress(css))
    proxy = Nginx(nginx_binary, tmp_path / "nginx", srv, int(live_server.url.rsplit(":", 1)[1])).start()
    try:
        # when / then: media straight from the volume, an hour's cache, never runnable as a page of the shop
        status, headers, body = proxy.request("GET", f"/media/{upload}")
        assert (status, body) == (200, b"\xff\xd8\xff\xe0 a picture")
        assert headers["cache-control"] == "public, max-age=3600" and headers["content-type"] == "image/jpeg"
        status, headers, _ = proxy.request("GET", "/media/image_not_found.jpg")
        assert status == 200 and headers["cache-control"] == "public, max-age=3600"
        status, headers, _ = proxy.request("GET", f"/media/{page}")
        assert status == 200 and "sandbox" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert proxy.request("GET", "/media/storefronts/logos/")[0] in (403, 404)  # no folder listing
        assert proxy.request("GET", "/media/nothing-here.jpg")[0] == 404

        # static: hashed names for a year, immutable (gzipped where asked); other names for an hour
        status, headers, body = proxy.request("GET", f"/static/{hashed}")
        assert (status, body) == (200, css)
        assert headers["cache-control"] == "public, max-age=31536000, immutable"
        status, headers, _ = proxy.request("GET", f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("content-encoding") == "gzip"
        status, headers, _ = proxy.request("GET", "/static/css/shop.css")
        assert status == 200 and headers["cache-control"] == "public, max-age=3600"

        # everything else is the shop's, through gunicorn's place
        status, headers, body = proxy.request("GET", "/health/live/")
        assert status == 200
        status, headers, body = proxy.request("GET", "/accounts/login/")
        assert status == 200 and b"csrfmiddlewaretoken" in body
    finally:
        proxy.stop()
