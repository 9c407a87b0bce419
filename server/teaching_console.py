"""The teaching console: a learner types one command at a time and sees its real output.

No shell, ever (invariant 1). A line is split with shlex rules (:func:`parse`), judged against
one allowlist (:data:`RULES`, deny by default: a program, a git subcommand, an option or an
operand not listed is refused) and the argv runs directly — no pipes, no redirection but the
documented ``sqlite3 DB < FILE`` (the file is read here through the workspace's safe API and
given as standard input). Every refusal is a :class:`Refused` with plain words for the learner
and is audited (``console_refused``); every command that ran is audited (``console``).

Where a command runs (invariants 2 and 8; always a fresh sandbox as the learner, never the
server, never the network, the per-learner lock held):

- programs that may write any amount (``node``, ``sqlite3``) run the Run way:
  ``jail.run.run_in_workspace`` — a quota-sized tmpfs copy of the exercise folder, changes
  saved back through the workspace API within the quota;
- ``git`` runs the Run way too, with the folder's ``.git`` in the copy (``with_git``): objects
  past the quota fail inside, and an index or ref naming an object that was not kept is not
  saved back, so the repository stays whole (issue 9);
- the other fixed-effect commands (``ls``, ``cat``, ``mkdir``, ``mv``, ``rm``) need what the
  Run copy leaves out (empty folders, other folders) and run in the Run profile with
  the learner's *whole* workspace bound at /workspace, as the Git panel's sandbox does (a
  folder swapped for a link resolves inside the sandbox, never on the host). Their allowlisted
  arguments bound what they can write: they move, delete or create folders; RLIMIT_FSIZE
  caps any one file, and the workspace
  usage is measured afterwards (``quota_exceeded``). git gets no system or global config, no
  hooks, no fsmonitor, no pager, no editor and no prompt.

Imports nothing of the server's desks: the learner desk (server/services.py) hands in what a
command needs (:class:`ConsoleContext`).
"""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from courses.gitops import SANDBOX_FILES
from jail.profiles import (
    SANDBOX_WORKSPACE,
    SLATE_ROOT,
    Limits,
    RunSpec,
    tool_module,
    workspace_command,
)
from jail.run import run_async, run_in_workspace
from jail.workspace import WorkspaceError
from server.audit import sanitize

MAX_LINE = 1000
"""Longest command line accepted (characters)."""
MAX_OUTPUT = 64 << 10
"""Most output bytes sent back to the TUI (the rest is cut, and the learner told)."""
MAX_STDIN = 1 << 20
"""Largest file given to ``sqlite3`` with ``<``."""
LIMITS = Limits(wall=10.0, cpu=5.0, memory=256 << 20, pids=64, fsize=10 << 20, output=1 << 20)
"""Each console command's limits (the TUI waits 20 s for a reply; a command never takes that)."""
LOCK_WAIT = 5.0
"""Seconds a command waits for the learner's previous Run, Check or Git action."""

PROGRAMS = ("git", "node", "sqlite3", "ls", "cat", "mkdir", "mv", "rm")
"""What the console offers, in the order the learner is told about them."""

GIT_CONFIG = (
    # Passed before every git subcommand: nothing in the learner's repository runs anything.
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "core.pager=cat",
    "core.editor=true",
    "core.sshCommand=false",
    "safe.directory=*",
    # A folder the learner filled with HEAD, config, objects/ and refs/ is a "bare repository"
    # to git, with a config of theirs (diff.external, filters...): git refuses it.
    "safe.bareRepository=explicit",
    "color.ui=never",
    "protocol.allow=never",
    "advice.detachedHead=false",
)
GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_EDITOR": "true",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_CEILING_DIRECTORIES": SANDBOX_WORKSPACE,
    "GIT_OPTIONAL_LOCKS": "0",
}

SQLITE_SAFE_DOT = frozenset({
    ".headers", ".header", ".mode", ".tables", ".schema", ".indexes", ".indices", ".print",
    ".width", ".nullvalue", ".separator", ".timer", ".show", ".help", ".databases", ".dump",
    ".quit", ".exit", ".echo", ".bail", ".changes", ".fullschema",
})
"""sqlite3 dot-commands that touch no file and start no program; every other one is refused."""
SQLITE_DOT_WORDS = {
    ".shell": "runs other programs",
    ".system": "runs other programs",
    ".load": "loads code into sqlite3",
    ".output": "writes to another file",
    ".once": "writes to another file",
    ".save": "writes to another file",
    ".backup": "writes to another file",
    ".clone": "writes to another file",
    ".excel": "opens another program",
    ".log": "writes to another file",
    ".import": "reads another file",
    ".read": "reads another file (give the file with `<` instead)",
    ".open": "opens another database",
    ".restore": "reads another file",
    ".cd": "changes folder",
}


