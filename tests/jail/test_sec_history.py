"""History that a learner cannot destroy (invariant 4) and that a hostile workspace .git cannot
touch (THREAT-MODEL §3): snapshots, versions, diff, read, restore."""

from __future__ import annotations

import os
import shutil
import stat
import zlib
from pathlib import Path

import pygit2
import pytest

from jail.history import History, HistoryError
from jail.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path / "workspaces" / "alice")
    workspace.provision()
    return workspace


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History(tmp_path / "history" / "alice.git")


def tree_paths(history: History, version: str) -> list[str]:
    return history.files(version)


def test_history_repo_is_bare_private_and_outside_the_workspace(
    history: History, ws: Workspace
) -> None:
    assert history.repo.is_bare
    assert stat.S_IMODE(os.stat(history.path).st_mode) == 0o700
    assert not str(history.path).startswith(str(ws.root))


def test_snapshot_only_when_something_changed(history: History, ws: Workspace) -> None:
    ws.write_atomic("html/first-page/index.html", "<h1>1</h1>")
    first = history.snapshot(ws, None, "saved index.html")
    assert first is not None
    assert history.snapshot(ws, None, "nothing new") is None
    assert history.snapshot(ws, ["html/first-page/index.html"], "nothing new") is None
    ws.write_atomic("html/first-page/index.html", "<h1>2</h1>")
    second = history.snapshot(ws, ["html/first-page/index.html"], "saved again")
    assert second is not None and second != first
    assert history.read(second, "html/first-page/index.html") == b"<h1>2</h1>"
    assert history.read(first, "html/first-page/index.html") == b"<h1>1</h1>"


def test_partial_snapshot_keeps_other_files(history: History, ws: Workspace) -> None:
    ws.write_atomic("a/one.txt", "1")
    ws.write_atomic("b/two.txt", "2")
    history.snapshot(ws, None, "all")
    ws.write_atomic("a/one.txt", "1b")
    ws.write_atomic("b/two.txt", "2b")
    version = history.snapshot(ws, ["a"], "just a")
    assert version is not None
    assert history.read(version, "a/one.txt") == b"1b"
    assert history.read(version, "b/two.txt") == b"2"  # not named: last saved content stays


def test_versions_are_filtered_by_prefix_newest_first(history: History, ws: Workspace) -> None:
    ws.write_atomic("html/first-page/index.html", "1")
    v1 = history.snapshot(ws, None, "one")
    ws.write_atomic("css/colours/style.css", "a{}")
    history.snapshot(ws, None, "css only")
    ws.write_atomic("html/first-page/index.html", "2")
    v3 = history.snapshot(ws, None, "two")
    versions = history.versions("html/first-page")
    assert [v.id for v in versions] == [v3, v1]
    assert versions[0].message == "two"
    assert versions[0].files == ["html/first-page/index.html"]
    assert versions[0].time > 0
    assert [v.message for v in history.versions("css")] == ["css only"]
    assert len(history.versions("")) == 3
    assert history.versions("nothing/here") == []


def test_diff_between_versions(history: History, ws: Workspace) -> None:
    ws.write_atomic("ex/a.txt", "hello\nworld\n")
    ws.write_atomic("ex/b.txt", "same\n")
    v1 = history.snapshot(ws, None, "one")
    assert v1 is not None
    ws.write_atomic("ex/a.txt", "hello\nthere\n")
    v2 = history.snapshot(ws, None, "two")
    assert v2 is not None
    text = history.diff(v1, v2, "ex")
    assert "--- a/ex/a.txt" in text and "+++ b/ex/a.txt" in text
    assert "-world" in text and "+there" in text
    assert "b.txt" not in text
    assert history.diff(v1[:8], None, "ex/a.txt") == history.diff(v1, v2, "ex/a.txt")
    assert history.diff(v2, v2, "ex") == ""


def test_restore_puts_back_and_loses_nothing(history: History, ws: Workspace) -> None:
    ws.write_atomic("ex/a.txt", "version 1")
    v1 = history.snapshot(ws, None, "one")
    assert v1 is not None
    ws.write_atomic("ex/a.txt", "version 2")
    ws.write_atomic("ex/new.txt", "added later")
    written = history.restore(ws, v1, "ex")
    assert written == ["ex/a.txt"]
    assert ws.read_text("ex/a.txt") == "version 1"
    assert ws.read_text("ex/new.txt") == "added later"  # left alone
    messages = [v.message for v in history.versions("ex")]
    assert messages[:2] == [f"restored ex to {v1[:10]}", "before restoring ex"]
    before = history.versions("ex")[1].id
    assert history.read(before, "ex/a.txt") == b"version 2"  # the restore can be undone


