"""Several servers behind a load balancer: Debian's nginx with deploy/nginx.conf (its port and servers filled in)
in front of two page servers on one Postgres. A class runs through the one public port in real browsers; every
page's requests and websocket stay on one server, both servers serve pages, and a page whose server stops carries
on through the other. An upload bigger than the app takes is refused at the door, and uploads a server refuses
take no server out of rotation."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from appserver import ROOT, STARTUP_S, free_port, stop
from conftest import ARTIFACTS, RUN_TIMEOUT_MS, AppPage, unavailable
from test_class import board_shows, send, servers, start_class

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
import pgcluster  # noqa: E402

pytestmark = pytest.mark.e2e
NGINX = Path("/usr/sbin/nginx")  # Debian's
CONF = ROOT / "deploy" / "nginx.conf"
ROUTE = "playground_route"  # the cookie deploy/nginx.conf routes by
SHIPPED = ("listen 80;", "server 127.0.0.1:8501 ", "server 127.0.0.1:8502 ")  # what the test fills in
MAIN = """\
{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
daemon off;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/playground.conf;
    access_log {tmp}/access.log playground_upstream;
}}
"""
# Sets window.lostAndRerun once the page has lost its websocket and then run its script again (on a new one).
WATCH_RECONNECT = """() => {
  const app = document.querySelector("[data-testid=stApp]");
  let lost = false;
  new MutationObserver(() => {
    lost ||= app.dataset.testConnectionState !== "CONNECTED";
    if (lost && app.dataset.testScriptState === "running") window.lostAndRerun = true;
  }).observe(app, {attributes: true, attributeFilter: ["data-test-connection-state", "data-test-script-state"]});
}"""
LINE = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) \d+ route=(?P<route>\S+) '
                  r"upstream=(?P<upstream>.*?) upstream_status=")


@dataclass(frozen=True)
class Served:
    """One request as nginx logged it: which key routed it and the servers it tried, in order."""

    method: str
    path: str
    status: int
    route: str
    upstreams: tuple[str, ...]  # ("127.0.0.1:port", ...); empty when nginx answered itself


@dataclass
class Balancer:
    url: str  # "http://127.0.0.1:<port>/"
    access_log: Path

    def served(self) -> list[Served]:
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return [Served(m["method"], m["path"], int(m["status"]), m["route"],
                       tuple(u for u in m["upstream"].split(", ") if u != "-"))
                for m in map(LINE.search, lines) if m]

    def server_for(self, route: str) -> str:
        """The server nginx sends a browser carrying ``route`` to (asked with one health check)."""
        def routed(served: list[Served]) -> list[Served]:
            return [s for s in served if s.route == route]

        before = len(routed(self.served()))
        request = urllib.request.Request(self.url + "_stcore/health", headers={"Cookie": f"{ROUTE}={route}"})
        with urllib.request.urlopen(request, timeout=10) as r:
            assert r.read() == b"ok"
        return self.logged(lambda served: routed(served)[before:])[-1].upstreams[-1]

    def logged(self, found: Callable[[list[Served]], Any], within_s: float = 20) -> Any:
        """What ``found`` picks from the log, once it picks something: nginx writes a request's line after its
        response has gone out, and a websocket's when it closes."""
        deadline = time.monotonic() + within_s
        while not (picked := found(self.served())) and time.monotonic() < deadline:
            time.sleep(0.1)
        return picked


def site(port: int, upstreams: list[str]) -> str:
    """deploy/nginx.conf listening on a loopback port, in front of ``upstreams`` ("host:port") instead of its own."""
    text = CONF.read_text()
    filled = [f"listen 127.0.0.1:{port};", *(f"server {u} " for u in upstreams)]
    for old, new in zip(SHIPPED, filled, strict=True):
        assert text.count(old) == 1, f"{CONF} no longer has exactly one {old!r}"
        text = text.replace(old, new)
    return text


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "_stcore/health", timeout=2) as r:
            return r.read() == b"ok"
    except OSError:
        return False


