"""Cost of the indexer's visual-change rule: comparing two full-page screenshots (indexer/screenshots.py).

Baseline in the same run: the diff view's :func:`compare`, which also paints the changes and encodes a
PNG.  Screenshots are synthetic (blocks of colour and text-like stripes), 1280 px wide, of the given
heights.  Prints milliseconds per comparison (best of ``--rounds``).

    .venv/bin/python bench/visual_change.py --rounds 5
"""

from __future__ import annotations

import argparse
import io
import random
import time
from collections.abc import Callable

from PIL import Image, ImageDraw

from indexer.screenshots import changed_share, compare


def _page(height: int, seed: int) -> bytes:
    rng = random.Random(seed)
    image = Image.new("RGB", (1280, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for top in range(40, height - 20, 24):  # lines of "text"
        draw.rectangle((80, top, 80 + rng.randrange(300, 1100), top + 10), fill=(30, 30, 30))
    draw.rectangle((80, height // 3, 680, height // 3 + 300), fill=(rng.randrange(256), 90, 160))  # an image
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _best(run: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print("| height px | changed | changed_share ms | compare (diff view) ms |")
    print("|---|---|---|---|")
    for height in (1000, 4000, 12000):
        old, new = _page(height, 1), _page(height, 2)
        share = changed_share(old, new)
        ms_share = _best(lambda o=old, n=new: changed_share(o, n), args.rounds)
        ms_compare = _best(lambda o=old, n=new: compare(o, n), args.rounds)
        print(f"| {height} | {100 * share:.1f} % | {ms_share:.0f} | {ms_compare:.0f} |")


if __name__ == "__main__":
    main()
