"""Slate's configuration: one TOML file over embedded defaults, checked completely at start.

Owns the ``Config`` dataclass tree and :func:`load_config`. Invariant kept: a server never starts
on a configuration it did not understand — every key has an embedded default, and an unknown
section or key, a value of the wrong type or out of range is refused with a :class:`ConfigError`
whose message names the file, the key and the reason (``"slate.toml: session.idle_timeout: must
be at least 2, got 1"``). Every key is documented in ``docs/config.md``; a test keeps the two in
step.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from jail.workspace import DEFAULT_QUOTA_BYTES, DEFAULT_QUOTA_FILES

DEFAULTS_LABEL = "<defaults>"
"""What error messages call the configuration when no file was given."""


class ConfigError(ValueError):
    """A configuration that cannot be used; the message is ``"file: key: reason"``."""


def _key(default: Any, *, low: float | None = None, high: float | None = None,
         doc: str = "") -> Any:
    """A configuration key: its default, its allowed range and a one-line description."""
    return field(default=default, metadata={"low": low, "high": high, "doc": doc})


def default_data_dir() -> Path:
    """Where Slate keeps its data when neither the config nor ``--data-dir`` says.

    ``/var/lib/slate`` when running as root and there is no ``./.slate`` in the current
    directory (a production install); otherwise ``./.slate`` (a demo or a developer checkout).
    """
    local = Path.cwd() / ".slate"
    if os.geteuid() == 0 and not local.exists():
        return Path("/var/lib/slate")
    return local


@dataclass(frozen=True)
class ServerSection:
    """``[server]``: where the gateway listens and where it keeps its data."""

    listen_host: str = _key("127.0.0.1", doc="Address to listen on.")
    listen_port: int = _key(2222, low=0, high=65535, doc="TCP port; 0 picks any free port.")
    data_dir: Path = _key(Path(".slate"), doc="Data directory (database, recordings, ...).")


@dataclass(frozen=True)
class SandboxSection:
    """``[sandbox]``: host uids for learners' sandboxes and the TUI session's own limits."""

    uid_base: int = _key(3_000_000, low=1000, high=2**31 - 1, doc="First host uid for learners.")
    uid_count: int = _key(100_000, low=1, high=2**24, doc="How many learner uids there are.")
    tmp_size_mb: int = _key(64, low=1, high=4096, doc="Size of each sandbox's tmpfs /tmp.")
    session_memory_mb: int = _key(512, low=256, high=65536, doc="Memory cap of a TUI session.")
    session_pids: int = _key(128, low=16, high=65536, doc="Process cap of a TUI session.")


@dataclass(frozen=True)
class LimitsSection:
    """``[limits]``: defaults for every Run and Check sandbox (exercises may override some)."""

    wall: float = _key(10.0, low=0.1, high=3600, doc="Wall-clock seconds.")
    cpu: int = _key(5, low=1, high=3600, doc="CPU seconds.")
    memory_mb: int = _key(256, low=16, high=65536, doc="Memory cap.")
    pids: int = _key(64, low=1, high=65536, doc="Process/thread cap.")
    fsize_mb: int = _key(10, low=1, high=65536, doc="Largest file a program may write.")
    output_kb: int = _key(1024, low=1, high=1024 * 1024, doc="Captured output cap.")


@dataclass(frozen=True)
class SessionSection:
    """``[session]``: timeouts and terminal limits of an SSH session."""

    idle_timeout: int = _key(1800, low=2, high=7 * 86400, doc="Seconds idle before logout.")
    idle_warning: int = _key(60, low=0, high=86400, doc="Warn this many seconds before.")
    max_cols: int = _key(500, low=80, high=10000, doc="Widest terminal accepted (clamped).")
    max_rows: int = _key(200, low=24, high=10000, doc="Tallest terminal accepted (clamped).")
    resize_per_second: int = _key(10, low=1, high=1000, doc="Resize events applied per second.")
    keepalive_interval: int = _key(30, low=0, high=3600, doc="Seconds between keepalives.")
    keepalive_count_max: int = _key(3, low=1, high=100, doc="Unanswered keepalives allowed.")
    no_session_timeout: int = _key(10, low=1, high=3600, doc="Close if no session opened.")
    monochrome: bool = _key(
        False, doc="Draw every session without colour (NO_COLOR), for monochrome terminals."
    )
    ascii_only: bool = _key(
        False, doc="Draw every session with ASCII only, for terminals whose font lacks lines."
    )


@dataclass(frozen=True)
class AuthSection:
    """``[auth]``: login timeouts, connection caps, back-off and lockout."""

    login_timeout: int = _key(30, low=1, high=3600, doc="Seconds to finish logging in.")
    max_unauth_per_address: int = _key(40, low=1, high=100000, doc="Pre-auth conns per address.")
    max_unauth_total: int = _key(200, low=1, high=1000000, doc="Pre-auth connections overall.")
    failures_before_backoff: int = _key(3, low=0, high=1000, doc="Failures before slowing.")
    backoff_base: float = _key(1.0, low=0.0, high=60.0, doc="First back-off delay (doubles).")
    lockout_after: int = _key(
        10, low=1, high=100000, doc="Failures of one name from one address that lock that pair."
    )
    lockout_seconds: int = _key(900, low=1, high=7 * 86400, doc="How long a lockout lasts.")
    address_lockout_after: int = _key(
        30, low=1, high=1000000, doc="Failures from one address before all its replies slow."
    )
    connection_rate: float = _key(
        5.0, low=0.01, high=100000.0, doc="New connections per second per address (sustained)."
    )
    connection_burst: int = _key(
        30, low=1, high=100000, doc="New connections one address may open at once."
    )


@dataclass(frozen=True)
class WorkspaceSection:
    """``[workspace]``: each learner's disk quota."""

    quota_mb: int = _key(
        DEFAULT_QUOTA_BYTES >> 20, low=1, high=1024 * 1024, doc="Bytes a workspace may hold (MB)."
    )
    quota_files: int = _key(
        DEFAULT_QUOTA_FILES, low=1, high=10_000_000, doc="Files a workspace may hold."
    )


