"""A command imports only what it uses: `kpi explain` on a small scheme, parsed before, reads
its figures with the full reader and lays out the explanation without rich Tables (a structural
check of the cold start, not a timing)."""
import json
import subprocess
import sys

NOT_FOR_A_SMALL_EXPLAIN = ["pyarrow", "openpyxl", "lark", "kpidsl.parser", "rich.table", "hypothesis", "pygls", "lsprotocol",
                           "kpidsl.lsp", "kpidsl.sheets"]

PROBE = """
import contextlib, io, json, sys
from kpidsl.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main(sys.argv[1:])
print(json.dumps(sorted(sys.modules)))
"""


def imported(cwd, *argv: str) -> set[str]:
    # Run away from the checkout: `python -c` puts the working folder first on sys.path, and the
    # checkout's kpidsl/ is not the installed package (the bundled schemes are added to the wheel).
    run = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True, cwd=cwd)
    return set(json.loads(run.stdout))


def test_explain_imports_only_what_it_uses(tmp_path):
    imported(tmp_path, "explain", "丁堰镇")  # the first run may parse afresh (and import lark): the cache then holds it
    modules = imported(tmp_path, "explain", "丁堰镇")
    assert "numpy" in modules  # the one engine
    assert not [m for m in modules if m.split(".")[0] in NOT_FOR_A_SMALL_EXPLAIN or m in NOT_FOR_A_SMALL_EXPLAIN]
