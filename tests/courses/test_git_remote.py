"""Git with others (issue 14): clone, remote, fetch, pull and push (courses/git/remote.py), the
authoring steps that build a team's server, and the git check's remote assertions — on real
repositories with pygit2, hostile ones included."""

from __future__ import annotations

import os
from pathlib import Path

import pygit2
import pytest

from courses import gitops
from courses.catalog import load_catalog
from courses.git.remote import check_url
from courses.gitops import ExerciseRepo, GitOpError, run_steps
from courses.kinds.git import evaluate, validate
from jail.workspace import Workspace

MENU = "Soups\n- Tomato soup\n\nPuddings\n- Rice pudding\n"


def _team(tmp_path: Path) -> Path:
    """An exercise folder with team.git (two commits, by a teammate whose clone is gone)."""
    folder = tmp_path / "ex"
    folder.mkdir()
    run_steps(folder, [
        {"op": "server_init", "path": "team.git"},
        {"op": "clone", "source": "team.git", "dest": "mate"},
        {"op": "write", "path": "menu.txt", "text": MENU, "repo": "mate"},
        {"op": "stage", "repo": "mate"},
        {"op": "commit", "message": "Start the menu", "author_name": "Amina", "repo": "mate"},
        {"op": "push", "repo": "mate"},
        {"op": "write", "path": "menu.txt", "text": MENU + "- Jelly\n", "repo": "mate"},
        {"op": "stage", "repo": "mate"},
        {"op": "commit", "message": "Add jelly", "author_name": "Ben", "repo": "mate"},
        {"op": "push", "repo": "mate"},
        {"op": "remove_folder", "path": "mate"},
    ])
    return folder


def _commit(repo: ExerciseRepo, rel: str, text: str, message: str) -> None:
    (repo.folder / rel).write_text(text, encoding="utf-8")
    repo.stage([rel])
    repo.commit(message, "Sam Learner")


def _tip(folder: Path, branch: str = "main") -> pygit2.Commit:
    server = pygit2.Repository(str(folder / "team.git"))
    return server.references[f"refs/heads/{branch}"].peel(pygit2.Commit)


def test_clone_push_fetch_pull_round_trip(tmp_path: Path) -> None:
    folder = _team(tmp_path)
    ex = ExerciseRepo(folder)
    out = ex.run("clone", {"source": "team.git", "dest": "sam"})
    assert out["commits"] == 2 and "Cloning into 'sam'... done." in out["output"]
    assert (folder / "sam" / "menu.txt").read_text() == MENU + "- Jelly\n"
    sam = ExerciseRepo(folder / "sam")
    sam.remote_root = folder
    assert "origin\t../team.git (fetch)" in sam.run("remote")["output"]
    # Objects travel in packs, never as hard links into the server's files.
    for dirpath, _, files in os.walk(folder / "sam" / ".git"):
        for name in files:
            assert os.lstat(os.path.join(dirpath, name)).st_nlink == 1
    _commit(sam, "menu.txt", MENU + "- Jelly\n- Custard\n", "Add custard")
    pushed = sam.run("push")
    assert "main -> main" in pushed["output"] and _tip(folder).message == "Add custard\n"
    assert sam.run("push")["result"] == "up-to-date"
    # Lee clones, Sam pushes again, Lee pulls: a fast-forward.
    ex.run("clone", {"source": "team.git", "dest": "lee"})
    lee = ExerciseRepo(folder / "lee")
    lee.remote_root = folder
    _commit(sam, "menu.txt", MENU + "- Jelly\n- Custard\n- Cake\n", "Add cake")
    sam.run("push")
    fetched = lee.run("fetch")
    assert "origin/main" in fetched["output"]
    assert "Cake" not in (folder / "lee" / "menu.txt").read_text()
    pulled = lee.run("pull")
    assert pulled["result"] == "fast-forward" and "Cake" in (folder / "lee/menu.txt").read_text()
    assert lee.run("pull")["result"] == "up-to-date"