class Refused(Exception):
    """A command line the console will not run; ``str()`` is plain words for the learner.

    Attributes:
        reason: a short tag for the audit log ("program", "metachar", "absolute", ...).
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


# -- the allowlist ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """What one program (or git subcommand) may be given.

    Attributes:
        how: where it runs: "program" (the Run way) or "bound" (the workspace bound).
        flags: short flags without a value (each character one flag; combinable: ``-la``).
        valued: short flags followed by a value (``-m MESSAGE``, ``-mMESSAGE``).
        long: long options without a value.
        long_valued: long options with a value (``--message=M`` or ``--message M``).
        text: options whose value is free text (a message), not a path or a name.
        numbers: options whose value must be a whole number.
        digits: ``-5`` means a count (git log).
        operands: "paths" (inside the exercise folder), "names" (branches, revisions, or a
            path after ``--``) or "none".
        min_operands: fewest operands.
        max_operands: most operands (None: any).
        writes: it changes files (``.git`` and the folder itself are not its to change).
        needs: a sentence when an operand is missing.
    """

    how: str = "bound"
    flags: str = ""
    valued: str = ""
    long: frozenset[str] = frozenset()
    long_valued: frozenset[str] = frozenset()
    text: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()
    digits: bool = False
    operands: str = "paths"
    min_operands: int = 0
    max_operands: int | None = None
    writes: bool = False
    needs: str = ""


def _f(*names: str) -> frozenset[str]:
    return frozenset(names)


RULES: dict[str, Rule] = {
    "ls": Rule(flags="alR1hFtrSd"),
    "cat": Rule(flags="n", min_operands=1, needs="Say which file: `cat index.html`."),
    "mkdir": Rule(flags="pv", min_operands=1, writes=True,
                  needs="Say which folder to make: `mkdir css`."),
    "mv": Rule(flags="nv", min_operands=2, writes=True,
               needs="Say what to move and where: `mv old.txt new.txt`."),
    "rm": Rule(flags="rRfv", min_operands=1, writes=True,
               needs="Say which file to delete: `rm notes.txt`."),
    # node FILE [ARGS...]: options before the file are refused in parse_node.
    "node": Rule(how="program", min_operands=1, needs="Say which file to run: `node app.js`."),
    # sqlite3 [OPTIONS] DB [SQL] [< FILE]: handled by parse_sqlite with this rule's options.
    "sqlite3": Rule(how="program", long=_f(
        "-header", "-noheader", "-column", "-box", "-table", "-markdown", "-json", "-csv",
        "-line", "-list", "-html", "-readonly", "-bail", "-echo", "-nullvalue",
    ), min_operands=1, max_operands=2, needs="Say which database: `sqlite3 shop.db < query.sql`."),
    "git status": Rule(flags="sb", long=_f("--short", "--branch", "--long"), operands="names"),
    "git add": Rule(flags="Auvn", long=_f("--all", "--update", "--verbose", "--dry-run"),
                    writes=True, needs="Say what to add: `git add index.html` (or `git add .`)."),
    "git commit": Rule(flags="av", valued="m", long=_f("--all", "--amend", "--no-edit",
                       "--allow-empty", "--verbose"), long_valued=_f("--message"),
                       text=_f("-m", "--message"), operands="names", writes=True),
    "git log": Rule(flags="p", valued="n", long=_f("--oneline", "--graph", "--all", "--stat",
                    "--decorate", "--patch", "--reverse", "--name-only", "--name-status"),
                    long_valued=_f("--max-count"), numbers=_f("-n", "--max-count"),
                    digits=True, operands="names"),
    "git diff": Rule(long=_f("--staged", "--cached", "--stat", "--name-only", "--name-status",
                     "--word-diff"), operands="names"),
    "git show": Rule(long=_f("--stat", "--oneline", "--name-only", "--name-status"),
                     operands="names"),
    "git switch": Rule(valued="cC", long=_f("--detach", "--discard-changes"),
                       long_valued=_f("--create"), operands="names", max_operands=1,
                       writes=True, needs="Say which branch: `git switch main`."),
    "git branch": Rule(flags="advDrv", long=_f("--all", "--verbose", "--list"),
                       operands="names", writes=True),
    "git merge": Rule(valued="m", long=_f("--no-ff", "--ff-only", "--abort", "--continue",
                      "--no-edit", "--squash"), long_valued=_f("--message"),
                      text=_f("-m", "--message"), operands="names", writes=True),
    "git restore": Rule(flags="SW", valued="s", long=_f("--staged", "--worktree"),
                        long_valued=_f("--source"), writes=True,
                        needs="Say which file: `git restore index.html`."),
    "git init": Rule(valued="b", long_valued=_f("--initial-branch"), operands="none",
                     writes=True),
    "git rm": Rule(flags="rfn", long=_f("--cached", "--dry-run"), min_operands=1, writes=True,
                   needs="Say which file: `git rm old.txt`."),
    "git mv": Rule(flags="nv", min_operands=2, writes=True,
                   needs="Say what to move and where: `git mv old.txt new.txt`."),
    "git tag": Rule(flags="adlv", valued="m", text=_f("-m"), operands="names", writes=True),
    # Git with others (issue 14): these run as Git panel operations (courses.git.remote,
    # pygit2 only: no git binary, no upload-pack or receive-pack, no hooks) in the panel's
    # tool sandbox; a remote is only a folder inside the exercise (see _parse_git_remote).
    "git clone": Rule(how="gitop", min_operands=1, max_operands=2, writes=True,
                      needs="Say what to copy and where: `git clone team.git cafe`."),
    "git push": Rule(how="gitop", flags="u", long=_f("--set-upstream"), operands="names",
                     max_operands=2, writes=True),
    "git pull": Rule(how="gitop", long=_f("--no-rebase", "--ff"), operands="names",
                     max_operands=2, writes=True),
    "git fetch": Rule(how="gitop", operands="names", max_operands=1, writes=True),
    "git remote": Rule(how="gitop", flags="v", long=_f("--verbose"), operands="names",
                       max_operands=3, writes=True),
}
"""The one table of what the console runs: a program or ``git <subcommand>`` not here is refused."""

GIT_REFUSALS = {
    "-C": "`git -C` runs git in another folder. This console works in your exercise folder.",
    "-c": "`git -c` changes how git behaves. Git's settings are fixed in this classroom.",
    "--git-dir": "`--git-dir` points git at another repository. Use the one in this exercise.",
    "--work-tree": "`--work-tree` points git at other files. Use the files in this exercise.",
    "--exec-path": "`--exec-path` makes git run other programs. It is not available here.",
    "--namespace": "`--namespace` changes where git keeps branches. It is not available here.",
    "config": "`git config` changes how git behaves. Git's settings are fixed in this classroom.",
    "hook": "Git hooks run programs. They are not available in this classroom.",
    "checkout": "Use `git switch BRANCH` to change branch, or `git restore FILE` to undo "
                "changes to a file.",
    "clone": "There is no network here, so `git clone` cannot fetch anything.",
    "fetch": "There is no network here, so `git fetch` cannot reach anything.",
    "pull": "There is no network here, so `git pull` cannot reach anything.",
    "push": "There is no network here, so `git push` cannot reach anything.",
    "remote": "There is no network here, so remotes are not available.",
    "--upload-pack": "`--upload-pack` runs another program. It is not available here.",
    "--receive-pack": "`--receive-pack` runs another program. It is not available here.",
    "--exec": "`--exec` runs another program. It is not available here.",
    "--reference": "`--reference` borrows another repository. It is not available here.",
    "--shared": "`--shared` borrows another repository. It is not available here.",
    "--separate-git-dir": "`--separate-git-dir` puts .git elsewhere. It is not available here.",
    "--config": "`--config` changes how git behaves. Git's settings are fixed in this classroom.",
}
GIT_REMOTE_OPS = ("clone", "push", "pull", "fetch", "remote")
"""git subcommands that run as Git panel operations (courses.git.remote), never as git."""

_SHELL_WORDS = {
    ";": "`;` runs one command after another in a shell",
    "&&": "`&&` joins commands in a shell",
    "||": "`||` joins commands in a shell",
    "&": "`&` runs a command in the background in a shell",
    "|": "`|` sends one command's output into another in a shell",
    ">": "`>` sends output into a file in a shell",
    ">>": "`>>` adds output to a file in a shell",
    "<": "`<` feeds a file to a command",
    "(": "`(` groups commands in a shell",
    ")": "`)` groups commands in a shell",
}
_ONE_AT_A_TIME = " This console runs one command at a time, with no shell: type each command " \
                 "on its own line."


@dataclass
class Command:
    """A judged command line, ready to run.

    Attributes:
        argv: what runs (the program first; git's fixed settings already added).
        how: "program" (the Run way) or "bound" (the workspace bound).
        stdin_file: the file given with ``<`` (exercise-relative), or None.
        shown: the program (and git subcommand) for the audit log.
        writes_git: a git command that may change the repository or the files.
    """

    argv: list[str]
    how: str
    stdin_file: str | None = None
    shown: str = ""
    writes_git: bool = False
    env: dict[str, str] = field(default_factory=dict)
    gitop: dict[str, Any] | None = None  # how == "gitop": {"op": ..., "args": {...}}


def _programs_list() -> str:
    return ", ".join(f"`{p}`" for p in PROGRAMS)


def _name(token: str) -> str:
    """A token quoted for a refusal message (visible, short)."""
    shown = sanitize(token, 60)
    return shown if shown else "(empty)"


def tokens_of(line: str) -> list[str]:
    """Split ``line`` with shell quoting rules, refusing what only a shell would understand.

    Raises:
        Refused: control characters, backticks, ``$`` expansions, unclosed quotes, or a shell
            operator (``;``, ``|``, ``&&``, ``>``...; ``<`` is kept for :func:`parse`).
    """
    if len(line) > MAX_LINE:
        raise Refused(f"That line is too long (at most {MAX_LINE} characters).", "too_long")
    if any(ord(ch) < 32 or ord(ch) == 127 or 0x80 <= ord(ch) < 0xA0 for ch in line):
        raise Refused("That line holds a control character. Type the command again.", "control")
    if "`" in line:
        raise Refused("Backticks (`) run a command inside a command in a shell." + _ONE_AT_A_TIME,
                      "metachar")
    if re.search(r"\$[({A-Za-z_0-9@*#?!$-]", line):
        raise Refused("`$` fills in variables and commands in a shell; this console does not. "
                      "Type the value itself.", "metachar")
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        tokens = list(lexer)
    except ValueError:
        raise Refused("A quote is not closed. Close it with the same kind of quote (' or \").",
                      "quote") from None
    for token in tokens:
        if token and set(token) <= set("();<>|&"):
            if token == "<":
                continue
            words = _SHELL_WORDS.get(token, f"`{_name(token)}` is shell syntax")
            raise Refused(words[0].upper() + words[1:] + "." + _ONE_AT_A_TIME, "metachar")
    return tokens


def check_path(token: str, *, writes: bool = False) -> str:
    """An operand naming a file or folder inside the exercise folder (returned as given).

    Raises:
        Refused: absolute, ``~``, a ``..`` part, a wildcard, pathspec magic, or (``writes``)
            ``.git`` or the exercise folder itself.
    """
    if token.startswith("/"):
        raise Refused(f"`{_name(token)}` is an absolute path: it reaches outside your exercise. "
                      "Use names inside it, like `index.html` or `css/style.css`.", "absolute")
    if token.startswith("~"):
        raise Refused(f"`{_name(token)}` means a home folder in a shell. Use names inside your "
                      "exercise, like `index.html`.", "absolute")
    parts = token.split("/")
    if ".." in parts:
        raise Refused(f"`{_name(token)}` uses `..`, which leads outside your exercise folder. "
                      "Everything you need is inside it.", "dotdot")
    if any(ch in token for ch in "*?[]{}"):
        raise Refused(f"`{_name(token)}` has a wildcard. This console does not expand "
                      "wildcards: name each file.", "wildcard")
    if token.startswith(":"):
        raise Refused(f"`{_name(token)}` is git pathspec magic. Name the files instead.", "magic")
    if writes:
        if any(part.lower() == ".git" for part in parts):
            raise Refused("`.git` is Git's own folder: change it only with git commands.",
                          "git_folder")
        if all(part in ("", ".") for part in parts):
            raise Refused("That would change your whole exercise folder. Name the files "
                          "inside it instead.", "whole_folder")
    return token


def _options(rule: Rule, what: str, args: list[str]) -> tuple[list[str], list[str], set[str]]:
    """Judge ``args`` against ``rule``: (options as given, operands, option names seen)."""
    options: list[str] = []
    operands: list[str] = []
    seen: set[str] = set()
    i = 0
    after_dashes = False
    while i < len(args):
        arg = args[i]
        i += 1
        if after_dashes or not arg.startswith("-") or arg == "-":
            operands.append(arg)
            continue
        if arg == "--":
            after_dashes = True
            options.append(arg)
            continue
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if name in rule.long and not eq:
                options.append(arg)
                seen.add(name)
                continue
            if name in rule.long_valued:
                if not eq:
                    if i >= len(args):
                        raise Refused(f"`{name}` needs a value after it.", "option")
                    value = args[i]
                    i += 1
                _option_value(rule, name, value)
                options += [f"{name}={value}"]
                seen.add(name)
                continue
            raise _unknown_option(what, name)
        if rule.digits and arg[1:].isdigit():
            options.append(arg)
            continue
        j = 1
        while j < len(arg):
            flag = arg[j]
            j += 1
            if flag in rule.flags:
                options.append(f"-{flag}")
                seen.add(f"-{flag}")
            elif flag in rule.valued:
                value = arg[j:]
                if not value:
                    if i >= len(args):
                        raise Refused(f"`-{flag}` needs a value after it.", "option")
                    value = args[i]
                    i += 1
                _option_value(rule, f"-{flag}", value)
                options += [f"-{flag}", value]
                seen.add(f"-{flag}")
                break
            else:
                raise _unknown_option(what, f"-{flag}")
    return options, operands, seen


def _option_value(rule: Rule, name: str, value: str) -> None:
    if name in rule.text:
        return  # a message: any words
    if name in rule.numbers:
        if not value.isdigit() or int(value) > 10_000:
            raise Refused(f"`{name}` needs a whole number, like `{name} 5`.", "option")
        return
    if value.startswith("-"):
        raise Refused(f"`{name}` needs a name after it, not another option.", "option")
    check_path(value)


def _unknown_option(what: str, option: str) -> Refused:
    if option in GIT_REFUSALS and what.startswith("git"):
        return Refused(GIT_REFUSALS[option], "git_option")
    if option in ("--output", "-o") or option.startswith("--output"):
        return Refused(f"`{_name(option)}` writes somewhere else. It is not available here.",
                       "option")
    return Refused(f"`{what}` does not take `{_name(option)}` in this classroom.", "option")


def parse(line: str) -> Command | None:
    """Judge one console line against the allowlist.

    Returns:
        The command to run, or None for an empty line.

    Raises:
        Refused: anything outside the allowlist (plain words for the learner).
    """
    tokens = tokens_of(line)
    if not tokens:
        return None
    program = tokens[0]
    if program in ("<",):
        raise Refused("Start with a command, like `ls` or `git status`.", "metachar")
    if "/" in program:
        raise Refused(f"`{_name(program)}` is a path. Type a command name, like `node app.js`."
                      f" Commands here: {_programs_list()}.", "program")
    if program not in PROGRAMS:
        raise Refused(f"This classroom doesn't have `{_name(program)}`. Commands here: "
                      f"{_programs_list()}.", "program")
    args = tokens[1:]
    stdin_file = None
    if "<" in args:
        at = args.index("<")
        if program != "sqlite3":
            raise Refused("`<` feeds a file to a command in a shell. Here it works only with "
                          "sqlite3: `sqlite3 shop.db < query.sql`." + _ONE_AT_A_TIME, "metachar")
        if at != len(args) - 2 or args[-1] == "<":
            raise Refused("Put `< FILE` at the end: `sqlite3 shop.db < query.sql`.", "metachar")
        stdin_file = check_path(args[-1])
        args = args[:at]
    if program == "git":
        return _parse_git(args)
    if program == "node":
        return _parse_node(args)
    if program == "sqlite3":
        return _parse_sqlite(args, stdin_file)
    rule = RULES[program]
    options, operands, _ = _options(rule, program, args)
    _count(rule, program, operands)
    for operand in operands:
        check_path(operand, writes=rule.writes)
    return Command(argv=[program, *options, *operands], how="bound", shown=program)


def _count(rule: Rule, what: str, operands: list[str]) -> None:
    if len(operands) < rule.min_operands:
        raise Refused(rule.needs or f"`{what}` needs more after it.", "operand")
    if rule.operands == "none" and operands:
        raise Refused(f"`{what}` takes no names after it here.", "operand")
    if rule.max_operands is not None and len(operands) > rule.max_operands:
        raise Refused(f"`{what}` takes at most {rule.max_operands} name(s) after it.", "operand")


def _parse_git(args: list[str]) -> Command:
    if not args:
        raise Refused("Say what git should do, like `git status`.", "operand")
    sub = args[0]
    if sub.startswith("-"):
        name = sub.partition("=")[0]
        raise Refused(GIT_REFUSALS.get(name, f"`git {_name(name)}` is not available here. "
                      "Start with a git command, like `git status`."), "git_option")
    if sub in GIT_REMOTE_OPS:
        return _parse_git_remote(sub, args[1:])
    rule = RULES.get(f"git {sub}")
    if rule is None:
        raise Refused(GIT_REFUSALS.get(sub, f"`git {_name(sub)}` is not available in this "
                      f"classroom. Git commands here: {_git_list()}."), "git_command")
    what = f"git {sub}"
    options, operands, seen = _options(rule, what, args[1:])
    _count(rule, what, operands)
    for operand in operands:
        check_path(operand)  # `git add .` is fine (git never stages its own folder)
        if any(part.lower() == ".git" for part in operand.split("/")):
            raise Refused("`.git` is Git's own folder: git commands work on your files, not "
                          "inside it.", "git_folder")
    if sub == "commit" and not seen & {"-m", "--message"} and not (
        "--amend" in seen and "--no-edit" in seen
    ):
        raise Refused('Give the message with -m: `git commit -m "Add a title"`.', "operand")
    if sub == "add" and not operands and not seen & {"-A", "--all", "-u", "--update"}:
        raise Refused(RULES["git add"].needs, "operand")
    argv = ["git"]
    for setting in GIT_CONFIG:
        argv += ["-c", setting]
    argv += [sub, *options, *operands]
    return Command(argv=argv, how="bound", shown=what, writes_git=rule.writes, env=dict(GIT_ENV))


def check_remote(token: str) -> str:
    """A ``git clone`` source or ``git remote add`` address: a folder inside the exercise.

    Raises:
        Refused: a network address (``scheme://``, ``host:path``, ``user@host``, ``ext::``),
            then everything :func:`check_path` refuses, and any ``.git`` part.
    """
    if "://" in token or ":" in token or "@" in token:
        raise Refused(f"`{_name(token)}` is a network address. This classroom has no network: "
                      "the team's server is a folder here, like `team.git`.", "remote_url")
    check_path(token)
    if any(part.lower() == ".git" for part in token.split("/")):
        raise Refused("`.git` is Git's own folder, not a server. The team's server is a "
                      "folder like `team.git`.", "git_folder")
    return token


def _parse_git_remote(sub: str, args: list[str]) -> Command:
    """``git clone/push/pull/fetch/remote``: judged here, run as a Git panel operation."""
    what = f"git {sub}"
    rule = RULES[what]
    options, operands, seen = _options(rule, what, args)
    _count(rule, what, operands)
    gitop: dict[str, Any]
    if sub == "clone":
        for operand in operands:
            check_remote(operand)
        gitop = {"op": "clone", "args": {"source": operands[0]}}
        if len(operands) == 2:
            gitop["args"]["dest"] = operands[1]
    elif sub == "remote":
        if operands and operands[0] != "add":
            raise Refused(f"`git remote {_name(operands[0])}` is not available here. Use "
                          "`git remote -v` to list remotes, or `git remote add origin "
                          "team.git`.", "git_command")
        if operands and len(operands) != 3:
            raise Refused("Give a name and a folder: `git remote add origin team.git`.",
                          "operand")
        if operands:
            check_path(operands[1])
            check_remote(operands[2])
            gitop = {"op": "remote", "args": {"name": operands[1], "url": operands[2]}}
        else:
            gitop = {"op": "remote", "args": {}}
    else:
        for operand in operands:
            check_path(operand)
        keys = ("remote",) if sub == "fetch" else ("remote", "branch")
        gitop = {"op": sub, "args": dict(zip(keys, operands, strict=False))}
    del seen
    return Command(argv=["git", sub, *options, *operands], how="gitop", shown=what,
                   writes_git=sub != "remote" or bool(operands), gitop=gitop)


def gitop_spec(ctx: ConsoleContext, command: Command) -> RunSpec:
    """A remote command: the Git panel's tool sandbox (``python -I -m courses.gitops``, only
    gitops' files and the runtime bound, the whole workspace at /workspace, as the learner)."""
    request = dict(command.gitop or {})
    if request.get("op") == "pull":  # a merge commit is the logged-in learner's
        request["args"] = {**request.get("args", {}), "author_name": ctx.learner}
    return tool_module(
        "courses.gitops",
        [f"{SANDBOX_WORKSPACE}/{ctx.folder}"],
        files=[SLATE_ROOT / name for name in SANDBOX_FILES],
        workspace=Path(ctx.workspace.root),
        cwd="/",
        isolated=True,
        limits=Limits(wall=20, cpu=10, memory=256 << 20, output=1 << 20),
        host_uid=ctx.host_uid,
        prefix=Path(sys.prefix),
        stdin=json.dumps(request).encode(),
    )


def gitop_room(ctx: ConsoleContext, command: Command) -> None:
    """Refuse a clone, pull or fetch when the workspace has no room for it.

    Those run in the Git panel's sandbox, which binds the whole workspace (not a quota-sized
    copy): a clone copies the whole server, so it must fit in what is left of the quota, and
    nothing more is fetched into a workspace already over it (``git push`` only sends objects
    the learner made from files already within the quota).

    Raises:
        Refused: reason "quota", with what to delete.
    """
    op = (command.gitop or {}).get("op")
    if op not in ("clone", "pull", "fetch"):
        return
    ws = ctx.workspace
    usage = ws.usage()
    need_bytes = need_files = 0
    if op == "clone":
        source = str(command.gitop["args"].get("source", "")).strip("/")  # type: ignore[index]
        try:
            for _, _, size in ws.walk(f"{ctx.folder}/{source}"):
                need_files += 1
                need_bytes += size
        except (WorkspaceError, ValueError):
            pass  # not there: the operation says so in plain words
    if (not usage.complete or usage.bytes + need_bytes > ws.quota_bytes
            or usage.files + need_files > ws.quota_files):
        raise Refused("Your workspace is too full for that: the copy would not fit. Delete "
                      "files or folders you do not need (an old copy: `rm -r cafe`), then "
                      "try again.", "quota")


def gitop_output(stdout: bytes | str | None) -> tuple[str, int]:
    """The learner's text and an exit status from a Git panel operation's JSON answer."""
    try:
        reply = json.loads(stdout or b"")
    except (ValueError, TypeError):
        reply = None
    if not isinstance(reply, dict):
        return "Git could not finish that. Your files are safe; try again.", 1
    if not reply.get("ok"):
        return str(reply.get("error") or "Git could not do that."), 1
    result = reply.get("result")
    text = str(result.get("output") or result.get("message") or "") if isinstance(
        result, dict) else str(result)
    return text, 0


def _git_list() -> str:
    return ", ".join(name.split(" ", 1)[1] for name in RULES if name.startswith("git "))


def _parse_node(args: list[str]) -> Command:
    if not args:
        raise Refused(RULES["node"].needs, "operand")
    first = args[0]
    if first.startswith("-"):
        name = first.partition("=")[0]
        if name in ("-e", "--eval", "-p", "--print"):
            raise Refused("`node -e` runs code typed on the command line. Put the code in a "
                          "file and run it: `node app.js`.", "node_option")
        if name in ("-r", "--require", "--import", "--loader", "--experimental-loader"):
            raise Refused("`node -r` loads other code first. Run your file on its own: "
                          "`node app.js`.", "node_option")
        raise Refused(f"node's `{_name(name)}` is not available here. Run your file: "
                      "`node app.js`.", "node_option")
    check_path(first)
    for arg in args[1:]:
        if not arg.startswith("-"):
            check_path(arg)
    return Command(argv=["node", *args], how="program", shown="node")


def _parse_sqlite(args: list[str], stdin_file: str | None) -> Command:
    rule = RULES["sqlite3"]
    options: list[str] = []
    operands: list[str] = []
    for arg in args:
        if arg.startswith("-") and not operands:
            if arg not in rule.long:
                name = arg.partition("=")[0]
                if name in ("-cmd", "-init"):
                    raise Refused(f"sqlite3's `{name}` runs commands from elsewhere. Put them "
                                  "in a file and use `< query.sql`.", "sqlite_option")
                raise Refused(f"sqlite3's `{_name(name)}` is not available here.",
                              "sqlite_option")
            options.append(arg)
        else:
            operands.append(arg)
    _count(rule, "sqlite3", operands)
    check_path(operands[0])
    if len(operands) == 2:
        check_sql(operands[1])
    # -safe: sqlite3's own safe mode (no .shell, .system, .load, writefile...) on top of ours.
    return Command(argv=["sqlite3", "-safe", *options, *operands], how="program",
                   stdin_file=stdin_file, shown="sqlite3")


def check_sql(text: str) -> None:
    """Refuse a sqlite3 script holding a dot-command outside :data:`SQLITE_SAFE_DOT`.

    Raises:
        Refused: names the dot-command and what it would do.
    """
    for line in text.splitlines():
        stripped = line.lstrip()
        if not stripped.startswith("."):
            continue
        word = stripped.split(None, 1)[0].lower()
        if word in SQLITE_SAFE_DOT:
            continue
        what = SQLITE_DOT_WORDS.get(word, "is not available here")
        raise Refused(f"sqlite3's `{_name(word)}` {what}. It is not available in this "
                      "classroom.", "sqlite_dot")


# -- running ------------------------------------------------------------------------------------


@dataclass
class ConsoleContext:
    """What the learner desk hands the console for one command.

    Attributes:
        learner: the learner's name.
        workspace: their ``jail.workspace.Workspace``.
        folder: the exercise folder, workspace-relative.
        host_uid: their host uid (per-learner mode) or None.
        audit: ``audit(kind, **detail)`` with the session's actor, address and session.
        serial: ``serial(name, doing, wait)``: the per-learner lock (services.serial).
        snapshot: ``snapshot(paths, message)``: a history snapshot of the workspace.
    """

    learner: str
    workspace: Any
    folder: str
    host_uid: int | None
    audit: Callable[..., None]
    serial: Callable[..., Any]
    snapshot: Callable[[list[str] | None, str], Awaitable[Any]]


@dataclass
class Outcome:
    """What one console command did (the reply's fields)."""

    output: str
    exit_code: int | None
    limit: str | None
    files_changed: bool
    truncated: bool


async def run_line(ctx: ConsoleContext, line: str) -> Outcome:
    """Judge ``line``, run it in a fresh sandbox as the learner, and say what it printed.

    Raises:
        Refused: the line is outside the allowlist (audited here as ``console_refused``).
    """
    try:
        command = parse(line)
        if command is None:
            return Outcome("", 0, None, False, False)
        stdin = None
        if command.how == "gitop":
            await asyncio.to_thread(gitop_room, ctx, command)
        if command.stdin_file is not None:
            stdin = await asyncio.to_thread(_read_input, ctx, command.stdin_file)
            check_sql(stdin.decode("utf-8", "replace"))
    except Refused as exc:
        ctx.audit("console_refused", folder=ctx.folder, line=sanitize(line, 300),
                  reason=exc.reason, said=sanitize(str(exc), 300))
        raise
    started = time.monotonic()
    chunks: list[bytes] = []
    size = [0]

    def on_output(_stream: str, data: bytes) -> None:
        if size[0] < MAX_OUTPUT:
            chunks.append(data[: MAX_OUTPUT - size[0]])
        size[0] += len(data)

    async with ctx.serial(ctx.learner, "a console command", LOCK_WAIT):
        if command.how == "gitop":
            result = await run_async(gitop_spec(ctx, command))
            said, code = gitop_output(result.stdout)
            chunks.append(said.encode()[:MAX_OUTPUT])
            size[0] = len(said.encode())
            if result.limit is None and result.exit_code == 0:
                result.exit_code = code
        elif command.how == "program":
            await ctx.snapshot(None, f"before console {command.shown} in {ctx.folder}")
            result = await run_in_workspace(
                ctx.workspace, ctx.folder, command.argv, limits=LIMITS, host_uid=ctx.host_uid,
                on_output=on_output, stdin=stdin,
            )
        elif command.argv[0] == "git":
            # The author is always the logged-in learner. git runs the Run way too, on a
            # quota-sized copy of the folder *with* its .git: objects it writes past the
            # quota fail inside, and what comes back is saved within the quota (issue 9).
            who = {"NAME": ctx.learner, "EMAIL": f"{ctx.learner}@classroom.invalid"}
            command.env.update({f"GIT_{role}_{k}": v for role in ("AUTHOR", "COMMITTER")
                                for k, v in who.items()})
            result = await run_in_workspace(
                ctx.workspace, ctx.folder, command.argv, limits=LIMITS, host_uid=ctx.host_uid,
                on_output=on_output, env=command.env, with_git=True,
            )
        else:
            result = await run_async(bound_spec(ctx, command), on_output=on_output)
        if result.disk_refused:
            ctx.audit("quota_exceeded", op="console", command=command.shown,
                      refused=len(result.disk_refused))
        changed = command.how == "program" or command.writes_git or command.shown in (
            "mkdir", "mv", "rm")
        if changed:
            await ctx.snapshot(None, f"after console {command.shown} in {ctx.folder}")
    usage = await asyncio.to_thread(ctx.workspace.usage)
    if usage.bytes > ctx.workspace.quota_bytes or usage.files > ctx.workspace.quota_files:
        ctx.audit("quota_exceeded", bytes=usage.bytes, files=usage.files, op="console")
    ctx.audit("console", folder=ctx.folder, command=command.shown, line=sanitize(line, 300),
              exit_code=result.exit_code, limit=result.limit,
              duration=round(time.monotonic() - started, 3))
    text = b"".join(chunks).decode("utf-8", "replace")
    if result.limit is not None or result.signal is not None:
        text += ("\n" if text and not text.endswith("\n") else "") + result.describe(LIMITS)
    return Outcome(text, result.exit_code, result.limit, changed,
                   size[0] > MAX_OUTPUT or result.truncated)


def bound_spec(ctx: ConsoleContext, command: Command) -> RunSpec:
    """A fixed-effect command: ``jail.profiles.workspace_command`` (see the module docstring)."""
    return workspace_command(
        command.argv, workspace=Path(ctx.workspace.root), folder=ctx.folder, limits=LIMITS,
        host_uid=ctx.host_uid, env=command.env,
    )


def _read_input(ctx: ConsoleContext, rel: str) -> bytes:
    try:
        return ctx.workspace.read_bytes(f"{ctx.folder}/{rel}", limit=MAX_STDIN)
    except WorkspaceError as exc:
        raise Refused(f"`{_name(rel)}` cannot be given to sqlite3: {exc}", "stdin_file") from None
