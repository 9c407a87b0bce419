"""Git with others in the teaching console (issue 14): clone, push, pull, fetch and remote.

Drives the server's own request handler (LearnerDesk.console) with a real store, workspace,
audit log and bubblewrap sandbox, on the git-team course's real exercises. The remote
commands run as Git panel operations (pygit2's local transport, in the panel's tool sandbox):
a remote is only a folder inside the exercise; a network address, a path outside, an option
that runs a program (``--upload-pack``, ``--receive-pack``, ``-c``, ``-C``, ``--git-dir``)
is refused in plain words and audited; hooks and settings planted in the team's server never
run anything."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pygit2
import pytest

from courses.git.safety import configure_libgit2
from courses.kinds.git import evaluate_in_sandbox

from .test_sec_teaching_console import Console, json_detail

CLONE = ("git-team", "clone")
PUSH = ("git-team", "push")
PULL = ("git-team", "pull")


def ran(c: Console) -> list[dict]:
    return [json_detail(r) for r in c.audit.events(kind="console")]


async def checked(c: Console, where: tuple[str, str], asserts: list[dict]) -> list:
    """The git check as the server runs it: a descriptor-made copy, judged in a sandbox."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "repo"
        c.desk.ws.copy_files_to(f"{where[0]}/{where[1]}", copy, include_git=True)
        return await evaluate_in_sandbox(copy, asserts, c.host_uid)


def server(c: Console, where: tuple[str, str]) -> pygit2.Repository:
    # The test (root) reads a repository the learner's uid owns: libgit2's owner check would
    # refuse it unless told not to, as the server tells it (a host with a global
    # safe.directory=* hid this; a fresh Debian has none).
    configure_libgit2()
    before = pygit2.settings.owner_validation
    pygit2.settings.owner_validation = False  # another test may have turned it back on
    try:
        return pygit2.Repository(str(Path(c.desk.ws.root) / where[0] / where[1] / "team.git"))
    finally:
        pygit2.settings.owner_validation = before


async def test_console_clone_then_the_check_sees_the_copy(tmp_path: Path) -> None:
    c = Console(tmp_path)
    await c.open(CLONE)
    reply = await c.type("ls", CLONE)
    assert "team.git" in reply.output
    reply = await c.type("git clone team.git cafe", CLONE)
    assert reply.exit_code == 0, reply.output
    assert "Cloning into 'cafe'... done." in reply.output and "3 commit(s)" in reply.output
    reply = await c.type("cat cafe/menu.txt", CLONE)
    assert "Jacket potato" in reply.output
    reply = await c.type("git clone team.git cafe", CLONE)
    assert reply.exit_code == 1 and "already something called cafe" in reply.output
    outcomes = await checked(c, CLONE, [
        {"min_commits": 3, "repo": "cafe"}, {"remote_url": "team.git", "repo": "cafe"},
        {"pulled": "main", "repo": "cafe"}, {"clean": True, "repo": "cafe"}])
    assert [o.status for o in outcomes] == ["passed"] * 4, outcomes
    assert [r["command"] for r in ran(c)] == ["ls", "git clone", "cat", "git clone"]


async def test_reset_rebuilds_the_same_server_so_a_clone_still_matches_it(tmp_path: Path) -> None:
    """Reset rebuilds the team's server from the course's script: its commits get the same
    ids every time (fixed commit times), so the learner's clone is still a copy of it (before,
    new ids left a clone that matched nothing and the check failed until they cloned again)."""
    from server import protocol

    c = Console(tmp_path)
    await c.open(CLONE)
    before = str(server(c, CLONE).head.target)
    first = server(c, CLONE).head.peel(pygit2.Commit)
    assert 1_767_225_600 < first.commit_time < 1_767_225_600 + 3600  # scripted, not today's
    reply = await c.type("git clone team.git cafe", CLONE)
    assert reply.exit_code == 0, reply.output
    await c.desk.reset(protocol.Reset(id=3, course=CLONE[0], exercise=CLONE[1]))
    assert str(server(c, CLONE).head.target) == before
    outcomes = await checked(c, CLONE, [{"pulled": "main", "repo": "cafe"}])
    assert [o.status for o in outcomes] == ["passed"], outcomes
    # Only the course's script runs on the fixed clock: anything else gets the real time.
    import time

    from courses.git.safety import now, scripted_time

    assert abs(now() - time.time()) < 5
    with scripted_time():
        assert [now(), now()] == [1_767_225_660, 1_767_225_720]
    assert abs(now() - time.time()) < 5


