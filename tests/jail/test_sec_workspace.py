"""The workspace file API against planted files and hostile names (THREAT-MODEL §3), plus its
ordinary job: provisioning, atomic saves, quotas that never block a non-growing save."""

from __future__ import annotations

import os
import socket
import stat
import threading
from pathlib import Path

import pygit2
import pytest

from jail.workspace import Workspace, WorkspaceError, check_name

from .conftest import IS_ROOT, fresh_uid


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path / "alice", quota_bytes=200_000, quota_files=50)
    workspace.provision()
    return workspace


def no_block(fn, *args):  # type: ignore[no-untyped-def]
    """Run ``fn`` in a thread and fail if it has not returned within 5 s (a FIFO must not block)."""
    outcome: list[object] = []

    def target() -> None:
        try:
            outcome.append(fn(*args))
        except BaseException as exc:  # handed back below
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(5)
    assert not thread.is_alive(), "the file API blocked"
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


# -- provisioning -------------------------------------------------------------------------------


def test_provision_makes_a_private_folder_with_the_learners_repo(ws: Workspace) -> None:
    info = os.stat(ws.root)
    assert stat.S_IMODE(info.st_mode) == 0o700
    repo = pygit2.Repository(str(ws.root))
    assert not repo.is_bare
    assert repo.head.shorthand == "main"
    assert [c.message for c in repo.walk(repo.head.target)] == ["Start of your workspace"]
    assert ws.read_text("README.md").startswith("# Your workspace")


@pytest.mark.skipif(not IS_ROOT, reason="chown needs root")
def test_provision_gives_everything_to_the_learners_uid(tmp_path: Path) -> None:
    uid = fresh_uid()
    ws = Workspace(tmp_path / "bob", host_uid=uid)
    ws.provision()
    ws.write_atomic("html/one/index.html", "<p>x</p>")
    for root, dirs, files in os.walk(ws.root):
        for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
            assert os.lstat(name).st_uid == uid, name


def test_provision_is_idempotent_and_never_touches_an_existing_git(ws: Workspace) -> None:
    config = ws.root / ".git" / "config"
    config.write_text("[core]\n\tfsmonitor = touch /tmp/slate-pwned\n")
    ws.provision()
    assert config.read_text() == "[core]\n\tfsmonitor = touch /tmp/slate-pwned\n"
    assert stat.S_IMODE(os.stat(ws.root).st_mode) == 0o700


def test_host_uid_needs_root_and_is_never_zero(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="non-root"):
        Workspace(tmp_path, host_uid=0)
    if not IS_ROOT:
        with pytest.raises(ValueError, match="root"):
            Workspace(tmp_path, host_uid=12345)


# -- saving -------------------------------------------------------------------------------------


def test_save_and_read_back(ws: Workspace) -> None:
    ws.write_atomic("html/first-page/index.html", "<h1>Hi</h1>\n")
    ws.write_atomic("html/first-page/index.html", b"<h1>Hello</h1>\n")
    assert ws.read_text("html/first-page/index.html") == "<h1>Hello</h1>\n"
    assert ws.list_files("html") == ["first-page/index.html"]
    assert ws.exists("html/first-page/index.html")
    folder = ws.root / "html" / "first-page"
    assert not any(p.name.startswith(".slate-save-") for p in folder.iterdir())


def test_save_keeps_the_files_mode(ws: Workspace) -> None:
    ws.write_atomic("run.sh", "echo hi\n")
    os.chmod(ws.root / "run.sh", 0o755)
    ws.write_atomic("run.sh", "echo bye\n")
    assert stat.S_IMODE(os.stat(ws.root / "run.sh").st_mode) == 0o755


