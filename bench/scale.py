"""Indexing throughput of the job queue (issue 16): 40 WARC files indexed by 1, 2 and 4 `spillwatch
worker` processes (``--queues index``), the files on disk vs on a local S3 server, in one run.

    .venv/bin/python bench/scale.py                 # 40 files, workers 1 2 4, disk and s3
    .venv/bin/python bench/scale.py --files 20 --workers 1 2

Starts a throw-away PostgreSQL (the catalog and the queue) and a SeaweedFS S3 server the same way the
test suite does (tests/services/), generates the WARC files with bench/index.py's generator (HTML pages
and documents, one crawl each, a different seed per file), then for each storage and worker count: a
fresh catalog, the files registered as pending and one index job deferred per file, N workers started,
the clock stopped when every job has succeeded.  With ``s3`` the local copies are deleted after upload,
so every worker streams its files from the bucket first.  Search is the SQLite backend in the shared
data folder (one writer at a time: part of the serial share).

Prints per run: wall time, files/s, speed-up over 1 worker of the same storage, the summed job time
(how much of the wall time N workers were busy), and the serial share an Amdahl fit gives
(T_N = T_1·(s + (1 − s)/N)).  Passes or fails nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import insert, text  # noqa: E402

from core.catalog import schema as s  # noqa: E402
from core.catalog.db import create_catalog_engine, upgrade  # noqa: E402
from core.settings import resolve  # noqa: E402
from core.warc_store import S3Store  # noqa: E402
from spillwatch.jobs import tasks  # noqa: E402
from tests.services.postgres import start_server as start_postgres  # noqa: E402
from tests.services.s3 import start_server as start_s3  # noqa: E402


def make_warcs(folder: Path, files: int, pages: int, documents: int) -> list[Path]:
    from index import generate  # bench/index.py's synthetic agency crawl

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(files):
        path = folder / f"bench-{i:03d}.warc.gz"
        generate(path, pages=pages, documents=documents, seed=1000 + i)
        paths.append(path)
    return paths


def run_once(storage: str, workers: int, warcs: list[Path], pg: object, s3: object, bucket: str,
             work: Path) -> dict[str, float]:
    data = work / f"{storage}-{workers}"
    folder = data / "crawls" / "bench" / "warcs"
    folder.mkdir(parents=True)
    database = pg.create_database(f"bench_{uuid.uuid4().hex[:10]}")  # type: ignore[attr-defined]
    values = {"data_dir": str(data), "queue": "procrastinate", "search_backend": "sqlite"}
    environ = {**os.environ, **s3.environ, "SPILLWATCH_DATABASE_URL": database}  # type: ignore[attr-defined]
    if storage == "s3":
        values.update(warc_storage=f"s3://{bucket}/run-{uuid.uuid4().hex[:8]}",
                      s3_endpoint_url=s3.url)  # type: ignore[attr-defined]
    settings = resolve({}, {"SPILLWATCH_DATABASE_URL": database}, values)
    paths = [folder / w.name for w in warcs]
    for source, path in zip(warcs, paths, strict=True):
        shutil.copyfile(source, path)
    if storage == "s3":
        os.environ.update(s3.environ)  # type: ignore[attr-defined]
        store = S3Store(settings.warc_storage, settings.data_path, endpoint_url=settings.s3_endpoint_url)
        for path in paths:
            store.publish(path)
            path.unlink()  # the workers stream them from the bucket
    engine = create_catalog_engine(database)
    upgrade(engine)
    with engine.begin() as conn:
        for source, path in zip(warcs, paths, strict=True):
            conn.execute(insert(s.warc_files).values(path=str(path), size=source.stat().st_size, status="pending",
                                                     resume_offset=0, records=0, errors=[]))
    config = work / f"{storage}-{workers}.yml"
    config.write_text("settings:\n" + "".join(f"  {k}: \"{v}\"\n" for k, v in values.items()))
    started = time.monotonic()
    log = (work / f"{storage}-{workers}.log").open("ab")
    procs = [subprocess.Popen([sys.executable, "-m", "spillwatch", "--config", str(config), "worker", "--queues",
                               "index"], env=environ, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True) for _ in range(workers)]
    app = tasks.build_app(settings)
    try:
        while True:  # the clock starts once every worker is up and waiting
            with engine.connect() as conn:
                if conn.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar_one() >= workers:
                    break
            time.sleep(0.2)
        started = time.monotonic()
        with app.open():
            for path in paths:
                tasks.defer_index(app, str(path))
        while True:
            with engine.connect() as conn:
                left = dict(conn.execute(text("SELECT status::text, count(*) FROM procrastinate_jobs WHERE "
                                              "task_name = :t AND status <> 'succeeded' GROUP BY 1"),
                                         {"t": tasks.INDEX}).all())
            if not left:
                break
            if left.get("failed"):
                raise RuntimeError(f"{left['failed']} index job(s) failed; see {log.name}")
            if any(p.poll() is not None for p in procs):
                raise RuntimeError(f"a worker exited; run it by hand with {config}")
            time.sleep(0.2)
        wall = time.monotonic() - started
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
        log.close()
    with engine.connect() as conn:
        busy = float(conn.execute(text(
            "SELECT sum(EXTRACT(EPOCH FROM (f.at - st.at))) FROM procrastinate_events st JOIN procrastinate_events f "
            "ON f.job_id = st.job_id AND f.type = 'succeeded' JOIN procrastinate_jobs j ON j.id = st.job_id "
            "WHERE st.type = 'started' AND j.task_name = :t"), {"t": tasks.INDEX}).scalar_one() or 0.0)
        captures = conn.execute(text("SELECT count(*) FROM captures")).scalar_one()
    engine.dispose()
    shutil.rmtree(data, ignore_errors=True)
    return {"wall": wall, "busy": busy, "captures": float(captures)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--pages", type=int, default=60, help="HTML pages per WARC file (default 60)")
    parser.add_argument("--documents", type=int, default=8, help="documents per WARC file (default 8)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--storage", nargs="+", default=["disk", "s3"], choices=["disk", "s3"])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="spillwatch-bench-scale-"))
    pg = start_postgres(work / "pg")
    s3 = start_s3(work / "s3")
    try:
        warcs = make_warcs(work / "source", args.files, args.pages, args.documents)
        bucket = s3.create_bucket("spillwatch-bench")
        size = sum(w.stat().st_size for w in warcs) / 1e6
        print(f"{len(warcs)} WARC files, {size:.1f} MB; cores: {os.cpu_count()}, load {os.getloadavg()[0]:.1f}")
        print(f"{'storage':<8}{'workers':>8}{'wall s':>9}{'files/s':>9}{'speed-up':>10}{'busy s':>9}"
              f"{'busy/wall':>10}{'serial':>8}{'captures':>10}")
        for storage in args.storage:
            first: float | None = None
            for n in args.workers:
                got = run_once(storage, n, warcs, pg, s3, bucket, work)
                first = first if first is not None else got["wall"] * args.workers[0]
                speed = first / got["wall"]
                serial = ((got["wall"] / first - 1 / n) / (1 - 1 / n)) if n > 1 else float("nan")
                print(f"{storage:<8}{n:>8}{got['wall']:>9.1f}{len(warcs) / got['wall']:>9.2f}{speed:>10.2f}"
                      f"{got['busy']:>9.1f}{got['busy'] / got['wall']:>10.2f}{serial:>8.2f}{int(got['captures']):>10}",
                      flush=True)
        shutil.rmtree(work, ignore_errors=True)  # kept, with the workers' logs, when a run failed
    finally:
        s3.stop()
        pg.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
