"""The ``slate`` command: serve, demo, accounts, the audit trail, a health check, courses.

Owns the command-line surface. Invariants kept: every account change made here writes an audit
event (actor ``os:<user running the command>``) in the same chain the server writes, so the CLI is
safe to use while the server runs (both go through :class:`~server.store.Store`'s
``BEGIN IMMEDIATE`` writes); passwords are generated with :mod:`secrets`, shown once and stored
only as argon2id hashes; a person's mistake (bad config, unknown user, bad name) prints one plain
line to stderr and exits non-zero — never a traceback; anything read from the store is sanitised
before it reaches the terminal (invariant 6).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import getpass
import hashlib
import json
import logging
import os
import secrets
import shutil
import sqlite3
import stat
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NoReturn

import click

from jail.reach import other_can
from server.audit import AuditLog, sanitize, verify
from server.config import Config, ConfigError, default_data_dir, load_config
from server.store import ROLES, Store, StoreError, valid_name

DB_NAME = "slate.db"
DEMO_ACCOUNTS = (("ada", "learner"), ("grace", "learner"), ("mary", "instructor"),
                 ("alan", "auditor"))
"""The demo's accounts: two learners, an instructor and an auditor."""

# Passwords people type on thin terminals: no look-alikes (0/o, 1/l/i), lower case, in groups.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class SlateError(click.ClickException):
    """A problem the person can fix: shown as one ``slate: …`` line on stderr, exit status 1."""

    def show(self, file: Any = None) -> None:
        del file  # click's signature; a problem always goes to stderr
        click.echo(f"slate: {sanitize(self.message, 2000)}", err=True)


def fail(message: str) -> NoReturn:
    """Stop the command with a plain one-line message."""
    raise SlateError(message)


class SlateGroup(click.Group):
    """A click group that turns expected errors into one plain line instead of a traceback."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Like click's, but a usage mistake is one ``slate: …`` line too (exit status 2)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "slate"
            click.echo(f"slate: {sanitize(exc.format_message(), 500)} (see '{where} --help')",
                       err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except (click.exceptions.Abort, KeyboardInterrupt, EOFError):
            click.echo("slate: stopped", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ConfigError, StoreError, ValueError) as exc:
            raise SlateError(str(exc)) from None
        except sqlite3.OperationalError as exc:
            raise SlateError(f"the database could not be used: {exc}") from None
        except PermissionError as exc:
            raise SlateError(f"permission denied: {exc.filename or exc}") from None


@dataclass
class CliState:
    """What the global options decided."""

    data_dir_option: Path | None

    @property
    def data_dir(self) -> Path:
        """The data dir: ``--data-dir`` / ``SLATE_DATA_DIR``, else the default."""
        return (self.data_dir_option or default_data_dir()).absolute()

    def db_path(self, *, create: bool = False) -> Path:
        """The database path; unless ``create``, it must already exist."""
        path = self.data_dir / DB_NAME
        if not create and not path.exists():
            fail(
                f"no Slate database at {path} (create accounts first with 'slate user add', "
                "or pick the data dir with --data-dir)"
            )
        if create:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        return path

    @contextlib.contextmanager
    def store(self, *, create: bool = False) -> Iterator[tuple[Store, AuditLog]]:
        """Open the store (and its audit log) for one command."""
        store = Store(self.db_path(create=create))
        try:
            yield store, AuditLog(store)
        finally:
            store.close()


def os_actor() -> str:
    """The audit actor for CLI changes: ``os:<login name>``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = str(os.getuid())
    return f"os:{name}"


def _actor_detail() -> dict[str, Any]:
    sudo = os.environ.get("SUDO_USER")
    return {"via": "cli", **({"sudo_user": sanitize(sudo, 64)} if sudo else {})}


def generate_password(groups: int = 3, size: int = 4) -> str:
    """A random password easy to read and type: ``k7mp-w3xa-9dfe`` (about 59 bits)."""
    return "-".join(
        "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(size)) for _ in range(groups)
    )


def _read_password_stdin() -> str:
    """The first line of stdin, without its line ending."""
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        fail("no password on stdin (expected one line)")
    return password


@click.group(cls=SlateGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="SLATE_DATA_DIR",
    default=None,
    help="Data directory (default: /var/lib/slate as root without ./.slate, else ./.slate).",
)
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None) -> None:
    """Slate: a terminal classroom served over SSH."""
    ctx.obj = CliState(data_dir)


def _state(ctx: click.Context) -> CliState:
    state = ctx.find_object(CliState)
    assert state is not None
    return state


