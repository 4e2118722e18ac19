"""pywb's CDX server API and Memento (RFC 7089) TimeGate/TimeMap on the JSON API, with its token
rules (issue 14, failure 7)."""

from __future__ import annotations

import json

from tests.web.archive import BASE
from tests.web.conftest import WebEnv


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_required(shared_env: WebEnv) -> None:
    http = shared_env.anonymous()
    for url in (f"/api/v1/cdx?url={BASE}/statistics", f"/api/v1/timemap/link/{BASE}/statistics",
                f"/api/v1/timegate/{BASE}/statistics"):
        assert http.get(url).status_code == 401
        assert http.get(url, headers=auth("sw_not-a-real-token")).status_code == 401
    assert shared_env.client("admin").get(f"/api/v1/cdx?url={BASE}/statistics").status_code == 401


def test_cdx_query(shared_env: WebEnv) -> None:
    http, token = shared_env.anonymous(), shared_env.token("viewer")
    lines = http.get(f"/api/v1/cdx?url={BASE}/statistics", headers=auth(token)).get_data(as_text=True)
    lines = lines.splitlines()
    assert len(lines) == 2 and all(li.startswith("gov,example,agency)/statistics ") for li in lines)
    assert lines == sorted(lines)
    body = json.loads(lines[0].split(" ", 2)[2])
    assert body["url"] == f"{BASE}/statistics" and body["status"] == "200" and int(body["length"]) > 0
    domain = http.get("/api/v1/cdx?url=example.gov&matchType=domain&output=json&fl=url,timestamp",
                      headers=auth(token)).get_data(as_text=True).splitlines()
    rows = [json.loads(li) for li in domain]
    assert len(rows) > 2 and all(set(r) == {"url", "timestamp"} for r in rows)
    prefix = http.get(f"/api/v1/cdx?url={BASE}/files/*&limit=1&sort=reverse", headers=auth(token))
    assert len(prefix.get_data(as_text=True).splitlines()) == 1
    newest = http.get(f"/api/v1/cdx?url={BASE}/statistics&sort=reverse&limit=1", headers=auth(token))
    assert newest.get_data(as_text=True).strip() == lines[-1]
    assert http.get(f"/api/v1/cdx?url={BASE}/statistics&from=3000", headers=auth(token)).get_data() == b""
    bad = http.get(f"/api/v1/cdx?url={BASE}/statistics&matchType=everything", headers=auth(token))
    assert bad.status_code == 400 and "matchType" in bad.get_json()["message"]


def test_timemap_and_timegate(shared_env: WebEnv) -> None:
    http, token, a = shared_env.anonymous(), shared_env.token("viewer"), shared_env.archive
    timemap = http.get(f"/api/v1/timemap/link/{BASE}/statistics", headers=auth(token))
    assert timemap.status_code == 200 and timemap.mimetype == "application/link-format"
    text = timemap.get_data(as_text=True)
    assert f'<{BASE}/statistics>; rel="original"' in text and 'rel="timegate"' in text
    assert f"/captures/{a.page_v1}>; rel=\"first memento\"" in text
    assert f"/captures/{a.page_v2}>; rel=\"last memento\"" in text
    latest = http.get(f"/api/v1/timegate/{BASE}/statistics", headers=auth(token))
    assert latest.status_code == 302 and latest.headers["Location"].endswith(f"/captures/{a.page_v2}")
    assert "accept-datetime" in latest.headers["Vary"] and 'rel="original"' in latest.headers["Link"]
    early = http.get(f"/api/v1/timegate/{BASE}/statistics", headers={**auth(token),
                                                           "Accept-Datetime": "Thu, 01 Jan 1998 00:00:00 GMT"})
    assert early.headers["Location"].endswith(f"/captures/{a.page_v1}")
    assert http.get(f"/api/v1/timegate/{BASE}/statistics", headers={**auth(token), "Accept-Datetime": "soon"}
                    ).status_code == 400
    assert http.get("/api/v1/timemap/link/https://nowhere.example/", headers=auth(token)).status_code == 404
