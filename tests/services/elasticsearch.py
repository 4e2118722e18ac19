"""A real Elasticsearch 8.19 node for the tests, from Maven Central's integration-test zip.

``mvn dependency:get`` fetches ``org.elasticsearch.distribution.integ-test-zip:elasticsearch`` into
``~/.m2`` (once), the zip is unpacked under ``.services/`` in the checkout (once), and each test
session starts a single node on 127.0.0.1 with security and disk watermarks off and a 512 MB heap,
as a non-root user, waits for ``/_cluster/health`` and stops it at the end.

Run by hand: ``python -m tests.services.elasticsearch`` starts a node and prints its URL.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.services.procs import chown_tree, free_port, open_path_for, service_user, wait_until

ES_VERSION = os.environ.get("SPILLWATCH_TEST_ES_VERSION", "8.19.7")
ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip"
REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE = REPO_ROOT / ".services"
START_TIMEOUT = 180.0


def m2_zip() -> Path:
    m2 = Path(os.environ.get("MAVEN_REPO", Path.home() / ".m2" / "repository"))
    return (m2 / "org/elasticsearch/distribution/integ-test-zip/elasticsearch" / ES_VERSION
            / f"elasticsearch-{ES_VERSION}.zip")


def fetch_distribution() -> Path:
    """The unpacked distribution folder, fetching and unpacking it if needed."""
    home = CACHE / f"elasticsearch-{ES_VERSION}"
    if (home / "bin" / "elasticsearch").exists():
        return home
    archive = m2_zip()
    if not archive.exists():
        mvn = shutil.which("mvn")
        if mvn is None:
            raise RuntimeError("Maven (mvn) is needed to fetch Elasticsearch from Maven Central; install maven")
        subprocess.run([mvn, "-q", "-B", "dependency:get", f"-Dartifact={ARTIFACT}", "-Dtransitive=false"],
                       check=True)
    # the node runs as a non-root user: its files must be readable whatever umask this process has
    # (spillwatch's CLI sets 077 for its data, and tests call the CLI in this process)
    previous = os.umask(0o022)
    try:
        CACHE.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=CACHE, prefix="unpack-"))
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(staging)
    finally:
        os.umask(previous)
    unpacked = staging / f"elasticsearch-{ES_VERSION}"
    for script in (unpacked / "bin").iterdir():
        script.chmod(0o755)
    unpacked.rename(home)
    staging.rmdir()
    return home


def java_home() -> str:
    """The JDK to run Elasticsearch with (the integration-test zip bundles none)."""
    for var in ("ES_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(var):
            return os.environ[var]
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("Elasticsearch needs Java 17+: install a JDK or set JAVA_HOME")
    return str(Path(java).resolve().parents[1])


@dataclass
class ElasticsearchNode:
    home: Path
    workdir: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    startup_seconds: float = 0.0
    log_path: Path = field(init=False)
    # a member of a cluster instead of a single node (scripts/es_two_nodes.py): its name, its transport
    # port and the transport ports of every member (initial masters: node-1, node-2…)
    node_name: str = "test-node"
    transport_port: int = 0
    cluster_ports: tuple[int, ...] = ()
    heap: str = "512m"  # JVM heap; bench/search.py gives a million documents more

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def healthy(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"Elasticsearch exited with code {self.process.returncode}; see {self.log_path}")
        try:
            with urllib.request.urlopen(f"{self.url}/_cluster/health", timeout=2) as response:
                status = json.load(response).get("status")
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
            return False
        return status in ("green", "yellow")

    def start(self) -> ElasticsearchNode:
        owner = service_user()
        self.port = free_port()
        transport = self.transport_port or free_port()
        if self.cluster_ports:
            seeds = ", ".join(f'"127.0.0.1:{p}"' for p in self.cluster_ports)
            masters = ", ".join(f"node-{i + 1}" for i in range(len(self.cluster_ports)))
            discovery = f"discovery.seed_hosts: [{seeds}]\ncluster.initial_master_nodes: [{masters}]"
        else:
            discovery = "discovery.type: single-node"
        conf = self.workdir / "config"
        shutil.copytree(self.home / "config", conf)
        for sub in ("data", "logs", "tmp"):
            (self.workdir / sub).mkdir()
        (conf / "elasticsearch.yml").write_text(
            "\n".join([
                "cluster.name: spillwatch-test",
                f"node.name: {self.node_name}",
                "network.host: 127.0.0.1",
                f"http.port: {self.port}",
                f"transport.port: {transport}",
                discovery,
                "xpack.security.enabled: false",
                "cluster.routing.allocation.disk.threshold_enabled: false",
                "action.destructive_requires_name: false",
                # search timeouts are measured on a clock the node caches and ticks every 200 ms by default,
                # so a 1 ms budget stopped a search only when it happened to span a tick: the test node reads
                # the real clock, and a budget test is the same on a fast machine and a loaded one
                "thread_pool.estimated_time_interval: 0",
                f"path.data: {self.workdir / 'data'}",
                f"path.logs: {self.workdir / 'logs'}",
                "",
            ])
        )
        (conf / "jvm.options.d").mkdir(exist_ok=True)
        (conf / "jvm.options.d" / "heap.options").write_text(f"-Xms{self.heap}\n-Xmx{self.heap}\n")
        chown_tree(self.workdir, owner)
        open_path_for(self.workdir, owner)
        open_path_for(self.home, owner)
        self.log_path = self.workdir / "stdout.log"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "ES_PATH_CONF": str(conf),
            "ES_TMPDIR": str(self.workdir / "tmp"),
            "HOME": str(self.workdir),
        }
        env["ES_JAVA_HOME"] = java_home()
        started = time.monotonic()
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [str(self.home / "bin" / "elasticsearch")],
                stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.workdir,
                user=owner[0] if owner else None, group=owner[1] if owner else None,
                start_new_session=True,
            )
        wait_until(self.healthy, START_TIMEOUT, f"Elasticsearch {ES_VERSION}", self.log_path)
        self.startup_seconds = time.monotonic() - started
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_node(workdir: Path, heap: str = "512m") -> ElasticsearchNode:
    return ElasticsearchNode(home=fetch_distribution(), workdir=workdir, heap=heap).start()


if __name__ == "__main__":
    node = start_node(Path(tempfile.mkdtemp(prefix="spillwatch-es-")))
    print(f"Elasticsearch {ES_VERSION} at {node.url} (started in {node.startup_seconds:.1f}s); Ctrl-C stops it")
    try:
        node.process.wait() if node.process else None
    except KeyboardInterrupt:
        node.stop()