def _setup_logging(default: str = "INFO") -> None:
    logging.basicConfig(
        level=os.environ.get("SLATE_LOG_LEVEL", default).upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _run_server(config: Config, ready: Callable[[str, int], None] | None = None) -> None:
    from server import gateway  # asyncssh is heavy: only the commands that serve import it

    try:
        if ready is None:
            asyncio.run(gateway.serve(config))
        else:
            asyncio.run(gateway.serve(config, ready=ready))
    except KeyboardInterrupt:
        pass
    except SystemExit as exc:  # the gateway refusing to start, with its reason as text
        if isinstance(exc.code, str):
            fail(exc.code.removeprefix("slate: "))
        raise
    except OSError as exc:
        fail(
            f"cannot listen on {config.server.listen_host}:{config.server.listen_port}: "
            f"{exc.strerror or exc}"
        )


# -- serve / demo -------------------------------------------------------------------------------


@main.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="SLATE_CONFIG",
    default=None,
    help="TOML configuration file (see docs/config.md).",
)
@click.pass_context
def serve(ctx: click.Context, config_path: Path | None) -> None:
    """Run the classroom server until SIGTERM or Ctrl-C."""
    state = _state(ctx)
    config = load_config(config_path, data_dir=state.data_dir_option)
    _setup_logging()
    _run_server(config)


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=2222, show_default=True,
              help="Port to listen on (on 127.0.0.1); 0 picks a free one.")
@click.pass_context
def demo(ctx: click.Context, port: int) -> None:
    """A demo classroom on 127.0.0.1: demo accounts with one-time passwords, then serve."""
    state = _state(ctx)
    data_dir = (state.data_dir_option or Path.cwd() / ".slate").absolute()
    data_dir.mkdir(parents=True, exist_ok=True)
    config = load_config(None, data_dir=data_dir)
    config = replace(
        config, server=replace(config.server, listen_host="127.0.0.1", listen_port=port)
    )
    passwords: dict[str, str] = {}
    with CliState(data_dir).store(create=True) as (store, audit):
        for name, role in DEMO_ACCOUNTS:
            password = generate_password()
            existing = store.get_account(name)
            if existing is None:
                store.add_account(name, role, password)
                audit.append("user_add", actor=os_actor(), name=name, role=role,
                             **{**_actor_detail(), "via": "demo"})
            else:
                store.set_password(name, password)
                if existing.role != role:
                    store.set_role(name, role)
                    audit.append("user_set_role", actor=os_actor(), name=name,
                                 old_role=existing.role, role=role,
                                 **{**_actor_detail(), "via": "demo"})
                if existing.disabled:
                    store.set_disabled(name, False)
                    audit.append("user_enable", actor=os_actor(), name=name,
                                 **{**_actor_detail(), "via": "demo"})
                audit.append("user_passwd", actor=os_actor(), name=name,
                             **{**_actor_detail(), "via": "demo"})
            passwords[name] = password
    uid_mode = (
        "per-learner host uids" if os.geteuid() == 0
        else "one shared uid for every learner (not running as root: demo only)"
    )

    def ready(host: str, actual_port: int) -> None:
        lines = [
            f"slate: listening on {host}:{actual_port}",
            "",
            f"Slate demo classroom — data in {data_dir}",
            f"Sandboxes: {uid_mode}.",
        ]
        lines += [
            "One-time passwords (not stored; new ones are made each time the demo starts):",
            "",
        ]
        for name, role in DEMO_ACCOUNTS:
            lines.append(
                f"  {role:<10} {name:<6} password {passwords[name]}   "
                f"ssh -p {actual_port} {name}@127.0.0.1"
            )
        lines += [
            "",
            "Press Ctrl-C to stop. Only warnings are logged here "
            "(SLATE_LOG_LEVEL=INFO shows every login).",
        ]
        shown.append("\n".join(line for line in lines if line.startswith("  ")))
        click.echo("\n".join(lines))
        sys.stdout.flush()

    # The one-time passwords must not scroll away under per-login lines: the demo's console
    # logs warnings only, and the table is shown again when the demo stops.
    shown: list[str] = []
    _setup_logging(default="WARNING")
    _run_server(config, ready=ready)
    if shown:
        click.echo("\nThe demo has stopped. Its accounts were:\n" + shown[0])


# -- accounts -----------------------------------------------------------------------------------


@main.group(cls=SlateGroup)
def user() -> None:
    """Manage accounts (safe while the server runs)."""


