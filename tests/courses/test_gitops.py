"""The Git panel's operations (courses/gitops.py) on real repositories, hostile ones included."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pygit2
import pytest

from courses.gitops import ExerciseRepo, GitOpError, load_steps, run_steps


def _repo(tmp_path: Path) -> ExerciseRepo:
    folder = tmp_path / "ex"
    folder.mkdir()
    return ExerciseRepo(folder)


def _write(repo: ExerciseRepo, rel: str, text: str) -> None:
    (repo.folder / rel).write_text(text, encoding="utf-8")


def _commit(repo: ExerciseRepo, rel: str, text: str, message: str) -> str:
    _write(repo, rel, text)
    repo.stage([rel])
    return repo.commit(message, "Sam Learner")["id"]


def test_init_commit_log_and_status(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    with pytest.raises(GitOpError, match="not a Git repository yet"):
        repo.status()
    assert repo.init()["branch"] == "main"
    with pytest.raises(GitOpError, match="already a Git repository"):
        repo.init()
    _write(repo, "story.txt", "Once upon a time\n")
    status = repo.status()
    assert status["unborn"] is True
    assert status["files"] == [
        {"path": "story.txt", "staged": None, "unstaged": "untracked", "conflicted": False}
    ]
    with pytest.raises(GitOpError, match="Nothing is staged"):
        repo.commit("First", "Sam")
    repo.stage(["story.txt"])
    assert repo.status()["files"][0]["staged"] == "new file"
    with pytest.raises(GitOpError, match="needs a message"):
        repo.commit("   ", "Sam")
    first = repo.commit("Start the story", "Sam Learner")
    assert first["message"].startswith("Committed ")
    assert repo.status()["files"] == []
    with pytest.raises(GitOpError, match="Nothing is staged"):
        repo.commit("Again", "Sam")
    _commit(repo, "story.txt", "Once upon a time\nThe end.\n", "Finish the story")
    log = repo.log(10)["commits"]
    assert [c["summary"] for c in log] == ["Finish the story", "Start the story"]
    assert log[0]["author"] == "Sam Learner"
    assert log[0]["parents"] == [log[1]["id"]]
    raw = pygit2.Repository(str(repo.folder / ".git"))
    assert raw.head.peel(pygit2.Commit).author.email == "sam-learner@classroom"


def test_unstage_keeps_the_edit_and_restore_discards_it(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.init()
    _commit(repo, "a.txt", "one\n", "one")
    _write(repo, "a.txt", "two\n")
    repo.stage(["a.txt"])
    assert repo.status()["files"][0]["staged"] == "modified"
    assert "+two" in repo.diff()["diff"]
    repo.unstage(["a.txt"])
    entry = repo.status()["files"][0]
    assert (entry["staged"], entry["unstaged"]) == (None, "modified")
    assert (repo.folder / "a.txt").read_text() == "two\n"
    repo.restore("a.txt")
    assert (repo.folder / "a.txt").read_text() == "one\n"
    assert repo.status()["files"] == []
    _write(repo, "new.txt", "x")
    with pytest.raises(GitOpError, match="new file Git does not know"):
        repo.restore("new.txt")
    with pytest.raises(GitOpError, match="not a file in this exercise"):
        repo.restore("../outside.txt")
    with pytest.raises(GitOpError, match="not a file in this exercise"):
        repo.stage([".git/config"])


def test_branches_switch_refuses_to_lose_work_and_fast_forward_merge(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.init()
    with pytest.raises(GitOpError, match="first commit"):
        repo.create_branch("idea")
    _commit(repo, "a.txt", "one\n", "one")
    repo.create_branch("idea")
    with pytest.raises(GitOpError, match="already exists"):
        repo.create_branch("idea")
    with pytest.raises(GitOpError, match="cannot be a branch name"):
        repo.create_branch("bad..name")
    assert repo.branches() == {"message": "You are on main.", "current": "main",
                               "branches": ["idea", "main"]}
    _write(repo, "a.txt", "unsaved\n")  # idea has the same a.txt: the change comes along
    assert "came along: a.txt" in repo.switch("idea")["message"]
    assert (repo.folder / "a.txt").read_text() == "unsaved\n"
    repo.switch("main")
    repo.restore("a.txt")
    repo.switch("idea")
    _commit(repo, "b.txt", "idea\n", "Add an idea")
    repo.switch("main")
    assert not (repo.folder / "b.txt").exists()
    result = repo.merge("idea")
    assert result["result"] == "fast-forward"
    assert (repo.folder / "b.txt").read_text() == "idea\n"
    assert repo.merge("idea")["result"] == "up-to-date"
    with pytest.raises(GitOpError, match="no branch called"):
        repo.switch("nope")


def test_merge_commit_when_both_sides_changed_different_files(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.init()
    _commit(repo, "a.txt", "one\n", "one")
    repo.create_branch("side")
    _commit(repo, "main.txt", "m\n", "on main")
    repo.switch("side")
    _commit(repo, "side.txt", "s\n", "on side")
    repo.switch("main")
    result = repo.merge("side")
    assert result["result"] == "merge-commit"
    head = repo.log(1)["commits"][0]
    assert len(head["parents"]) == 2
    assert head["summary"] == "Merge branch 'side'"
    assert (repo.folder / "side.txt").exists() and (repo.folder / "main.txt").exists()
    assert repo.status()["merging"] is False


def test_real_merge_conflict_writes_markers_and_learner_finishes_it(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.init()
    _commit(repo, "poem.txt", "Roses are red\nViolets are blue\n", "poem")
    repo.create_branch("sad")
    _commit(repo, "poem.txt", "Roses are red\nViolets are glad\n", "happy ending")
    repo.switch("sad")
    _commit(repo, "poem.txt", "Roses are red\nViolets are sad\n", "sad ending")
    repo.switch("main")
    result = repo.merge("sad")
    assert result["result"] == "conflict"
    assert result["conflicts"] == ["poem.txt"]
    text = (repo.folder / "poem.txt").read_text()
    assert "<<<<<<< HEAD\nViolets are glad\n=======\nViolets are sad\n>>>>>>> sad\n" in text
    status = repo.status()
    assert status["merging"] is True and status["files"][0]["conflicted"] is True
    with pytest.raises(GitOpError, match="still have conflicts: poem.txt"):
        repo.commit("merge", "Sam")
    with pytest.raises(GitOpError, match="Finish the merge first"):
        repo.switch("sad")
    _write(repo, "poem.txt", "Roses are red\nViolets are glad and sad\n")
    repo.stage(["poem.txt"])
    done = repo.commit("Merge the sad ending", "Sam")
    assert done["merge"] is True
    head = repo.log(1)["commits"][0]
    assert len(head["parents"]) == 2
    assert repo.status() | {"files": []} == repo.status()
    assert repo.status()["merging"] is False


def test_tag_and_revert(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.init()
    _commit(repo, "a.txt", "good\n", "good version")
    repo.tag("v1")
    with pytest.raises(GitOpError, match="already exists"):
        repo.tag("v1")
    repo.tag("v1-notes", message="The first good version")
    bad = _commit(repo, "a.txt", "oops\n", "a mistake")
    result = repo.revert(bad[:7])
    assert (repo.folder / "a.txt").read_text() == "good\n"
    summaries = [c["summary"] for c in repo.log(5)["commits"]]
    assert summaries == ['Revert "a mistake"', "a mistake", "good version"]
    assert result["message"].startswith("Made commit")
    raw = pygit2.Repository(str(repo.folder / ".git"))
    assert "refs/tags/v1" in raw.references and "refs/tags/v1-notes" in raw.references
    with pytest.raises(GitOpError, match="no commit"):
        repo.revert("abcdef0")
    with pytest.raises(GitOpError, match="Choose the commit"):
        repo.revert("HEAD~1; rm -rf /")


def test_run_dispatches_and_rejects_unknown_ops_and_args(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    assert repo.run("init")["branch"] == "main"
    with pytest.raises(GitOpError, match="Unknown Git action"):
        repo.run("rebase")
    with pytest.raises(GitOpError, match="does not take force"):
        repo.run("stage", {"paths": ["a"], "force": True})
    with pytest.raises(GitOpError, match="missing some details"):
        repo.run("commit", {"message": "x"})
    with pytest.raises(GitOpError, match="whole number"):
        repo.run("log", {"n": "lots"})


def test_steps_build_a_repository_and_expect_guards_drift(tmp_path: Path) -> None:
    steps_file = tmp_path / "steps.toml"
    steps_file.write_text(
        """
