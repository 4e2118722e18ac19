"""The quick start's main job, run as a user runs it: the installed ``spillwatch`` command, ``demo --once``,
from a folder outside the checkout (so only what ``pip install`` installed can be imported).

The story is the same every time (issue 15, item 7): the first full crawl is indexed before the watch
starts, so two runs archive the same captures; one alert per incident and route; nothing else lost."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

STEPS = ("1. simulated agency site at http://127.0.0.1:", "2. crawling and indexing the site",
         "   archived ", "3. the agency publishes ", "4. findings:", "   time from publication to alert: ")


def demo(folder: Path) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SPILLWATCH_") and key != "PYTHONPATH"}
    done = subprocess.run([str(Path(sys.executable).with_name("spillwatch")), "demo", "--once"], cwd=folder, env=env,
                          text=True, capture_output=True, timeout=400, check=False)
    assert done.returncode == 0, f"demo exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def test_demo_tells_the_same_story_twice(tmp_path: Path) -> None:
    first = demo(tmp_path)
    positions = [first.find(step) for step in STEPS]
    assert -1 not in positions and positions == sorted(positions), first
    alerts = re.findall(r"alert via (\w+) +→ (\S+)", first)
    assert sorted(kind for kind, _ in alerts) == ["email", "slack"], first  # one incident, one alert per channel
    outbox = tmp_path / "spillwatch-data" / "demo" / "outbox"
    assert sorted(p.name for p in outbox.iterdir() if p.is_file()) == sorted(Path(path).name for _, path in alerts)
    assert re.search(r"- person_table · critical · 1200 records · sheet '\w+' \(hidden\)", first)
    second = demo(tmp_path)  # the same folder: the finished demo's data is replaced, not mixed in
    captures = [re.search(r"archived (\d+) captures", text).group(1) for text in (first, second)]  # type: ignore[union-attr]
    assert captures[0] == captures[1], (first, second)
    assert len(re.findall(r"alert via", second)) == 2