async def test_console_commit_push_and_the_server_has_it(tmp_path: Path) -> None:
    c = Console(tmp_path)
    await c.open(PUSH)
    folder = "git-team/push"
    ws = c.desk.ws
    reply = await c.type("git remote -v", PUSH)
    assert "origin\tteam.git (fetch)" in reply.output
    reply = await c.type("git push", PUSH)
    assert "Everything up to date" in reply.output
    menu = ws.read_bytes(f"{folder}/menu.txt").decode()
    ws.write_atomic(f"{folder}/menu.txt", menu.replace("- Rice pudding\n",
                                                       "- Rice pudding\n- Apple crumble\n"))
    assert (await c.type("git add menu.txt", PUSH)).exit_code == 0
    reply = await c.type('git commit -m "Add apple crumble"', PUSH)
    assert reply.exit_code == 0, reply.output
    before = await checked(c, PUSH, [{"pushed": "main"}])
    assert before[0].status == "failed" and "git push" in before[0].message
    reply = await c.type("git push -u origin main", PUSH)
    assert reply.exit_code == 0, reply.output
    assert "To team.git" in reply.output and "main -> main" in reply.output
    tip = server(c, PUSH).references["refs/heads/main"].peel(pygit2.Commit)
    assert tip.message.strip() == "Add apple crumble" and tip.author.name == "ada"
    reply = await c.type("git log --oneline --decorate -1", PUSH)
    assert "origin/main" in reply.output and "Add apple crumble" in reply.output
    after = await checked(c, PUSH, [{"pushed": "main"}, {
        "file_in_head": "menu.txt", "contains": "apple crumble", "repo": "team.git"}])
    assert [o.status for o in after] == ["passed", "passed"], after


async def test_console_push_rejected_then_pull_merges_as_the_learner(tmp_path: Path) -> None:
    c = Console(tmp_path)
    await c.open(PULL)
    folder = "git-team/pull"
    ws = c.desk.ws
    menu = ws.read_bytes(f"{folder}/menu.txt").decode()
    ws.write_atomic(f"{folder}/menu.txt", menu.replace("- Rice pudding\n",
                                                       "- Rice pudding\n- Carrot cake\n"))
    await c.type("git add menu.txt", PULL)
    await c.type('git commit -m "Add carrot cake"', PULL)
    reply = await c.type("git push", PULL)
    assert reply.exit_code == 1 and "Rejected" in reply.output and "git pull" in reply.output
    reply = await c.type("git fetch", PULL)
    assert reply.exit_code == 0 and "origin/main" in reply.output
    reply = await c.type("git pull", PULL)
    assert reply.exit_code == 0 and "merge commit" in reply.output, reply.output
    reply = await c.type("git push", PULL)
    assert reply.exit_code == 0, reply.output
    tip = server(c, PULL).references["refs/heads/main"].peel(pygit2.Commit)
    assert len(tip.parents) == 2 and tip.author.name == "ada"


# -- refusals: each asserts the plain words and the audit row; nothing ran ------------------


