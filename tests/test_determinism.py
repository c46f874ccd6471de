"""The same scheme and data give byte-identical JSON on every run, whatever the hash seed or
locale; and the CLI keeps results on stdout, errors on stderr."""
from __future__ import annotations

import os
import subprocess

from test_cli import KPI


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([KPI, *args], capture_output=True, env={"PATH": os.environ["PATH"], **env})


def test_json_is_byte_identical_across_hash_seeds_and_locales():
    outputs = {run("score", "--format", "json", PYTHONHASHSEED=seed, LC_ALL=locale).stdout
               for seed, locale in (("0", "C"), ("1", "C.UTF-8"), ("12345", "POSIX"), ("random", "C"))}
    assert len(outputs) == 1 and outputs.pop().startswith(b"{")


def test_json_output_is_pure_json_even_with_warnings(tmp_path):
    import json

    from conftest import UNITS, build

    values = {(u, "测", f): v for u, _ in UNITS for f, v in (("任务", "20"), ("实际", "5"))}
    path = build(tmp_path, "板块 总 2分 { 指标 测 2分 { 每少 10人 扣 1分 } }\n", values)
    done = run("score", str(path), "--format", "json")
    assert done.returncode == 0
    json.loads(done.stdout)
    assert b"W201" in done.stderr


def test_keyboard_interrupt_exits_quietly(monkeypatch, capsys):
    from kpidsl import cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_run", interrupted)
    assert cli.main(["score"]) == 130
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
