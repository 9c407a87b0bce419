"""The teaching console (issue 13, new learner tools 1): one command at a time, no shell.

Drives the server's own request handler (LearnerDesk.console) with a real store, workspace,
audit log and bubblewrap sandbox: every line outside the allowlist is refused in plain words
*and* audited (``console_refused``); allowed commands really run — git on the learner's
repository, node and sqlite3 the Run way — as the learner, with no network."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from server import protocol
from server.audit import AuditLog
from server.config import load_config
from server.control import RequestError
from server.services import LearnerDesk, SessionServices
from server.store import Store
from server.teaching_console import RULES, parse

from .conftest import reachable_dir

GIT = ("git", "status-and-diff")
JS = ("javascript", "values-and-console-log")


class Console:
    """A learner desk and what it audits."""

    def __init__(self, tmp_path: Path, name: str = "ada") -> None:
        data = reachable_dir() / "data"
        (data / "workspaces").mkdir(parents=True)
        os.chmod(data, 0o711)
        os.chmod(data / "workspaces", 0o711)
        config = load_config(None, data)
        self.store = Store(data / "slate.db", uid_count=config.sandbox.uid_count)
        self.audit = AuditLog(self.store)
        account = self.store.add_account(name, "learner", password="long enough password")
        services = SessionServices(config, self.store, self.audit)
        services.room = SimpleNamespace(  # type: ignore[assignment]
            host_uid=lambda acct: (
                config.sandbox.uid_base + acct.uid_offset if os.geteuid() == 0 else None
            )
        )
        self.host_uid = services.room.host_uid(account)
        session = SimpleNamespace(
            server=SimpleNamespace(address="127.0.0.1"), session_id=f"s-{name}",
            control=SimpleNamespace(push=lambda message: None),
        )
        self.desk = LearnerDesk(services, session, account)  # type: ignore[arg-type]

    async def open(self, where: tuple[str, str]) -> None:
        await self.desk.exercise(protocol.OpenExercise(id=1, course=where[0], exercise=where[1]))

    async def type(self, line: str, where: tuple[str, str] = GIT) -> protocol.ConsoleReply:
        return await self.desk.console(
            protocol.ConsoleCommand(id=2, course=where[0], exercise=where[1], line=line)
        )

    async def refused(self, line: str, where: tuple[str, str] = GIT) -> tuple[str, dict[str, Any]]:
        """Type ``line``: it must be refused; return the words and the audit row."""
        before = len(self.audit.events(kind="console_refused"))
        with pytest.raises(RequestError) as info:
            await self.type(line, where)
        rows = self.audit.events(kind="console_refused")
        assert len(rows) == before + 1, f"refusal of {line!r} not audited"
        row = rows[-1]
        detail = row.detail if hasattr(row, "detail") else row["detail"]
        if isinstance(detail, str):
            detail = json.loads(detail)
        assert detail["line"] == line[:300] or "\\" in detail["line"]
        return str(info.value), detail


@pytest.fixture
async def console(tmp_path: Path) -> Console:
    c = Console(tmp_path)
    await c.open(GIT)
    return c


def ran(c: Console) -> int:
    return len(c.audit.events(kind="console"))


# -- refusals: each asserts the plain words and the audit row; nothing ran ------------------


@pytest.mark.parametrize(
    ("line", "words", "reason"),
    [
        ("git status; cat /etc/passwd", "`;`", "metachar"),
        ("git log | cat", "`|`", "metachar"),
        ("git add . && git commit -m x", "`&&`", "metachar"),
        ("git diff > notes.txt", "`>`", "metachar"),
        ("ls $(id)", "`$`", "metachar"),
        ("ls `id`", "Backticks", "metachar"),
        ("node app.js &", "`&`", "metachar"),
    ],
)
async def test_sec_console_refuses_shell_metacharacters(
    console: Console, line: str, words: str, reason: str
) -> None:
    said, row = await console.refused(line)
    assert words in said and "one command at a time" in said or "`$`" in said
    assert row["reason"] == reason
    assert ran(console) == 0


async def test_sec_console_refuses_programs_outside_the_allowlist(console: Console) -> None:
    for program in ("curl", "bash", "sh", "python3", "env", "/bin/sh", "./app.js", "sudo"):
        said, row = await console.refused(f"{program} -c id")
        assert row["reason"] == "program"
        assert "doesn't have" in said or "is a path" in said
    said, _ = await console.refused("curl http://example.com")
    assert said.startswith("This classroom doesn't have `curl`.")
    assert ran(console) == 0


async def test_sec_console_refuses_absolute_paths(console: Console) -> None:
    for line in ("cat /etc/passwd", "ls /", "git add /etc/shadow", "node /tmp/x.js",
                 "sqlite3 /var/lib/slate/slate.db", "mv shopping.txt /tmp/x", "cat ~/secret"):
        said, row = await console.refused(line)
        assert row["reason"] == "absolute", line
        assert "outside your exercise" in said or "home folder" in said
    assert ran(console) == 0


async def test_sec_console_refuses_dotdot(console: Console) -> None:
    for line in ("cat ../../README.md", "ls ..", "git diff -- ../other", "rm -r ../x",
                 "sqlite3 db.sqlite < ../q.sql", "node ../app.js", "mkdir a/../../b"):
        said, row = await console.refused(line)
        assert row["reason"] == "dotdot", line
        assert "`..`" in said
    assert ran(console) == 0


async def test_sec_console_refuses_git_options_that_change_git(console: Console) -> None:
    cases = {
        "git -C /tmp status": "git_option",
        "git -C .. status": "git_option",
        "git --git-dir=/var/lib/slate/history/x.git log": "git_option",
        "git --work-tree=/ status": "git_option",
        "git -c core.fsmonitor=id status": "git_option",
        "git -c core.hooksPath=hooks commit -m x": "git_option",
        "git --exec-path=/tmp status": "git_option",
        "git config core.pager id": "git_command",
        "git hook run pre-commit": "git_command",
        "git log --output=/tmp/x": "option",
        "git diff --output=notes.txt": "option",
        "git clone /x": "absolute",  # remotes: tests/gateway/test_sec_console_remote.py
        "git push --receive-pack=id": "git_option",
        "git commit --template=/etc/passwd -m x": "option",
        "git status --porcelain --ignore-submodules": "option",
    }
    for line, reason in cases.items():
        said, row = await console.refused(line)
        assert row["reason"] == reason, (line, row)
        assert said
    said, _ = await console.refused("git -c core.pager=id log")
    assert "settings are fixed" in said
    assert ran(console) == 0


async def test_sec_console_refuses_node_eval_and_require(console: Console) -> None:
    for line in ("node -e \"require('child_process')\"", "node --eval 1", "node -p 1",
                 "node -r ./x.js app.js", "node --require=x app.js", "node --inspect app.js"):
        said, row = await console.refused(line)
        assert row["reason"] == "node_option", line
    said, _ = await console.refused("node -e 1")
    assert "Put the code in a file" in said
    assert ran(console) == 0


async def test_sec_console_refuses_sqlite_dot_commands_that_touch_files(
    console: Console,
) -> None:
    ws = console.desk.ws
    for dot in (".shell id", ".system id", ".output /tmp/x", ".load /tmp/evil.so",
                ".import /etc/passwd t", ".read ../x.sql", ".open /etc/x", ".once x"):
        ws.write_atomic("git/status-and-diff/q.sql", f"select 1;\n  {dot}\n")
        said, row = await console.refused("sqlite3 shop.db < q.sql")
        assert row["reason"] == "sqlite_dot", dot
        assert dot.split()[0] in said
        said, row = await console.refused(f'sqlite3 shop.db "{dot}"')
        assert row["reason"] == "sqlite_dot"
    for line in ("sqlite3 -cmd '.shell id' shop.db", "sqlite3 -init x.sql shop.db"):
        _, row = await console.refused(line)
        assert row["reason"] == "sqlite_option"
    _, row = await console.refused("cat shopping.txt < q.sql")
    assert row["reason"] == "metachar"
    assert ran(console) == 0


async def test_sec_console_refuses_writes_to_git_folder_and_whole_folder(console: Console) -> None:
    for line, reason in (("rm -rf .git", "git_folder"), ("mv .git x", "git_folder"),
                         ("rm -r .", "whole_folder"), ("mkdir .git/hooks", "git_folder"),
                         ("rm *.txt", "wildcard"), ("git add ':(top)'", "magic"),
                         ("git mv shopping.txt .git/config", "git_folder"),
                         ("git restore --source=HEAD .git/HEAD", "git_folder")):
        _, row = await console.refused(line)
        assert row["reason"] == reason, line
    assert ran(console) == 0


async def test_sec_console_refuses_control_characters_and_bad_quotes(console: Console) -> None:
    _, row = await console.refused("ls\x1b[2J")
    assert row["reason"] == "control"
    said, row = await console.refused('git commit -m "unclosed')
    assert row["reason"] == "quote" and "quote" in said
    assert ran(console) == 0


def test_every_allowlisted_git_command_is_named_in_the_table() -> None:
    """One table, deny by default: a git subcommand not in RULES is refused."""
    assert {name.split()[1] for name in RULES if name.startswith("git ")} >= {
        "status", "add", "commit", "log", "diff", "switch", "merge"}
    for line in ("git status", "git add .", 'git commit -m "Add eggs"', "git log --oneline",
                 "git diff", "git switch main", "git merge feature", "node app.js",
                 "sqlite3 shop.db < query.sql", "ls -la", "cat a.txt", "mkdir css",
                 "mv a b", "rm a"):
        assert parse(line) is not None, line


# -- what runs, runs for real, in a sandbox as the learner -----------------------------------


async def test_console_git_status_add_commit_log_for_real(console: Console) -> None:
    reply = await console.type("git status")
    assert reply.exit_code == 0, reply.output
    assert "On branch" in reply.output
    console.desk.ws.write_atomic("git/status-and-diff/shopping.txt", "bread\nmilk\napples\neggs\n")
    reply = await console.type("git diff")
    assert "+eggs" in reply.output
    reply = await console.type("git add shopping.txt")
    assert reply.exit_code == 0, reply.output
    reply = await console.type('git commit -m "Add eggs to the list"')
    assert reply.exit_code == 0, reply.output
    reply = await console.type("git log --oneline -3")
    assert "Add eggs to the list" in reply.output
    rows = console.audit.events(kind="console")
    assert [json_detail(r)["command"] for r in rows] == [
        "git status", "git diff", "git add", "git commit", "git log"]


async def test_console_files_commands_and_empty_folders(console: Console) -> None:
    reply = await console.type("mkdir css")
    assert reply.exit_code == 0, reply.output
    assert console.desk.ws.entry_type("git/status-and-diff/css") == "folder"
    reply = await console.type("ls -a")
    assert "css" in reply.output and ".git" in reply.output
    reply = await console.type("mv shopping.txt list.txt")
    assert reply.exit_code == 0
    assert console.desk.ws.exists("git/status-and-diff/list.txt")
    reply = await console.type("cat list.txt")
    assert "bread" in reply.output
    reply = await console.type("rm list.txt")
    assert not console.desk.ws.exists("git/status-and-diff/list.txt")
    reply = await console.type("cat nothing-here.txt")
    assert reply.exit_code != 0 and "No such file" in reply.output


async def test_sec_console_node_runs_sandboxed_as_the_learner_without_network(
    tmp_path: Path,
) -> None:
    """`node -e` is refused, but a learner file may print its uid and try the network: it
    runs as the learner's uid (per-learner mode) and no socket reaches anything."""
    c = Console(tmp_path, "grace")
    await c.open(JS)
    c.desk.ws.write_atomic(
        "javascript/values-and-console-log/probe.js",
        "const net = require('net');\n"
        "console.log('uid', process.getuid());\n"
        "const s = net.connect({host: '1.1.1.1', port: 53});\n"
        "s.on('error', e => { console.log('network', e.code); process.exit(0); });\n"
        "s.on('connect', () => { console.log('network CONNECTED'); process.exit(0); });\n"
        "setTimeout(() => { console.log('network timeout'); process.exit(0); }, 6000);\n",
    )
    await c.refused("node -e \"console.log(process.getuid())\"", JS)
    reply = await c.type("node probe.js", JS)
    assert "network CONNECTED" not in reply.output
    assert "network E" in reply.output, reply.output  # ENETUNREACH: only lo exists
    uid = int(reply.output.split("uid", 1)[1].split()[0])
    if os.geteuid() == 0:
        assert uid == c.host_uid and uid != 0
    else:
        assert uid == 1000  # the sandbox's own user namespace (shared-uid demo)
    row = json_detail(c.audit.events(kind="console")[-1])
    assert row["command"] == "node" and row["exit_code"] == 0