def test_rejected_push_then_conflicting_pull_is_labelled_and_finishes(tmp_path: Path) -> None:
    folder = _team(tmp_path)
    ExerciseRepo(folder).run("clone", {"source": "team.git", "dest": "a"})
    ExerciseRepo(folder).run("clone", {"source": "team.git", "dest": "b"})
    a, b = ExerciseRepo(folder / "a"), ExerciseRepo(folder / "b")
    a.remote_root = b.remote_root = folder
    _commit(a, "menu.txt", MENU.replace("Tomato", "Leek"), "Leek soup")
    a.run("push")
    _commit(b, "menu.txt", MENU.replace("Tomato", "Pea"), "Pea soup")
    with pytest.raises(GitOpError, match="Rejected: .*Pull them first"):
        b.run("push")
    (folder / "b" / "menu.txt").write_text("dirty\n")
    with pytest.raises(GitOpError, match="Commit your changes"):
        b.run("pull")
    b.run("restore", {"path": "menu.txt"})
    out = b.run("pull")
    assert out["result"] == "conflict" and out["conflicts"] == ["menu.txt"]
    text = (folder / "b" / "menu.txt").read_text()
    assert "<<<<<<< HEAD" in text and ">>>>>>> origin/main" in text
    with pytest.raises(GitOpError, match="merge is already in progress"):
        b.run("pull")
    with pytest.raises(GitOpError, match="Finish the merge"):
        b.run("push")
    (folder / "b" / "menu.txt").write_text(MENU.replace("Tomato", "Leek and pea"))
    b.run("stage")
    b.run("commit", {"message": "Leek and pea soup", "author_name": "Bo"})
    b.run("push")
    tip = _tip(folder)
    assert len(tip.parents) == 2 and tip.author.name == "Bo"


def test_pull_without_conflict_makes_the_learners_merge_commit(tmp_path: Path) -> None:
    folder = _team(tmp_path)
    ExerciseRepo(folder).run("clone", {"source": "team.git", "dest": "a"})
    ExerciseRepo(folder).run("clone", {"source": "team.git", "dest": "b"})
    a, b = ExerciseRepo(folder / "a"), ExerciseRepo(folder / "b")
    a.remote_root = b.remote_root = folder
    _commit(a, "menu.txt", MENU.replace("Tomato", "Leek"), "Leek soup")
    a.run("push")
    _commit(b, "drinks.txt", "Tea\n", "Add drinks")
    out = b.run("pull", {"author_name": "Bo Learner"})
    assert out["result"] == "merge-commit"
    head = pygit2.Repository(str(folder / "b")).head.peel(pygit2.Commit)
    assert head.author.name == "Bo Learner" and len(head.parents) == 2


@pytest.mark.parametrize("url", [
    "ssh://host/team.git", "http://example.com/t.git", "https://x/y", "file:///etc",
    "ext::sh -c id", "git@host:team.git", "host:team.git", "/etc", "/workspace/x/team.git",
    "~/team.git", "-uecho", "--upload-pack=id", "team.git/.git", ".git", "a\\b", "a\x1bb",
    "x" * 300, "", "  ",
])
def test_sec_check_url_refuses_anything_but_a_relative_folder(url: str) -> None:
    with pytest.raises(GitOpError):
        check_url(url)


