"""The browser course's DOM (issue 14): happy-dom installed from the pinned lock by
``.ci/install-node-libs.py`` (integrity checked, idempotent, safe unpacking), and the page
runner a learner's Run uses, in a real Run sandbox (real bubblewrap, real node, real happy-dom).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jail.run import Limits, run_in_workspace
from jail.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / ".ci" / "install-node-libs.py"
LOCK = ROOT / ".ci" / "node-libs.lock.json"
INSTALLED = Path("/usr/local/lib/slate")
EXERCISES = ROOT / "courses" / "catalog" / "10-browser"



def _installer() -> Any:
    spec = importlib.util.spec_from_file_location("install_node_libs", INSTALLER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tarball(files: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return out.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


class FakeRegistry:
    """Stands in for urllib.request.urlopen: serves tarballs by URL and counts fetches."""

    def __init__(self, tarballs: dict[str, bytes]) -> None:
        self.tarballs = tarballs
        self.fetched: list[str] = []

    def __call__(self, url: str, timeout: float = 0) -> Any:
        self.fetched.append(url)
        return io.BytesIO(self.tarballs[url])


def _setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tarballs: dict[str, bytes],
           integrity: dict[str, str] | None = None) -> tuple[Any, FakeRegistry]:
    mod = _installer()
    lock = {"packages": [
        {"name": url.rsplit("/", 1)[-1].split("-")[0], "version": "1.0.0", "tarball": url,
         "integrity": (integrity or {}).get(url, _integrity(data))}
        for url, data in tarballs.items()
    ]}
    (tmp_path / "lock.json").write_text(json.dumps(lock))
    monkeypatch.setattr(mod, "LOCK", tmp_path / "lock.json")
    monkeypatch.setattr(mod, "EXTRA", {})
    registry = FakeRegistry(tarballs)
    monkeypatch.setattr(mod.urllib.request, "urlopen", registry)
    return mod, registry


def _package(name: str) -> bytes:
    meta = json.dumps({"name": name, "version": "1.0.0"}).encode()
    code = b"module.exports = 1;\n"
    return _tarball({"package/package.json": meta, "package/lib/index.js": code})


def test_installs_verified_packages_and_a_second_run_fetches_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "https://registry.example/alpha/-/alpha-1.0.0.tgz"
    mod, registry = _setup(tmp_path, monkeypatch, {url: _package("alpha")})
    dest = tmp_path / "dest"
    assert mod.main(["x", str(dest)]) == 0
    installed = dest / "node_modules" / "alpha"
    assert json.loads((installed / "package.json").read_text())["version"] == "1.0.0"
    assert (installed / "lib" / "index.js").stat().st_mode & 0o777 == 0o644
    assert registry.fetched == [url]
    assert mod.main(["x", str(dest)]) == 0  # idempotent: already the pinned version
    assert registry.fetched == [url]


def test_a_tarball_that_does_not_match_its_pinned_sha512_is_not_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "https://registry.example/alpha/-/alpha-1.0.0.tgz"
    pinned = _integrity(_package("alpha"))
    tampered = _tarball({"package/package.json": b'{"version": "1.0.0"}',
                         "package/evil.js": b"process.exit(0)"})
    mod, _ = _setup(tmp_path, monkeypatch, {url: tampered}, {url: pinned})
    dest = tmp_path / "dest"
    with pytest.raises(SystemExit, match="does not match its pinned sha512"):
        mod.main(["x", str(dest)])
    assert not (dest / "node_modules" / "alpha").exists()


def test_unpacking_refuses_parent_paths_and_skips_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    climbing = "https://registry.example/beta/-/beta-1.0.0.tgz"
    mod, _ = _setup(tmp_path, monkeypatch, {
        climbing: _tarball({"package/package.json": b'{"version": "1.0.0"}',
                            "package/../../escaped.js": b"x"}),
    })
    with pytest.raises(SystemExit, match="refusing"):
        mod.main(["x", str(tmp_path / "dest")])
    assert not list(tmp_path.rglob("escaped.js"))

    linking = "https://registry.example/gamma/-/gamma-1.0.0.tgz"
    mod, _ = _setup(tmp_path, monkeypatch, {
        linking: _tarball({"package/package.json": b'{"version": "1.0.0"}'},
                          links={"package/passwd": "/etc/passwd"}),
    })
    assert mod.main(["x", str(tmp_path / "dest2")]) == 0
    unpacked = tmp_path / "dest2" / "node_modules" / "gamma"
    assert (unpacked / "package.json").is_file()
    assert not (unpacked / "passwd").exists() and not (unpacked / "passwd").is_symlink()


def test_the_lock_pins_every_package_by_exact_version_and_sha512() -> None:
    lock = json.loads(LOCK.read_text())
    names = {p["name"] for p in lock["packages"]}
    assert "happy-dom" in names
    for package in lock["packages"]:
        assert package["integrity"].startswith("sha512-"), package
        assert package["version"][0].isdigit() and "^" not in package["version"], package
        assert package["tarball"].startswith("https://registry.npmjs.org/"), package


def test_the_installed_libraries_are_the_locked_ones_and_readable_by_all() -> None:
    assert (INSTALLED / "node_modules" / "happy-dom").is_dir(), "run `make install`"
    for package in json.loads(LOCK.read_text())["packages"]:
        meta = INSTALLED / "node_modules" / package["name"] / "package.json"
        assert json.loads(meta.read_text())["version"] == package["version"], package["name"]
        assert meta.stat().st_mode & 0o004
    runner = INSTALLED / "dom-page.cjs"
    source = ROOT / "courses" / "kinds" / "harness" / "dom-page.cjs"
    assert runner.read_bytes() == source.read_bytes()


@pytest.fixture
def ws() -> Iterator[Workspace]:
    root = Path(tempfile.mkdtemp(prefix="slate-dom-run-", dir="/tmp"))
    try:
        workspace = Workspace(root / "ws")
        workspace.provision()
        yield workspace
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bwrap")
async def test_run_in_a_real_sandbox_shows_the_page_after_its_script_ran(ws: Workspace) -> None:
    """The Run key of every browser exercise: the page as the script left it, its console
    lines, and its script's error as a sentence with the file and line (no stack)."""
    exercise = EXERCISES / "05-events"
    for path in sorted((exercise / "solution").iterdir()):
        ws.write_atomic(f"ex/{path.name}", path.read_bytes())
    ws.write_atomic("ex/script.js", (
        "document.querySelector('#count').textContent = 41 + 1;\n"
        "console.log('counted');\n"
        "document.querySelector('#nothing-here').remove();\n"
    ))
    argv = ["node", "/usr/local/lib/slate/dom-page.cjs"]
    result = await run_in_workspace(ws, "ex", argv, limits=Limits(wall=30), host_uid=None)
    out = (result.stdout + result.stderr).decode("utf-8", "replace")
    assert 'Your page "Cups of tea" after its script ran:' in out, out
    assert '<p id="count"> 42' in out, out
    assert "counted" in out
    assert "script.js line 3: TypeError" in out and "check the selector" in out, out
    assert "    at " not in out  # no stack frames

    html = await run_in_workspace(ws, "ex", [*argv, "--html"], limits=Limits(wall=30),
                                  host_uid=None)
    page = html.stdout.decode("utf-8", "replace")
    assert page.startswith("<!DOCTYPE html>") and '<p id="count">42</p>' in page, page
    assert "counted" not in page and "TypeError" not in page  # console and errors: elsewhere