def test_restore_one_file(history: History, ws: Workspace) -> None:
    ws.write_atomic("ex/a.txt", "a1")
    ws.write_atomic("ex/b.txt", "b1")
    v1 = history.snapshot(ws, None, "one")
    assert v1 is not None
    ws.write_atomic("ex/a.txt", "a2")
    ws.write_atomic("ex/b.txt", "b2")
    assert history.restore(ws, v1, "ex", "ex/b.txt") == ["ex/b.txt"]
    assert ws.read_text("ex/a.txt") == "a2" and ws.read_text("ex/b.txt") == "b1"
    with pytest.raises(HistoryError, match="not inside"):
        history.restore(ws, v1, "ex", "other/b.txt")
    with pytest.raises(HistoryError, match="was not saved"):
        history.restore(ws, v1, "ex", "ex/never.txt")


def test_sec_rm_rf_of_the_workspace_cannot_erase_history(history: History, ws: Workspace) -> None:
    ws.write_atomic("ex/work.js", "console.log('months of work')\n")
    v1 = history.snapshot(ws, None, "saved")
    assert v1 is not None
    shutil.rmtree(ws.root)  # what `rm -rf /workspace/*` plus the learner's .git would do
    ws.provision()
    gone = history.snapshot(ws, None, "after the disaster")
    assert gone is not None
    assert "ex/work.js" not in history.files(gone)
    history.restore(ws, v1, "ex")
    assert ws.read_text("ex/work.js") == "console.log('months of work')\n"


