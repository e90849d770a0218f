"""What replaying the seed protocol (tests/test_meetings_seed.py: RS 14 October 2020,
§§ 160-180) costs in requests and response bytes: as it is, with ``Prefer: return=minimal``
on every write, and minimal with the bulk writes (agenda items and extracts in one call
each). The figures are printed (docs/meetings.md quotes them); the test holds the savings.

The bytes are the answers' bodies and headers as the app sends them, the same on either
backend, so the replay runs on SQLite only (three fresh stores)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from diarium.cases.application import Diarium
from diarium.cases.tokens import TokenStore
from diarium.domain.roles import ALL_ROLES
from diarium.web import create_app
from tests.meetings_support import REF
from tests.test_meetings_seed import record_seed_meeting

AGENDA = f"/api/meetings/{REF}/agenda"
EXTRACT = re.compile(rf"/api/meetings/{REF}/paragraphs/(\d+)/extracts")
LOCATION = re.compile(r"/api/meetings/(?P<ref>[^/]+)(?:/paragraphs/(?P<paragraph>\d+))?")


class Queued:
    """The answer a queued write gets at once (it is sent with the next bulk write)."""

    status_code = 201

    def get_json(self) -> dict[str, Any]:
        return {}


class Minimal:
    """A minimal answer as a client reads it: a 204 is the 200 it stands for, what was
    written is read from ``Location``."""

    def __init__(self, response: Any) -> None:
        self.response = response
        self.status_code = 200 if response.status_code == 204 else response.status_code

    def get_json(self) -> Any:
        found = LOCATION.fullmatch(self.response.headers.get("Location", ""))
        if found is None:
            return self.response.get_json()
        paragraph = found["paragraph"]
        return {"ref": found["ref"], "paragraph": int(paragraph) if paragraph else None}


class Replayer:
    """A test client that counts requests and answer bytes; ``minimal`` sends ``Prefer:
    return=minimal`` on writes; ``bulk`` gathers consecutive agenda items and extracts into
    one bulk write each (sent before the next other request)."""

    def __init__(self, client: Any, *, minimal: bool, bulk: bool) -> None:
        self.client, self.minimal, self.bulk = client, minimal, bulk
        self.counts = {"writes": 0, "write_bytes": 0, "case_writes": 0, "case_write_bytes": 0,
                       "reads": 0, "read_bytes": 0}
        self.agenda: list[dict[str, Any]] = []
        self.extracts: list[tuple[int, str, str | None]] = []

    def _sent(self, response: Any, kind: str, url: str = "") -> Any:
        size = len(response.get_data()) + sum(len(k) + len(v) + 4 for k, v in response.headers)
        for counted in (kind, "case_write") if url.startswith("/api/cases") else (kind,):
            self.counts[f"{counted}s"] += 1
            self.counts[f"{counted}_bytes"] += size
        return response

    def get(self, url: str, **kwargs: Any) -> Any:
        self.flush()
        return self._sent(self.client.get(url, **kwargs), "read")

    def _write(self, method: str, url: str, **kwargs: Any) -> Any:
        if self.minimal:
            kwargs["headers"] = {**kwargs.get("headers", {}), "Prefer": "return=minimal"}
        response = self._sent(getattr(self.client, method)(url, **kwargs), "write", url)
        return Minimal(response) if self.minimal and response.status_code < 300 else response

    def post(self, url: str, json: Any = None, **kwargs: Any) -> Any:
        if self.bulk and url == AGENDA:
            self.agenda.append(json)
            return Queued()
        if self.bulk and (found := EXTRACT.fullmatch(url)):
            self.extracts.append((int(found[1]), json["recipient"], json.get("sent_on")))
            return Queued()
        self.flush()
        return self._write("post", url, json=json, **kwargs)

    def put(self, url: str, json: Any = None, **kwargs: Any) -> Any:
        self.flush()
        return self._write("put", url, json=json, **kwargs)

    def flush(self) -> None:
        if self.agenda:
            added_on = {item.get("added_on") for item in self.agenda}
            assert len(added_on) == 1, added_on
            items = [{k: v for k, v in i.items() if k != "added_on"} for i in self.agenda]
            self.agenda = []
            self._expect(self._write("post", f"{AGENDA}/bulk",
                                     json={"items": items, "added_on": added_on.pop()}))
        if self.extracts:
            grouped: dict[tuple[int, str | None], list[str]] = {}
            for number, recipient, sent_on in self.extracts:
                grouped.setdefault((number, sent_on), []).append(recipient)
            self.extracts = []
            self._expect(self._write("post", f"/api/meetings/{REF}/extracts", json={
                "extracts": [{"paragraph": n, "recipients": r, "sent_on": s}
                             for (n, s), r in grouped.items()]}))

    @staticmethod
    def _expect(response: Any) -> None:
        assert response.status_code == 201, response.get_json()


@contextmanager
def replayer(path: Path, *, minimal: bool, bulk: bool) -> Iterator[Replayer]:
    diarium = Diarium(f"sqlite:///{path}", create_tables=True)
    try:
        secret, _ = TokenStore.for_application(diarium).issue(
            name="tester", roles=list(ALL_ROLES)
        )
        client = create_app(diarium).test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        yield Replayer(client, minimal=minimal, bulk=bulk)
    finally:
        diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


def test_replaying_the_seed_protocol_minimally_and_in_bulk(tmp_path: Path) -> None:
    figures: dict[str, dict[str, int]] = {}
    meetings: dict[str, Any] = {}
    for name, minimal, bulk in [
        ("full", False, False), ("minimal", True, False), ("minimal+bulk", True, True)
    ]:
        with replayer(tmp_path / f"{name.replace('+', '-')}.sqlite",
                      minimal=minimal, bulk=bulk) as replay:
            record_seed_meeting(replay)
            replay.flush()
            figures[name] = dict(replay.counts)
            meeting = replay.client.get(f"/api/meetings/{REF}").get_json()
            meetings[name] = {k: v for k, v in meeting.items() if k != "version"}
    for name, counts in figures.items():
        print(f"{name}: {counts}")
    # the same protocol every way
    assert meetings["minimal"] == meetings["full"] == meetings["minimal+bulk"]
    full, minimal, bulk = figures["full"], figures["minimal"], figures["minimal+bulk"]
    assert full["writes"] == minimal["writes"] > bulk["writes"]
    assert minimal["write_bytes"] < full["write_bytes"] / 10
    assert bulk["write_bytes"] < minimal["write_bytes"]
