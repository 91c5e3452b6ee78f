"""report.html drawn by a second process, made ready while the run plays.

A run's report is a function of its files alone (``sim.report.html``), so it can be drawn
anywhere once they are written. Most of what it costs on a short run is fixed: importing
matplotlib and the parts' report modules, loading the fonts, the first figure drawn; about
a second of the smallest shipped scenario's three. ``ReportWorker`` starts a Python process
that pays that cost on the second core while the simulation runs on the first, then waits;
``write(run_dir)`` asks it to draw the run's report and waits for it::

    worker = ReportWorker.start()            # before the run: the process warms up meanwhile
    Run(scenario, report_writer=worker.write).run(out_dir=out)
    worker.close()

The report is the same page, byte for byte, as ``write_report(run_dir)`` writes in the run's
own process: the same code reads the same files. Whatever goes wrong with the worker
(it could not start, it died, it answered nonsense, or the report raised an error there),
``write`` draws the report in the calling process, so a caller sees exactly what
``write_report`` would have done, its exception included.

The worker is its own session, so a Ctrl-C at the terminal stops the run (which then writes
its report through the worker) but not the worker; ``close`` ends it, and it ends by itself
when its input closes, so it never outlives the process that started it.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import IO

_ROOT = str(Path(__file__).resolve().parents[2])  # the folder that holds the sim package
_SERVE = f"import sys; sys.path.insert(0, {_ROOT!r}); from sim.report.worker import serve; serve()"


class ReportWorker:
    """A process that draws report.html on request (``write``); see the module docstring."""

    def __init__(self, process: subprocess.Popen[str] | None) -> None:
        self._process = process

    @classmethod
    def start(cls) -> ReportWorker:
        """Start the worker process; on a machine with one core, or if it cannot start, a
        worker that draws every report in the calling process."""
        if (os.cpu_count() or 1) < 2:
            return cls(None)
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", _SERVE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True, encoding="utf-8", start_new_session=True)
        except OSError:
            return cls(None)
        return cls(process)

    def write(self, run_dir: str | Path) -> Path:
        """Write the report of the run in ``run_dir`` (as ``sim.report.html.write_report``)."""
        run_dir = Path(run_dir)
        if self._ask(run_dir):
            return run_dir / "report.html"
        from sim.report.html import write_report

        return write_report(run_dir)

    def _ask(self, run_dir: Path) -> bool:
        """Whether the worker wrote the report of ``run_dir`` (False: it could not, or is gone)."""
        process = self._process
        if process is None or process.stdin is None or process.stdout is None:
            return False
        try:
            process.stdin.write(json.dumps(str(run_dir.resolve())) + "\n")
            process.stdin.flush()
            answer = json.loads(process.stdout.readline() or "null")
        except (OSError, ValueError):
            self.close()
            return False
        return answer == "written"

    def close(self) -> None:
        """End the worker, whatever it is doing (a report it was asked for is written by
        then: ``write`` waits for it); idempotent."""
        process, self._process = self._process, None
        if process is None:
            return
        for stream in (process.stdin, process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> ReportWorker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _warm_up() -> None:
    """Import what a report needs (the securities part's, which most runs play; another
    part's is imported when a report needs it) and draw one small figure with a title,
    ticks, a step line, labels and a legend: the fonts are loaded and the glyphs a report
    draws are cached."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    import sim.report.html  # noqa: F401 - what write_report needs
    from sim.parts import PARTS
    from sim.report.page import plot_figure

    securities = PARTS["securities"]
    if securities.report_module is not None:
        importlib.import_module(securities.report_module)
    figure = plot_figure(4, 3)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    ax.set_title("warm-up 0123456789", fontsize=10, y=1.0)
    ax.plot([0, 250, 500, 735], [0, 1_000, 20_000, 50_000], drawstyle="steps-post", label="settled")
    ax.set_xlabel("day")
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=7, loc="upper left")
    figure.canvas.draw()


def serve(requests: IO[str] | None = None, answers: IO[str] | None = None) -> None:
    """The worker's loop: warm up, then for each run directory read (a JSON string a line)
    write its report and answer ``"written"`` or ``"failed"``, until the input ends."""
    if answers is None:  # answers go to the real stdout only; anything printed goes to stderr
        answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
        sys.stdout = sys.stderr
    requests = sys.stdin if requests is None else requests
    try:
        _warm_up()
    except Exception:  # noqa: BLE001 - the reports below will say what is wrong, or the caller draws them
        pass
    from sim.report.html import write_report

    for line in requests:
        try:
            write_report(Path(json.loads(line)))
            answer = "written"
        except Exception:  # noqa: BLE001 - the caller draws it again and gets the error itself
            answer = "failed"
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