async def test_console_sqlite_with_input_file_the_run_way(tmp_path: Path) -> None:
    c = Console(tmp_path, "edgar")
    await c.open(JS)
    folder = "javascript/values-and-console-log"
    c.desk.ws.write_atomic(f"{folder}/make.sql",
                           ".headers on\ncreate table t(a);\ninsert into t values (41), (1);\n")
    c.desk.ws.write_atomic(f"{folder}/query.sql", ".mode list\nselect sum(a) as total from t;\n")
    reply = await c.type("sqlite3 shop.db < make.sql", JS)
    assert reply.exit_code == 0, reply.output
    assert c.desk.ws.exists(f"{folder}/shop.db"), "the database came back through the API"
    reply = await c.type("sqlite3 shop.db < query.sql", JS)
    assert "42" in reply.output, reply.output
    # sqlite3's own safe mode too: writefile() is not allowed even without a dot-command.
    reply = await c.type("sqlite3 shop.db \"select writefile('x.txt', 'hi');\"", JS)
    assert reply.exit_code != 0
    assert not c.desk.ws.exists(f"{folder}/x.txt")


def json_detail(row: Any) -> dict[str, Any]:
    detail = row.detail if hasattr(row, "detail") else row["detail"]
    return json.loads(detail) if isinstance(detail, str) else detail