[[step]]
op = "init"
[[step]]
op = "write"
path = "a.txt"
text = "one\\n"
[[step]]
op = "stage"
paths = ["a.txt"]
[[step]]
op = "commit"
message = "First"
[[step]]
op = "create_branch"
name = "b"
[[step]]
op = "merge"
branch = "b"
expect = "up-to-date"
""",
        encoding="utf-8",
    )
    folder = tmp_path / "ex"
    folder.mkdir()
    results = run_steps(folder, load_steps(steps_file))
    assert len(results) == 6
    bad = [{"op": "merge", "branch": "b", "expect": "conflict"}]
    with pytest.raises(GitOpError, match="step 1 .merge.: expected 'conflict'"):
        run_steps(folder, bad)
    with pytest.raises(GitOpError, match="op 'rebase' is not one of"):
        run_steps(folder, [{"op": "rebase"}])


# ---- hostile repositories -------------------------------------------------------------------


def test_sec_gitdir_file_pointing_elsewhere_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    pygit2.init_repository(str(victim), initial_head="main")
    before = sorted(p.name for p in (victim / ".git").iterdir())
    folder = tmp_path / "ex"
    folder.mkdir()
    (folder / ".git").write_text(f"gitdir: {victim / '.git'}\n")
    (folder / "a.txt").write_text("x")
    repo = ExerciseRepo(folder)
    for op, args in [("status", {}), ("stage", {"paths": ["a.txt"]}), ("log", {}),
                     ("commit", {"message": "m", "author_name": "x"})]:
        with pytest.raises(GitOpError, match="not a plain folder"):
            repo.run(op, args)
    assert sorted(p.name for p in (victim / ".git").iterdir()) == before
    assert not (victim / ".git" / "index").exists()


def test_sec_symlinked_git_dir_and_alternates_are_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    pygit2.init_repository(str(victim), initial_head="main")
    folder = tmp_path / "ex"
    folder.mkdir()
    (folder / ".git").symlink_to(victim / ".git")
    with pytest.raises(GitOpError, match="not a plain folder"):
        ExerciseRepo(folder).status()
    (folder / ".git").unlink()
    ExerciseRepo(folder).init()
    alternates = folder / ".git" / "objects" / "info" / "alternates"
    alternates.parent.mkdir(parents=True, exist_ok=True)
    alternates.write_text(str(victim / ".git" / "objects") + "\n")
    with pytest.raises(GitOpError, match="points to another repository"):
        ExerciseRepo(folder).log()


@pytest.mark.parametrize(
    "config",
    [
        "[core]\n\tworktree = /etc\n",
        "[include]\n\tpath = /etc/shadow\n",
        '[includeIf "gitdir:/"]\n\tpath = /root/.gitconfig\n',
    ],
)
def test_sec_config_reaching_outside_is_refused(tmp_path: Path, config: str) -> None:
    repo = _repo(tmp_path)
    repo.init()
    with (repo.folder / ".git" / "config").open("a") as fh:
        fh.write(config)
    with pytest.raises(GitOpError, match="Slate does not allow"):
        repo.status()


def test_sec_hooks_and_fsmonitor_never_run(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.init()
    proof = tmp_path / "ran"
    script = f"#!/bin/sh\ntouch {proof}\n"
    hooks = repo.folder / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    for name in ("pre-commit", "commit-msg", "post-commit", "post-checkout", "post-merge",
                 "prepare-commit-msg", "pre-merge-commit", "fsmonitor"):
        (hooks / name).write_text(script)
        (hooks / name).chmod(0o755)
    with (repo.folder / ".git" / "config").open("a") as fh:
        fh.write(f"[core]\n\tfsmonitor = {hooks / 'fsmonitor'}\n\thooksPath = {hooks}\n"
                 f'[filter "evil"]\n\tclean = touch {proof}\n\tsmudge = touch {proof}\n')
    (repo.folder / ".gitattributes").write_text("*.txt filter=evil\n")
    _commit(repo, "a.txt", "one\n", "one")
    repo.create_branch("b")
    repo.switch("b")
    _commit(repo, "a.txt", "two\n", "two")
    repo.switch("main")
    repo.merge("b")
    repo.status()
    repo.diff()
    assert not proof.exists()


def test_sec_corrupt_objects_give_a_clean_error(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.init()
    first = _commit(repo, "a.txt", "one\n", "one")
    obj = repo.folder / ".git" / "objects" / first[:2] / first[2:]
    obj.chmod(0o644)
    obj.write_bytes(b"this is not zlib data at all")
    for op in ("log", "status", "diff"):
        with pytest.raises(GitOpError, match="damaged"):
            repo.run(op, {})
    (repo.folder / ".git" / "HEAD").write_text("garbage\n")
    with pytest.raises(GitOpError):
        repo.run("status", {})


def test_sec_symlink_and_fifo_in_worktree_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = _repo(tmp_path)
    repo.init()
    _commit(repo, "a.txt", "one\n", "one")
    (repo.folder / "sub").symlink_to(outside)
    with pytest.raises(GitOpError, match="sub is a link"):
        repo.stage(None)
    (repo.folder / "sub").unlink()
    os.mkfifo(repo.folder / "pipe")
    with pytest.raises(GitOpError, match="pipe is a special file"):
        repo.diff()
    (repo.folder / "pipe").unlink()
    (repo.folder / ".git" / "refs" / "heads" / "evil").symlink_to("/etc/passwd")
    with pytest.raises(GitOpError, match="link or special file"):
        repo.log()
    assert list(outside.iterdir()) == []


def test_sec_names_with_control_characters_are_shown_escaped(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.init()
    with pytest.raises(GitOpError) as info:
        repo.create_branch("\x1b]52;c;evil\x07")
    assert "\x1b" not in str(info.value) and "\x07" not in str(info.value)
    _write(repo, "a.txt", "x")
    repo.stage(["a.txt"])
    result = repo.commit("title\x1b[2J\n\nbody", "Sam\x1b[31m")
    assert "\x1b" not in result["message"]
    log = repo.log()["commits"][0]
    assert "\x1b" not in log["message"] and "\x1b" not in log["author"]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand files back")
def test_files_written_as_root_are_handed_back_to_the_folder_owner(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    os.chown(repo.folder, 2345, 2345)
    repo.init()
    _commit(repo, "a.txt", "one\n", "one")
    for dirpath, dirnames, filenames in os.walk(repo.folder):
        for name in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, name))
            assert st.st_uid == 2345, os.path.join(dirpath, name)
    assert stat.S_IMODE(os.lstat(repo.folder / "a.txt").st_mode) & 0o200


def test_operations_table_is_what_the_server_calls(tmp_path: Path) -> None:
    """server/services.py calls ``OPERATIONS[op](folder, **args)``; ``message`` brings the
    learner's name as ``author_name`` (also for tag)."""
    from courses.gitops import OPERATIONS

    folder = tmp_path / "ex"
    folder.mkdir()
    OPERATIONS["init"](folder)
    (folder / "a.txt").write_text("x")
    OPERATIONS["stage"](folder, paths=["a.txt"])
    OPERATIONS["commit"](folder, message="First", author_name="Sam")
    OPERATIONS["tag"](folder, name="v1", message="first", author_name="Sam")
    assert OPERATIONS["log"](folder, n=5)["commits"][0]["summary"] == "First"
    with pytest.raises(GitOpError, match="does not take"):
        OPERATIONS["status"](folder, paths=["a.txt"])


