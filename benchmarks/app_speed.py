"""How fast the app answers: the first load on a cold cache, then threshold changes on a warm one.

    .venv/bin/python benchmarks/app_speed.py [--event lachin-road-2022] [--judge rules] [--changes 6]

Drives app.py with streamlit.testing.v1.AppTest (the same script a browser
gets) in a fresh embedding cache. Prints the time of each stage of the first
load, as the app's own "Timings" table reports it, and the script time of each
threshold change; the target for a change on the Lachin event is < 0.5 s. The
script time is measured inside the app (``script_seconds``), without the test
harness's polling. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--event", default="lachin-road-2022", help="an event folder name under corpus/")
    parser.add_argument("--judge", default=None, help="trained or rules (default: the app's default)")
    parser.add_argument("--changes", type=int, default=6, help="threshold changes to time")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="nc-bench-") as cache:
        os.environ["NARRATIVE_COMPARE_CACHE"] = cache  # cold: nothing embedded yet
        t0 = time.perf_counter()
        from streamlit.testing.v1 import AppTest

        import compare.explore  # noqa: F401 - timed with the imports the app needs
        imports = time.perf_counter() - t0

        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.query_params["event"] = args.event
        if args.judge:
            at.session_state["judge"] = args.judge
        t0 = time.perf_counter()
        at.run()
        first_wall = time.perf_counter() - t0
        if at.exception or at.error:
            print("the app failed:", [e.value for e in [*at.exception, *at.error]], file=sys.stderr)
            return 1
        stages = next(d.value for d in at.dataframe if list(d.value.columns) == ["stage", "seconds"])
        print(f"event {args.event}, judge {at.session_state['judge']}, "
              f"model {at.session_state['th_model']}, cold embedding cache")
        print("first load, time per stage:")
        print(f"  {'imports (streamlit, compare)':<28} {imports:8.3f} s")
        for stage, seconds in zip(stages["stage"], stages["seconds"]):
            print(f"  {stage:<28} {seconds:8.3f} s")
        print(f"  {'script (whole first run)':<28} {at.session_state['script_seconds']:8.3f} s")
        print(f"  {'wall, with the test harness':<28} {first_wall:8.3f} s")

        # Warm: the event is prepared; each change is new, so it is computed, not read from st.cache_data.
        # A judge that ignores agree/evidence has those sliders disabled: then only link moves.
        agree_moves = not at.slider(key="th_agree").disabled
        first = {k: at.session_state[k] for k in ("th_link", "th_agree")}
        times = []
        for i in range(args.changes):
            if agree_moves and i % 2 == 0:
                name, value = "th_agree", 0.60 + 0.03 * i
            else:
                name, value = "th_link", 0.50 + 0.02 * i
            at.slider(key=name).set_value(round(value, 2))
            at.run()
            times.append(at.session_state["script_seconds"])
            print(f"threshold change {name[3:]}={value:.2f}: script {times[-1]:.3f} s")
        for name, value in first.items():  # a setting seen before: the result is cached
            if name == "th_link" or agree_moves:
                at.slider(key=name).set_value(value)
        at.run()
        print(f"back to the first setting (cached result): script {at.session_state['script_seconds']:.3f} s")
        worst, median = max(times), statistics.median(times)
        verdict = "meets" if worst < TARGET else "misses"
        print(f"threshold change, warm cache: median {median:.3f} s, worst {worst:.3f} s "
              f"({verdict} the {TARGET} s target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