# -- the page as a browser would run it (real node, real happy-dom, dom-page.cjs itself) ------

PAGE_JS = ROOT / "courses" / "kinds" / "harness" / "dom-page.cjs"


def _page(tmp_path: Path, html: str, script: str, steps: str) -> Any:
    """Open index.html (+ script.js) in tmp_path with dom-page.cjs, run JS `steps` on `page`,
    and return what they print as JSON."""
    import subprocess

    (tmp_path / "index.html").write_text(html)
    (tmp_path / "script.js").write_text(script)
    program = (
        f"const {{ Page }} = require({json.dumps(str(PAGE_JS))});\n"
        f"const page = new Page({json.dumps(str(tmp_path))});\n"
        f"const out = (() => {{ {steps} }})();\n"
        "process.stdout.write(JSON.stringify(out));\n"
    )
    done = subprocess.run(["node", "-e", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_plain_script_in_head_sees_no_body_but_defer_does(tmp_path: Path) -> None:
    body = "<body><p id='out'>?</p></body></html>"
    script = "document.querySelector('#out').textContent = 'ran';"
    plain = _page(tmp_path, f"<html><head><script src='script.js'></script></head>{body}",
                  script, "return [page.errors, page.read('text', '#out')];")
    assert plain[1] == "?"
    assert "script.js line 1" in plain[0][0] and "end of <body>" in plain[0][0], plain
    deferred = _page(tmp_path, f"<html><head><script src='script.js' defer></script></head>{body}",
                     script, "return [page.errors, page.read('text', '#out')];")
    assert deferred == [[], "ran"]


def test_a_form_sent_without_prevent_default_loads_the_page_again(tmp_path: Path) -> None:
    html = ("<form id='f'><input id='n'><button>Go</button></form><p id='out'>start</p>"
            "<script src='script.js'></script>")
    steps = ("page.act('type', '#n', 'Sam'); const r = page.act('click', '#f button');"
             " return [r.reloaded, page.read('text', '#out'), page.read('value', '#n')];")
    forgot = "document.querySelector('#f').addEventListener('submit', () => {\n" \
             "  document.querySelector('#out').textContent = 'sent';\n});"
    assert _page(tmp_path, html, forgot, steps) == [True, "start", ""]
    kept = forgot.replace("() => {", "(e) => {\n  e.preventDefault();")
    assert _page(tmp_path, html, kept, steps) == [False, "sent", "Sam"]


def test_inline_handlers_numbers_as_text_and_script_errors_with_their_line(
    tmp_path: Path,
) -> None:
    html = ("<button id='b' onclick='bump()'>+</button><p id='n'></p>"
            "<script src='script.js'></script>")
    script = ("let n = 0;\nfunction bump() { n = n + 1; document.querySelector('#n')"
              ".textContent = n - 1; }\ndocument.querySelector('#n').textContent = 0;\n"
              "document.querySelector('#missing').remove();\n")
    out = _page(tmp_path, html, script,
                "const first = page.read('text', '#n'); page.act('click', '#b');"
                " page.act('click', '#b'); return [first, page.read('text', '#n'), page.errors];")
    assert out[0] == "0" and out[1] == "1"  # textContent = 0 shows 0; onclick= runs
    assert len(out[2]) == 1 and out[2][0].startswith("script.js line 4: TypeError"), out
