"""The text the Git panel shows for an operation's result (pure: no pygit2, no files)."""

from __future__ import annotations

from typing import Any


def render(op: str, result: dict[str, Any]) -> str:
    """The text the Git panel shows for a result: the message plus the details, like git."""
    lines = [str(result.get("message", ""))]
    if op == "status":
        lines[0:0] = [f"On branch {result.get('branch') or '(no branch)'}", ""]
        groups: dict[str, list[str]] = {"staged": [], "unstaged": [], "untracked": [],
                                        "conflicted": []}
        for entry in result.get("files", []):
            if entry.get("conflicted"):
                groups["conflicted"].append(f"  both changed: {entry['path']}")
                continue
            if entry.get("staged"):
                groups["staged"].append(f"  {entry['staged']}: {entry['path']}")
            if entry.get("unstaged") == "untracked":
                groups["untracked"].append(f"  {entry['path']}")
            elif entry.get("unstaged"):
                groups["unstaged"].append(f"  {entry['unstaged']}: {entry['path']}")
        titles = {
            "conflicted": "In conflict (fix, then stage and commit):",
            "staged": "Staged (will go into the next commit):",
            "unstaged": "Changed but not staged yet:",
            "untracked": "New files Git is not tracking yet:",
        }
        for key in ("conflicted", "staged", "unstaged", "untracked"):
            if groups[key]:
                lines += ["", titles[key], *groups[key]]
    elif op == "log":
        for commit in result.get("commits", []):
            merge = "  (merge)" if len(commit.get("parents", [])) > 1 else ""
            lines.append(f"{commit['short']}  {commit['summary']}  - {commit['author']}{merge}")
    elif op in ("branches", "branch") and "branches" in result:
        for name in result["branches"]:
            lines.append(("* " if name == result.get("current") else "  ") + name)
    elif op == "diff" and result.get("diff"):
        lines += ["", str(result["diff"])]
    return "\n".join(lines).strip("\n")