def test_sec_remote_addresses_that_leave_the_folder_are_refused(tmp_path: Path) -> None:
    folder = _team(tmp_path)
    (tmp_path / "outside.git").mkdir()
    pygit2.init_repository(str(tmp_path / "outside.git"), bare=True)
    ex = ExerciseRepo(folder)
    for source, words in (("../outside.git", "leads outside"), ("team.git/..", "leads outside"),
                          ("nowhere.git", "no folder called"), (".", "not the team.s server")):
        with pytest.raises(GitOpError, match=words):
            ex.run("clone", {"source": source, "dest": "x"})
    os.symlink(tmp_path / "outside.git", folder / "link.git")
    with pytest.raises(GitOpError, match="not a plain folder"):
        ex.run("clone", {"source": "link.git", "dest": "x"})
    with pytest.raises(GitOpError, match="not a file in this exercise"):
        ex.run("clone", {"source": "team.git", "dest": "../x"})
    for dest in (".git", "sub/.git"):
        with pytest.raises(GitOpError, match="not a file in this exercise|cannot be the new"):
            ex.run("clone", {"source": "team.git", "dest": dest})
    assert not (folder / "x").exists() and not (tmp_path / "x").exists()
    # An address planted in a clone's config is checked again when it is used.
    ex.run("clone", {"source": "team.git", "dest": "sam"})
    sam = ExerciseRepo(folder / "sam")
    sam.remote_root = folder
    raw = pygit2.Repository(str(folder / "sam"))
    for url in ("../../outside.git", "ssh://evil/x", str(tmp_path / "outside.git")):
        raw.remotes.set_url("origin", url)
        for op in ("fetch", "pull", "push"):
            with pytest.raises(GitOpError):
                sam.run(op)
    with pytest.raises(GitOpError, match="no remote called upstream"):
        sam.run("push", {"remote": "upstream"})
    with pytest.raises(GitOpError, match="cannot be a remote's name"):
        sam.run("push", {"remote": "../team.git"})


@pytest.mark.parametrize(("plant", "words"), [
    ("alternates", "points to another repository"),
    ("commondir", "points to another repository"),
    ("include", "does not allow"),
    ("link", "link or special file"),
    ("fifo", "link or special file"),
    ("not-bare", "not a Git server"),
])
def test_sec_a_tampered_server_is_refused_before_libgit2_opens_it(
    tmp_path: Path, plant: str, words: str
) -> None:
    folder = _team(tmp_path)
    server = folder / "team.git"
    if plant == "alternates":
        (server / "objects" / "info").mkdir(parents=True, exist_ok=True)
        (server / "objects" / "info" / "alternates").write_text(str(tmp_path) + "\n")
    elif plant == "commondir":
        (server / "commondir").write_text(str(tmp_path))
    elif plant == "include":
        with open(server / "config", "a") as handle:
            handle.write("[include]\n\tpath = /etc/gitconfig\n")
    elif plant == "link":
        os.symlink("/etc/passwd", server / "description2")
    elif plant == "fifo":
        os.mkfifo(server / "refs" / "heads" / "pipe")
    else:
        (server / "HEAD").unlink()
    ex = ExerciseRepo(folder)
    with pytest.raises(GitOpError, match=words):
        ex.run("clone", {"source": "team.git", "dest": "sam"})
    assert not (folder / "sam").exists()


def test_remote_add_and_list(tmp_path: Path) -> None:
    folder = _team(tmp_path)
    ex = ExerciseRepo(folder)
    assert "not a Git repository" in pytest.raises(GitOpError, ex.run, "remote").value.args[0]
    ex.run("init")
    assert "no remotes yet" in ex.run("remote")["output"]
    ex.run("remote", {"name": "origin", "url": "team.git"})
    with pytest.raises(GitOpError, match="already a remote"):
        ex.run("remote", {"name": "origin", "url": "team.git"})
    with pytest.raises(GitOpError, match="network address"):
        ex.run("remote", {"name": "evil", "url": "ssh://x/y"})
    assert ex.run("remote")["output"] == "origin\tteam.git (fetch)\norigin\tteam.git (push)"
    out = ex.run("pull")
    assert out["result"] == "fast-forward" and (folder / "menu.txt").read_text().endswith("Jelly\n")


# -- the git check's remote assertions -------------------------------------------------------