def test_failed_save_leaves_the_old_content_and_no_temp_file(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws.write_atomic("a.txt", "old")

    def broken_rename(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "rename", broken_rename)
    with pytest.raises(WorkspaceError, match="disk is full"):
        ws.write_atomic("a.txt", "new")
    monkeypatch.undo()
    assert ws.read_text("a.txt") == "old"
    assert sorted(p.name for p in ws.root.iterdir()) == [".git", "README.md", "a.txt"]


def test_remove(ws: Workspace) -> None:
    ws.write_atomic("x/y.txt", "1")
    ws.remove("x/y.txt")
    assert not ws.exists("x/y.txt")
    with pytest.raises(WorkspaceError, match="does not exist"):
        ws.remove("x/y.txt")


# -- quotas -------------------------------------------------------------------------------------


def test_byte_quota_refuses_growth_but_not_other_saves(ws: Workspace) -> None:
    ws.write_atomic("big.txt", b"x" * 150_000)
    with pytest.raises(WorkspaceError, match="the limit is") as caught:
        ws.write_atomic("more.txt", b"y" * 60_000)
    assert "saves that do not make it bigger still work" in str(caught.value)
    ws.write_atomic("big.txt", b"z" * 150_000)  # same size: fine
    ws.write_atomic("big.txt", b"z" * 100_000)  # smaller: fine
    ws.write_atomic("more.txt", b"y" * 60_000)  # fits now
    assert len(ws.read_bytes("more.txt")) == 60_000


def test_byte_quota_over_already_still_allows_shrinking(ws: Workspace) -> None:
    (ws.root / "huge.bin").write_bytes(b"x" * 300_000)  # written by a program, past the quota
    ws.write_atomic("notes.txt", "")  # a new empty file does not grow bytes... but is a file
    ws.write_atomic("notes.txt", "")
    with pytest.raises(WorkspaceError):
        ws.write_atomic("notes.txt", "grow")
    (ws.root / "huge.bin").unlink()
    ws.write_atomic("notes.txt", "grow")


def test_file_quota(ws: Workspace) -> None:
    for i in range(48):
        ws.write_atomic(f"f/{i}.txt", "x")
    with pytest.raises(WorkspaceError, match="Delete some files"):
        ws.write_atomic("f/new.txt", "x")
    ws.write_atomic("f/1.txt", "edited")  # existing file: still fine
    assert ws.read_text("f/1.txt") == "edited"


def test_millions_of_files_stop_counting_early(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "w", quota_files=10)
    ws.provision()
    junk = ws.root / "junk"
    junk.mkdir()
    for i in range(1500):
        (junk / str(i)).touch()
    usage = ws.usage()
    assert not usage.complete
    with pytest.raises(WorkspaceError):
        ws.write_atomic("new.txt", "x")
    with pytest.raises(WorkspaceError, match="far too many"):
        ws.list_files()


def test_read_size_cap(ws: Workspace) -> None:
    ws.write_atomic("big.txt", b"x" * 5000)
    with pytest.raises(WorkspaceError, match="too big"):
        ws.read_bytes("big.txt", limit=4000)
    assert len(ws.read_bytes("big.txt", limit=5000)) == 5000


def test_not_utf8_is_a_clear_error(ws: Workspace) -> None:
    ws.write_atomic("bin.dat", b"\xff\xfe")
    with pytest.raises(WorkspaceError, match="not a text file"):
        ws.read_text("bin.dat")


# -- hostile names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a/.", "a\\b", "a\x00b",
        "a\x1b[2Jb", "a\nb", "\u202eevil.txt", "a\x85b", "x" * 256, "a/" * 40 + "b",
        ".slate-save-123",
    ],
)
def test_sec_bad_names_refused(ws: Workspace, name: str) -> None:
    with pytest.raises(WorkspaceError):
        ws.read_bytes(name)
    with pytest.raises(WorkspaceError):
        ws.write_atomic(name, "x")


@pytest.mark.parametrize("name", [".git/config", ".git/hooks/post-commit", "a/.GIT/x", ".git"])
def test_sec_writes_into_git_refused(ws: Workspace, name: str) -> None:
    with pytest.raises(WorkspaceError, match=".git"):
        ws.write_atomic(name, "x")


def test_check_name_accepts_ordinary_names() -> None:
    assert check_name("html/first-page/index.html") == ["html", "first-page", "index.html"]
    assert check_name("notes/été 2024.md") == ["notes", "été 2024.md"]
    assert check_name("", allow_empty=True) == []


# -- planted files ------------------------------------------------------------------------------


