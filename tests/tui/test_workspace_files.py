"""Saving and reading exercise files through jail.workspace: atomic, name-checked, never
through a link; its refusals arrive as FileProblem with a plain message."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui.workspace_files import FileProblem, read_text, workspace_root, write_atomic


def test_write_then_read_back_and_no_temp_file_left(tmp_path: Path) -> None:
    (tmp_path / "html" / "page").mkdir(parents=True)
    write_atomic(tmp_path, "html/page/index.html", "<h1>Hi</h1>\n")
    write_atomic(tmp_path, "html/page/index.html", "<h1>Hello</h1>\n")
    assert read_text(tmp_path, "html/page/index.html") == "<h1>Hello</h1>\n"
    assert os.listdir(tmp_path / "html" / "page") == ["index.html"]


def test_hardlinked_file_is_not_written(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("mine")
    os.link(tmp_path / "a.txt", tmp_path / "b.txt")
    with pytest.raises(FileProblem, match="hardlink"):
        write_atomic(tmp_path, "b.txt", "changed")
    assert (tmp_path / "a.txt").read_text() == "mine"


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/passwd", "a/../../b", "", "a//b"])
def test_bad_names_are_refused_plainly(tmp_path: Path, name: str) -> None:
    with pytest.raises(FileProblem, match="file name"):
        write_atomic(tmp_path, name, "x")
    with pytest.raises(FileProblem):
        read_text(tmp_path, name)


def test_links_are_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    work = tmp_path / "ws"
    (work / "c" / "e").mkdir(parents=True)
    (work / "c" / "e" / "link.txt").symlink_to(outside)
    (work / "c" / "dirlink").symlink_to(tmp_path)
    with pytest.raises(FileProblem):
        read_text(work, "c/e/link.txt")
    with pytest.raises(FileProblem, match="link"):
        write_atomic(work, "c/e/link.txt", "overwritten")
    with pytest.raises(FileProblem):
        write_atomic(work, "c/dirlink/outside.txt", "overwritten")
    assert outside.read_text() == "secret"


def test_fifo_is_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(FileProblem, match="pipe"):
        read_text(tmp_path, "pipe")


def test_missing_file_is_a_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(FileProblem, match="nope"):
        read_text(tmp_path, "nope/file.txt")


def test_workspace_root_defaults_to_slash_workspace() -> None:
    assert workspace_root({}) == Path("/workspace")
    assert workspace_root({"SLATE_WORKSPACE": "/tmp/w"}) == Path("/tmp/w")
