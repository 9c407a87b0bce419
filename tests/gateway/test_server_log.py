"""What the server writes about ordinary refusals: no ERROR or traceback for a refused exec or
a session without a pty (they never had a session row), and the env variables every stock
OpenSSH client sends are one audit row per session with all of them in it (issue 13.4)."""

from __future__ import annotations

from .conftest import Server, Terminal, run_ssh, signed_in, ssh_argv


def test_refused_exec_and_no_pty_sessions_log_no_error(server: Server) -> None:
    name, password = server.add_user("learner")
    assert run_ssh(server, name, password, command=["cat", "/etc/passwd"]).returncode != 0
    assert run_ssh(server, name, password, "-T").returncode != 0
    server.wait_audit("request_denied", actor=name, request="shell-without-pty")
    server.wait_audit("session_end", actor=name)
    log = server.log_path.read_text()
    assert "Traceback" not in log and " ERROR " not in log, log[-2000:]


def test_env_requests_are_one_audit_row_per_session_with_every_variable(
    server: Server, terminals: list[Terminal]
) -> None:
    name, password = server.add_user("learner")
    argv = ssh_argv(
        server, name, password, "-tt",
        "-o", "SendEnv=LANG", "-o", "SetEnv=LD_PRELOAD=/tmp/evil.so SLATE_ROLE=admin",
    )  # fmt: skip
    term = Terminal(argv, env={"LANG": "C.UTF-8"})
    terminals.append(term)
    term.wait_for(signed_in(name), timeout=30)
    row = server.wait_audit("request_denied", actor=name, request="env")
    assert row["detail"]["count"] == 3
    for evidence in ("LANG=C.UTF-8", "LD_PRELOAD=/tmp/evil.so", "SLATE_ROLE=admin"):
        assert evidence in row["detail"]["detail"]
    term.send("\x11")
    term.wait_exit(20)
    server.wait_audit("session_end", actor=name)
    env_rows = [r for r in server.audit_rows("request_denied")
                if r["actor"] == name and r["detail"].get("request") == "env"]
    assert len(env_rows) == 1