def test_provision_builds_the_starter_repo_once_and_reset_rebuilds(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from courses.gitops import provision
    from jail.workspace import Workspace

    ex_dir = tmp_path / "exercise"
    (ex_dir / "tests").mkdir(parents=True)
    (ex_dir / "starter").mkdir()
    (ex_dir / "starter" / "a.txt").write_text("starter text\n")
    (ex_dir / "tests" / "setup.toml").write_text(
        '[[step]]\nop = "init"\n[[step]]\nop = "stage"\n'
        '[[step]]\nop = "commit"\nmessage = "Starter"\n'
    )
    exercise = SimpleNamespace(
        dir=ex_dir, starter_dir=ex_dir / "starter", files=["a.txt"], readonly=[],
        checks=[{"kind": "git", "setup": "tests/setup.toml"}],
    )
    ws = Workspace(tmp_path / "ws")
    ws.provision()
    ws.write_atomic("git/ex/a.txt", "starter text\n")
    assert provision(exercise, ws, "git/ex") is True
    folder = ws.root / "git" / "ex"
    repo = ExerciseRepo(folder)
    assert repo.status()["files"] == []  # the installed repository matches its files
    _commit(repo, "a.txt", "learner work\n", "mine")
    assert provision(exercise, ws, "git/ex") is False
    assert len(repo.log()["commits"]) == 2
    assert provision(exercise, ws, "git/ex", reset=True) is True
    assert [c["summary"] for c in repo.log()["commits"]] == ["Starter"]
    no_setup = SimpleNamespace(dir=ex_dir, checks=[{"kind": "git"}])
    assert provision(no_setup, ws, "git/other") is False
    assert not ws.lexists("git/other/.git")


def test_panel_names_and_the_output_text(tmp_path: Path) -> None:
    """The TUI's Git panel sends ``branch``/``switch``/``merge`` with ``name`` and ``stage``
    with ``paths=[]`` (everything), and shows the ``output`` text."""
    from courses.gitops import OPERATIONS

    folder = tmp_path / "ex"
    folder.mkdir()
    OPERATIONS["init"](folder)
    (folder / "a.txt").write_text("x")
    (folder / "b.txt").write_text("y")
    status = OPERATIONS["status"](folder)["output"]
    assert "On branch main" in status and "New files Git is not tracking yet:\n  a.txt" in status
    OPERATIONS["stage"](folder, paths=[])
    assert "Staged (will go into the next commit):\n  new file: a.txt\n  new file: b.txt" in (
        OPERATIONS["status"](folder)["output"])
    OPERATIONS["commit"](folder, message="First", author_name="Sam")
    assert OPERATIONS["branch"](folder, name="idea")["branch"] == "idea"
    assert OPERATIONS["branch"](folder)["output"].endswith("  idea\n* main")
    OPERATIONS["switch"](folder, name="idea")
    (folder / "a.txt").write_text("changed")
    assert "+changed" in OPERATIONS["diff"](folder)["output"]
    OPERATIONS["stage"](folder, paths=["a.txt"])
    OPERATIONS["commit"](folder, message="Change a", author_name="Sam")
    OPERATIONS["switch"](folder, name="main")
    assert OPERATIONS["merge"](folder, name="idea")["result"] == "fast-forward"
    log = OPERATIONS["log"](folder)["output"].splitlines()
    assert log[0] == "2 commit(s)." and log[1].endswith("Change a  - Sam")


def test_sec_a_committed_symlink_is_checked_out_as_a_plain_file(tmp_path: Path) -> None:
    """A symlink planted in history (blob mode 120000) never becomes a real link on disk."""
    repo = _repo(tmp_path)
    repo.init()
    _commit(repo, "a.txt", "one\n", "one")
    raw = pygit2.Repository(str(repo.folder / ".git"))
    head = raw.head.peel(pygit2.Commit)
    link = raw.create_blob(b"/etc")
    builder = raw.TreeBuilder(head.tree)
    builder.insert("escape", link, pygit2.enums.FileMode.LINK)
    sig = pygit2.Signature("x", "x@y")
    raw.create_commit("refs/heads/evil", sig, sig, "plant", builder.write(), [head.id])
    repo.switch("evil")
    planted = repo.folder / "escape"
    assert planted.exists() and not planted.is_symlink()
    assert planted.read_text() == "/etc"


def test_command_line_entry_runs_one_op_as_json(tmp_path: Path) -> None:
    """``python -m courses.gitops FOLDER`` (for running ops in a sandbox as the learner)."""
    import json
    import subprocess
    import sys

    folder = tmp_path / "ex"
    folder.mkdir()
    root = Path(__file__).resolve().parents[2]

    def call(request: str) -> dict:
        out = subprocess.run([sys.executable, "-m", "courses.gitops", str(folder)],
                             input=request, capture_output=True, text=True, cwd=root,
                             check=True, timeout=60)
        return json.loads(out.stdout)

    assert call('{"op": "init"}')["result"]["branch"] == "main"
    assert call('{"op": "rebase"}') == {"ok": False, "error": "Unknown Git action 'rebase'."}
    assert call("not json")["ok"] is False
    assert call('{"op": "log", "args": {"n": 3}}')["result"]["commits"] == []


def test_abort_merge_goes_back_to_before_the_conflict(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.init()
    with pytest.raises(GitOpError, match="No merge is in progress"):
        repo.run("abort_merge")
    _commit(repo, "poem.txt", "red\nblue\n", "poem")
    repo.create_branch("other")
    _commit(repo, "poem.txt", "red\ngreen\n", "green")
    repo.switch("other")
    _commit(repo, "poem.txt", "red\npink\n", "pink")
    repo.switch("main")
    assert repo.merge("other")["result"] == "conflict"
    _write(repo, "poem.txt", "half-fixed <<<<<<<\n")
    repo.run("abort_merge")
    assert (repo.folder / "poem.txt").read_text() == "red\ngreen\n"
    status = repo.status()
    assert status["merging"] is False and status["files"] == []
    repo.switch("other")  # allowed again: nothing in progress


# Each case: (what main and "other" hold, the uncommitted state) -> real git's answer.
SWITCH_CASES = {
    "modified, same on both branches: carried": (
        {"a.txt": "one\n"}, {"a.txt": "one\n", "b.txt": "b\n"},
        {"a.txt": "mine\n"}, [], ["a.txt"]),
    "modified, other branch differs: refused": (
        {"a.txt": "one\n"}, {"a.txt": "theirs\n"},
        {"a.txt": "mine\n"}, [], ["a.txt"]),
    "staged, same on both: carried and still staged": (
        {"a.txt": "one\n", "c.txt": "c\n"}, {"a.txt": "one\n", "c.txt": "c\n", "b.txt": "b\n"},
        {"c.txt": "staged\n"}, ["c.txt"], ["c.txt"]),
    "staged, other branch differs: refused": (
        {"a.txt": "one\n"}, {"a.txt": "theirs\n"},
        {"a.txt": "staged\n"}, ["a.txt"], ["a.txt"]),
    "untracked, other branch has its own: refused": (
        {"a.txt": "one\n"}, {"a.txt": "one\n", "u.txt": "theirs\n"},
        {"u.txt": "mine\n"}, [], ["u.txt"]),
    "untracked, not on the other branch: carried": (
        {"a.txt": "one\n"}, {"a.txt": "one\n", "b.txt": "b\n"},
        {"u.txt": "mine\n"}, [], ["u.txt"]),
    "new file staged, not on the other branch: carried": (
        {"a.txt": "one\n"}, {"a.txt": "two\n"},
        {"n.txt": "new\n"}, ["n.txt"], ["n.txt"]),
    "one carried, one overwritten: refused, nothing changes": (
        {"a.txt": "one\n", "c.txt": "c\n"}, {"a.txt": "one\n", "c.txt": "theirs\n"},
        {"a.txt": "mine\n", "c.txt": "mine\n"}, [], ["c.txt"]),
}


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "HOME": str(folder.parent),
           "GIT_CONFIG_NOSYSTEM": "1", "LANG": "C"}
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                          env=env, check=False)