async def test_sec_console_link_to_a_host_file_resolves_inside_the_sandbox(
    console: Console,
) -> None:
    """A link planted in the exercise folder pointing at the server's own store (or a folder
    swapped for a link to another learner's workspace) is followed only inside the sandbox,
    where neither exists: cat shows nothing of the host, ls lists nothing of it."""
    ws = console.desk.ws
    folder = Path(ws.root) / "git" / "status-and-diff"
    store_file = Path(ws.root).parent.parent / "slate.db"
    assert store_file.exists()
    os.symlink(store_file, folder / "store")
    other = Path(ws.root).parent / "victim"
    other.mkdir()
    (other / "secret.txt").write_text("victim's work\n")
    os.symlink(other, folder / "elsewhere")
    reply = await console.type("cat store")
    assert reply.exit_code != 0 and "No such file" in reply.output
    assert "SQLite format" not in reply.output
    reply = await console.type("ls elsewhere")
    assert "secret.txt" not in reply.output
    reply = await console.type("rm -r elsewhere")  # removes the link, never what it points to
    assert (other / "secret.txt").read_text() == "victim's work\n"
    row = json_detail(console.audit.events(kind="console")[-1])
    assert row["command"] == "rm"


async def test_sec_console_output_flood_is_capped(tmp_path: Path) -> None:
    """A program printing without end that waits for the pipe (so its memory stays small): the
    Run's output limit stops it, the reply carries at most MAX_OUTPUT bytes, says it was cut,
    and the limit is audited."""
    from server.teaching_console import MAX_OUTPUT

    c = Console(tmp_path, "flood")
    await c.open(JS)
    c.desk.ws.write_atomic(
        "javascript/values-and-console-log/flood.js",
        "function more() {\n"
        "  while (process.stdout.write('\\x1b[2J' + 'x'.repeat(4096))) {}\n"
        "  process.stdout.once('drain', more);\n"
        "}\n"
        "more();\n")
    reply = await c.type("node flood.js", JS)
    assert reply.limit == "output", reply.limit
    assert reply.truncated
    assert len(reply.output.encode()) <= MAX_OUTPUT + 500
    assert "x" * 4096 in reply.output  # what came before the cut is shown
    row = json_detail(c.audit.events(kind="console")[-1])
    assert row["limit"] == "output"