def _show_password(name: str, password: str) -> None:
    click.echo(f"Password for {name}: {password}")
    click.echo("It is shown only this once: write it down or hand it over now.")


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="The account's role.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (one line).")
@click.option("--cohort", default=None, help="A group label (class, wing).")
@click.pass_context
def user_add(ctx: click.Context, name: str, role: str, password_stdin: bool,
             cohort: str | None) -> None:
    """Create account NAME. A password is generated and shown once unless --password-stdin."""
    password = _read_password_stdin() if password_stdin else generate_password()
    with _state(ctx).store(create=True) as (store, audit):
        account = store.add_account(name, role, password, cohort=cohort)
        audit.append("user_add", actor=os_actor(), name=name, role=role, cohort=cohort,
                     uid_offset=account.uid_offset, **_actor_detail())
    click.echo(f"Created {role} {name}.")
    if not password_stdin:
        _show_password(name, password)


@user.command("list")
@click.option("--role", type=click.Choice(ROLES), default=None, help="Only this role.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def user_list(ctx: click.Context, role: str | None, as_json: bool) -> None:
    """List accounts."""
    with _state(ctx).store() as (store, _audit):
        accounts = store.list_accounts(role)
        keys = {a.name: len(store.public_keys(a.name)) for a in accounts}
    if as_json:
        rows = [
            {"name": a.name, "role": a.role, "disabled": a.disabled, "cohort": a.cohort,
             "uid_offset": a.uid_offset, "keys": keys[a.name], "created": a.created}
            for a in accounts
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    if not accounts:
        click.echo("No accounts yet. Add one with: slate user add NAME --role learner")
        return
    header = f"{'NAME':<32} {'ROLE':<10} {'STATUS':<8} {'COHORT':<16} {'UID+':>6} {'KEYS':>4}"
    click.echo(header)
    for a in accounts:
        status = "disabled" if a.disabled else "active"
        cohort = sanitize(a.cohort or "-", 16)
        click.echo(
            f"{a.name:<32} {a.role:<10} {status:<8} {cohort:<16} {a.uid_offset:>6} "
            f"{keys[a.name]:>4}"
        )


@user.command("disable")
@click.argument("name")
@click.pass_context
def user_disable(ctx: click.Context, name: str) -> None:
    """Disable account NAME (it can no longer log in)."""
    with _state(ctx).store() as (store, audit):
        store.set_disabled(name, True)
        audit.append("user_disable", actor=os_actor(), name=name, **_actor_detail())
    click.echo(f"Disabled {name}. A session already open continues until it ends.")


@user.command("enable")
@click.argument("name")
@click.pass_context
def user_enable(ctx: click.Context, name: str) -> None:
    """Enable account NAME again."""
    with _state(ctx).store() as (store, audit):
        store.set_disabled(name, False)
        audit.append("user_enable", actor=os_actor(), name=name, **_actor_detail())
    click.echo(f"Enabled {name}.")


@user.command("unlock")
@click.argument("name")
@click.pass_context
def user_unlock(ctx: click.Context, name: str) -> None:
    """Lift the login locks on NAME and forget its failed attempts (takes effect at once)."""
    if not valid_name(name):
        fail(f"{sanitize(name, 64)!r} is not a valid account name")
    with _state(ctx).store() as (store, audit):
        removed = store.unlock_logins(name)
        now = time.time()
        locked = [address for address, _, until in removed if until > now]
        audit.append("user_unlock", actor=os_actor(), name=name, locked_addresses=locked,
                     failures=sum(f for _, f, _ in removed), **_actor_detail())
    if locked:
        click.echo(f"Unlocked {name} (was locked from {', '.join(locked)}).")
    elif removed:
        click.echo(f"{name} was not locked; forgot {sum(f for _, f, _ in removed)} failed "
                   "login(s).")
    else:
        click.echo(f"{name} was not locked.")


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (one line).")
@click.pass_context
def user_passwd(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Set a new password for NAME (generated and shown once unless --password-stdin)."""
    with _state(ctx).store() as (store, audit):
        store.require_account(name)
        password = _read_password_stdin() if password_stdin else generate_password()
        store.set_password(name, password)
        audit.append("user_passwd", actor=os_actor(), name=name, **_actor_detail())
    click.echo(f"Changed the password of {name}.")
    if not password_stdin:
        _show_password(name, password)


@user.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@click.pass_context
def user_set_role(ctx: click.Context, name: str, role: str) -> None:
    """Change the role of NAME (takes effect at the next login)."""
    with _state(ctx).store() as (store, audit):
        old = store.require_account(name).role
        store.set_role(name, role)
        audit.append("user_set_role", actor=os_actor(), name=name, old_role=old, role=role,
                     **_actor_detail())
    click.echo(f"{name} is now {role} (was {old}).")


@user.command("add-key")
@click.argument("name")
@click.argument("keyfile", type=click.File("r", encoding="utf-8", errors="replace"))
@click.pass_context
def user_add_key(ctx: click.Context, name: str, keyfile: Any) -> None:
    """Authorise the OpenSSH public key(s) in KEYFILE ('-' for stdin) for NAME."""
    text = keyfile.read(65536)
    lines = [x for x in text.splitlines() if x.strip() and not x.lstrip().startswith("#")]
    if not lines:
        fail(f"{keyfile.name}: no public key found")
    with _state(ctx).store() as (store, audit):
        store.require_account(name)
        for line in lines:
            stored = store.add_public_key(name, line)
            kind, blob = stored.split()[:2]
            fingerprint = _fingerprint(blob)
            audit.append("user_add_key", actor=os_actor(), name=name, key_type=kind,
                         fingerprint=fingerprint, **_actor_detail())
            click.echo(f"Added {kind} key {fingerprint} for {name}.")


def _fingerprint(blob: str) -> str:
    """The OpenSSH-style SHA256 fingerprint of a base64 key blob."""
    digest = hashlib.sha256(base64.b64decode(blob)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


# -- audit --------------------------------------------------------------------------------------


@main.group(cls=SlateGroup)
def audit() -> None:
    """Check and read the audit trail."""


@audit.command("verify")
@click.option("--key", "key_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A checkpoint public key (PEM from 'slate audit key'): also prove the chain "
                   "against the signed checkpoints.")
@click.option("--checkpoint", "kept_path", type=click.Path(path_type=Path, dir_okay=False,
              exists=True), default=None,
              help="A checkpoints file you kept (lines of audit-checkpoints.jsonl): the chain "
                   "must still hold each row it signed.")
@click.argument("export_dir", required=False,
                type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.pass_context
def audit_verify(ctx: click.Context, key_path: Path | None, kept_path: Path | None,
                 export_dir: Path | None) -> None:
    """Check the audit hash chain and every closed recording's digest (exit 1 on a problem).

    With EXPORT_DIR (a folder written by 'slate audit export') and --key, check that export
    offline: no data dir is needed, only its files and the public key.
    """
    from server import checkpoint as cpmod

    kept: list[Any] = []
    if kept_path is not None:
        if key_path is None:
            fail("--checkpoint needs the public key that signed it: --key PUBLIC_KEY")
        kept, bad = cpmod.read_checkpoints(kept_path)
        if bad or not kept:
            fail(f"{kept_path}: not a checkpoints file ({bad[0] if bad else 'empty'})")
    if export_dir is not None:
        if key_path is None:
            fail("verifying an export needs the public key: --key PUBLIC_KEY")
        from server.audit_export import verify_export

        exported = verify_export(export_dir, cpmod.load_public_key(key_path), kept)
        _report_signed(ctx, exported, f"export {export_dir}")
        return
    state = _state(ctx)
    with state.store() as (store, _log):
        report = verify(store, state.data_dir / "recordings")
        chain: Any = None
        if key_path is not None:
            chain = cpmod.verify_local(store, state.data_dir, cpmod.load_public_key(key_path),
                                       kept)
    if report.ok and (chain is None or chain.ok):
        click.echo(
            f"audit: OK — {report.rows_checked} rows in an unbroken chain, "
            f"{report.recordings_checked} recordings match their digests"
        )
        if chain is not None:
            _report_signed(ctx, chain, "data dir")
        return
    problems = report.problems + (chain.problems if chain is not None else [])
    click.echo(f"slate: audit verify FAILED: {problems[0]}", err=True)
    for problem in problems[1:]:
        click.echo(f"  also: {problem}", err=True)
    click.echo(
        f"({report.rows_checked} rows and {report.recordings_checked} recordings checked)",
        err=True,
    )
    ctx.exit(1)


def _report_signed(ctx: click.Context, chain: Any, what: str) -> None:
    """Print what a signed-checkpoint verification proved, or its problems (exit 1)."""
    if chain.ok:
        unsigned = chain.last_id - chain.proven_to
        click.echo(
            f"audit: signed OK ({what}) — rows {chain.first_id}-{chain.proven_to} proven by "
            f"{chain.checkpoints} checkpoint(s)"
            + (f"; {chain.recordings} recordings, {chain.files} files checked"
               if chain.files else "")
            + (f"; {unsigned} newer rows not yet signed" if unsigned > 0 else "")
        )
        return
    click.echo(f"slate: audit verify FAILED ({what}): {chain.problems[0]}", err=True)
    for problem in chain.problems[1:]:
        click.echo(f"  also: {problem}", err=True)
    ctx.exit(1)


@audit.command("checkpoint")
@click.pass_context
def audit_checkpoint(ctx: click.Context) -> None:
    """Sign the audit chain's newest row now (Ed25519, the data dir's checkpoint key)."""
    from server import checkpoint as cpmod

    state = _state(ctx)
    with state.store() as (store, log):
        cp = cpmod.make_checkpoint(store, log, state.data_dir, actor=os_actor(),
                                   reason="on demand")
    if cp is None:
        fail("the audit log is empty: nothing to sign yet")
    _private, public = cpmod.key_paths(state.data_dir)
    click.echo(f"checkpoint: row {cp.id} signed at {cp.ts} with key {cp.key_id}")
    click.echo(f"public key: {public} (copy it off this machine to verify elsewhere)")


@audit.command("key")
@click.pass_context
def audit_key(ctx: click.Context) -> None:
    """Print the checkpoint public key (PEM), creating the key pair on first use."""
    from server import checkpoint as cpmod

    key = cpmod.load_or_create_key(_state(ctx).data_dir)
    click.echo(cpmod.public_pem(key.public_key()).decode("ascii"), nl=False)


@audit.command("export")
@click.option("--session", "session_id", default=None, help="Export this session.")
@click.option("--user", "user_name", default=None, help="Export this user's sessions and events.")
@click.option("--from", "start", default=None, help="With --user: from this time (ISO, UTC).")
@click.option("--to", "end", default=None, help="With --user: up to this time (ISO, UTC).")
@click.option("--out", "out_dir", required=True,
              type=click.Path(path_type=Path, file_okay=False),
              help="A new (or empty) folder to write the export into.")
@click.pass_context
def audit_export(ctx: click.Context, session_id: str | None, user_name: str | None,
                 start: str | None, end: str | None, out_dir: Path) -> None:
    """Write a case file: recordings, events (JSON Lines, CSV), a signed manifest."""
    from server.audit_export import ExportQuery, export

    if (session_id is None) == (user_name is None):
        fail("give exactly one of --session ID or --user NAME")
    if session_id is not None and (start or end):
        fail("--from/--to go with --user")
    state = _state(ctx)
    query = ExportQuery(session=session_id, user=user_name, start=_iso(start), end=_iso(end))
    with state.store() as (store, log):
        result = export(store, log, state.data_dir, out_dir, query, actor=os_actor())
    click.echo(
        f"export: {len(result.sessions)} session(s), {result.events} events, "
        f"{result.chain_rows} chain rows up to checkpoint row {result.checkpoint_id} "
        f"-> {result.folder}"
    )


@audit.command("index")
@click.pass_context
def audit_index(ctx: click.Context) -> None:
    """Bring the search index up to date now (recordings are parsed in a sandbox)."""
    from server.audit_search import SearchIndex, index_pass, index_path

    state = _state(ctx)
    with state.store() as (store, _log):
        index = SearchIndex(index_path(state.data_dir))
        try:
            stats = asyncio.run(index_pass(store, state.data_dir, index, until_done=True))
        finally:
            index.close()
    click.echo(f"index: {stats.bytes} recording bytes from {stats.sessions} session slice(s) -> "
               f"{stats.items} text items; {stats.events} audit events")
    for problem in stats.failed:
        click.echo(f"  not indexed: {sanitize(problem, 300)}", err=True)


@audit.command("compress")
@click.option("--days", type=click.IntRange(0, 36500), default=None,
              help="Compress recordings of sessions that ended this many days ago "
                   "(default: audit.compress_after_days, 30).")
@click.pass_context
def audit_compress(ctx: click.Context, days: int | None) -> None:
    """Compress old recordings with zstd (still replayable, searchable, verifiable)."""
    from server.audit_retention import compress_old

    state = _state(ctx)
    if days is None:
        days = load_config(None, state.data_dir).audit.compress_after_days
    with state.store() as (store, log):
        stats = compress_old(store, log, state.data_dir, days, actor=os_actor())
    saved = stats.bytes_before - stats.bytes_after
    click.echo(f"compress: {stats.compressed} recording(s), {stats.bytes_before} -> "
               f"{stats.bytes_after} bytes ({saved} saved)")
    for problem in stats.problems:
        click.echo(f"  not compressed: {sanitize(problem, 300)}", err=True)
    if stats.problems:
        ctx.exit(1)


@audit.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--user", "user_name", default=None, help="Only this user's sessions and events.")
@click.option("-n", "limit", type=click.IntRange(1, 500), default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per result.")
@click.pass_context
def audit_search(ctx: click.Context, query: tuple[str, ...], user_name: str | None, limit: int,
                 as_json: bool) -> None:
    """Find sessions where words were typed or shown, and audit events that mention them."""
    from server.audit_search import SearchIndex, index_path

    state = _state(ctx)
    text = " ".join(query)
    with state.store() as (_store, log):
        index = SearchIndex(index_path(state.data_dir))
        try:
            hits = index.search(text, limit=limit, user=user_name)
        finally:
            index.close()
        log.append("audit_search", actor=os_actor(), query=text, user=user_name,
                   results=len(hits), **_actor_detail())
    for hit in hits:
        if as_json:
            click.echo(json.dumps(hit.to_dict()))
            continue
        where = f"session={sanitize(hit.session, 40)}" if hit.session else "no session"
        at = f"+{_clock(hit.t)}" if hit.t is not None else ""
        click.echo(f"{hit.ts} {where}{at} {hit.user or '-'} {hit.kind}: {hit.snippet}")
    if not hits and not as_json:
        click.echo("no matches", err=True)


def _clock(seconds: float | None) -> str:
    total = int(seconds or 0)
    return f"{total // 3600}:{total // 60 % 60:02d}:{total % 60:02d}"


def _iso(value: str | None) -> str | None:
    """A time given on the command line as the store's ISO UTC text (``2026-11-30`` works)."""
    if value is None:
        return None
    from datetime import UTC, datetime

    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        fail(f"not a time: {sanitize(value, 60)} (use ISO, e.g. 2026-11-30T14:00)")
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="microseconds")


@audit.command("tail")
@click.option("-n", "count", type=click.IntRange(0, 1_000_000), default=20, show_default=True,
              help="How many of the newest events to show.")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new events as they arrive.")
@click.option("--kind", default=None, help="Only events of this kind.")
@click.option("--actor", default=None, help="Only events by this actor (e.g. an auditor).")
@click.pass_context
def audit_tail(ctx: click.Context, count: int, follow: bool, kind: str | None,
               actor: str | None) -> None:
    """Show the newest audit events, one sanitised line each."""
    with _state(ctx).store() as (_store, log):
        events = log.events(last=count, kind=kind, actor=actor) if count else []
        for event in events:
            click.echo(event.line())
        if not follow:
            return
        last = events[-1].id if events else _last_id(log)
        try:
            while True:
                new = log.events(after=last, kind=kind, actor=actor)
                for event in new:
                    click.echo(event.line())
                    last = event.id
                sys.stdout.flush()
                time.sleep(0.5)  # polling: SQLite has no change notification across processes
        except KeyboardInterrupt:
            return


def _last_id(log: AuditLog) -> int:
    rows = log.store.query("SELECT COALESCE(MAX(id), 0) FROM audit_events")
    return int(rows[0][0])


# -- doctor -------------------------------------------------------------------------------------


@dataclass
class Finding:
    """One doctor line."""

    status: str  # "ok" | "warn" | "FAIL"
    name: str
    detail: str


def _doctor_findings(config: Config) -> list[Finding]:
    out: list[Finding] = []
    root = os.geteuid() == 0

    # bubblewrap
    try:
        from jail.sandbox import bwrap_path

        bwrap = bwrap_path()
    except (ImportError, FileNotFoundError) as exc:
        bwrap = ""
        out.append(Finding("FAIL", "bubblewrap", str(exc)))
    if bwrap:
        from jail.profiles import PROBE, sandbox_spec
        from jail.sandbox import bwrap_argv

        out.append(Finding("ok", "bubblewrap", bwrap))
        # The very command line the product uses (as root: no user namespace, setpriv inside).
        argv = bwrap_argv(sandbox_spec(PROBE, ["/bin/true"]))
        out.append(_try_run("bwrap runs", argv))
        if root:
            uid = config.sandbox.uid_base
            user_argv = bwrap_argv(sandbox_spec(PROBE, ["/bin/true"], host_uid=uid))
            out.append(_try_run(f"bwrap runs as sandbox uid {uid}", user_argv))

    # cgroups
    try:
        from jail import cgroup

        ver = cgroup.version()
        if ver is None:
            out.append(Finding("warn", "cgroups", "no memory+pids controllers: rlimits only"))
        else:
            group = cgroup.Cgroup.create(f"doctor-{os.getpid()}", 64 << 20, 16)
            if group is None:
                out.append(Finding("warn", "cgroups",
                                   f"v{ver} present but not writable here: rlimits only"))
            else:
                group.remove()
                out.append(Finding("ok", "cgroups", f"v{ver}: memory and pids limits work"))
    except Exception as exc:  # the health check reports, it does not crash
        out.append(Finding("FAIL", "cgroups", f"{type(exc).__name__}: {exc}"))

    # uid mode
    cfg = config.sandbox
    if root:
        out.append(Finding("ok", "uid mode", f"per-learner host uids {cfg.uid_base}.."
                           f"{cfg.uid_base + cfg.uid_count - 1}"))
    else:
        out.append(Finding("warn", "uid mode", f"shared: every learner's sandbox runs as uid "
                           f"{os.getuid()} (not root; fine for a demo, not for a classroom)"))

    # interpreter, venv and our packages readable by sandbox uids
    exe = Path(os.path.realpath(sys.executable))
    # Each is checked from the folder a sandbox binds downwards (bwrap mounts it as root, or as
    # the demo's own user, so the host folders above it need not be reachable).
    venv = Path(sys.prefix)
    packages = Path(__file__).resolve().parent.parent / "tui"
    targets: list[tuple[str, Path, bool, bool, Path]] = [
        ("interpreter", exe, True, True, Path("/usr")),
        ("venv", venv, True, True, venv),
        ("stdlib", Path(sysconfig.get_paths()["stdlib"]), True, True, Path("/usr")),
        ("site-packages", Path(sysconfig.get_paths()["purelib"]), True, True, venv),
        ("slate packages", packages, True, True, packages),
    ]
    for label, path, need_read, need_exec, bound in targets:
        problem = other_can(path, need_read=need_read, need_exec=need_exec, within=bound)
        if problem is None:
            out.append(Finding("ok", f"{label} readable by sandbox uids", str(path)))
        else:
            out.append(Finding("FAIL", f"{label} readable by sandbox uids", problem))


    # node
    node = shutil.which("node")
    if node is None:
        out.append(Finding("FAIL", "node", "not found on PATH (JavaScript checks need it)"))
    else:
        try:
            version = subprocess.run([node, "--version"], capture_output=True, text=True,
                                     timeout=10).stdout.strip()
            major = int(version.lstrip("v").split(".")[0])
            status = "ok" if major >= 18 else "FAIL"
            out.append(Finding(status, "node", f"{node} {version}"
                               + ("" if major >= 18 else " (need 18 or newer)")))
        except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
            out.append(Finding("FAIL", "node", f"{node} does not run: {exc}"))

    # host key
    key = config.server.data_dir / "host_keys" / "ssh_host_ed25519_key"
    try:
        st = key.lstat()
    except FileNotFoundError:
        out.append(Finding("ok", "host key", f"{key} not generated yet (made on first start)"))
    else:
        mode = stat.S_IMODE(st.st_mode)
        if not stat.S_ISREG(st.st_mode):
            out.append(Finding("FAIL", "host key", f"{key} is not a regular file"))
        elif mode & 0o077:
            out.append(Finding("FAIL", "host key", f"{key} has mode {mode:04o}; must be 0600"))
        elif st.st_uid != os.geteuid():
            out.append(Finding("FAIL", "host key", f"{key} is owned by uid {st.st_uid}, not "
                               f"{os.geteuid()}"))
        else:
            out.append(Finding("ok", "host key", f"{key} mode {mode:04o}"))

    out.extend(_jail_doctor())
    return out


def _jail_doctor() -> list[Finding]:
    """Findings from ``jail.doctor`` when the jail package provides it."""
    try:
        from jail import doctor as jail_doctor
    except ImportError:
        return []
    checks = getattr(jail_doctor, "checks", None)
    if not callable(checks):
        return []
    found: list[Finding] = []
    try:
        for item in checks():
            status, name, detail = _finding_fields(item)
            found.append(Finding(status, f"jail: {name}", detail))
    except Exception as exc:  # a broken probe is a finding, not a crash
        found.append(Finding("FAIL", "jail checks", f"{type(exc).__name__}: {exc}"))
    return found


def _finding_fields(item: Any) -> tuple[str, str, str]:
    """Accept jail.doctor's (name, ok, detail) tuples, or objects with ok/status, name, detail."""
    if isinstance(item, tuple) and len(item) == 3:
        name, ok, detail = item
    else:
        ok = getattr(item, "ok", getattr(item, "status", None))
        name, detail = getattr(item, "name", "?"), getattr(item, "detail", "")
    if isinstance(ok, str):
        status = {"ok": "ok", "warn": "warn"}.get(ok.lower(), "FAIL")
    else:
        status = "ok" if ok else "FAIL"
    return status, str(name), str(detail)


def _try_run(name: str, argv: list[str], uid: int | None = None) -> Finding:
    kwargs: dict[str, Any] = {}
    if uid is not None:
        kwargs = {"user": uid, "group": uid, "extra_groups": []}
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=20,
                              stdin=subprocess.DEVNULL, **kwargs)
    except (OSError, subprocess.SubprocessError) as exc:
        return Finding("FAIL", name, str(exc))
    if proc.returncode != 0:
        err = sanitize(proc.stderr.strip() or f"exit status {proc.returncode}", 300)
        return Finding("FAIL", name, err)
    return Finding("ok", name, "sandbox started and exited cleanly")