@dataclass(frozen=True)
class AuditSection:
    """``[audit]``: signed checkpoints of the audit chain and the search index."""

    checkpoint_interval: int = _key(
        3600, low=0, high=7 * 86400, doc="Seconds between signed checkpoints (0: on demand only)."
    )
    index_interval: int = _key(
        15, low=0, high=86400, doc="Seconds between search-index passes (0: at session end only)."
    )
    compress_after_days: int = _key(
        30, low=0, high=36500, doc="Days after which recordings are compressed (0: never)."
    )


@dataclass(frozen=True)
class ClassroomSection:
    """``[classroom]``: when the instructor console shows a learner as stuck or idle."""

    stuck_failed_checks: int = _key(
        3, low=1, high=1000, doc="Failed Checks in a row on one exercise that mean stuck."
    )
    stuck_minutes: int = _key(
        20, low=1, high=1440, doc="Minutes on one exercise without passing that mean stuck."
    )
    idle_minutes: int = _key(
        5, low=1, high=1440, doc="Minutes without a key before a learner shows as idle."
    )


@dataclass(frozen=True)
class Config:
    """The whole configuration. ``source`` is the file it came from (None: defaults only)."""

    server: ServerSection = field(default_factory=ServerSection)
    sandbox: SandboxSection = field(default_factory=SandboxSection)
    limits: LimitsSection = field(default_factory=LimitsSection)
    session: SessionSection = field(default_factory=SessionSection)
    auth: AuthSection = field(default_factory=AuthSection)
    workspace: WorkspaceSection = field(default_factory=WorkspaceSection)
    audit: AuditSection = field(default_factory=AuditSection)
    classroom: ClassroomSection = field(default_factory=ClassroomSection)
    source: Path | None = None


SECTIONS: dict[str, type] = {
    "server": ServerSection,
    "sandbox": SandboxSection,
    "limits": LimitsSection,
    "session": SessionSection,
    "auth": AuthSection,
    "workspace": WorkspaceSection,
    "audit": AuditSection,
    "classroom": ClassroomSection,
}
"""Every section, by its TOML name."""


def all_keys() -> list[tuple[str, str, Any, str]]:
    """Every configuration key as ``(section, key, default, description)``, in file order."""
    out = []
    for section, cls in SECTIONS.items():
        for f in fields(cls):
            out.append((section, f.name, f.default, f.metadata["doc"]))
    return out


