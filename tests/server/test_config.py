"""Configuration: defaults for every key, refusals that name file, key and reason."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from server.config import ConfigError, all_keys, load_config

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "slate.toml"
    path.write_text(text)
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config = load_config(None, data_dir=tmp_path)
    assert config.server.listen_host == "127.0.0.1"
    assert config.server.listen_port == 2222
    assert config.server.data_dir == tmp_path
    assert (config.sandbox.uid_base, config.sandbox.uid_count) == (3_000_000, 100_000)
    assert (config.sandbox.session_memory_mb, config.sandbox.session_pids) == (512, 128)
    assert config.limits.wall == 10.0 and config.limits.cpu == 5
    assert (config.limits.memory_mb, config.limits.pids, config.limits.fsize_mb) == (256, 64, 10)
    assert config.limits.output_kb == 1024
    assert config.session.idle_timeout == 1800 and config.session.idle_warning == 60
    assert (config.session.max_cols, config.session.max_rows) == (500, 200)
    assert config.session.no_session_timeout == 10
    assert config.auth.lockout_after == 10 and config.auth.lockout_seconds == 900
    assert config.auth.address_lockout_after == 30 and config.auth.backoff_base == 1.0
    assert (config.workspace.quota_mb, config.workspace.quota_files) == (50, 5000)
    assert config.source is None


def test_empty_file_is_all_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    config = load_config(path, data_dir=tmp_path)
    assert config == replace(load_config(None, data_dir=tmp_path), source=path)


def test_values_from_file_override_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[server]\nlisten_port = 0\ndata_dir = "rel/data"\n'
        "[limits]\nwall = 2\n[auth]\nbackoff_base = 0\n",
    )
    config = load_config(path)
    assert config.server.listen_port == 0
    assert config.server.data_dir == tmp_path / "rel" / "data"  # relative to the file
    assert config.limits.wall == 2.0 and isinstance(config.limits.wall, float)
    assert config.auth.backoff_base == 0.0
    assert config.session.idle_timeout == 1800


def test_data_dir_argument_wins_over_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\ndata_dir = "/somewhere/else"\n')
    assert load_config(path, data_dir=tmp_path / "x").server.data_dir == tmp_path / "x"
    assert load_config(path).server.data_dir == Path("/somewhere/else")


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ("[serverr]\nx = 1\n", "serverr", "unknown section"),
        ("[server]\nlisten_prot = 1\n", "server.listen_prot", "unknown key"),
        ("[server]\nlisten_port = 65536\n", "server.listen_port", "at most 65535"),
        ("[server]\nlisten_port = -1\n", "server.listen_port", "at least 0"),
        ('[server]\nlisten_port = "22"\n', "server.listen_port", "whole number"),
        ("[server]\nlisten_port = true\n", "server.listen_port", "whole number"),
        ("[server]\nlisten_port = 22.5\n", "server.listen_port", "whole number"),
        ('[server]\nlisten_host = ""\n', "server.listen_host", "non-empty"),
        ("[server]\ndata_dir = 5\n", "server.data_dir", "path"),
        ("[limits]\nwall = \"ten\"\n", "limits.wall", "number"),
        ("[limits]\nwall = nan\n", "limits.wall", "nan"),
        ("[limits]\nmemory_mb = 0\n", "limits.memory_mb", "at least 16"),
        ("[session]\nidle_timeout = 1\n", "session.idle_timeout", "at least 2"),
        ("[session]\nidle_timeout = 100\nidle_warning = 100\n", "session.idle_warning",
         "less than"),
        ("[sandbox]\nuid_base = 0\n", "sandbox.uid_base", "at least 1000"),
        ("[sandbox]\nuid_base = 2147000000\nuid_count = 16777216\n", "sandbox.uid_count",
         "largest usable uid"),
        ("server = 1\n", "server", "table"),
    ],
)
def test_bad_values_name_file_key_and_reason(
    tmp_path: Path, text: str, key: str, reason: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, data_dir=tmp_path)
    message = str(info.value)
    assert message.startswith(f"{path}: {key}: "), message
    assert reason in message


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.toml: cannot read: no such file"):
        load_config(tmp_path / "missing.toml")
    bad = write(tmp_path, "[server\n")
    with pytest.raises(ConfigError, match=r"slate\.toml: not valid TOML"):
        load_config(bad)


def test_every_key_is_documented_with_its_default() -> None:
    doc = (ROOT / "docs" / "config.md").read_text()
    sections = {m.group(1): m.start() for m in re.finditer(r"^## `\[(\w+)\]`", doc, re.M)}
    for section, key, default, _ in all_keys():
        assert section in sections, f"docs/config.md has no [{section}] section"
        start = sections[section]
        end = min([p for p in sections.values() if p > start], default=len(doc))
        body = doc[start:end]
        row = re.search(rf"^\| `{key}` \| ([^|]+) \|", body, re.M)
        assert row, f"docs/config.md does not document {section}.{key}"
        if section == "server" and key == "data_dir":
            continue
        shown = row.group(1).strip().strip("`")
        if isinstance(default, bool):  # as TOML writes it
            expected = "true" if default else "false"
        else:
            expected = f'"{default}"' if isinstance(default, str) else str(default)
        assert shown == expected, f"{section}.{key}: documented {shown}, default {expected}"
