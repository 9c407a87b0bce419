"""What the Git panel hands to gitops: a learner's request cannot choose who authored a commit."""

from __future__ import annotations

from server.services import _git_args


def test_sec_every_action_that_makes_a_commit_is_authored_by_the_learner() -> None:
    # A modified client names someone else; every action that can commit gets the learner.
    for op, args in (
        ("commit", {"message": "Add soup", "author_name": "instructor"}),
        ("tag", {"name": "v1", "message": "First", "author_name": "instructor"}),
        ("pull", {"remote": "origin", "author_name": "instructor"}),  # a merge commit
    ):
        assert _git_args(op, args, "ada")["author_name"] == "ada", op
    # Actions that make no commit get no author (gitops refuses arguments it does not know).
    assert "author_name" not in _git_args("switch", {"branch": "main", "author_name": "x"}, "ada")


def test_only_small_plain_values_pass() -> None:
    clean = _git_args(
        "stage",
        {"paths": ["a.txt"], "x" * 40: "long key", "big": "y" * 3000, "obj": {"a": 1}},
        "ada",
    )
    assert clean == {"paths": ["a.txt"]}