def test_sec_planted_symlink_to_a_file(ws: Workspace, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("SECRET")
    os.symlink(secret, ws.root / "link.txt")
    with pytest.raises(WorkspaceError, match="link"):
        ws.read_bytes("link.txt")
    with pytest.raises(WorkspaceError, match="link"):
        ws.write_atomic("link.txt", "overwrite")
    assert secret.read_text() == "SECRET"
    assert ws.list_files() == ["README.md"]
    assert not ws.exists("link.txt")


def test_sec_planted_symlink_as_a_folder(ws: Workspace, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_text("keep")
    os.symlink(outside, ws.root / "html")
    with pytest.raises(WorkspaceError, match="not a folder"):
        ws.read_bytes("html/victim.txt")
    with pytest.raises(WorkspaceError, match="not a folder"):
        ws.write_atomic("html/victim.txt", "pwned")
    with pytest.raises(WorkspaceError, match="not a folder"):
        ws.write_atomic("html/new.txt", "pwned")
    with pytest.raises(WorkspaceError):
        ws.copy_files_to("html", tmp_path / "copy")
    assert (outside / "victim.txt").read_text() == "keep"
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]


def test_sec_planted_hardlink(ws: Workspace, tmp_path: Path) -> None:
    target = ws.root / "mine.txt"
    target.write_text("mine")
    os.link(target, ws.root / "alias.txt")
    for name in ("mine.txt", "alias.txt"):
        with pytest.raises(WorkspaceError, match="hardlinked"):
            ws.read_bytes(name)
        with pytest.raises(WorkspaceError, match="hardlinked"):
            ws.write_atomic(name, "x")
    with pytest.raises(WorkspaceError):
        ws.copy_files_to("", tmp_path / "copy")


def test_sec_planted_fifo_never_blocks(ws: Workspace, tmp_path: Path) -> None:
    os.mkfifo(ws.root / "pipe")
    with pytest.raises(WorkspaceError, match="FIFO"):
        no_block(ws.read_bytes, "pipe")
    with pytest.raises(WorkspaceError, match="FIFO"):
        no_block(ws.write_atomic, "pipe", "x")
    assert no_block(ws.list_files) == ["README.md"]
    with pytest.raises(WorkspaceError, match="FIFO"):
        no_block(ws.copy_files_to, "", tmp_path / "copy")


@pytest.mark.skipif(not IS_ROOT, reason="mknod needs root")
def test_sec_planted_device(ws: Workspace) -> None:
    os.mknod(ws.root / "dev", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    with pytest.raises(WorkspaceError, match="device"):
        no_block(ws.read_bytes, "dev")
    with pytest.raises(WorkspaceError, match="device"):
        ws.write_atomic("dev", "x")


def test_sec_planted_socket(ws: Workspace) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(ws.root / "sock"))
    try:
        with pytest.raises(WorkspaceError, match="socket"):
            no_block(ws.read_bytes, "sock")
    finally:
        sock.close()


def test_sec_planted_names_with_escapes_are_hidden_and_never_echoed(
    ws: Workspace, tmp_path: Path
) -> None:
    (ws.root / "ex").mkdir()
    (ws.root / "ex" / "\x1b]52;c;cHduZWQ=\x07.txt").write_text("x")
    (ws.root / "ex" / "ok.txt").write_text("fine")
    assert ws.list_files("ex") == ["ok.txt"]
    with pytest.raises(WorkspaceError) as caught:
        ws.copy_files_to("ex", tmp_path / "copy")
    assert "\x1b" not in str(caught.value) and "\x07" not in str(caught.value)


def test_copy_files_for_a_check(ws: Workspace, tmp_path: Path) -> None:
    ws.write_atomic("js/greet/greet.js", "module.exports = 1;\n")
    ws.write_atomic("js/greet/lib/util.js", "//\n")
    ws.write_atomic("js/other/secret.js", "other exercise\n")
    copied = ws.copy_files_to("js/greet", tmp_path / "copy")
    assert copied == ["greet.js", "lib/util.js"]
    assert (tmp_path / "copy" / "greet.js").read_text() == "module.exports = 1;\n"
    assert not (tmp_path / "copy" / ".git").exists()


def test_workspace_folder_itself_replaced_by_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    os.symlink(real, tmp_path / "ws")
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(WorkspaceError, match="cannot be opened"):
        ws.write_atomic("a.txt", "x")


# -- whole trees: the server's reset and provisioning (THREAT-MODEL §6, path races) -------------


def manifest(root: Path) -> dict[str, tuple]:
    """Everything under ``root`` (never following links): type, mode, owner, size, content."""
    found: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            info = path.lstat()
            rel = str(path.relative_to(root))
            if stat.S_ISREG(info.st_mode):
                found[rel] = ("f", info.st_mode, info.st_uid, info.st_nlink, path.read_bytes())
            elif stat.S_ISLNK(info.st_mode):
                found[rel] = ("l", os.readlink(path))
            else:
                found[rel] = ("o", info.st_mode, info.st_uid)
    return found


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Another learner's tree: what a planted link points at; it must never change."""
    victim = tmp_path / "victim"
    (victim / ".git" / "objects").mkdir(parents=True)
    (victim / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (victim / "work.txt").write_text("months of work")
    (victim / "sub").mkdir()
    (victim / "sub" / "deep.txt").write_text("deep")
    return victim


def test_sec_remove_tree_removes_links_never_their_targets(
    ws: Workspace, outside: Path, tmp_path: Path
) -> None:
    before = manifest(outside)
    ex = ws.root / "git" / "ex"
    (ex / ".git" / "refs").mkdir(parents=True)
    (ex / ".git" / "HEAD").write_text("x")
    os.symlink(outside, ex / ".git" / "objects")  # a folder that is a link
    os.symlink(outside / "work.txt", ex / ".git" / "config")  # a file that is a link
    os.link(outside / "sub" / "deep.txt", ex / ".git" / "refs" / "hard")  # a hardlink
    os.mkfifo(ex / ".git" / "fifo")
    if IS_ROOT:
        os.mknod(ex / ".git" / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(ex / ".git" / "sock"))
    sock.close()
    removed = no_block(ws.remove_tree, "git/ex/.git")
    assert removed >= 7
    assert not os.path.lexists(ex / ".git")
    after = manifest(outside)
    # The hardlinked file lost one of its names; its content and everything else are intact.
    assert after["sub/deep.txt"][4] == b"deep"
    before["sub/deep.txt"] = after["sub/deep.txt"]
    assert after == before
    assert ws.remove_tree("git/ex/.git") == 0  # nothing there: nothing to do


def test_sec_remove_tree_when_the_target_itself_is_a_link(ws: Workspace, outside: Path) -> None:
    before = manifest(outside)
    (ws.root / "git").mkdir()
    os.symlink(outside, ws.root / "git" / "ex")
    assert ws.remove_tree("git/ex") == 1
    assert not os.path.lexists(ws.root / "git" / "ex")
    assert manifest(outside) == before


def test_sec_remove_tree_refuses_a_linked_parent(ws: Workspace, outside: Path) -> None:
    before = manifest(outside)
    os.symlink(outside, ws.root / "git")
    with pytest.raises(WorkspaceError, match="not a folder"):
        ws.remove_tree("git/.git")
    with pytest.raises(WorkspaceError, match="not a folder"):
        ws.remove_tree("git/sub")
    assert manifest(outside) == before


@pytest.mark.skipif(not IS_ROOT, reason="mounting needs root")
def test_sec_remove_tree_never_crosses_a_mount(ws: Workspace) -> None:
    import subprocess

    mnt = ws.root / "ex" / ".git" / "mnt"
    mnt.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], check=True)
    try:
        (mnt / "other-disk.txt").write_text("keep")
        with pytest.raises(WorkspaceError, match="mount point"):
            ws.remove_tree("ex/.git")
        assert (mnt / "other-disk.txt").read_text() == "keep"
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def _trusted_tree(tmp_path: Path) -> Path:
    src = tmp_path / "starter-build"
    repo = pygit2.init_repository(str(src), bare=False, initial_head="main")
    (src / "a.txt").write_text("starter\n")
    (src / "lib").mkdir()
    (src / "lib" / "b.txt").write_text("lib\n")
    repo.index.add_all()
    repo.index.write()
    sig = pygit2.Signature("Slate", "slate@classroom.invalid")
    repo.create_commit("HEAD", sig, sig, "Starter", repo.index.write_tree(), [])
    return src


