"""Fixtures for the store, audit and CLI tests: a real SQLite store in a temporary data dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from server.audit import AuditLog
from server.store import Store

# argon2id with small parameters: the same algorithm and code path, a fraction of the time.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def hasher() -> PasswordHasher:
    return FAST_HASHER


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    s = Store(data_dir / "slate.db", hasher=FAST_HASHER)
    yield s
    s.close()


@pytest.fixture
def audit(store: Store) -> AuditLog:
    return AuditLog(store)