async def test_sec_console_careless_flood_is_bounded(tmp_path: Path) -> None:
    """A program printing in a tight loop: node queues what the pipe cannot take, so which limit
    ends it first (output or memory) depends on the machine's speed and node's version. Either
    way the reply stays under the cap, names the limit, and the audit records the same limit."""
    from server.teaching_console import MAX_OUTPUT

    c = Console(tmp_path, "careless")
    await c.open(JS)
    c.desk.ws.write_atomic("javascript/values-and-console-log/flood.js",
                           "for (;;) process.stdout.write('\\x1b[2J' + 'x'.repeat(4096));\n")
    reply = await c.type("node flood.js", JS)
    assert reply.limit in ("output", "wall", "cpu", "memory")
    assert len(reply.output.encode()) <= MAX_OUTPUT + 500
    if reply.limit == "output":
        assert reply.truncated
    row = json_detail(c.audit.events(kind="console")[-1])
    assert row["limit"] == reply.limit


async def test_sec_console_git_ignores_a_planted_bare_repository(tmp_path: Path) -> None:
    """A learner cannot write .git, but can fill a folder with HEAD, config, objects/ and refs/
    (through the editor or a Run): git takes it for a bare repository and obeys its config —
    ``diff.external`` would run a program of theirs in the sandbox that binds the whole
    workspace (outside the Run's disk bound). The console's git refuses such a repository."""
    import subprocess

    c = Console(tmp_path, "mallory")
    await c.open(JS)
    folder = "javascript/values-and-console-log"
    ws = c.desk.ws
    # A real repository with two commits, built here (trusted), then planted file by file.
    src = tmp_path / "src"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(src)]
    subprocess.run(["git", "init", "-q", "-b", "main", str(src)], check=True)
    for text in ("one\n", "two\n"):
        (src / "f.txt").write_text(text)
        subprocess.run([*git, "add", "f.txt"], check=True)
        subprocess.run([*git, "commit", "-q", "-m", text.strip()], check=True)
    bare = src / ".git"  # loose objects and refs/heads/main as files
    for path in bare.rglob("*"):
        rel = path.relative_to(bare).as_posix()
        if path.is_file() and not rel.startswith(("hooks/", "config", "index", "logs/")):
            ws.write_atomic(f"{folder}/{rel}", path.read_bytes())
    ws.write_atomic(f"{folder}/config", "[core]\n\trepositoryformatversion = 0\n\tbare = true\n"
                    "[diff]\n\texternal = touch pwned-diff\n")
    reply = await c.type("git diff HEAD~1 HEAD", JS)
    assert not ws.lexists(f"{folder}/pwned-diff"), "the planted config ran a program"
    assert reply.exit_code != 0, reply.output  # not a repository here: HEAD~1 is unknown
    row = json_detail(c.audit.events(kind="console")[-1])
    assert row["command"] == "git diff" and row["exit_code"] != 0