@pytest.mark.parametrize(
    ("line", "reason", "words"),
    [
        ("git clone ssh://host/team.git cafe", "remote_url", "no network"),
        ("git clone http://example.com/x.git cafe", "remote_url", "no network"),
        ("git clone file:///etc/team.git cafe", "remote_url", "no network"),
        ("git clone ext::sh cafe", "remote_url", "no network"),
        ("git clone git@host:team.git cafe", "remote_url", "no network"),
        ("git clone host:team.git cafe", "remote_url", "no network"),
        ("git clone /srv/team.git cafe", "absolute", "outside your exercise"),
        ("git clone ~/team.git cafe", "absolute", "home folder"),
        ("git clone ../../other/team.git cafe", "dotdot", "outside your exercise"),
        ("git clone team.git ../cafe", "dotdot", "outside your exercise"),
        ("git clone --upload-pack=touch team.git cafe", "git_option", "runs another program"),
        ("git clone -u touch team.git cafe", "option", "does not take"),
        ("git clone --template=/etc team.git cafe", "option", "does not take"),
        ("git clone --reference=team.git team.git cafe", "git_option", "borrows"),
        ("git clone --config=core.hooksPath=x team.git cafe", "git_option", "fixed"),
        ("git clone --separate-git-dir=x team.git cafe", "git_option", "elsewhere"),
        ("git push --receive-pack=touch", "git_option", "runs another program"),
        ("git push --exec=touch", "git_option", "runs another program"),
        ("git fetch --upload-pack=touch", "git_option", "runs another program"),
        ("git pull --upload-pack=touch", "git_option", "runs another program"),
        ("git -c protocol.allow=always push", "git_option", "fixed"),
        ("git -C .. push", "git_option", "another folder"),
        ("git --git-dir=team.git push", "git_option", "another repository"),
        ("git remote add evil http://example.com/x", "remote_url", "no network"),
        ("git remote add evil ../../elsewhere", "dotdot", "outside"),
        ("git remote add evil team.git/.git", "git_folder", "Git's own folder"),
        ("git remote set-url origin ssh://x", "git_command", "not available"),
        ("git push; touch x", "metachar", "one command at a time"),
    ],
)
async def test_sec_console_remote_commands_refused_and_audited(
    tmp_path: Path, line: str, reason: str, words: str
) -> None:
    c = Console(tmp_path)
    await c.open(PUSH)
    said, row = await c.refused(line, PUSH)
    assert row["reason"] == reason, (line, row)
    assert words in said, said
    assert ran(c) == []


async def test_sec_planted_hooks_and_settings_in_the_server_never_run(tmp_path: Path) -> None:
    """team.git is the learner's own files (a Run can write it): hooks, uploadpack/receivepack
    settings and core.* commands in it must never run; libgit2 runs no program at all."""
    c = Console(tmp_path)
    await c.open(PUSH)
    folder = "git-team/push"
    ws = c.desk.ws
    for hook in ("pre-receive", "update", "post-receive", "post-update", "reference-transaction"):
        ws.write_atomic(f"{folder}/team.git/hooks/{hook}", "#!/bin/sh\ntouch ../pwned-hook\n")
        (Path(ws.root) / folder / "team.git" / "hooks" / hook).chmod(0o755)
    config = ws.read_bytes(f"{folder}/team.git/config").decode()
    ws.write_atomic(f"{folder}/team.git/config", config + "[core]\n\tfsmonitor = touch pwned\n"
                    "\talternateRefsCommand = touch pwned-alt\n[uploadpack]\n"
                    "\tpackObjectsHook = touch pwned-pack\n")
    menu = ws.read_bytes(f"{folder}/menu.txt").decode()
    ws.write_atomic(f"{folder}/menu.txt", menu + "\nDrinks\n- Tea\n")
    await c.type("git add menu.txt", PUSH)
    await c.type('git commit -m "Add drinks"', PUSH)
    reply = await c.type("git push", PUSH)
    assert reply.exit_code == 0, reply.output
    await c.type("git fetch", PUSH)
    await c.type("git clone team.git again", PUSH)
    names = set(ws.list_files(folder))
    assert not any("pwned" in n for n in names), names
    assert server(c, PUSH).references["refs/heads/main"].peel(pygit2.Commit).message.strip() \
        == "Add drinks"
    assert [r["command"] for r in ran(c)][-3:] == ["git push", "git fetch", "git clone"]