@main.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              envvar="SLATE_CONFIG", default=None, help="Also check this configuration file.")
@click.pass_context
def doctor(ctx: click.Context, config_path: Path | None) -> None:
    """Check that this machine can run a classroom safely (exit 1 if something fails)."""
    config = load_config(config_path, data_dir=_state(ctx).data_dir_option)
    if config_path is not None:
        click.echo(f"ok    config: {config_path}")
    findings = _doctor_findings(config)
    for f in findings:
        click.echo(f"{f.status:<5} {f.name}: {f.detail}")
    failed = [f for f in findings if f.status == "FAIL"]
    if failed:
        click.echo(f"slate: doctor found {len(failed)} problem(s)", err=True)
        ctx.exit(1)


# -- courses ------------------------------------------------------------------------------------


@main.group(cls=SlateGroup)
def course() -> None:
    """Check and list the course catalog."""


@course.command("check")
@click.argument("path", type=click.Path(path_type=Path, exists=True), required=False)
@click.option(
    "--min-cases", type=click.IntRange(0), default=0, show_default=True,
    help="Also require at least this many alternatives and this many mistakes per exercise.",
)
@click.pass_context
def course_check(ctx: click.Context, path: Path | None, min_cases: int) -> None:
    """Validate the catalog (or one course/exercise at PATH): solutions pass, starters fail,
    alternatives pass, mistakes fail where they say, no message shows a tool's internals."""
    try:
        from courses.validate import main_check
    except ImportError as exc:
        fail(f"course checking is not available in this build ({exc})")
    ctx.exit(int(main_check(path, min_cases=min_cases)))