def test_remote_assertions_on_a_clone_and_the_server(tmp_path: Path) -> None:
    folder = _team(tmp_path)
    asserts = [
        {"remote_url": "team.git", "repo": "sam"},
        {"pulled": "main", "repo": "sam"},
        {"pushed": "main", "repo": "sam"},
        {"min_commits": 2, "repo": "team.git"},
        {"file_in_head": "menu.txt", "repo": "team.git", "contains": "jelly"},
    ]
    before = evaluate(folder, asserts)
    # Each assertion opens its own repository: no clone yet, but the server is fine.
    assert [o.status for o in before] == ["failed"] * 3 + ["passed"] * 2
    assert "There is no folder called sam yet" in before[0].message
    ExerciseRepo(folder).run("clone", {"source": "team.git", "dest": "sam"})
    assert [o.status for o in evaluate(folder, asserts)] == ["passed"] * 5
    sam = ExerciseRepo(folder / "sam")
    sam.remote_root = folder
    _commit(sam, "menu.txt", MENU + "- Jelly\n- Trifle\n", "Add trifle")
    out = evaluate(folder, [{"pushed": "main", "repo": "sam"},
                            {"changed_only": ["menu.txt"], "repo": "sam"},
                            {"changed_only": ["other.txt"], "repo": "sam"}])
    assert out[0].status == "failed" and "git push" in out[0].message
    assert out[1].status == "passed"
    assert out[2].status == "failed" and "also changes menu.txt" in out[2].message
    sam.run("push")
    assert evaluate(folder, [{"pushed": "main", "repo": "sam"}])[0].status == "passed"
    pygit2.Repository(str(folder / "sam")).remotes.set_url("origin", "../elsewhere.git")
    wrong = evaluate(folder, [{"remote_url": "team.git", "repo": "sam"}])[0]
    assert wrong.status == "failed" and "cannot use" in wrong.message


def test_file_in_head_matches_and_validation_of_the_new_fields(tmp_path: Path) -> None:
    folder = _team(tmp_path)
    ExerciseRepo(folder).run("clone", {"source": "team.git", "dest": "sam"})
    out = evaluate(folder, [
        {"file_in_head": "menu.txt", "repo": "sam", "matches": r"^- jelly$"},
        {"file_in_head": "menu.txt", "repo": "sam", "matches": r"^- custard$"}])
    assert [o.status for o in out] == ["passed", "failed"]
    ex = load_catalog(strict=False).exercise("git-team", "push")
    problems = validate({"kind": "git", "assert": [
        {"pushed": "main", "repo": "../other"},
        {"pulled": "main", "server": "/srv/team.git"},
        {"changed_only": "menu.txt"},
        {"file_in_head": "a", "matches": "("},
        {"remote_url": "team.git", "remote": ""},
    ]}, ex)
    joined = "\n".join(problems)
    for words in ("repo must be a folder inside", "server must be a folder inside",
                  "changed_only must be a list", "matches is not a valid pattern",
                  "remote must be non-empty"):
        assert words in joined, (words, problems)


def test_sec_a_check_cannot_be_pointed_outside_the_exercise(tmp_path: Path) -> None:
    folder = _team(tmp_path)
    (tmp_path / "secret").mkdir()
    out = evaluate(folder, [{"min_commits": 1, "repo": "../secret"},
                            {"pulled": "main", "repo": "team.git", "server": "../secret"}])
    assert [o.status for o in out] == ["failed", "failed"]
    assert "outside the exercise" in out[0].message


# -- provisioning keeps the learner's server ------------------------------------------------


def test_provision_installs_the_server_keeps_it_and_reset_starts_over(tmp_path: Path) -> None:
    ex = load_catalog(strict=False).exercise("git-team", "push")
    ws = Workspace(tmp_path / "ws")
    ws.provision()
    rel = "git-team/push"
    for name in ex.files:
        ws.write_atomic(f"{rel}/{name}", (ex.starter_dir / name).read_bytes())
    assert gitops.provision(ex, ws, rel) is True
    root = Path(ws.root) / rel
    first = _tip(root).id
    ws.remove_tree(f"{rel}/.git")  # the learner's clone is gone, their pushes are not
    (root / "team.git" / "refs" / "heads" / "main").write_text("0" * 40 + "\n")
    assert gitops.provision(ex, ws, rel) is False
    assert (root / "team.git" / "refs" / "heads" / "main").read_text().startswith("0000")
    assert gitops.provision(ex, ws, rel, reset=True) is True
    tip = _tip(root)  # the server starts over too: no learner ref survives a reset
    assert tip.message == "Add jacket potatoes\n" and first is not None
    assert pygit2.Repository(str(root)).head.target == tip.id
    assert pygit2.Repository(str(root)).status() == {}