@pytest.mark.parametrize(
    ("plant", "words"),
    [
        ("objects/info/alternates", "points to another repository"),
        ("config-include", "does not allow"),
    ],
)
async def test_sec_a_server_that_points_elsewhere_is_refused_and_audited(
    tmp_path: Path, plant: str, words: str
) -> None:
    c = Console(tmp_path)
    await c.open(PUSH)
    folder = "git-team/push"
    ws = c.desk.ws
    if plant == "config-include":
        config = ws.read_bytes(f"{folder}/team.git/config").decode()
        ws.write_atomic(f"{folder}/team.git/config", config + "[include]\n\tpath = /etc/x\n")
    else:
        ws.write_atomic(f"{folder}/team.git/{plant}", "/workspace\n")
    for line in ("git push", "git fetch", "git pull", "git clone team.git copy"):
        reply = await c.type(line, PUSH)
        assert reply.exit_code == 1 and words in reply.output, (line, reply.output)
    rows = ran(c)
    assert [r["command"] for r in rows] == ["git push", "git fetch", "git pull", "git clone"]
    assert all(r["exit_code"] == 1 for r in rows)
    assert not ws.lexists(f"{folder}/copy")


async def test_sec_a_remote_address_planted_in_the_config_is_checked_on_use(
    tmp_path: Path,
) -> None:
    """The learner cannot write .git/config with the console, but a repository is theirs:
    an address planted there (a network URL, a path outside) is refused when used."""
    c = Console(tmp_path)
    await c.open(PUSH)
    config = Path(c.desk.ws.root) / "git-team" / "push" / ".git" / "config"
    text = config.read_text()
    for url, words in (("ssh://evil.example/x.git", "network address"),
                       ("ext::sh -c touch% pwned", "network address"),
                       ("../../../../etc", "outside your exercise"),
                       ("/workspace/git-team/pull/team.git", "outside your exercise"),
                       ("--upload-pack=touch pwned", "looks like an option")):
        config.write_text(text.replace("url = team.git", f"url = {url}"))
        reply = await c.type("git push", PUSH)
        assert reply.exit_code == 1 and words in reply.output, (url, reply.output)
        reply = await c.type("git fetch", PUSH)
        assert reply.exit_code == 1 and words in reply.output, (url, reply.output)
    assert all(r["exit_code"] == 1 for r in ran(c))
    assert not any("pwned" in n for n in c.desk.ws.list_files("git-team/push"))


async def test_console_conflict_after_pull_resolved_with_real_git_commit(tmp_path: Path) -> None:
    """The lesson's path, command by command: push rejected, pull conflicts (pygit2), the
    learner fixes the file and finishes with git add and git commit (the git binary), pushes,
    and the exercise's own check passes."""
    where = ("git-team", "conflict-after-pull")
    c = Console(tmp_path)
    await c.open(where)
    folder = "/".join(where)
    ws = c.desk.ws
    reply = await c.type("git push", where)
    assert reply.exit_code == 1 and "Rejected" in reply.output
    reply = await c.type("git pull", where)
    assert reply.exit_code == 0 and "Conflict!" in reply.output, reply.output
    text = ws.read_bytes(f"{folder}/menu.txt").decode()
    assert "<<<<<<< HEAD\nOpen 8am to 3pm\n=======\nOpen 9am to 4pm\n>>>>>>> origin/main" in text
    reply = await c.type("git status", where)
    assert "menu.txt" in reply.output
    fixed = text.replace("<<<<<<< HEAD\nOpen 8am to 3pm\n=======\nOpen 9am to 4pm\n"
                         ">>>>>>> origin/main\n", "Open 8am to 4pm\n")
    ws.write_atomic(f"{folder}/menu.txt", fixed)
    assert (await c.type("git add menu.txt", where)).exit_code == 0
    reply = await c.type('git commit -m "Open from 8am to 4pm"', where)
    assert reply.exit_code == 0, reply.output
    reply = await c.type("git push", where)
    assert reply.exit_code == 0, reply.output
    tip = server(c, where).references["refs/heads/main"].peel(pygit2.Commit)
    assert len(tip.parents) == 2, "git commit finished the merge pygit2 started"
    ex = c.desk.services.catalog().exercise(*where)
    outcomes = await checked(c, where, ex.checks[0]["assert"])
    assert [o.status for o in outcomes] == ["passed"] * len(outcomes), outcomes


