"""The ``slate`` CLI, through click's CliRunner and as a real subprocess."""

from __future__ import annotations

import getpass
import re
import shutil
import subprocess
import sys
import tempfile
import types
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from jail.reach import other_can
from server import cli
from server.audit import AuditLog
from server.config import Config, default_data_dir
from server.store import Store

ROOT = Path(__file__).resolve().parents[2]
SLATE = Path(sys.executable).parent / "slate"
PASSWORD_RE = re.compile(r"Password for (\S+): (\S+)")
ACTOR = f"os:{getpass.getuser()}"


def slate(data_dir: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli.main, ["--data-dir", str(data_dir), *args], input=input)


def events(data_dir: Path, kind: str | None = None) -> list[Any]:
    store = Store(data_dir / "slate.db")
    try:
        return AuditLog(store).events(kind=kind)
    finally:
        store.close()


def assert_plain_error(result: Result, *needles: str) -> None:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("slate: "), result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_user_add_generates_a_password_shown_once(data_dir: Path) -> None:
    result = slate(data_dir, "user", "add", "ada", "--role", "learner", "--cohort", "wing-a")
    assert result.exit_code == 0, result.output
    name, password = PASSWORD_RE.search(result.stdout).groups()  # type: ignore[union-attr]
    assert name == "ada" and len(password) >= 12
    with Store(data_dir / "slate.db") as store:
        account = store.verify_password("ada", password)
        assert account is not None and account.cohort == "wing-a"
    (event,) = events(data_dir, "user_add")
    assert event.actor == ACTOR and event.detail["name"] == "ada"
    assert event.detail["role"] == "learner" and event.detail["via"] == "cli"
    assert password not in repr(events(data_dir))  # never in the audit trail


def test_user_add_password_stdin(data_dir: Path) -> None:
    result = slate(data_dir, "user", "add", "mary", "--role", "instructor", "--password-stdin",
                   input="tea and biscuits\n")
    assert result.exit_code == 0 and "Password for" not in result.stdout
    with Store(data_dir / "slate.db") as store:
        assert store.verify_password("mary", "tea and biscuits") is not None
    empty = slate(data_dir, "user", "add", "x", "--role", "learner", "--password-stdin", input="")
    assert_plain_error(empty, "no password on stdin")


def test_account_changes_are_audited_and_take_effect(data_dir: Path) -> None:
    slate(data_dir, "user", "add", "ada", "--role", "learner", "--password-stdin", input="pw1\n")
    assert slate(data_dir, "user", "disable", "ada").exit_code == 0
    with Store(data_dir / "slate.db") as store:
        assert store.verify_password("ada", "pw1") is None
    assert slate(data_dir, "user", "enable", "ada").exit_code == 0
    result = slate(data_dir, "user", "passwd", "ada")
    assert result.exit_code == 0
    new = PASSWORD_RE.search(result.stdout).group(2)  # type: ignore[union-attr]
    assert slate(data_dir, "user", "set-role", "ada", "auditor").exit_code == 0
    with Store(data_dir / "slate.db") as store:
        assert store.verify_password("ada", "pw1") is None
        account = store.verify_password("ada", new)
        assert account is not None and account.role == "auditor"
    kinds = [e.kind for e in events(data_dir)]
    assert kinds == ["user_add", "user_disable", "user_enable", "user_passwd", "user_set_role"]
    assert all(e.actor == ACTOR and e.detail["name"] == "ada" for e in events(data_dir))
    assert events(data_dir, "user_set_role")[0].detail["old_role"] == "learner"


def test_user_add_key(data_dir: Path, tmp_path: Path) -> None:
    key = tmp_path / "id.pub"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ada@lab", "-f",
                    str(tmp_path / "id")], check=True)
    slate(data_dir, "user", "add", "ada", "--role", "learner")
    result = slate(data_dir, "user", "add-key", "ada", str(key))
    assert result.exit_code == 0 and "SHA256:" in result.stdout
    fingerprint = subprocess.run(["ssh-keygen", "-lf", str(key)], capture_output=True,
                                 text=True, check=True).stdout.split()[1]
    assert fingerprint in result.stdout
    with Store(data_dir / "slate.db") as store:
        assert store.public_keys("ada") == [key.read_text().strip()]
    assert events(data_dir, "user_add_key")[0].detail["fingerprint"] == fingerprint
    assert_plain_error(slate(data_dir, "user", "add-key", "ada", str(key)), "already authorised")
    assert_plain_error(slate(data_dir, "user", "add-key", "ada", str(tmp_path / "id")),
                       "not an OpenSSH public key")


