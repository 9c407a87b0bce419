"""Forged verdicts through the real SSH path (THREAT-MODEL §6 "Forged verdicts", invariant 3): a
learner at a real OpenSSH client types a program that makes node's own test runner produce the
child->runner frames and TAP of a full pass, writes them into every file descriptor and every
/proc parent it can reach, and exits 0 — then presses Check. The server runs the course's tests
in a harness sandbox the program cannot reach, so the check fails, the learner is told, the
server audits the failed check and records no pass."""

from __future__ import annotations

import sqlite3
import time

from server.store import Store

from .conftest import Server, Terminal, signed_in, ssh_argv

F3, F6 = "\x1b[13~", "\x1b[17~"
CTRL_K, DELETE = "\x0b", "\x1b[3~"

# One line, as typed into the editor. The test names are the course's own (the 6-times-7 one is
# split so the program's source does not pass the "works it out" test by accident).
FORGER = (
    "const cp=require('child_process'),fs=require('fs');"
    "const N=['the program prints three lines',\"the first line is 'Hello, Slate!'\","
    "'the second line is the answer to 6 '+'* 7',\"the third line is 'I am learning JavaScript'\"];"
    "fs.writeFileSync('/tmp/f.test.js',\"const t=require('node:test');for(const n of \""
    '+JSON.stringify(N)+")t(n,()=>{});");'
    "const v8=cp.spawnSync(process.execPath,['/tmp/f.test.js'],"
    "{env:{...process.env,NODE_TEST_CONTEXT:'child-v8'}}).stdout;"
    "const tap=cp.spawnSync(process.execPath,['--test-reporter=tap','/tmp/f.test.js']).stdout;"
    "for(const d of [v8,tap]){for(const p of ['/proc/self/fd/1','/proc/self/fd/2',"
    "'/proc/'+process.ppid+'/fd/1','/proc/'+process.ppid+'/fd/2','/proc/1/fd/1']){"
    "try{fs.appendFileSync(p,d)}catch(e){}}for(let i=0;i<64;i++){try{fs.writeSync(i,d)}catch(e){}}}"
    "process.exit(0);"
)


def test_sec_forged_runner_frames_fail_the_check_over_ssh(
    server: Server, terminals: list[Terminal]
) -> None:
    name, password = server.add_user("learner")
    store = Store(server.data_dir / "slate.db")
    store.touch_exercise(name, "javascript", "values-and-console-log")  # "C" continues here
    term = Terminal(ssh_argv(server, name, password, "-tt"), 160, 40)
    terminals.append(term)
    term.wait_for(signed_in(name), timeout=30)
    term.wait_for("Choose an exercise|continue", timeout=20)
    term.send("c")
    term.wait_for(r"hello\.js", timeout=20)

    term.send(F3)
    time.sleep(0.5)
    term.send((CTRL_K + DELETE) * 12)
    time.sleep(0.3)
    term.send(FORGER)
    saved = server.data_dir / "workspaces" / name / "javascript" / "values-and-console-log"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # autosave
        text = (saved / "hello.js").read_text() if (saved / "hello.js").exists() else ""
        if "process.exit(0);" in text:
            break
        time.sleep(0.2)
    assert (saved / "hello.js").read_text().strip() == FORGER  # typed as written

    term.send(F6)
    term.wait_for(r"FAIL", timeout=60)
    check = server.wait_audit(
        "check", timeout=60, actor=name, exercise="values-and-console-log", status="failed"
    )
    assert check["detail"]["status"] == "failed"
    assert not server.audit_rows("check") or all(
        row["detail"].get("status") != "passed"
        for row in server.audit_rows("check")
        if row.get("actor") == name
    )
    db = sqlite3.connect(server.data_dir / "slate.db")
    try:
        state = db.execute(
            "SELECT p.state FROM progress p JOIN accounts a ON a.id = p.account_id"
            " WHERE a.name = ? AND p.course = 'javascript'"
            " AND p.exercise = 'values-and-console-log'",
            (name,),
        ).fetchone()
    finally:
        db.close()
    assert state != ("passed",)