def test_pushed_passes_when_the_server_is_ahead_and_fails_when_mine_is_new(
    tmp_path: Path,
) -> None:
    """The server "has my commit" when its branch is my commit or comes after it — judged in
    the server's own history (the clone may not have the teammate's newer commit yet)."""
    folder = _team(tmp_path)
    ExerciseRepo(folder).run("clone", {"source": "team.git", "dest": "sam"})
    ExerciseRepo(folder).run("clone", {"source": "team.git", "dest": "lee"})
    lee = ExerciseRepo(folder / "lee")
    lee.remote_root = folder
    _commit(lee, "menu.txt", MENU + "- Flan\n", "Add flan")
    lee.run("push")
    out = evaluate(folder, [{"pushed": "main", "repo": "sam"}, {"pulled": "main", "repo": "sam"}])
    assert [o.status for o in out] == ["passed", "failed"]
    assert "git pull" in out[1].message


def test_sec_authoring_ops_are_not_panel_ops_and_a_clone_never_goes_inside_the_server(
    tmp_path: Path,
) -> None:
    folder = _team(tmp_path)
    ex = ExerciseRepo(folder)
    for op, args in (("server_init", {"path": "x.git"}), ("remove_folder", {"path": "team.git"}),
                     ("exclude", {"text": "*"})):
        with pytest.raises(GitOpError, match="Unknown Git action"):
            ex.run(op, args)
    assert (folder / "team.git" / "HEAD").is_file()
    with pytest.raises(GitOpError, match="beside the server"):
        ex.run("clone", {"source": "team.git", "dest": "team.git/inside"})
    assert not (folder / "team.git" / "inside").exists()
    # A crafted HEAD on the server: refused in plain words, nothing half-made is left.
    (folder / "team.git" / "HEAD").write_text("ref: refs/heads/../../../x\n")
    with pytest.raises(GitOpError, match="could not fetch"):
        ex.run("clone", {"source": "team.git", "dest": "sam"})
    assert not (folder / "sam").exists()
    (folder / "empty").mkdir()
    with pytest.raises(GitOpError, match="could not fetch"):
        ex.run("clone", {"source": "team.git", "dest": "empty"})
    assert (folder / "empty").is_dir() and not (folder / "empty" / ".git").exists()


def test_names_that_would_lock_the_repository_never_reach_its_settings(tmp_path: Path) -> None:
    """safety.check_layout refuses a config mentioning include/worktree: a branch, remote or
    server with such a name must not be written there, or the learner is locked out."""
    folder = _team(tmp_path)
    ex = ExerciseRepo(folder)
    ex.run("clone", {"source": "team.git", "dest": "sam"})
    sam = ExerciseRepo(folder / "sam")
    sam.remote_root = folder
    sam.run("create_branch", {"name": "include-drinks"})
    sam.run("switch", {"branch": "include-drinks"})
    _commit(sam, "menu.txt", MENU + "- Tea\n", "Add tea")
    assert "include-drinks -> include-drinks" in sam.run("push")["output"]
    assert sam.run("status")["branch"] == "include-drinks"  # still opens
    with pytest.raises(GitOpError, match="not allowed there"):
        sam.run("remote", {"name": "worktree", "url": "../team.git"})
    os.rename(folder / "team.git", folder / "includes.git")
    with pytest.raises(GitOpError, match="include or worktree"):
        ex.run("clone", {"source": "includes.git", "dest": "lee"})
    assert not (folder / "lee").exists()
    assert sam.run("log")["commits"][0]["summary"] == "Add tea"