def test_user_list(data_dir: Path) -> None:
    slate(data_dir, "user", "add", "grace", "--role", "learner")
    slate(data_dir, "user", "add", "ada", "--role", "learner")
    slate(data_dir, "user", "disable", "grace")
    result = slate(data_dir, "user", "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["NAME", "ROLE", "STATUS"]
    assert lines[1].split()[:3] == ["ada", "learner", "active"]
    assert lines[2].split()[:3] == ["grace", "learner", "disabled"]
    as_json = slate(data_dir, "user", "list", "--json")
    assert '"name": "ada"' in as_json.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["user", "add", "Ada Lovelace", "--role", "learner"], "account name may use only"),
        (["user", "add", "a" * 40, "--role", "learner"], "at most 32 characters"),
        (["user", "disable", "nobody"], "no account named 'nobody'"),
        (["user", "passwd", "nobody"], "no account named 'nobody'"),
        (["user", "set-role", "nobody", "admin"], "no account named 'nobody'"),
        (["user", "add", "ada", "--role", "learner", "--cohort", "wing a;drop"], "cohort"),
    ],
)
def test_user_mistakes_are_one_plain_line(data_dir: Path, args: list[str], needle: str) -> None:
    slate(data_dir, "user", "add", "seed", "--role", "learner")
    assert_plain_error(slate(data_dir, *args), needle)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["user", "add", "ada", "--role", "warden"], "'warden' is not one of"),
        (["user", "add"], "Missing argument 'NAME'"),
        (["user", "frobnicate"], "No such command 'frobnicate'"),
        (["user", "add-key", "ada", "/nonexistent.pub"], "/nonexistent.pub"),
        (["demo", "--port", "70000"], "70000 is not in the range"),
    ],
)
def test_usage_mistakes_are_one_plain_line(data_dir: Path, args: list[str], needle: str) -> None:
    result = slate(data_dir, *args)
    assert result.exit_code == 2
    assert_plain_error(result, needle, "--help")


def test_help_and_exit_codes(data_dir: Path) -> None:
    help_ = slate(data_dir, "--help")
    assert help_.exit_code == 0 and "user" in help_.stdout and "audit" in help_.stdout
    assert slate(data_dir, "user", "--help").exit_code == 0


def test_commands_on_a_missing_database_say_so(tmp_path: Path) -> None:
    assert_plain_error(slate(tmp_path / "none", "user", "list"), "no Slate database")
    assert_plain_error(slate(tmp_path / "none", "audit", "verify"), "no Slate database")


def test_audit_verify_and_tail(data_dir: Path) -> None:
    slate(data_dir, "user", "add", "ada", "--role", "learner")
    slate(data_dir, "user", "disable", "ada")
    ok = slate(data_dir, "audit", "verify")
    assert ok.exit_code == 0 and "OK" in ok.stdout and "2 rows" in ok.stdout
    tail = slate(data_dir, "audit", "tail", "-n", "1")
    assert tail.exit_code == 0
    (line,) = tail.stdout.splitlines()
    assert "user_disable" in line and ACTOR in line
    import sqlite3

    db = sqlite3.connect(data_dir / "slate.db")
    db.execute("""UPDATE audit_events SET detail = '{"name":"eve"}' WHERE id = 1""")
    db.commit()
    db.close()
    bad = slate(data_dir, "audit", "verify")
    assert bad.exit_code == 1
    assert bad.stderr.startswith("slate: audit verify FAILED: audit row 1 (user_add)")


def test_audit_tail_neutralises_hostile_text(data_dir: Path) -> None:
    with Store(data_dir / "slate.db") as store:
        AuditLog(store).append("login_failed", address="10.0.0.66",
                               name="root\x1b]52;c;cm0gLXJmIH4=\x07\nFAKE login_ok", reason="x")
    result = slate(data_dir, "audit", "tail")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert len(result.stdout.strip().splitlines()) == 1
    assert "\\x1b]52;c;" in result.stdout and "\\nFAKE" in result.stdout


def test_serve_with_bad_config_is_one_plain_line(tmp_path: Path) -> None:
    config = tmp_path / "slate.toml"
    config.write_text("[session]\nidle_timeout = 'soon'\n")
    result = slate(tmp_path / "d", "serve", "--config", str(config))
    assert_plain_error(result, str(config), "session.idle_timeout", "whole number")


