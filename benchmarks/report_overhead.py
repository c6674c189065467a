"""Cost of the report runner over its peer, plain papermill + nbconvert, on one small notebook.

The runner adds the parameter check, the ledger, the lock, the atomic publish and the index page
on top of the same papermill execution and nbconvert rendering. Prints wall times per run and
the ratio, plus the HTML size of a page with two plotly figures (plotly.js inlined once).

    .venv/bin/python benchmarks/report_overhead.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import papermill
from nbconvert import HTMLExporter

from workbench.reports import runner

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "reports" / "fixtures"


def plain(notebook: Path, out: Path) -> None:
    executed = papermill.execute_notebook(str(notebook), str(out / "plain.ipynb"), kernel_name="workbench",
                                          cwd=str(notebook.parent), progress_bar=False)
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(executed)
    (out / "plain.html").write_text(body, encoding="utf-8")


def workbench_run(notebook: Path, out: Path) -> Path:
    return runner.execute(runner.prepare(notebook, reports_dir=out / "reports")).html_path


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (default: %(default)s)")
    args = parser.parse_args()
    notebook = FIXTURES / "plotly_figure.ipynb"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        plain(notebook, out)  # warm-up: imports, first kernel start
        peer = [timed(plain, notebook, out) for _ in range(args.repeat)]
        ours = [timed(workbench_run, notebook, out) for _ in range(args.repeat)]
        page = workbench_run(notebook, out)
        size_mb = page.stat().st_size / 1e6
        bundles = page.read_text(encoding="utf-8").count("* plotly.js v")
    peer_s, ours_s = statistics.median(peer), statistics.median(ours)
    print(f"plain papermill + nbconvert: {peer_s:.2f} s per run (median of {args.repeat})")
    print(f"workbench report runner:     {ours_s:.2f} s per run (median of {args.repeat})")
    print(f"ratio runner / plain:        {ours_s / peer_s:.2f}")
    print(f"report page: {size_mb:.1f} MB, plotly.js bundles inlined: {bundles}")


if __name__ == "__main__":
    main()