def _files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.parametrize("case", sorted(SWITCH_CASES))
def test_switch_carries_or_refuses_uncommitted_changes_as_real_git_does(
    tmp_path: Path, case: str
) -> None:
    """The same repository, switched by the Git panel and by real ``git switch``: both carry
    the changes along or both refuse; the files and what is staged end up the same."""
    main, other, edits, staged, named = SWITCH_CASES[case]
    repo = _repo(tmp_path)
    repo.init()
    for rel, text in main.items():
        _write(repo, rel, text)
    repo.stage(sorted(main))
    repo.commit("main", "Sam")
    repo.create_branch("other")
    repo.switch("other")
    for rel in main:
        if rel not in other:
            (repo.folder / rel).unlink()
    for rel, text in other.items():
        _write(repo, rel, text)
    repo.stage(sorted(set(main) | set(other)))
    repo.commit("other", "Sam")
    repo.switch("main")
    for rel, text in edits.items():
        _write(repo, rel, text)
    if staged:
        repo.stage(staged)
    twin = tmp_path / "twin"
    shutil.copytree(repo.folder, twin)
    before = _files(repo.folder)

    real = _git(twin, "switch", "other")
    try:
        result = repo.switch("other")
        error = None
    except GitOpError as exc:
        result, error = None, str(exc)
    assert (error is None) == (real.returncode == 0), (real.stderr, error)
    if error is not None:
        assert "would be overwritten" in real.stderr
        for rel in named:
            assert rel in error and rel in real.stderr
        assert "Git will not switch to other" in error and "would be overwritten" in error
        assert _files(repo.folder) == before
        assert repo.branches()["current"] == "main"
    else:
        assert result is not None and repo.branches()["current"] == "other"
        for rel in named:
            assert rel in result["carried"]
    assert _files(repo.folder) == _files(twin)
    porcelain = _git(twin, "status", "--porcelain").stdout.splitlines()
    ours = _git(repo.folder, "status", "--porcelain").stdout.splitlines()
    assert sorted(ours) == sorted(porcelain)