def test_serve_hands_the_config_to_the_gateway(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from server import gateway

    seen: list[Config] = []

    async def fake_serve(config: Config, **kwargs: Any) -> None:
        seen.append(config)

    monkeypatch.setattr(gateway, "serve", fake_serve)
    config = tmp_path / "slate.toml"
    config.write_text("[server]\nlisten_port = 0\n[auth]\nlockout_after = 4\n")
    result = slate(tmp_path / "d", "serve", "--config", str(config))
    assert result.exit_code == 0, result.output
    (got,) = seen
    assert got.server.listen_port == 0 and got.auth.lockout_after == 4
    assert got.server.data_dir == (tmp_path / "d").absolute()  # --data-dir wins


def test_demo_creates_accounts_prints_ssh_lines_and_rotates_passwords(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server import gateway

    seen: list[Config] = []

    async def fake_serve(config: Config, *, ready: Any = None, **kwargs: Any) -> None:
        seen.append(config)
        ready("127.0.0.1", 4321)

    monkeypatch.setattr(gateway, "serve", fake_serve)
    monkeypatch.chdir(tmp_path)
    first = CliRunner().invoke(cli.main, ["demo", "--port", "4321"])
    assert first.exit_code == 0, first.output
    assert seen[0].server.listen_host == "127.0.0.1" and seen[0].server.listen_port == 4321
    assert seen[0].server.data_dir == tmp_path / ".slate"
    lines = {m.group(1): m.group(0) for m in re.finditer(r"(\w+)@127\.0\.0\.1", first.stdout)}
    assert set(lines) == {"ada", "grace", "mary", "alan"}
    for name in lines:
        assert f"ssh -p 4321 {name}@127.0.0.1" in first.stdout
    # A data dir under pytest's 0700 tmp dir is fine: sandboxes bind it as root.
    assert "WARNING" not in first.stdout
    passwords = dict(re.findall(r" (\w+)\s+password (\S+)", first.stdout))
    with Store(tmp_path / ".slate" / "slate.db") as store:
        roles = {a.name: a.role for a in store.list_accounts()}
        assert roles == {"ada": "learner", "grace": "learner", "mary": "instructor",
                         "alan": "auditor"}
        assert store.verify_password("ada", passwords["ada"]) is not None

    second = CliRunner().invoke(cli.main, ["demo"])
    assert second.exit_code == 0, second.output
    again = dict(re.findall(r" (\w+)\s+password (\S+)", second.stdout))
    assert set(again) == set(passwords) and again["ada"] != passwords["ada"]
    with Store(tmp_path / ".slate" / "slate.db") as store:
        assert store.verify_password("ada", passwords["ada"]) is None
        assert store.verify_password("ada", again["ada"]) is not None


def test_data_dir_from_environment(data_dir: Path) -> None:
    result = CliRunner().invoke(cli.main, ["user", "add", "ada", "--role", "learner"],
                                env={"SLATE_DATA_DIR": str(data_dir)})
    assert result.exit_code == 0
    assert (data_dir / "slate.db").exists()


def test_default_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("os.geteuid", lambda: 0)
    assert default_data_dir() == Path("/var/lib/slate")
    (tmp_path / ".slate").mkdir()
    assert default_data_dir() == tmp_path / ".slate"
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    (tmp_path / ".slate").rmdir()
    assert default_data_dir() == tmp_path / ".slate"


def test_doctor_runs_real_checks(data_dir: Path) -> None:
    result = slate(data_dir, "doctor")
    names = [line[6:].split(":")[0] for line in result.stdout.splitlines()]
    for expected in ("bubblewrap", "bwrap runs", "cgroups", "uid mode", "node", "host key",
                     "interpreter readable by sandbox uids"):
        assert expected in names, result.stdout
    # pytest's tmp dirs are 0700, and that no longer matters: bwrap binds them as root.
    assert "workspaces reachable" not in result.stdout
    key = data_dir / "host_keys" / "ssh_host_ed25519_key"
    key.parent.mkdir()
    key.write_text("not really a key")
    key.chmod(0o644)
    bad = slate(data_dir, "doctor")
    assert bad.exit_code == 1
    assert "FAIL  host key:" in bad.stdout and "must be 0600" in bad.stdout


def test_other_can_names_the_blocking_directory() -> None:
    base = Path(tempfile.mkdtemp(prefix="slate-doctor-", dir="/tmp"))
    base.chmod(0o755)  # pytest's own tmp dirs are 0700: start from a reachable place
    private = base / "home"
    (private / "venv").mkdir(parents=True)
    (private / "venv" / "python").write_text("")
    private.chmod(0o700)
    (private / "venv" / "python").chmod(0o755)
    problem = other_can(private / "venv" / "python", need_read=True, need_exec=True)
    assert problem is not None and str(private) in problem and "not searchable" in problem
    private.chmod(0o755)
    assert other_can(private / "venv" / "python", need_read=True, need_exec=True) is None
    shutil.rmtree(base)


def test_course_commands_delegate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[Any] = []
    fake = types.ModuleType("courses.validate")
    fake.main_check = (  # type: ignore[attr-defined]
        lambda path, min_cases=0: calls.append((path, min_cases)) or 3
    )
    monkeypatch.setitem(sys.modules, "courses.validate", fake)
    result = CliRunner().invoke(cli.main, ["course", "check", str(tmp_path)])
    assert result.exit_code == 3 and calls == [(tmp_path, 0)]
    result = CliRunner().invoke(cli.main, ["course", "check", "--min-cases", "3", str(tmp_path)])
    assert result.exit_code == 3 and calls[-1] == (tmp_path, 3)
    result = CliRunner().invoke(cli.main, ["course", "check", "--min-cases", "-1"])
    assert result.exit_code == 2 and "-1" in result.output

    import courses.catalog

    exercise = types.SimpleNamespace(id="first-page", title="Your first web page")
    course = types.SimpleNamespace(id="html", title="HTML", stage=1, order=1, milestone=None,
                                   exercises=[exercise])
    monkeypatch.setattr(courses.catalog, "load_catalog",
                        lambda path=None: types.SimpleNamespace(courses=[course]))
    listing = CliRunner().invoke(cli.main, ["course", "list"])
    assert listing.exit_code == 0, listing.output
    assert "html" in listing.stdout and "first-page" in listing.stdout

    def broken(path: Any = None) -> Any:
        raise courses.catalog.CourseError(["a/course.toml: id: bad\x1b[31m", "b: second"])

    monkeypatch.setattr(courses.catalog, "load_catalog", broken)
    failed = CliRunner().invoke(cli.main, ["course", "list"])
    assert failed.exit_code == 1
    assert failed.stderr.splitlines() == ["slate: a/course.toml: id: bad\\x1b[31m",
                                          "slate: b: second"]


def test_real_subprocess_user_add_list_disable_verify(data_dir: Path) -> None:
    """The installed console script, end to end, as an operator would run it."""

    def run(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(SLATE), "--data-dir", str(data_dir), *args], input=input,
                              capture_output=True, text=True, timeout=60, cwd=ROOT)

    added = run("user", "add", "ada", "--role", "learner", "--password-stdin", input="pw\n")
    assert added.returncode == 0, added.stderr
    listed = run("user", "list")
    assert listed.returncode == 0 and re.search(r"^ada\s+learner\s+active", listed.stdout, re.M)
    disabled = run("user", "disable", "ada")
    assert disabled.returncode == 0
    assert re.search(r"^ada\s+learner\s+disabled", run("user", "list").stdout, re.M)
    verified = run("audit", "verify")
    assert verified.returncode == 0 and "2 rows" in verified.stdout
    unknown = run("user", "enable", "nobody")
    assert unknown.returncode == 1
    assert unknown.stderr == "slate: no account named 'nobody'\n"


def test_audit_tail_follow_prints_new_events(data_dir: Path) -> None:
    slate(data_dir, "user", "add", "ada", "--role", "learner")
    proc = subprocess.Popen(
        [str(SLATE), "--data-dir", str(data_dir), "audit", "tail", "-n", "1", "--follow"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        assert "user_add" in proc.stdout.readline()  # the newest existing event first
        slate(data_dir, "user", "disable", "ada")  # another process appends ...
        line = proc.stdout.readline()  # ... and the follower prints it (blocks until then)
        assert "user_disable" in line and "name=ada" in line
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_on_a_busy_port_is_one_plain_line() -> None:
    import socket

    # The gateway refuses a data dir that learner uids cannot reach (pytest's tmp is 0700).
    tmp_path = Path(tempfile.mkdtemp(prefix="slate-serve-", dir="/tmp"))
    tmp_path.chmod(0o755)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        config = tmp_path / "slate.toml"
        config.write_text(f"[server]\nlisten_port = {port}\n")
        result = slate(tmp_path / "d", "serve", "--config", str(config))
    shutil.rmtree(tmp_path)
    assert_plain_error(result, f"cannot listen on 127.0.0.1:{port}")


def test_gateway_refusal_is_one_plain_line(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from server import gateway

    async def refusing(config: Config, **kwargs: Any) -> None:
        raise SystemExit("slate: learners' sandboxes could not reach the data dir")

    monkeypatch.setattr(gateway, "serve", refusing)
    result = slate(tmp_path / "d", "serve")
    assert_plain_error(result, "could not reach the data dir")
    assert "slate: slate:" not in result.stderr


def test_other_can_checks_only_from_the_bound_folder(tmp_path: Path) -> None:

    hidden = tmp_path / "private"
    bound = hidden / "venv"
    (bound / "bin").mkdir(parents=True)
    (bound / "bin" / "python").write_text("")
    (bound / "bin" / "python").chmod(0o755)
    bound.chmod(0o755)
    (bound / "bin").chmod(0o755)
    hidden.chmod(0o700)
    target = bound / "bin" / "python"
    assert other_can(target, need_read=True, need_exec=True) is not None  # the whole path
    assert other_can(target, need_read=True, need_exec=True, within=bound) is None
    (bound / "bin").chmod(0o700)  # inside the bind: it does matter
    assert other_can(target, need_read=True, need_exec=True, within=bound) is not None
