"""Who may issue which token: a scoped admin stays within its bodies and roles; a token's name
(the actor it records) is unique among live tokens, also under concurrent issues, over the API
and the CLI; a token table made before names were unique is brought up to date."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy

from diarium.cases.application import Diarium
from diarium.cases.tokens import TokenError, TokenStore, tokens_table
from diarium.web.cli.main import main as cli


def refusal(response: Any, status: int, rule: str, field: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["rule"] == rule
    assert [p["name"] for p in body["invalid-params"]] == [field]
    return body


def test_a_scoped_admin_issues_tokens_only_within_its_bodies_and_roles(client_as: Any) -> None:
    hsn_admin = client_as("admin", "registrar", name="hsn.admin", bodies=["HSN"])
    beyond = "token-beyond-issuer-scope"
    for body, field in [
        ({"name": "a", "roles": ["registrar"]}, "bodies"),  # unscoped: every body
        ({"name": "a", "roles": ["registrar"], "bodies": ["RS"]}, "bodies"),
        ({"name": "a", "roles": ["registrar"], "bodies": ["HSN", "RS"]}, "bodies"),
        ({"name": "a", "roles": ["auditor"], "bodies": ["HSN"]}, "roles"),
        ({"name": "a", "roles": ["registrar", "admin", "secretary"], "bodies": ["HSN"]}, "roles"),
    ]:
        refusal(hsn_admin.post("/api/tokens", json=body), 403, beyond, field)
    within = hsn_admin.post("/api/tokens", json={
        "name": "hsn.registrator", "roles": ["registrar"], "bodies": ["HSN"]})
    assert within.status_code == 201, within.get_json()
    assert within.get_json()["bodies"] == ["HSN"]
    root = client_as("admin", name="root.admin")  # an unscoped admin issues any token
    assert root.post("/api/tokens", json={"name": "eva", "roles": ["auditor"]}).status_code == 201
    assert [t["name"] for t in root.get("/api/tokens").get_json()].count("a") == 0


def test_a_scoped_admin_revokes_and_lists_only_tokens_within_its_scope(
    client_as: Any, tokens: TokenStore
) -> None:
    """Else it could revoke an officer's token and issue one of that name to itself."""
    hsn_admin = client_as("admin", "officer", name="hsn.admin", bodies=["HSN"])
    _, linda = tokens.issue(name="linda", roles=["officer"])
    _, rs = tokens.issue(name="rs.officer", roles=["officer"], bodies=["RS"])
    _, hsn = tokens.issue(name="hsn.officer", roles=["officer"], bodies=["HSN"])
    for outside in (linda, rs):
        refusal(hsn_admin.post(f"/api/tokens/{outside.id}/revoke"), 403,
                "token-beyond-issuer-scope", "bodies")
        assert tokens.get(outside.id).active
    listed = {t["name"] for t in hsn_admin.get("/api/tokens").get_json()}
    assert listed == {"hsn.admin", "hsn.officer"}
    assert hsn_admin.post(f"/api/tokens/{hsn.id}/revoke").get_json()["active"] is False
    assert hsn_admin.post("/api/tokens/000000000000/revoke").status_code == 404


def test_a_live_tokens_name_cannot_be_issued_again(client_as: Any, tokens: TokenStore) -> None:
    tokens.issue(name="linda", roles=["officer"])  # an officer's token
    admin = client_as("admin", name="root.admin")
    body = refusal(admin.post("/api/tokens", json={"name": "linda", "roles": ["registrar"]}),
                   409, "token-name-taken", "name")
    assert body["type"] == "/problems/rule-violation"
    refusal(admin.post("/api/tokens", json={"name": " linda ", "roles": ["officer"]}),
            409, "token-name-taken", "name")
    assert [t.name for t in tokens.list()].count("linda") == 1
    (linda,) = [t for t in tokens.list() if t.name == "linda"]
    assert admin.post(f"/api/tokens/{linda.id}/revoke").status_code == 200
    again = admin.post("/api/tokens", json={"name": "linda", "roles": ["officer"]})
    assert again.status_code == 201  # a revoked token no longer holds its name


def test_an_expired_token_no_longer_holds_its_name(tokens: TokenStore) -> None:
    tokens.issue(name="bo", roles=["auditor"], expires_at=datetime.now(UTC) + timedelta(hours=1))
    with pytest.raises(TokenError, match="token-name-taken"):
        tokens.issue(name="bo", roles=["auditor"])
    tokens.issue(name="kim", roles=["auditor"], expires_at=datetime.now(UTC) - timedelta(1))
    _, kim = tokens.issue(name="kim", roles=["auditor"])
    assert kim.active


def test_the_cli_refuses_a_live_name(database_url: str, capsys: Any) -> None:
    create = ["--database-url", database_url, "tokens", "create", "--role", "registrar",
              "--name", "anna.registrator", "--quiet"]
    cli(create)
    capsys.readouterr()
    with pytest.raises(SystemExit) as refused:
        cli(create)
    assert "token-name-taken" in str(refused.value.code)


def test_concurrent_issues_of_one_name_give_one_token(tokens: TokenStore) -> None:
    start = threading.Barrier(6)
    outcomes: list[str] = []

    def issue() -> None:
        start.wait()
        try:
            tokens.issue(name="race", roles=["registrar"])
            outcomes.append("issued")
        except TokenError as refused:
            outcomes.append(str(refused).rsplit("(", 1)[-1].rstrip(")"))

    threads = [threading.Thread(target=issue) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["issued"] + ["token-name-taken"] * 5
    assert [t.name for t in tokens.list()].count("race") == 1


def test_a_token_table_from_before_gets_unique_live_names(database_url: str) -> None:
    """Tokens issued before: the newest live one of a name holds it; all keep working."""
    engine = sqlalchemy.create_engine(database_url)
    old = sqlalchemy.Table("diarium_tokens", sqlalchemy.MetaData(), *(
        sqlalchemy.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
        for c in tokens_table.columns if c.name != "live_name"))
    old.create(engine)
    secret = "s" * 43
    rows = [dict(id=f"{n:012x}", name=name, roles="registrar", bodies="", created_by="cli",
                 secret_hash=hashlib.sha256(f"{n:012x}:{secret}".encode()).hexdigest(),
                 created_at=datetime(2026, 1, 1 + n, tzinfo=UTC))
            for n, name in enumerate(["demo", "demo", "anna"])]
    with engine.begin() as connection:
        connection.execute(old.insert(), rows)
    try:
        app = Diarium(database_url, create_tables=True)  # creates or upgrades the tables
        store = TokenStore.for_application(app)
        for n in range(3):
            assert store.authenticate(f"dia_{n:012x}_{secret}") is not None
        for name in ("demo", "anna"):
            with pytest.raises(TokenError, match="token-name-taken"):
                store.issue(name=name, roles=["auditor"])
        store.revoke("000000000001")  # the newest "demo"
        store.issue(name="demo", roles=["auditor"])
        app.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    finally:
        engine.dispose()

