"""Whether a browser opens a large HTML report: headless Chromium loads it, then every collapsed section is opened.

Run from the repository root, after writing a report:

    python benchmarks/engine.py --keep /tmp/bench              # writes /tmp/bench/generated.html (100 x 100)
    python benchmarks/html_open.py /tmp/bench/generated.html corpus-report.html

For each page it prints the time to load it (until the browser's load event), the
number of elements, the memory of the browser's processes (a browser of its own for
each page), and the time to open every ``<details>`` section (the collapsed rows of
the matrix, the silent sources of each claim) and lay the page out again. It uses
Debian's ``chromium`` and ``chromium-driver`` as ``tests/test_browser.py`` does
(``.ci/run`` installs them);
selenium is pointed at ``/usr/bin/chromedriver`` so that it downloads nothing.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def _children(root: int) -> set[int]:
    """``root`` and every process below it, from ``/proc`` (psutil is not a dependency)."""
    parent: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        parent[int(stat.parent.name)] = int(fields[1])
    found, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        kids = [p for p, pp in parent.items() if pp == pid and p not in found]
        found.update(kids)
        frontier += kids
    return found


def _rss_mb(pids: set[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def measure(driver, service_pid: int, page: Path) -> str:
    started = time.perf_counter()
    driver.get(page.resolve().as_uri())
    loaded = time.perf_counter() - started
    elements = driver.execute_script("return document.getElementsByTagName('*').length")
    sections = driver.execute_script("return document.querySelectorAll('details').length")
    memory = _rss_mb(_children(service_pid))
    started = time.perf_counter()
    # Opening a section and asking for the page's height makes the browser lay it out again.
    driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true);"
                          "return document.body.scrollHeight")
    opened = time.perf_counter() - started
    return (f"{page.name}: {page.stat().st_size / 1e6:.1f} MB, {elements:,} elements; loaded in {loaded:.1f} s, "
            f"browser processes {memory:,.0f} MB; all {sections:,} collapsed sections opened and laid out "
            f"in {opened:.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="+", type=Path, metavar="REPORT.html")
    args = parser.parse_args(argv)
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER, *args.pages) if not p.exists()]
    if missing:
        print(f"html_open.py: not found: {', '.join(missing)} (Debian's chromium and chromium-driver, "
              "and the reports to open)", file=sys.stderr)
        return 2
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900"):
        options.add_argument(flag)
    for page in args.pages:
        # A browser of its own for each page, so that its memory is that page's.
        service = Service(str(CHROMEDRIVER))
        driver = webdriver.Chrome(service=service, options=options)
        try:
            driver.set_page_load_timeout(600)
            print(measure(driver, service.process.pid, page), flush=True)
        finally:
            driver.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
