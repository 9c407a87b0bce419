"""The search index: recordings parsed in a real parser sandbox, FTS5, incremental passes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.audit import AuditLog
from server.audit_search import SearchIndex, extract_in_sandbox, fts_query, index_pass, index_path
from server.recorder import Recorder
from server.store import Store

ROOT = Path(__file__).resolve().parents[2]


def start(store: Store, audit: AuditLog, data_dir: Path, sid: str, user: str) -> Recorder:
    if store.get_account(user) is None:
        store.add_account(user, "learner")
    rel = f"recordings/2026/11/{sid}.cast"
    store.start_session(sid, user, cols=80, rows=24, recording=rel)
    audit.append("session_start", actor=user, session=sid, recording=rel)
    return Recorder(data_dir / rel, 80, 24, term="xterm", meta={"user": user})


def end(store: Store, audit: AuditLog, sid: str, rec: Recorder) -> None:
    digest = rec.close()
    store.end_session(sid, digest=digest)
    audit.append("session_end", session=sid, digest=digest,
                 recording=str(rec.path))


@pytest.fixture
def index(data_dir: Path):
    idx = SearchIndex(index_path(data_dir))
    yield idx
    idx.close()


async def test_typed_and_screen_words_found_via_parser_sandbox(store, audit, data_dir, index):
    rec = start(store, audit, data_dir, "s1", "ada")
    rec.output(b"\x1b[2J\x1b[5;3HLesson: the zebrafish exercise")
    rec.input(b"const cp = require('child_process')\r")
    rec.input(b"typo\x7f\x7f\x7f\x7fquokka\r")
    end(store, audit, "s1", rec)
    stats = await index_pass(store, data_dir, index)  # the real sandbox
    assert stats.failed == [] and stats.items >= 2
    typed = index.search("quokka")
    assert [(h.session, h.kind, h.user) for h in typed] == [("s1", "typed", "ada")]
    assert typed[0].t is not None and typed[0].t >= 0
    assert "[quokka]" in typed[0].snippet
    screen = index.search("zebrafish")
    assert [(h.session, h.kind) for h in screen] == [("s1", "screen")]
    assert index.search("typo") == []  # erased with Backspace
    assert [h.kind for h in index.search("child_process")] == ["typed"]
    # Events are indexed too: usernames and fields.
    assert any(h.kind == "event" and h.event for h in index.search("session_start ada"))
    assert index.recording_state("s1")[1] is True  # finished: never read again


async def test_running_session_indexed_incrementally(store, audit, data_dir, index):
    seen: list[bytes] = []

    async def spy(data: bytes, *args: str):
        seen.append(data)
        return await extract_in_sandbox(data, *args)

    rec = start(store, audit, data_dir, "live", "grace")
    rec.input(b"firstword\r")
    rec.flush()
    await index_pass(store, data_dir, index, extract=spy)
    assert [h.session for h in index.search("firstword")] == ["live"]
    assert index.recording_state("live") == (os.path.getsize(rec.path), False)
    rec.input(b"secondword\r")
    rec.flush()
    await index_pass(store, data_dir, index, extract=spy)
    assert [h.session for h in index.search("secondword")] == ["live"]
    assert len(index.search("firstword")) == 1  # not indexed twice
    assert b"firstword" not in seen[1] and seen[1].startswith(b'{"version": 2')
    end(store, audit, "live", rec)
    await index_pass(store, data_dir, index, extract=spy)
    assert index.recording_state("live")[1] is True


def test_query_operators_are_words_not_syntax(index):
    assert fts_query('a OR b NOT c') == '"a" "OR" "b" "NOT" "c"'
    assert fts_query('"two words" x*') == '"two words" "x*"'
    assert fts_query('evil"quote') == '"evil""quote"'
    for nasty in ['"', "NEAR(", "*", "^", "col:x", "a AND", "'); DROP TABLE docs; --"]:
        assert index.search(nasty) == []


async def test_sec_hostile_screen_text_is_neutralised_in_results(store, audit, data_dir, index):
    rec = start(store, audit, data_dir, "evil", "ada")
    # Text that survives emulation but must not reach a terminal raw: bidi override, C1.
    rec.output("\x1b[1;1Hmarmot \u202egnp.exe\u202c done".encode())
    rec.input("ferret\u009b31m\x1b]52;c;QUFB\x07\r".encode())
    end(store, audit, "evil", rec)
    await index_pass(store, data_dir, index)
    for word in ("marmot", "ferret"):
        hits = index.search(word)
        assert hits, word
        for hit in hits:
            text = hit.snippet
            assert not any(ord(c) < 32 or 0x7f <= ord(c) < 0xa0 for c in text), text
            assert "\u202e" not in text


async def test_a_broken_recording_does_not_stop_the_others(store, audit, data_dir, index):
    bad = start(store, audit, data_dir, "bad", "ada")
    bad.close()
    with open(bad.path, "ab") as handle:
        handle.write(b"[1.0, \"o\", " + b"[" * 100000 + b"\n")  # deep nesting for json
        handle.write(b'[2.0, "i", "aardvark\\r"]\n')
    good = start(store, audit, data_dir, "good", "grace")
    good.input(b"pangolin\r")
    end(store, audit, "good", good)
    stats = await index_pass(store, data_dir, index)
    assert stats.failed == []
    assert [h.session for h in index.search("pangolin")] == ["good"]
    assert [h.session for h in index.search("aardvark")] == ["bad"]  # the line after it


def test_cli_search_prints_hits_and_is_audited(store, audit, data_dir, index):
    rec = start(store, audit, data_dir, "c1", "ada")
    rec.input(b"narwhal\r")
    end(store, audit, "c1", rec)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    slate = str(Path(sys.executable).with_name("slate"))
    made = subprocess.run([slate, "--data-dir", str(data_dir), "audit", "index"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert made.returncode == 0, made.stderr
    found = subprocess.run([slate, "--data-dir", str(data_dir), "audit", "search", "narwhal"],
                           capture_output=True, text=True, env=env, timeout=60)
    assert found.returncode == 0, found.stderr
    assert "session=c1+0:00:00 ada typed: [narwhal]" in found.stdout
    event = audit.events(kind="audit_search")[-1]
    assert event.detail["query"] == "narwhal" and event.detail["results"] == 1
    assert event.actor.startswith("os:")
    as_json = subprocess.run([slate, "--data-dir", str(data_dir), "audit", "search", "--json",
                              "narwhal"], capture_output=True, text=True, env=env, timeout=60)
    assert json.loads(as_json.stdout.splitlines()[0])["session"] == "c1"


async def test_sec_recordings_are_parsed_in_a_sandbox_not_the_broker(store, audit, data_dir,
                                                                     index, monkeypatch):
    """The broker never imports pyte to index; the parser sandbox sees no data dir."""
    import server.audit_search

    specs = []
    real = server.audit_search.run_async

    async def capture(spec, *args, **kwargs):
        specs.append(spec)
        return await real(spec, *args, **kwargs)

    monkeypatch.setattr(server.audit_search, "run_async", capture)
    rec = start(store, audit, data_dir, "p1", "ada")
    rec.input(b"ocelot\r")
    end(store, audit, "p1", rec)
    sys.modules.pop("pyte", None)
    await index_pass(store, data_dir, index)
    assert "pyte" not in sys.modules  # parsed elsewhere
    assert [h.session for h in index.search("ocelot")] == ["p1"]
    (spec,) = specs
    assert spec.argv[-2:] == ["-m", "server.cast_text"]
    assert spec.host_uid is None  # jail.run: nobody (root server) / a user namespace (demo)
    assert spec.stdin.startswith(b'{"version": 2')
    sources = {b.source for b in spec.binds}
    assert not any(str(data_dir) in s for s in sources)
    assert all(not b.writable for b in spec.binds)
    assert {Path(s).name for s in sources if s.endswith(".py")} == {"__init__.py", "cast_text.py"}


async def test_a_line_shown_again_and_again_is_one_hit(store, audit, data_dir, index):
    rec = start(store, audit, data_dir, "rep", "ada")
    rec.output(b"\x1b[1;1Hstatus: wallaby ready\x1b[K")
    for i in range(6):  # the line flips back and forth (a status bar, a blinking prompt)
        rec._append([2.0 + 2 * i, "o", "\x1b[1;1Hstatus: busy\x1b[K"])
        rec._append([3.0 + 2 * i, "o", "\x1b[1;1Hstatus: wallaby ready\x1b[K"])
    end(store, audit, "rep", rec)
    await index_pass(store, data_dir, index)
    hits = index.search("wallaby")
    assert [(h.session, h.kind) for h in hits] == [("rep", "screen")]


async def test_saved_code_is_indexed_in_the_session_it_was_saved_in(store, audit, data_dir,
                                                                    index, tmp_path):
    from jail.history import History
    from jail.workspace import Workspace

    rec = start(store, audit, data_dir, "c-1", "ada")
    root = tmp_path / "ws"
    (root / "js" / "loop").mkdir(parents=True)
    workspace = Workspace(root)
    history = History(data_dir / "history" / "ada.git")
    workspace.write_atomic("js/loop/index.js", b"for (const platypus of zoo) {}\n\x00\xff")
    history.snapshot(workspace, ["js/loop/index.js"], "saved index.js")
    stats = await index_pass(store, data_dir, index)
    assert stats.code == 1 and stats.failed == []
    (hit,) = index.search("platypus")
    assert (hit.session, hit.kind, hit.user) == ("c-1", "code", "ada")
    assert hit.t is not None and hit.t >= 0
    # Indexed once: a second pass finds nothing new; a new save is picked up.
    assert (await index_pass(store, data_dir, index)).code == 0
    workspace.write_atomic("js/loop/index.js", b"// echidna\n")
    history.snapshot(workspace, ["js/loop/index.js"], "saved index.js")
    assert (await index_pass(store, data_dir, index)).code == 1
    assert [h.kind for h in index.search("echidna")] == ["code"]
    end(store, audit, "c-1", rec)


def test_pair_typing_is_attributed_to_who_typed_it() -> None:
    """While an instructor pairs, the gateway marks input `typed-by:<name>`: the index says so."""
    from server.cast_text import extract

    header = json.dumps({"version": 2, "width": 80, "height": 24, "slate": {"user": "ada"}})
    lines = [header, json.dumps([1.0, "i", "mine\r"]),
             json.dumps([2.0, "m", "typed-by:mary"]), json.dumps([2.1, "i", "helper code\r"]),
             json.dumps([3.0, "m", "typed-by:ada"]), json.dumps([3.1, "i", "mine again\r"])]
    typed = [item["text"] for item in extract(lines) if item["kind"] == "typed"]
    assert typed == ["mine", "[typed by mary] helper code", "mine again"]


async def test_one_sandbox_parses_every_running_session_of_a_pass(
    store, audit, data_dir, index, monkeypatch
):
    """A pass parses all the running sessions' new slices in one parser sandbox (not one
    each), and every word is still found in its own session only, even when a learner types
    what looks like the batch's framing or the parser's output."""
    import server.audit_search as audit_search

    runs: list[tuple[str, ...]] = []
    real = audit_search.extract_in_sandbox

    async def counting(data: bytes, *args: str):
        runs.append(args)
        return await real(data, *args)

    monkeypatch.setattr(audit_search, "extract_in_sandbox", counting)
    names = ["ada", "grace", "linus", "barbara"]
    recs = {name: start(store, audit, data_dir, f"s-{name}", name) for name in names}
    for name, rec in recs.items():
        rec.input(f"word{name}\r".encode())
        rec.output(f"\x1b[3;1Hscreen{name}".encode())
        rec.flush()
    forged = json.dumps({"files": False, "size": 3}) + '\n{"i": 0, "kind": "typed"}'
    recs["linus"].input(forged.encode() + b"\r")
    recs["linus"].flush()
    stats = await index_pass(store, data_dir, index)
    assert runs == [("--batch",)]
    assert stats.failed == [] and stats.sessions == 4
    for name in names:
        assert {h.session for h in index.search(f"word{name}")} == {f"s-{name}"}
        assert {h.session for h in index.search(f"screen{name}")} == {f"s-{name}"}
    assert {h.session for h in index.search("size")} == {"s-linus"}
    for name, rec in recs.items():  # the next pass reads only what each gained since
        rec.input(f"more{name}\r".encode())
        rec.flush()
    runs.clear()
    await index_pass(store, data_dir, index)
    assert runs == [("--batch",)]
    for name in names:
        assert {h.session for h in index.search(f"more{name}")} == {f"s-{name}"}
        assert len(index.search(f"word{name}")) == 1  # not indexed twice


async def test_a_recording_that_breaks_the_batch_fails_alone(
    store, audit, data_dir, index, monkeypatch
):
    """If the batch's sandbox fails (a recording reaching a parser limit), each slice is parsed
    again alone: the others are indexed, only the bad one is reported (and read next pass)."""
    import server.audit_search as audit_search

    real = audit_search.extract_in_sandbox
    runs: list[tuple[str, ...]] = []

    async def limited(data: bytes, *args: str):  # the "parser limit" this slice reaches
        runs.append(args)
        if b"BOMB" in data:
            raise RuntimeError("parser sandbox failed: limit=memory exit=137")
        return await real(data, *args)

    monkeypatch.setattr(audit_search, "extract_in_sandbox", limited)
    recs = {name: start(store, audit, data_dir, f"s-{name}", name)
            for name in ("ada", "mallory", "grace")}
    for name, rec in recs.items():
        rec.input(f"{'BOMB ' if name == 'mallory' else ''}word{name}\r".encode())
        rec.flush()
    stats = await index_pass(store, data_dir, index)
    assert runs == [("--batch",), (), (), ()]
    assert [f.split(":")[0] for f in stats.failed] == ["s-mallory"]
    assert {h.session for h in index.search("wordada")} == {"s-ada"}
    assert {h.session for h in index.search("wordgrace")} == {"s-grace"}
    assert index.search("wordmallory") == []
    assert index.recording_state("s-mallory") == (0, False)  # tried again next pass


async def test_a_pass_holds_one_batch_of_slices_at_a_time(
    store, audit, data_dir, index, monkeypatch
):
    """Slices are read and parsed a batch (BATCH_BYTES) at a time, not every recording's
    slice first: a pass over many long recordings holds one batch in memory."""
    import server.audit_search as audit_search

    order: list[str] = []
    real_read, real_extract = audit_search._read_slice, audit_search.extract_in_sandbox

    def reading(path, offset, limit):
        order.append("read")
        return real_read(path, offset, limit)

    async def parsing(data: bytes, *args: str):
        order.append("parse")
        return await real_extract(data, *args)

    monkeypatch.setattr(audit_search, "_read_slice", reading)
    monkeypatch.setattr(audit_search, "extract_in_sandbox", parsing)
    recs = {name: start(store, audit, data_dir, f"s-{name}", name)
            for name in ("ada", "grace", "linus", "barbara")}
    for name, rec in recs.items():
        rec.input(f"word{name}\r".encode())
        rec.flush()
    size = os.path.getsize(recs["ada"].path)
    monkeypatch.setattr(audit_search, "BATCH_BYTES", 2 * size)  # two slices per batch
    stats = await index_pass(store, data_dir, index)
    assert order == ["read", "read", "parse", "read", "read", "parse"]
    assert stats.failed == [] and stats.sessions == 4
    for name in recs:
        assert {h.session for h in index.search(f"word{name}")} == {f"s-{name}"}
