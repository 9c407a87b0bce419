"""The teaching console end to end (issue 13, tool 1): the real OpenSSH client at 80x24, the real
gateway, the learner TUI in its sandbox; `git status`, `git init`, `git status` typed in the
console run git for real in a fresh sandbox on the exercise folder, a refusal is shown in plain
words, and both are in the audit log."""

from __future__ import annotations

import time

from .conftest import Server, Terminal, signed_in, ssh_argv
from .test_learner_git_panel import _exercises_before_git, _keys

ALT_T = "\x1bt"
DOWN = "\x1b[B"


def test_console_git_status_over_ssh(server: Server, terminals: list[Terminal]) -> None:
    name, password = server.add_user("learner")
    term = Terminal(ssh_argv(server, name, password, "-tt"), 80, 24)
    terminals.append(term)
    term.wait_for(signed_in(name), timeout=30)
    term.wait_for("Your first web page", timeout=20)
    _keys(term, *[DOWN] * _exercises_before_git())
    term.wait_for(r"> \[ \] A repository and your first commit", timeout=10)
    _keys(term, "\r")
    term.wait_for("Lesson  F2/Alt", timeout=20)
    _keys(term, ALT_T)
    term.wait_for(r"first-commit \$", timeout=20)

    term.send("git status\r")
    term.wait_for("not a git repository", timeout=20)  # git's own words: no repository yet
    term.send("git init -b main\r")
    term.wait_for("Initialized empty Git repository in /workspace/git/first-commit/.git/",
                  timeout=20)
    term.send("git status\r")
    screen = term.wait_for("No commits yet", timeout=20)
    assert "On branch main" in screen
    assert "story.txt" in screen  # untracked: git really looked at the exercise folder
    term.send("curl example.com\r")
    screen = term.wait_for("doesn't have `curl`", timeout=20)
    time.sleep(0.2)

    ran = server.wait_audit("console", actor=name, command="git init")
    assert ran["detail"]["exit_code"] == 0
    refused = server.wait_audit("console_refused", actor=name)
    assert refused["detail"]["reason"] == "program"
    assert refused["detail"]["line"] == "curl example.com"