def test_install_tree_puts_a_whole_repository_in_place(ws: Workspace, tmp_path: Path) -> None:
    src = _trusted_tree(tmp_path)
    written = ws.install_tree("git/ex", src)
    assert "git/ex/a.txt" in written and "git/ex/lib/b.txt" in written
    repo = pygit2.Repository(str(ws.root / "git" / "ex"))
    assert repo.head.peel(pygit2.Commit).message == "Starter"
    assert repo.status() == {}
    assert not [n for n in os.listdir(ws.root / "git" / "ex") if n.startswith(".slate-")]


@pytest.mark.skipif(not IS_ROOT, reason="chown needs root")
def test_install_tree_gives_everything_to_the_learner(tmp_path: Path) -> None:
    uid = fresh_uid()
    learner = Workspace(tmp_path / "bob", host_uid=uid)
    learner.provision()
    learner.install_tree("git/ex", _trusted_tree(tmp_path))
    owners = {
        (Path(d) / n).lstat().st_uid
        for d, ds, fs in os.walk(learner.root)
        for n in ds + fs
    }
    assert owners == {uid}


def test_sec_install_tree_refuses_what_is_planted_in_the_way(
    ws: Workspace, outside: Path, tmp_path: Path
) -> None:
    src = _trusted_tree(tmp_path)
    before = manifest(outside)
    # the exercise folder is a link
    (ws.root / "git").mkdir()
    os.symlink(outside, ws.root / "git" / "ex")
    with pytest.raises(WorkspaceError, match="not a folder"):
        ws.install_tree("git/ex", src)
    os.unlink(ws.root / "git" / "ex")
    # .git is a link (to another learner's repository)
    (ws.root / "git" / "ex").mkdir()
    os.symlink(outside / ".git", ws.root / "git" / "ex" / ".git")
    with pytest.raises(WorkspaceError, match="already exists"):
        ws.install_tree("git/ex", src, names=[".git"])
    os.unlink(ws.root / "git" / "ex" / ".git")
    # a file the starter writes is a link; a folder it fills is a link
    os.symlink(outside / "work.txt", ws.root / "git" / "ex" / "a.txt")
    with pytest.raises(WorkspaceError, match="link"):
        ws.install_tree("git/ex", src, names=["a.txt"])
    os.symlink(outside / "sub", ws.root / "git" / "ex" / "lib")
    with pytest.raises(WorkspaceError, match="not a folder"):
        ws.install_tree("git/ex", src, names=["lib"])
    os.mkfifo(ws.root / "git" / "ex" / "fifo-in-the-way")
    assert manifest(outside) == before
    leftovers = [n for n in os.listdir(ws.root / "git" / "ex") if n.startswith(".slate-")]
    assert leftovers == []


