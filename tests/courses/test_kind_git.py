"""Check kind ``git`` (courses/kinds/git.py): passing, failing and hostile repositories."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pygit2
import pytest

from courses.gitops import ExerciseRepo
from courses.kinds import git as git_kind
from courses.model import CheckContext, Exercise


def _exercise(tmp_path: Path, **check: Any) -> tuple[Exercise, dict[str, Any]]:
    ex_dir = tmp_path / "exercise"
    for sub in ("starter", "solution", "tests"):
        (ex_dir / sub).mkdir(parents=True, exist_ok=True)
    table = {"kind": "git", **check}
    exercise = Exercise(
        course_id="git", id="demo", title="Demo", learn="Git", dir=ex_dir,
        files=["story.txt"], hints=["a", "b"], checks=[table],
    )
    return exercise, table


async def _run(table: dict[str, Any], exercise: Exercise, learner: Path | None,
               work: Path) -> list[tuple[str, str, str]]:
    ctx = CheckContext(exercise=exercise, work_dir=work, learner_dir=learner,
                       limits=None)  # type: ignore[arg-type]
    return [(t.name, t.status, t.message) for t in await git_kind.run(table, ctx)]


def _learner(tmp_path: Path) -> ExerciseRepo:
    folder = tmp_path / "learner"
    folder.mkdir()
    return ExerciseRepo(folder)


def _commit(repo: ExerciseRepo, text: str, message: str, rel: str = "story.txt") -> None:
    (repo.folder / rel).write_text(text)
    repo.stage([rel])
    repo.commit(message, "Sam")


ALL = [
    {"min_commits": 2},
    {"message_matches": "ending", "commit": "any"},
    {"message_matches": "^merge"},
    {"branch_exists": "ending"},
    {"head_branch": "main"},
    {"merged": "ending", "merge_commit": True},
    {"tag_exists": "v1"},
    {"clean": True},
    {"file_in_head": "story.txt", "contains": "THE END", "not_contains": "draft"},
    {"no_conflict_markers": True},
]


async def test_every_assertion_passes_on_a_finished_repo(tmp_path: Path) -> None:
    exercise, table = _exercise(tmp_path, **{"assert": ALL})
    assert git_kind.validate(table, exercise) == []
    repo = _learner(tmp_path)
    repo.init()
    _commit(repo, "Once\n", "Start")
    repo.create_branch("ending")
    _commit(repo, "Once\nmiddle\n", "Middle on main", rel="middle.txt")
    repo.switch("ending")
    _commit(repo, "Once\nTHE END\n", "Write the ending")
    repo.switch("main")
    assert repo.merge("ending")["result"] == "merge-commit"
    repo.tag("v1")
    results = await _run(table, exercise, repo.folder, tmp_path)
    assert [s for _, s, _ in results] == ["passed"] * len(ALL), results


async def test_each_assertion_fails_with_a_next_step(tmp_path: Path) -> None:
    exercise, table = _exercise(tmp_path, **{"assert": ALL})
    repo = _learner(tmp_path)
    repo.init()
    _commit(repo, "Once\ndraft\n", "first go")
    (repo.folder / "story.txt").write_text("Once\n<<<<<<< HEAD\ndraft\n")
    results = await _run(table, exercise, repo.folder, tmp_path)
    statuses = [status for _, status, _ in results]
    assert statuses == ["failed"] * 4 + ["passed"] + ["failed"] * 5, results
    messages = [msg for _, _, msg in results]
    assert "this exercise needs at least 2" in messages[0]
    assert "None of your commit messages" in messages[1]
    assert 'Your latest commit message is "first go"' in messages[2]
    assert "git branch ending" in messages[3]
    assert "no branch called ending to merge" in messages[5]
    assert "git tag v1" in messages[6]
    assert "not committed yet: story.txt" in messages[7]
    assert 'does not contain "THE END"' in messages[8]
    assert "Line 2 of story.txt" in messages[9]


async def test_head_branch_and_merge_commit_messages(tmp_path: Path) -> None:
    exercise, table = _exercise(tmp_path, **{"assert": [
        {"head_branch": "main"}, {"merged": "ending", "merge_commit": True},
        {"merged": "ending", "name": "Ending merged", "message": "Merge it!"},
    ]})
    repo = _learner(tmp_path)
    repo.init()
    _commit(repo, "a\n", "a")
    repo.create_branch("ending")
    repo.switch("ending")
    _commit(repo, "b\n", "b")
    results = await _run(table, exercise, repo.folder, tmp_path)
    assert results[0][1] == "failed" and results[0][2].startswith("You are on ending. ")
    assert "press Switch (git switch main)" in results[0][2]
    assert "not in ending yet" not in results[1][2]  # HEAD is ending: includes itself
    repo.switch("main")
    results = await _run(table, exercise, repo.folder, tmp_path)
    assert results[1][1] == "failed" and "not in main yet" in results[1][2]
    assert results[2] == ("Ending merged", "failed", "Merge it!")
    repo.merge("ending")  # fast-forward: merged, but no merge commit
    results = await _run(table, exercise, repo.folder, tmp_path)
    assert results[0][1] == "passed"
    assert results[1][1] == "failed" and "no merge commit" in results[1][2]
    assert results[2][1] == "passed"


async def test_no_repository_fails_plainly(tmp_path: Path) -> None:
    exercise, table = _exercise(tmp_path, **{"assert": [{"min_commits": 1}]})
    folder = tmp_path / "learner"
    folder.mkdir()
    [(name, status, message)] = await _run(table, exercise, folder, tmp_path)
    assert (name, status) == ("The repository has at least 1 commit", "failed")
    assert "not a Git repository yet" in message


async def test_without_learner_folder_builds_from_setup_and_solution_steps(
    tmp_path: Path,
) -> None:
    exercise, table = _exercise(tmp_path, setup="tests/setup.toml", **{"assert": [
        {"min_commits": 2}, {"file_in_head": "story.txt", "contains": "two"},
    ]})
    (exercise.dir / "tests" / "setup.toml").write_text(
        '[[step]]\nop = "init"\n[[step]]\nop = "stage"\n'
        '[[step]]\nop = "commit"\nmessage = "Starter"\n'
    )
    (exercise.starter_dir / "story.txt").write_text("one\n")
    (exercise.solution_dir / "story.txt").write_text("one\ntwo\n")
    (exercise.solution_dir / "git-solution.toml").write_text(
        '[[step]]\nop = "write"\npath = "story.txt"\ntext = "one\\ntwo\\n"\n'
        '[[step]]\nop = "stage"\npaths = ["story.txt"]\n'
        '[[step]]\nop = "commit"\nmessage = "Add line two"\n'
    )
    assert git_kind.validate(table, exercise) == []
    starter = await _run(table, exercise, None, exercise.starter_dir)
    assert [s for _, s, _ in starter] == ["failed", "failed"]
    solution = await _run(table, exercise, None, exercise.solution_dir)
    assert [s for _, s, _ in solution] == ["passed", "passed"]
    assert not (exercise.solution_dir / ".git").exists()
    (exercise.solution_dir / "git-solution.toml").write_text(
        '[[step]]\nop = "merge"\nbranch = "nope"\n')
    [(name, status, message)] = await _run(table, exercise, None, exercise.solution_dir)
    assert status == "error" and "no branch called nope" in message


def test_validate_names_each_problem(tmp_path: Path) -> None:
    exercise, table = _exercise(tmp_path, setup="tests/missing.toml", extra=1, **{"assert": [
        {"min_commits": 0},
        {"clean": True, "branch_exists": "x"},
        {"message_matches": "(", "commit": "first"},
        {"tag_exists": "v1", "contains": "x"},
        {"clean": "yes"},
        {"file_in_head": "a.txt", "contains": ""},
    ]})
    problems = git_kind.validate(table, exercise)
    text = "\n".join(problems)
    assert "unknown field 'extra'" in text
    assert "setup: " in text and "missing.toml" in text
    assert "assert 1: min_commits must be a whole number" in text
    assert "assert 2: needs exactly one of" in text
    assert "assert 3: message_matches is not a valid pattern" in text
    assert 'assert 3: commit must be "latest", "any" or "all"' in text
    assert "assert 4: tag_exists does not take 'contains'" in text
    assert "assert 5: write clean = true" in text
    assert "assert 6: contains must be non-empty text" in text
    _, empty = _exercise(tmp_path)
    assert "needs one or more [[checks.assert]] tables" in git_kind.validate(empty, exercise)


# ---- hostile repositories -------------------------------------------------------------------


async def test_sec_gitdir_file_is_refused_and_the_target_is_never_read(tmp_path: Path) -> None:
    victim = ExerciseRepo(tmp_path / "victim")
    victim.folder.mkdir()
    victim.init()
    _commit(victim, "secret\n", "other learner's work")
    exercise, table = _exercise(tmp_path, **{"assert": [
        {"min_commits": 1}, {"file_in_head": "story.txt", "contains": "secret"}]})
    folder = tmp_path / "learner"
    folder.mkdir()
    (folder / ".git").write_text(f"gitdir: {victim.folder / '.git'}\n")
    hooks = victim.folder / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "post-checkout").write_text(f"#!/bin/sh\ntouch {tmp_path / 'ran'}\n")
    (hooks / "post-checkout").chmod(0o755)
    results = await _run(table, exercise, folder, tmp_path)
    assert [s for _, s, _ in results] == ["failed", "failed"]
    assert all("not a plain folder" in m for _, _, m in results)
    assert not (tmp_path / "ran").exists()


async def test_sec_corrupt_objects_fail_cleanly(tmp_path: Path) -> None:
    exercise, table = _exercise(tmp_path, **{"assert": [
        {"min_commits": 1}, {"file_in_head": "story.txt"}, {"clean": True}]})
    repo = _learner(tmp_path)
    repo.init()
    _commit(repo, "one\n", "one")
    raw = pygit2.Repository(str(repo.folder / ".git"))
    blob_id = str(raw.head.peel(pygit2.Commit).tree["story.txt"].id)
    commit_id = str(raw.head.target)
    for oid in (blob_id, commit_id):
        path = repo.folder / ".git" / "objects" / oid[:2] / oid[2:]
        path.chmod(0o644)
        path.write_bytes(b"\x78\x9c garbage")
    results = await _run(table, exercise, repo.folder, tmp_path)
    assert {s for _, s, _ in results} == {"failed"}
    assert all("damaged" in m for _, _, m in results), results


@pytest.mark.parametrize("config", ["[core]\n\tworktree = /\n", "[include]\n\tpath = /x\n"])
async def test_sec_config_tricks_fail_the_check(tmp_path: Path, config: str) -> None:
    exercise, table = _exercise(tmp_path, **{"assert": [{"clean": True}]})
    repo = _learner(tmp_path)
    repo.init()
    _commit(repo, "one\n", "one")
    with (repo.folder / ".git" / "config").open("a") as fh:
        fh.write(config)
    [(_, status, message)] = await _run(table, exercise, repo.folder, tmp_path)
    assert status == "failed" and "Slate does not allow" in message


async def test_branch_qualifier_and_every_message_rule(tmp_path: Path) -> None:
    exercise, table = _exercise(tmp_path, **{"assert": [
        {"file_in_head": "story.txt", "contains": "chocolate", "branch": "choc"},
        {"file_in_head": "story.txt", "not_contains": "chocolate"},
        {"min_commits": 2, "branch": "choc"},
        {"message_matches": "^[A-Z][a-z]+ \\S+ \\S+", "commit": "all"},
        {"message_matches": "^[A-Z]", "commit": "all", "case_sensitive": True},
    ]})
    assert git_kind.validate(table, exercise) == []
    repo = _learner(tmp_path)
    repo.init()
    _commit(repo, "pancakes\n", "Add the pancakes")
    results = await _run(table, exercise, repo.folder, tmp_path)
    assert [s for _, s, _ in results] == ["failed", "passed", "failed", "passed", "passed"]
    assert "There is no branch called choc yet" in results[0][2]
    repo.create_branch("choc")
    repo.switch("choc")
    _commit(repo, "pancakes\nchocolate\n", "chocolate")
    repo.switch("main")
    results = await _run(table, exercise, repo.folder, tmp_path)
    assert [s for _, s, _ in results] == ["passed", "passed", "passed", "passed", "passed"]
    repo.merge("choc")
    results = await _run(table, exercise, repo.folder, tmp_path)
    assert results[1][1] == "failed"
    assert results[1][2] == 'story.txt in your latest commit still contains "chocolate".'
    assert results[3][1] == "failed"
    assert results[3][2].startswith('The message "chocolate" (commit ')
    assert results[4][1] == "failed"  # lower-case "chocolate" breaks the capital-letter rule


GIT_COURSE = Path(__file__).resolve().parents[2] / "courses" / "catalog" / "04-git"


@pytest.mark.parametrize("ex_dir", sorted(p for p in GIT_COURSE.glob("[0-9]*") if p.is_dir()),
                         ids=lambda p: p.name)
async def test_git_course_solution_steps_pass_and_starter_fails(ex_dir: Path) -> None:
    """Each Git exercise: provisioning + the solution's steps pass every check; the
    provisioned starter alone fails at least one (the same rule `slate course check` applies)."""
    import tomllib

    data = tomllib.loads((ex_dir / "exercise.toml").read_text())
    exercise = Exercise(course_id="git", id=ex_dir.name[3:], title=data["title"],
                        learn=data["learn"], dir=ex_dir, files=data["files"],
                        hints=data["hints"], checks=data["checks"])
    [check] = [c for c in exercise.checks if c["kind"] == "git"]
    assert git_kind.validate(check, exercise) == []
    solved = await _run(check, exercise, None, exercise.solution_dir)
    assert {s for _, s, _ in solved} == {"passed"}, solved
    starter = await _run(check, exercise, None, exercise.starter_dir)
    assert "failed" in {s for _, s, _ in starter}, starter


def test_unstage_everything(tmp_path: Path) -> None:
    repo = _learner(tmp_path)
    repo.init()
    _commit(repo, "one\n", "one")
    (repo.folder / "story.txt").write_text("two\n")
    (repo.folder / "new.txt").write_text("new\n")
    repo.stage(None)
    assert sorted(repo.unstage(None)["unstaged"]) == ["new.txt", "story.txt"]
    files = {f["path"]: (f["staged"], f["unstaged"]) for f in repo.status()["files"]}
    assert files == {"new.txt": (None, "untracked"), "story.txt": (None, "modified")}


async def test_sec_the_evaluator_runs_in_a_sandbox_and_never_imports_learner_files(
    tmp_path: Path,
) -> None:
    """A learner folder holding its own ``courses`` package (a forged evaluator that says
    "passed") is graded by Slate's evaluator, in a sandbox, all the same."""
    repo = _learner(tmp_path)
    repo.init()
    _commit(repo, "one line\n", "Start")
    forged = repo.folder / "courses" / "kinds"
    forged.mkdir(parents=True)
    (repo.folder / "courses" / "__init__.py").write_text("")
    (forged / "__init__.py").write_text("")
    (forged / "git.py").write_text(
        "import json, sys\n"
        "print(json.dumps([{'name': 'x', 'status': 'passed'}]))\n"
    )
    repo.stage(["courses"])
    repo.commit("Add a helper", "Sam")
    outcomes = await git_kind.evaluate_in_sandbox(repo.folder, [{"min_commits": 5}], None)
    assert [(o.status, "2 commits" in o.message) for o in outcomes] == [("failed", True)]


async def test_sec_an_evaluator_that_breaks_fails_every_assertion(tmp_path: Path) -> None:
    """No repository answer (here: not a repository at all, and a sandbox that is killed) is
    ever read as a pass."""
    empty = tmp_path / "empty"
    empty.mkdir()
    outcomes = await git_kind.evaluate_in_sandbox(empty, [{"clean": True}], None)
    assert [o.status for o in outcomes] == ["failed"]
    damaged = git_kind._damaged([{"clean": True}, {"min_commits": 1}], "limit=memory")
    assert [o.status for o in damaged] == ["failed", "failed"]