@course.command("try")
@click.argument("exercise")
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def course_try(ctx: click.Context, exercise: str, folder: Path, as_json: bool) -> None:
    """Run EXERCISE's checks (COURSE/EXERCISE or its folder) on FOLDER, as a learner's Check.

    Exit status: 0 passed, 1 failed, 2 the checks could not run.
    """
    from courses.validate import main_try

    ctx.exit(int(main_try(exercise, folder, as_json=as_json)))


@course.command("list")
@click.argument("path", type=click.Path(path_type=Path, exists=True, file_okay=False),
                required=False)
def course_list(path: Path | None) -> None:
    """List the courses and their exercises, in programme order."""
    from courses.catalog import CourseError, load_catalog

    try:
        catalog = load_catalog(path)
    except CourseError as exc:
        for problem in exc.problems:
            click.echo(f"slate: {sanitize(problem, 500)}", err=True)
        raise SystemExit(1) from None
    for c in catalog.courses:
        click.echo(f"{c.stage}.{c.order:<3} {sanitize(c.id, 40):<14} {sanitize(c.title, 60)} "
                   f"({len(c.exercises)} exercises)")
        for ex in c.exercises:
            click.echo(f"        {sanitize(ex.id, 40):<28} {sanitize(ex.title, 60)}")
        if c.milestone is not None:
            click.echo(f"        milestone: {sanitize(c.milestone, 80)} (instructors sign off)")