@contextmanager
def nginx(upstreams: list[str], tmp: Path) -> Iterator[Balancer]:
    """Debian's nginx in the foreground with deploy/nginx.conf, its prefix, pid, logs and temp files in ``tmp``;
    yields once a health check answers through it, always stopped."""
    (tmp / "playground.conf").write_text(site(port := free_port(), upstreams))
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers would drop to nobody, who cannot enter tmp
    (tmp / "nginx.conf").write_text(MAIN.format(user=user, tmp=tmp))
    with (tmp / "nginx.out").open("wb") as out:
        proc = subprocess.Popen([NGINX, "-p", tmp, "-c", tmp / "nginx.conf", "-e", tmp / "error.log"],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    lb = Balancer(f"http://127.0.0.1:{port}/", tmp / "access.log")
    try:
        deadline = time.monotonic() + STARTUP_S
        while not healthy(lb.url):
            if proc.poll() is not None or time.monotonic() > deadline:
                logs = "".join(p.read_text(errors="replace") for p in (tmp / "nginx.out", tmp / "error.log")
                               if p.exists())
                raise RuntimeError(f"nginx did not answer within {STARTUP_S} s (exit code {proc.poll()}):\n"
                                   f"{logs[-2000:]}")
            time.sleep(0.2)
        yield lb
    finally:
        stop(proc)


@dataclass
class Hosting:
    lb: Balancer
    one: str  # "127.0.0.1:<port>" of each page server
    two: str
    stop_two: Callable[[], None]


@pytest.fixture(scope="module")
def hosting() -> Iterator[Hosting]:
    """Two page servers on one fresh Postgres schema, with one cookie secret, behind nginx (logs in
    artifacts/e2e/hosting-nginx/). The class test stops the second server: it runs last."""
    if not os.access(NGINX, os.X_OK):
        unavailable(f"no nginx at {NGINX} (apt-get install nginx)")
    with ExitStack() as stack, pytest.MonkeyPatch.context() as env:
        db = stack.enter_context(pgcluster.fresh_schema(stack.enter_context(pgcluster.postgres())))
        env.setenv("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))  # one secret, every server
        (one,) = stack.enter_context(servers(1, db, "hosting-one"))
        second = stack.enter_context(ExitStack())
        (two,) = second.enter_context(servers(1, db, "hosting-two"))
        one, two = (url.removeprefix("http://").rstrip("/") for url in (one, two))
        shutil.rmtree(logs := ARTIFACTS / "hosting-nginx", ignore_errors=True)
        logs.mkdir(parents=True)
        lb = stack.enter_context(nginx([one, two], logs))
        yield Hosting(lb, one, two, second.close)


def open_page(browser: Any, lb: Balancer, query: str, route: str | None = None) -> AppPage:
    """A fresh browser context on the balancer's port; ``route`` presets the key nginx would have handed out."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    ctx.set_default_timeout(RUN_TIMEOUT_MS)
    if route is not None:
        ctx.add_cookies([{"name": ROUTE, "value": route, "url": lb.url}])
    return AppPage(ctx.new_page(), lb.url).goto(query)


def route_of(page: AppPage) -> str:
    (value,) = [c["value"] for c in page.page.context.cookies() if c["name"] == ROUTE]
    return value


def closed(lb: Balancer, *pages: AppPage) -> list[Served]:
    """Close the pages' contexts and return the log once each of their websockets has ended (nginx logs a
    websocket when it closes)."""
    routes = {route_of(p) for p in pages}
    for p in pages:
        p.page.context.close()

    def all_ended(served: list[Served]) -> list[Served]:
        ended = {s.route for s in served if s.path.startswith("/_stcore/stream") and s.status == 101}
        return served if routes <= ended else []

    return lb.logged(all_ended) or lb.served()


def servers_of(served: list[Served], route: str) -> list[tuple[str, ...]]:
    return [s.upstreams for s in served if s.route == route]


def test_an_upload_bigger_than_the_app_takes_is_refused_at_the_door(hosting):
    limit_mb = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    cap = (limit_mb + 1) * 1024 * 1024  # Streamlit's own cap on the body: the file plus 1 MB of multipart framing
    lb = hosting.lb

    def put(path: str, size: int) -> int:
        request = urllib.request.Request(lb.url + path, data=b"x" * size, method="PUT",
                                         headers={"Cookie": f"{ROUTE}=upload"})
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status
        except urllib.error.HTTPError as error:
            return error.code

    home = lb.server_for("upload")
    assert put("_stcore/upload_file/session/file", cap + 1) == 413
    assert put("", 2 * 1024) == 413  # nothing else takes a body
    for _ in range(4):  # passed on: the server refuses it without an XSRF token, maybe before reading it all
        assert put("_stcore/upload_file/session/file", cap) != 413
    puts = lb.logged(lambda log: ps if len(ps := [s for s in log if s.route == "upload" and s.method == "PUT"]) == 6
                     else [])
    assert [s.upstreams[:1] for s in puts] == [(), (), (home,), (home,), (home,), (home,)]
    # however the servers refused them (errors included), none was taken out of rotation
    assert lb.server_for("upload") == home


def test_a_class_runs_through_the_load_balancer_on_both_servers(browser, hosting):
    lb = hosting.lb
    keys = {}  # a key that nginx sends to each server, found by asking it
    for i in range(64):
        keys.setdefault(lb.server_for(f"probe-{i}"), f"probe-{i}")
        if len(keys) == 2:
            break
    assert set(keys) == {hosting.one, hosting.two}

    teacher = open_page(browser, lb, "tab=Class")  # no key yet: nginx hands one out with the first response
    code, _ = start_class(teacher)
    projector = open_page(browser, lb, f"room={code}&view=board", keys[hosting.one])
    loads = []
    projector.page.on("load", lambda _: loads.append(1))
    ann = open_page(browser, lb, f"room={code}&dataset=xor&epochs=300", keys[hosting.one])
    bob = open_page(browser, lb, f"room={code}&dataset=xor&epochs=300&lr=0.9", keys[hosting.two])
    send(ann, "Ann")
    send(bob, "Bob")  # through the other server than the projector's
    board_shows(projector, "Ann", "Bob")
    assert loads == [] and projector.page.get_by_text("2 runs from 2 students").count() == 1
    route = {name: route_of(page) for name, page in
             [("teacher", teacher), ("ann", ann), ("bob", bob), ("projector", projector)]}
    assert route["teacher"] not in keys.values()

    # every request of a page, from its first, and its websocket went to one server; both servers served pages
    served = closed(lb, teacher, ann)
    first = [s for s in served if s.route == route["teacher"]][0]
    assert first.method == "GET" and first.path == "/?tab=Class"  # routed by the key it handed out
    for s in served:
        if s.route in route.values() or s.route in keys.values():
            assert len(s.upstreams) == 1, s  # no server was passed over while both were up
    for name, key in route.items():
        kinds = {s.path.split("?")[0] for s in served if s.route == key}
        assert "/_stcore/health" in kinds and (name in ("bob", "projector") or "/_stcore/stream" in kinds), kinds
        assert len(set(servers_of(served, key))) == 1, (name, servers_of(served, key))
    assert set(servers_of(served, route["ann"])) == {(hosting.one,)}
    assert set(servers_of(served, route["bob"])) == {(hosting.two,)}

    # the second server stops: Bob's page reconnects through the first and sends again; the projector shows it
    bob.page.evaluate(WATCH_RECONNECT)
    hosting.stop_two()
    bob.page.wait_for_function("window.lostAndRerun === true")
    bob.wait_finished()
    send(bob, "Bob again")
    board_shows(projector, "Bob again")
    assert loads == []
    assert not projector.errors and not ann.errors and not teacher.errors
    projector.screenshot("hosting-projector")

    served = closed(lb, bob, projector)
    assert set(servers_of(served, route["projector"])) == {(hosting.one,)}
    sockets = [s.upstreams for s in served if s.path.startswith("/_stcore/stream") and s.status == 101]
    assert {u[-1] for u in sockets} == {hosting.one, hosting.two}  # both servers held websockets
    bobs = servers_of(served, route["bob"])
    assert bobs[-1][-1] == hosting.one
    moved = [u == (hosting.two,) for u in bobs].index(False)
    assert set(bobs[:moved]) == {(hosting.two,)}  # on the second server until it stopped,
    assert {u[-1] for u in bobs[moved:]} == {hosting.one}  # then on the first