def _convert(label: str, key: str, f: Any, value: Any, base_dir: Path | None) -> Any:
    """Check one value against its field's type and range; return it in the field's type."""
    kind = type(f.default)

    def fail(reason: str) -> ConfigError:
        return ConfigError(f"{label}: {key}: {reason}")

    if kind is bool:
        if not isinstance(value, bool):
            raise fail(f"must be true or false, got {value!r}")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(f"must be a whole number, got {value!r}")
        out: Any = value
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail(f"must be a number, got {value!r}")
        out = float(value)
        if out != out:  # NaN
            raise fail("must be a number, got nan")
    elif issubclass(kind, Path):
        if not isinstance(value, str) or not value.strip():
            raise fail(f"must be a non-empty path string, got {value!r}")
        if "\0" in value:
            raise fail("must not contain a NUL character")
        path = Path(value).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        return path
    elif kind is str:
        if not isinstance(value, str) or not value.strip():
            raise fail(f"must be a non-empty string, got {value!r}")
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise fail("must not contain control characters")
        return value
    else:  # pragma: no cover - a new field type needs a branch here
        raise fail(f"unsupported type {kind.__name__}")
    low, high = f.metadata["low"], f.metadata["high"]
    if low is not None and out < low:
        raise fail(f"must be at least {_number(low)}, got {value!r}")
    if high is not None and out > high:
        raise fail(f"must be at most {_number(high)}, got {value!r}")
    return out


def _number(value: float) -> str:
    """A bound as a person would write it: ``60``, ``0.1``, ``2147483648``."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _check_together(label: str, config: Config) -> None:
    """Rules that involve more than one key."""
    if config.session.idle_warning >= config.session.idle_timeout:
        raise ConfigError(
            f"{label}: session.idle_warning: must be less than session.idle_timeout "
            f"({config.session.idle_timeout}), got {config.session.idle_warning}"
        )
    # Some tools treat uids as signed 32-bit numbers: keep the whole range below 2**31.
    top = config.sandbox.uid_base + config.sandbox.uid_count - 1
    if top >= 2**31:
        raise ConfigError(
            f"{label}: sandbox.uid_count: the range uid_base..uid_base+uid_count-1 ends at "
            f"{top}, past the largest usable uid {2**31 - 1}"
        )


def load_config(path: Path | None = None, data_dir: Path | None = None) -> Config:
    """Load the configuration: embedded defaults, then the TOML file (if any), then ``data_dir``.

    Args:
        path: a TOML file; ``None`` means defaults only. Relative paths inside the file
            (``server.data_dir``) are taken relative to the file's directory.
        data_dir: overrides ``server.data_dir`` (the CLI's ``--data-dir`` / ``SLATE_DATA_DIR``).
            With neither this nor a ``data_dir`` key, :func:`default_data_dir` decides.

    Returns:
        The checked configuration.

    Raises:
        ConfigError: the file cannot be read or parsed, has an unknown section or key, or a
            value of the wrong type or out of range. The message names file, key and reason.
    """
    label = str(path) if path is not None else DEFAULTS_LABEL
    raw: dict[str, Any] = {}
    base_dir: Path | None = None
    if path is not None:
        path = Path(path)
        base_dir = path.resolve().parent
        try:
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise ConfigError(f"{label}: cannot read: no such file") from None
        except IsADirectoryError:
            raise ConfigError(f"{label}: cannot read: it is a directory") from None
        except PermissionError:
            raise ConfigError(f"{label}: cannot read: permission denied") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{label}: cannot read: not UTF-8 text") from None
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{label}: not valid TOML: {exc}") from None

    sections: dict[str, Any] = {}
    for name, body in raw.items():
        cls = SECTIONS.get(name)
        if cls is None:
            known = ", ".join(f"[{s}]" for s in SECTIONS)
            raise ConfigError(f"{label}: {name}: unknown section (known: {known})")
        if not isinstance(body, dict):
            raise ConfigError(f"{label}: {name}: must be a [{name}] table")
        by_name = {f.name: f for f in fields(cls)}
        values = {}
        for key, value in body.items():
            f = by_name.get(key)
            if f is None:
                known = ", ".join(by_name)
                raise ConfigError(f"{label}: {name}.{key}: unknown key (known: {known})")
            values[key] = _convert(label, f"{name}.{key}", f, value, base_dir)
        sections[name] = cls(**values)

    config = Config(**sections, source=path)
    server = config.server
    if data_dir is not None:
        server = replace(server, data_dir=Path(data_dir).expanduser().absolute())
    elif "data_dir" not in raw.get("server", {}):
        server = replace(server, data_dir=default_data_dir().absolute())
    config = replace(config, server=server)
    _check_together(label, config)
    return config
