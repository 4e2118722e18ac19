"""Scenario: the Elasticsearch backend on a 2-node cluster survives one node's stop (issue 16 item 4).

Starts two nodes of one cluster from the same integration-test zip the suite uses
(``tests/services/elasticsearch.py``), on 127.0.0.1 and free ports; indexes search documents through
Spillwatch's backend configured with both nodes (``elasticsearch_url: URL1,URL2``); waits until each
shard has its replica (the index template's ``auto_expand_replicas: 0-1``); stops the node the
client knows first; searches again.  Prints what happened and exits 0 when the search after the stop
found the same documents.

    .venv/bin/python scripts/es_two_nodes.py
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.services.elasticsearch import ElasticsearchNode, fetch_distribution
from tests.services.procs import free_port


def health(url: str) -> dict[str, object]:
    with urllib.request.urlopen(f"{url}/_cluster/health", timeout=5) as answer:
        result: dict[str, object] = json.load(answer)
        return result


def main() -> int:
    from core.settings import resolve
    from indexer.search import open_search

    home = fetch_distribution()
    transports = (free_port(), free_port())
    root = Path(tempfile.mkdtemp(prefix="spillwatch-es-cluster-"))
    nodes = [ElasticsearchNode(home=home, workdir=root / f"node-{i + 1}", node_name=f"node-{i + 1}",
                               transport_port=transports[i], cluster_ports=transports) for i in range(2)]
    for node in nodes:
        node.workdir.mkdir(parents=True)
    started = time.monotonic()
    threads = [threading.Thread(target=node.start) for node in nodes]  # the cluster forms with both
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"cluster of 2 up in {time.monotonic() - started:.0f} s: {health(nodes[0].url)['number_of_nodes']} nodes")
    settings = resolve({}, {}, {"search_backend": "elasticsearch", "data_dir": str(root / "data"),
                                "elasticsearch_url": ",".join(n.url for n in nodes),
                                "elasticsearch_index": "spillwatch-cluster", "elasticsearch_timeout": "5s"})
    search = open_search(settings)
    try:
        return scenario(search, nodes)
    finally:
        search.close()
        for node in nodes:
            node.stop()
        shutil.rmtree(root, ignore_errors=True)


def scenario(search: object, nodes: list[ElasticsearchNode]) -> int:
    client = search.client  # type: ignore[attr-defined]
    for i in range(200):
        client.index(index="spillwatch-cluster", id=str(i), document={
            "id": str(i), "url": f"https://agency.example/notices/{i}", "title": f"Notice {i}",
            "text": f"board meeting minutes {i}", "body_folded": f"board meeting minutes {i}"},
            refresh=False)
    client.indices.refresh(index="spillwatch-cluster")
    deadline = time.monotonic() + 120
    while health(nodes[0].url)["status"] != "green" and time.monotonic() < deadline:
        time.sleep(1)
    before = client.count(index="spillwatch-cluster", query={"match": {"body_folded": "minutes"}})["count"]
    print(f"cluster {health(nodes[0].url)['status']}, {before} documents match before the stop")
    stopped = time.monotonic()
    nodes[0].stop()
    after = client.count(index="spillwatch-cluster", query={"match": {"body_folded": "minutes"}})["count"]
    print(f"node-1 stopped; the same search through the backend's client: {after} documents, "
          f"answered {time.monotonic() - stopped:.1f} s after the stop (node-2 only)")
    return 0 if after == before == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
