"""benchmarks/lsp_bench.py drives a real language server: on a one-replica workspace it builds the
workspace (with the configuration that makes the server read the gitignored corpus), opens a file that
registers tools, edits it, and gets the diagnostics of each new version. Times are not asserted."""

from __future__ import annotations

import importlib.util

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("toolsink_lsp_bench", ROOT / "benchmarks" / "lsp_bench.py")
lsp_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lsp_bench)


def test_workspace_replicates_fixtures_and_reads_gitignored_files(tmp_path):
    target = tmp_path / "ws"
    directory, files, lines = lsp_bench.build_workspace(150, target)
    assert directory == target and files >= 150 and lines > 0
    assert (target / "r0001").is_dir() and not (target / "r0002").is_dir()
    assert (target / lsp_bench.DEFAULT_FILE).is_file()
    assert (target / "toolsink.toml").read_text() == "respect-gitignore = false\n"
    assert lsp_bench.build_workspace(150, target) == (directory, files, lines)  # up to date: kept


def test_session_measures_open_and_each_edit(tmp_path):
    target = tmp_path / "ws"
    lsp_bench.build_workspace(10, target)
    out = lsp_bench.session(lsp_bench.SRC, target, lsp_bench.DEFAULT_FILE, edits=2, timeout=120, burst=3, gap=0.05)
    from toolsink.integrations.lsp import DEBOUNCE_SECONDS

    assert len(out["edits"]) == 2 and all(t >= DEBOUNCE_SECONDS for t in out["edits"])
    assert out["open_diagnostics"] > 0 and out["edit_diagnostics"] == [out["open_diagnostics"]] * 2
    assert lsp_bench.debounce_of(lsp_bench.SRC) == DEBOUNCE_SECONDS
    # the burst waits for the diagnostics of its last version (after the debounce), not an earlier one
    assert out["burst"]["edits"] == 3 and out["burst"]["last_edit_to_diagnostics"] >= DEBOUNCE_SECONDS
