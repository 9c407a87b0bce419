"""Keys typed at once after logging in, before the app has started, reach the app in order:
the gateway keeps them until the app runs (they were dropped), and the pty neither echoes them
itself nor turns Ctrl+C into a signal that kills the starting app."""

from __future__ import annotations

import asyncio

import asyncssh

from .conftest import reachable_dir, start_server, stop_server


class Screen(asyncssh.SSHClientSession):
    def __init__(self) -> None:
        self.data = b""

    def data_received(self, data: bytes, datatype: object) -> None:
        self.data += data


async def test_keys_typed_before_the_app_runs_reach_it_once_and_in_order() -> None:
    srv = start_server(reachable_dir(), env={"SLATE_BENCH_APP": "raw-echo"})
    try:
        name, password = srv.add_user("learner")
        async with asyncssh.connect(
            srv.host, srv.port, username=name, password=password, known_hosts=None,
            client_keys=None, encoding=None,
        ) as conn:
            chan, screen = await conn.create_session(
                Screen, term_type="xterm", term_size=(80, 24)
            )
            chan.write(b"early\x03keys\x1a!")  # at once: the app is still starting
            banner = f"raw-echo {name}".encode()
            for _ in range(300):
                if banner in screen.data and b"!" in screen.data.split(banner, 1)[1]:
                    break
                await asyncio.sleep(0.05)
            before, _, after = screen.data.partition(banner)
            assert banner in screen.data, screen.data[-500:]
            assert after.strip(b"\r\n") == b"early\x03keys\x1a!"  # the app got every key
            assert b"early" not in before  # the pty did not echo them on its own
            chan.write(b"\x11")  # Ctrl+Q ends raw-echo
        audit = srv.audit_rows("input_dropped")
        assert audit == []
    finally:
        stop_server(srv)
