"""The auditor's desk: what an auditor's TUI may ask the server for, and the audit housekeeping.

Owns the auditor/admin control-channel handlers (session list, recording bytes, events, search,
export — read only; deny by default: no other role gets them) and :func:`audit_housekeeping`, the
background task that signs checkpoints and keeps the search index current. Invariants kept:
**records (5)** — every replay, search, export and live watch is itself an audit event; and
**untrusted bytes parsed only in sandboxes (9)** — the broker reads recording bytes and sends them
as they are; the auditor's sandboxed TUI emulates them, and indexing runs in a parser sandbox.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from server.audit import AuditLog
from server.config import Config
from server.store import Store

log = logging.getLogger("slate.audit_desk")


async def audit_housekeeping(
    config: Config, store: Store, audit: AuditLog, stop: asyncio.Event
) -> None:
    """Run beside the gateway until ``stop``: scheduled checkpoints (and the search index)."""
    from server.audit_search import index_schedule
    from server.checkpoint import checkpoint_schedule

    data_dir = Path(config.server.data_dir)
    tasks = []
    if config.audit.checkpoint_interval > 0:
        tasks.append(checkpoint_schedule(store, audit, data_dir,
                                         config.audit.checkpoint_interval, stop))
    tasks.append(index_schedule(store, data_dir, config.audit.index_interval, stop))
    if tasks:
        await asyncio.gather(*tasks)