# -- progress -----------------------------------------------------------------------------------


@main.group(cls=SlateGroup)
def progress() -> None:
    """Learners' progress, for the programme office."""


@progress.command("export")
@click.option("--csv", "as_csv", is_flag=True, default=True, show_default=True,
              help="CSV, one row per learner and exercise started (the only format).")
@click.option("--cohort", default=None, help="Only the learners of this cohort.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file (mode 0600) instead of standard output.")
@click.pass_context
def progress_export(ctx: click.Context, as_csv: bool, cohort: str | None,
                    output: Path | None) -> None:
    """Export every learner's progress as CSV (the instructor console's Export does the same,
    writing the file on the server). Text is sanitised and spreadsheet formulas are defused."""
    del as_csv  # CSV is the only format; the flag says so on the command line
    from server.staff_desk import progress_csv

    titles: dict[tuple[str, str], str] = {}
    catalog = None
    with contextlib.suppress(Exception):  # titles are a courtesy: ids are enough
        from courses.catalog import load_catalog

        catalog = load_catalog(strict=False)
        titles = {(ex.course_id, ex.id): ex.title for ex in catalog.exercises()}
    with _state(ctx).store() as (store, audit):
        milestones: dict[tuple[str, str], list[str]] = {}
        if catalog is not None:
            from server.milestones import export_columns

            milestones = export_columns(store, catalog)
        text, rows = progress_csv(store, titles, cohort, milestones)
        audit.append("progress_export", actor=os_actor(), cohort=cohort, rows=rows,
                     path=str(output) if output else "-", **_actor_detail())
    if output is None:
        click.echo(text, nl=False)
        return
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    click.echo(f"slate: {rows} rows written to {sanitize(str(output), 300)}", err=True)