def test_copy_files_with_the_repository_for_the_git_check(ws: Workspace, tmp_path: Path) -> None:
    ws.install_tree("git/ex", _trusted_tree(tmp_path))
    copied = ws.copy_files_to("git/ex", tmp_path / "copy", include_git=True)
    assert ".git/HEAD" in copied and "a.txt" in copied
    repo = pygit2.Repository(str(tmp_path / "copy"))
    assert repo.head.peel(pygit2.Commit).message == "Starter"


def test_sec_copy_with_the_repository_refuses_a_planted_link(
    ws: Workspace, outside: Path, tmp_path: Path
) -> None:
    (ws.root / "git" / "ex").mkdir(parents=True)
    os.symlink(outside / ".git", ws.root / "git" / "ex" / ".git")
    with pytest.raises(WorkspaceError, match="link"):
        ws.copy_files_to("git/ex", tmp_path / "copy", include_git=True)
    assert not (tmp_path / "copy" / ".git").exists()


@pytest.mark.parametrize("planted", ["hardlink", "fifo", "device", "socket"])
def test_sec_copy_with_the_repository_refuses_planted_special_files(
    ws: Workspace, outside: Path, tmp_path: Path, planted: str
) -> None:
    """The git check's copy meets each kind of planted file inside .git: refused by name, the
    copy never blocks, and nothing of the other tree is read into it."""
    if planted == "device" and not IS_ROOT:
        pytest.skip("mknod needs root")
    ws.install_tree("git/ex", _trusted_tree(tmp_path))
    target = ws.root / "git" / "ex" / ".git" / "planted"
    if planted == "hardlink":
        os.link(outside / "work.txt", target)
    elif planted == "fifo":
        os.mkfifo(target)
    elif planted == "device":
        os.mknod(target, 0o666 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero: endless bytes
    else:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(target))
        sock.close()
    with pytest.raises(WorkspaceError, match=r"\.git/planted"):
        no_block(lambda: ws.copy_files_to("git/ex", tmp_path / "copy", include_git=True))
    copied = [p for p in (tmp_path / "copy").rglob("*") if p.is_file()]
    assert all(b"months of work" not in p.read_bytes() for p in copied)


def test_sec_walk_names_every_entry_and_enters_no_link(
    ws: Workspace, outside: Path
) -> None:
    ws.write_atomic("ex/a.txt", "a")
    ws.write_atomic("ex/sub/b.txt", "bb")
    os.symlink(outside, ws.root / "ex" / "link")
    os.mkfifo(ws.root / "ex" / "pipe")
    entries = no_block(ws.walk, "ex")
    assert entries == [
        ("a.txt", "file", 1),
        ("link", "link", len(str(outside))),
        ("pipe", "other", 0),
        ("sub", "folder", entries[3][2]),
        ("sub/b.txt", "file", 2),
    ]
    assert not any("work.txt" in rel for rel, _, _ in entries)