def test_sec_hostile_workspace_git_is_never_used(
    history: History, ws: Workspace, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    git = ws.root / ".git"
    hooks = git / "hooks"
    hooks.mkdir(exist_ok=True)
    for hook in ("pre-commit", "post-commit", "post-checkout", "reference-transaction"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (hooks / hook).chmod(0o755)
    (git / "config").write_text(
        "[core]\n"
        f"\tfsmonitor = touch {marker}\n"
        f"\thooksPath = {hooks}\n"
        "\tbare = true\n"
        "[filter \"evil\"]\n"
        f"\tclean = touch {marker}\n"
        f"\tsmudge = touch {marker}\n"
    )
    (ws.root / ".gitattributes").write_text("* filter=evil\n")
    objects = git / "objects" / "ab"
    objects.mkdir(parents=True, exist_ok=True)
    (objects / ("c" * 38)).write_bytes(b"garbage, not zlib")
    (git / "HEAD").write_text("ref: refs/heads/../../../../etc/passwd\n")
    ws.write_atomic("ex/a.txt", "content")
    version = history.snapshot(ws, None, "with a hostile .git")
    assert version is not None
    assert history.read(version, "ex/a.txt") == b"content"  # no clean filter ran
    assert not any(p.startswith(".git/") for p in history.files(version))
    restored = history.restore(ws, version, "ex")
    assert restored == ["ex/a.txt"]
    assert not marker.exists()


def test_sec_gitdir_file_pointing_elsewhere_is_ignored(
    history: History, ws: Workspace, tmp_path: Path
) -> None:
    shutil.rmtree(ws.root / ".git")
    (ws.root / ".git").write_text(f"gitdir: {tmp_path / 'history'}\n")
    ws.write_atomic("ex/a.txt", "x")
    version = history.snapshot(ws, None, "gitdir file")
    assert version is not None
    assert history.files(version) == ["README.md", "ex/a.txt"]


def test_sec_planted_links_never_enter_history(
    history: History, ws: Workspace, tmp_path: Path
) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:SECRET-HASH")
    ws.write_atomic("ex/index.html", "mine")
    v1 = history.snapshot(ws, None, "ok")
    assert v1 is not None
    (ws.root / "ex" / "index.html").unlink()
    os.symlink(secret, ws.root / "ex" / "index.html")
    os.symlink(secret, ws.root / "ex" / "steal.txt")
    os.mkfifo(ws.root / "ex" / "pipe")
    os.link(secret, ws.root / "ex" / "hard.txt")
    v2 = history.snapshot(ws, None, "planted")
    assert v2 is None  # nothing readable changed; the planted link keeps the old content
    for version in history.versions(""):
        for path in history.files(version.id):
            assert b"SECRET" not in history.read(version.id, path)
    assert history.read(v1, "ex/index.html") == b"mine"


def test_sec_bad_version_ids_and_paths(history: History, ws: Workspace) -> None:
    ws.write_atomic("a.txt", "x")
    version = history.snapshot(ws, None, "x")
    assert version is not None
    for bad in ("HEAD", "main", "abc", "../../etc", "1234567", "g" * 40, version + "0"):
        with pytest.raises(HistoryError):
            history.diff(bad)
        with pytest.raises(HistoryError):
            history.read(bad, "a.txt")
    blob = history.repo.create_blob(b"not a commit")
    with pytest.raises(HistoryError, match="no saved version"):
        history.read(str(blob), "a.txt")
    for bad_path in ("../x", "/etc/passwd", "a\x1b.txt"):
        with pytest.raises(HistoryError):
            history.read(version, bad_path)
        with pytest.raises(HistoryError):
            history.versions(bad_path)


def test_sec_corrupt_history_store_gives_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.git"
    path.mkdir()
    (path / "HEAD").write_text("garbage")
    with pytest.raises(HistoryError, match="cannot be opened"):
        History(path)


def test_sec_corrupt_objects_in_history_give_a_clean_error(
    history: History, ws: Workspace
) -> None:
    ws.write_atomic("a.txt", "x")
    first = history.snapshot(ws, None, "x")
    ws.write_atomic("a.txt", "y")
    latest = history.snapshot(ws, None, "y")
    assert first is not None and latest is not None
    obj = history.path / "objects" / first[:2] / first[2:]  # an older commit, met mid-walk
    obj.chmod(0o644)
    obj.write_bytes(zlib.compress(b"commit 5\x00junk!"))
    with pytest.raises(HistoryError, match="damaged"):
        History(history.path).versions("")


def test_snapshot_messages_are_made_printable(history: History, ws: Workspace) -> None:
    ws.write_atomic("a.txt", "x")
    version = history.snapshot(ws, None, "evil\x1b]0;title\x07 message")
    assert version is not None
    message = history.versions("")[0].message
    assert "\x1b" not in message and "\x07" not in message


def test_workspace_git_stays_the_learners(history: History, ws: Workspace) -> None:
    """Snapshots never commit into the learner's own repository."""
    repo = pygit2.Repository(str(ws.root))
    before = repo.head.target
    ws.write_atomic("a.txt", "x")
    history.snapshot(ws, None, "x")
    assert pygit2.Repository(str(ws.root)).head.target == before


def test_sec_snapshot_names_what_it_would_not_read(
    history: History, ws: Workspace, tmp_path: Path
) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:SECRET-HASH")
    ws.write_atomic("ex/index.html", "mine")
    ws.write_atomic("ex/sub/keep.txt", "kept")
    assert history.snapshot(ws, None, "ok") is not None
    assert history.refused == []
    (ws.root / "ex" / "index.html").unlink()
    os.symlink(secret, ws.root / "ex" / "index.html")
    os.link(secret, ws.root / "ex" / "hard.txt")
    shutil.move(ws.root / "ex" / "sub", tmp_path / "moved-out")
    os.symlink(tmp_path / "moved-out", ws.root / "ex" / "sub")  # a folder swapped for a link
    assert history.snapshot(ws, None, "planted") is None
    refused = " ".join(history.refused)
    assert "ex/index.html" in refused and "ex/hard.txt" in refused
    assert "ex/sub/keep.txt" in refused
    assert history.snapshot(ws, ["ex/sub"], "the folder alone") is None  # kept, not dropped


def test_sec_restore_never_writes_through_a_planted_link(
    history: History, ws: Workspace, tmp_path: Path
) -> None:
    outside = tmp_path / "victim"
    outside.mkdir()
    (outside / "index.html").write_text("another learner's page")
    ws.write_atomic("ex/index.html", "v1")
    v1 = history.snapshot(ws, None, "v1")
    assert v1 is not None
    (ws.root / "ex" / "index.html").unlink()
    (ws.root / "ex").rmdir()
    os.symlink(outside, ws.root / "ex")
    with pytest.raises(HistoryError, match="Could not restore"):
        history.restore(ws, v1, "ex")
    (ws.root / "ex").unlink()
    (ws.root / "ex").mkdir()
    os.symlink(outside / "index.html", ws.root / "ex" / "index.html")
    with pytest.raises(HistoryError, match="link"):
        history.restore(ws, v1, "ex", "ex/index.html")
    os.unlink(ws.root / "ex" / "index.html")
    os.mkfifo(ws.root / "ex" / "index.html")
    with pytest.raises(HistoryError, match="FIFO"):
        history.restore(ws, v1, "ex")
    assert (outside / "index.html").read_text() == "another learner's page"
    assert sorted(os.listdir(outside)) == ["index.html"]


def test_versions_say_how_many_lines_changed(history: History, ws: Workspace) -> None:
    ws.write_atomic("ex/index.html", "<p>1</p>\n<p>2</p>\n")
    history.snapshot(ws, None, "start ex")
    ws.write_atomic("ex/index.html", "<p>1</p>\n<p>two</p>\n<p>3</p>\n<p>4</p>\n")
    ws.write_atomic("other/x.txt", "not in ex\n")
    history.snapshot(ws, None, "save")
    ws.write_atomic("ex/style.css", "a {}\n")
    ws.write_atomic("ex/index.html", "<p>1</p>\n")
    history.snapshot(ws, None, "save")
    newest, middle, first = history.versions("ex")
    assert (first.added, first.removed) == (2, 0)
    assert (middle.added, middle.removed) == (3, 1)  # other/x.txt is not counted
    assert (newest.added, newest.removed) == (1, 3)  # style.css +1, index.html -3
    one_file = history.versions("ex/index.html")
    assert [(v.added, v.removed) for v in one_file] == [(0, 3), (3, 1), (2, 0)]


def test_a_check_result_shows_on_every_version_with_that_content(
    history: History, ws: Workspace
) -> None:
    ws.write_atomic("ex/a.js", "broken\n")
    history.snapshot(ws, None, "save")
    history.record_check("ex", "failed 1 of 2")
    ws.write_atomic("ex/a.js", "fixed\n")
    history.snapshot(ws, None, "save")
    ws.write_atomic("other/b.txt", "elsewhere\n")  # a later snapshot that leaves ex alone
    history.snapshot(ws, None, "save")
    history.record_check("ex", "passed")
    ws.write_atomic("ex/a.js", "broken\n")  # back to the failing content
    history.snapshot(ws, None, "save")
    assert [v.check for v in history.versions("ex")] == ["failed 1 of 2", "passed",
                                                         "failed 1 of 2"]
    ws.write_atomic("ex/a.js", "new\n")
    history.snapshot(ws, None, "save")
    assert history.versions("ex")[0].check == ""  # never checked
    history.record_check("ex", "passed\x1b[2J")  # control characters never stored
    assert history.versions("ex")[0].check == "passed[2J"


def test_sec_history_is_bounded_in_snapshots_and_keeps_the_current_work(
    tmp_path: Path, ws: Workspace
) -> None:
    """A learner saving fast and often: the store stays bounded, the newest work is whole."""
    history = History(tmp_path / "h.git", max_snapshots=40)
    for number in range(200):
        ws.write_atomic(f"ex/f{number % 7}.txt", f"save {number}\n")
        assert history.snapshot(ws, None, f"save {number}") is not None
        assert history.usage()[0] <= 40
    count, _ = history.usage()
    assert 20 <= count <= 40
    latest = history.versions("")[0]
    assert latest.message == "save 199"
    for number in range(193, 200):  # every file's last content is there
        assert history.read(latest.id, f"ex/f{number % 7}.txt") == f"save {number}\n".encode()
    # older versions still restore; the oldest kept is a root (no dangling parent)
    oldest = history.versions("")[-1]
    assert history.repo.get(oldest.id).parents == []
    history.restore(ws, oldest.id, "ex")
    assert ws.read_bytes("ex/f0.txt") != b""


def test_sec_history_is_bounded_in_bytes_against_huge_saves(
    tmp_path: Path, ws: Workspace
) -> None:
    """Huge incompressible files saved again and again: the objects on disk stay under the
    bound, loose objects of dropped snapshots are deleted, the last save is whole."""
    bound = 8 << 20
    history = History(tmp_path / "h.git", max_bytes=bound)
    last = b""
    for number in range(30):
        last = os.urandom(1 << 20)  # 1 MiB that zlib cannot shrink
        ws.write_atomic("ex/big.bin", last)
        ws.write_atomic("ex/note.txt", f"save {number}\n")
        history.snapshot(ws, None, "save")
        assert history.usage()[1] <= bound + (2 << 20)  # at most one save past the bound
    count, size = history.usage()
    assert size <= bound and count < 30
    latest = history.versions("")[0].id
    assert history.read(latest, "ex/big.bin") == last
    assert history.read(latest, "ex/note.txt") == b"save 29\n"
    # every object a kept snapshot names is still there (nothing reachable was deleted)
    for version in history.versions(""):
        for path in history.files(version.id):
            history.read(version.id, path)


def test_sec_a_damaged_usage_file_is_recounted(tmp_path: Path, ws: Workspace) -> None:
    history = History(tmp_path / "h.git", max_snapshots=10)
    for number in range(5):
        ws.write_atomic("ex/a.txt", f"{number}\n")
        history.snapshot(ws, None, "save")
    (tmp_path / "h.git" / "slate-usage.json").write_text('{"snapshots": "lots"')
    for number in range(5, 30):
        ws.write_atomic("ex/a.txt", f"{number}\n")
        history.snapshot(ws, None, "save")
    assert history.usage()[0] <= 10
    assert history.read(history.versions("")[0].id, "ex/a.txt") == b"29\n"


def test_a_check_result_goes_to_the_version_that_was_checked(
    history: History, ws: Workspace
) -> None:
    ws.write_atomic("ex/a.js", "checked\n")
    checked = history.snapshot(ws, None, "check ex")
    assert checked is not None and history.latest() == checked
    ws.write_atomic("ex/a.js", "saved while the check ran\n")
    history.snapshot(ws, None, "save")
    history.record_check("ex", "passed", checked)
    assert [v.check for v in history.versions("ex")] == ["", "passed"]