async def test_console_review_reads_the_diff_with_show_and_cat_n(tmp_path: Path) -> None:
    where = ("git-team", "review")
    c = Console(tmp_path)
    await c.open(where)
    folder = "/".join(where)
    assert (await c.type("git pull", where)).exit_code == 0
    reply = await c.type("git show", where)
    assert "+  for (let i = 0; i <= prices.length; i++) {" in reply.output
    reply = await c.type("cat -n basket.js", where)
    line = next(int(row.split()[0]) for row in reply.output.splitlines() if "<=" in row)
    c.desk.ws.write_atomic(f"{folder}/REVIEW.md", f"# Review\n\nBug on line: {line}\n\n"
                           "What goes wrong: one price too many.\n\nFix: i < prices.length\n")
    await c.type("git add REVIEW.md", where)
    assert (await c.type('git commit -m "Review the average"', where)).exit_code == 0
    assert (await c.type("git push", where)).exit_code == 0
    ex = c.desk.services.catalog().exercise(*where)
    outcomes = await checked(c, where, ex.checks[0]["assert"])
    assert [o.status for o in outcomes] == ["passed"] * len(outcomes), outcomes


async def test_console_push_a_branch_leaves_main_alone(tmp_path: Path) -> None:
    where = ("git-team", "push-a-branch")
    c = Console(tmp_path)
    await c.open(where)
    folder = "/".join(where)
    main_before = server(c, where).references["refs/heads/main"].target
    assert (await c.type("git switch -c add-drinks", where)).exit_code == 0
    menu = c.desk.ws.read_bytes(f"{folder}/menu.txt").decode()
    c.desk.ws.write_atomic(f"{folder}/menu.txt", menu + "\nDrinks\n- Tea\n")
    await c.type("git add menu.txt", where)
    assert (await c.type('git commit -m "Add a drinks section"', where)).exit_code == 0
    reply = await c.type("git push origin add-drinks", where)
    assert "[new branch]  add-drinks -> add-drinks" in reply.output, reply.output
    reply = await c.type("git branch -a", where)
    assert "remotes/origin/add-drinks" in reply.output
    assert server(c, where).references["refs/heads/main"].target == main_before
    ex = c.desk.services.catalog().exercise(*where)
    outcomes = await checked(c, where, ex.checks[0]["assert"])
    assert [o.status for o in outcomes] == ["passed"] * len(outcomes), outcomes


async def test_sec_clone_that_would_not_fit_the_quota_is_refused_and_audited(
    tmp_path: Path,
) -> None:
    """A clone runs where the whole workspace is bound (no quota-sized copy): it must fit in
    what is left of the quota, or a learner could copy the server again and again."""
    c = Console(tmp_path)
    await c.open(CLONE)
    ws = c.desk.ws
    assert ws is c.desk.ws  # one workspace object per session
    roomy = ws.quota_bytes
    ws.quota_bytes = ws.usage().bytes + 1000  # the server is bigger than what is left
    said, row = await c.refused("git clone team.git cafe", CLONE)
    assert row["reason"] == "quota" and "too full" in said
    assert not ws.lexists("git-team/clone/cafe") and ran(c) == []
    ws.quota_bytes = roomy
    reply = await c.type("git clone team.git cafe", CLONE)
    assert reply.exit_code == 0, reply.output
    ws.quota_bytes = ws.usage().bytes - 1  # already over: nothing more is fetched either
    for line in ("git clone team.git again", "git fetch", "git pull"):
        said, row = await c.refused(line, CLONE)
        assert row["reason"] == "quota", line
