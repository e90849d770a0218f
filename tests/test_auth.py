"""Authentication: tokens stored as hashes, issued and revoked by the CLI, OIDC JWTs, 401/403,
body scopes, officers' own cases, and the actor recorded from the token only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import sqlalchemy
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from diarium.cases.tokens import TokenError, TokenStore, tokens_table
from diarium.web import create_app
from diarium.web.cli.main import main as cli
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)

CASE = {"title": "Förstudie", "responsible_body": "RS", "registered_on": "2020-09-22"}


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    return response.get_json()


# -- the token store ---------------------------------------------------------------------


def test_tokens_are_stored_only_as_hashes(tokens: TokenStore) -> None:
    secret, token = tokens.issue(name="anna.registrator", roles=["registrar"], bodies=["RS"])
    assert secret.startswith(f"dia_{token.id}_") and len(secret) == 4 + 12 + 1 + 43
    with tokens.engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(sqlalchemy.select(tokens_table))]
    assert len(rows) == 1
    stored = json.dumps(rows, default=str)
    assert secret.split("_", 2)[2] not in stored  # the secret part is nowhere in the table
    assert rows[0]["secret_hash"] != secret and len(rows[0]["secret_hash"]) == 64

    found = tokens.authenticate(secret)
    assert found is not None
    assert (found.name, found.roles, found.bodies) == ("anna.registrator", ("registrar",), ("RS",))
    assert tokens.authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert tokens.authenticate(f"dia_{'0' * 12}_{'x' * 43}") is None
    assert tokens.authenticate("not a token") is None


def test_revoked_and_expired_tokens_stop_working(tokens: TokenStore) -> None:
    secret, token = tokens.issue(name="a", roles=["auditor"])
    revoked = tokens.revoke(token.id, by="admin")
    assert revoked.revoked_at is not None and revoked.revoked_by == "admin"
    assert tokens.authenticate(secret) is None
    assert tokens.list() == []
    assert [t.id for t in tokens.list(include_revoked=True)] == [token.id]

    old, _ = tokens.issue(name="b", roles=["auditor"], expires_at=datetime.now(UTC) - timedelta(1))
    assert tokens.authenticate(old) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "x", "roles": []}, "at least one role"),
        ({"name": "x", "roles": ["superuser"]}, "Unknown roles: superuser"),
        ({"name": "", "roles": ["admin"]}, "name"),
        ({"name": "x'; DROP TABLE diarium_tokens; --", "roles": ["admin"]}, "name"),
        ({"name": "x", "roles": ["admin"], "bodies": ["../RS"]}, "body"),
    ],
)
def test_tokens_refuse_bad_requests(tokens: TokenStore, kwargs: dict, message: str) -> None:
    with pytest.raises(TokenError, match=message):
        tokens.issue(**kwargs)


def test_cli_creates_lists_and_revokes_tokens(database_url: str, capsys: Any) -> None:
    cli(["--database-url", database_url, "tokens", "create", "--role", "secretary",
         "--role", "chair", "--name", "sara.sekreterare", "--body", "HSN", "--quiet"])
    secret = capsys.readouterr().out.strip()
    cli(["--database-url", database_url, "tokens", "list"])
    listed = json.loads(capsys.readouterr().out)
    assert [(t["name"], t["roles"], t["bodies"]) for t in listed] == [
        ("sara.sekreterare", ["secretary", "chair"], ["HSN"])
    ]
    assert secret not in json.dumps(listed)
    from diarium.cases.application import Diarium

    app = Diarium(database_url)
    try:
        store = TokenStore.for_application(app)
        assert store.authenticate(secret) is not None
        cli(["--database-url", database_url, "tokens", "revoke", listed[0]["id"]])
        assert store.authenticate(secret) is None
    finally:
        app.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    with pytest.raises(SystemExit):
        cli(["--database-url", database_url, "tokens", "create", "--role", "root", "--name", "x"])


# -- HTTP: 401, 403, scopes, own cases, the recorded actor ---------------------------------


def test_requests_without_a_valid_token_are_401(client_as: Any, bearer: Any, tokens: Any) -> None:
    anonymous = client_as(None)
    for response in (
        anonymous.get("/api/cases/1-2020"),
        anonymous.post("/api/cases", json=CASE),
        anonymous.get("/api/rules"),
        anonymous.get("/api/whoami"),
        anonymous.get("/api/cases/1-2020", headers={"Authorization": "Bearer dia_nonsense"}),
        anonymous.get("/api/cases/1-2020", headers={"Authorization": "Basic YTpi"}),
        anonymous.get("/api/cases/1-2020", headers={"X-Diarium-Actor": "anna.registrator"}),
    ):
        body = problem(response, 401)
        assert body["type"] == "/problems/unauthenticated"
        assert response.headers["WWW-Authenticate"].startswith('Bearer realm="diarium"')
    headers = bearer("registrar")
    secret = headers["Authorization"].split()[1]
    assert anonymous.get("/api/rules", headers=headers).status_code == 200
    tokens.revoke(secret.split("_")[1])
    response = anonymous.get("/api/rules", headers=headers)
    problem(response, 401)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_public_routes_need_no_token(client_as: Any) -> None:
    anonymous = client_as(None)
    assert anonymous.get("/healthz").status_code == 200
    spec = anonymous.get("/api/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["paths"]["/public/cases/{dnr}"]["get"]["security"] == []
    register = spec["paths"]["/api/cases"]["post"]
    assert register["x-diarium-roles"] == ["registrar"]
    assert {"401", "403"} <= set(register["responses"])
    assert anonymous.get("/problems/forbidden").status_code == 200
    problem(anonymous.get("/public/cases/1-2020"), 404)


def test_wrong_role_is_403_before_the_body_is_read(client_as: Any) -> None:
    auditor = client_as("auditor")
    body = problem(auditor.post("/api/cases", json=CASE), 403)
    assert body["type"] == "/problems/forbidden"
    assert body["required-roles"] == ["registrar"]
    problem(auditor.post("/api/cases", data="not json"), 403)  # refused before parsing
    problem(client_as("service").post("/api/cases", json=CASE), 403)  # a service only reads
    problem(client_as("service").get("/api/cases/1-2020/events"), 403)  # not the history
    assert client_as("service").get("/api/rules").status_code == 200


def test_the_actor_is_the_tokens_name_never_the_bodys(client_as: Any) -> None:
    registrar = client_as("registrar", name="anna.registrator")
    response = registrar.post(
        "/api/cases", json={**CASE, "actor": "mallory"}, headers={"X-Diarium-Actor": "mallory"}
    )
    assert problem(response, 422)["invalid-params"] == [
        {"name": "actor", "reason": "Unknown field."}
    ]
    response = registrar.post(
        "/api/cases", json=CASE, headers={"X-Diarium-Actor": "mallory", "X-Request-ID": "r-1"}
    )
    assert response.status_code == 201
    dnr = response.get_json()["dnr"]
    assert response.get_json()["case"]["registered_by"] == "anna.registrator"
    history = registrar.get(f"/api/cases/{dnr}/events").get_json()
    assert (history[0]["actor"], history[0]["request_id"]) == ("anna.registrator", "r-1")
    me = registrar.get("/api/whoami").get_json()
    assert me == {"name": "anna.registrator", "roles": ["registrar"], "bodies": []}


def test_officers_work_their_own_cases_only(client_as: Any) -> None:
    registrar = client_as("registrar")
    dnr = registrar.post("/api/cases", json={**CASE, "officer": "linda"}).get_json()["dnr"]
    referral = {"recipients": ["HSN"], "answer_by": "2020-12-01", "sent_on": "2020-10-01"}
    other = client_as("officer", name="olle")
    body = problem(other.post(f"/api/cases/{dnr}/referrals", json=referral), 403)
    assert "own case" in body["detail"]
    linda = client_as("officer", name="linda")
    assert linda.post(f"/api/cases/{dnr}/referrals", json=referral).status_code == 201
    problem(registrar.post(f"/api/cases/{dnr}/referrals", json=referral), 403)
    assert registrar.put(f"/api/cases/{dnr}/officer", json={"officer": "olle"}).status_code == 200
    problem(linda.post(f"/api/cases/{dnr}/proposals", json={"points": ["p"], "summary": "s"}), 403)
    proposal = {"points": ["p"], "summary": "s"}
    assert other.post(f"/api/cases/{dnr}/proposals", json=proposal).status_code == 201
    problem(other.post("/api/cases/404-2020/proposals", json=proposal), 404)


def test_tokens_scoped_to_a_body_stay_in_it(client_as: Any) -> None:
    registrar = client_as("registrar")
    rs = registrar.post("/api/cases", json=CASE).get_json()["dnr"]
    hsn = registrar.post("/api/cases", json={**CASE, "responsible_body": "HSN"}).get_json()["dnr"]
    decision = {"kind": "decided", "text": "Beslut", "decided_on": "2020-10-14",
                "body": "HSN", "paragraph": 1, "historical": {"source": "W3D3"}}
    secretary = client_as("secretary", name="sara", bodies=["HSN"])
    problem(secretary.post(f"/api/cases/{rs}/decisions", json={**decision, "body": "RS"}), 403)
    assert secretary.post(f"/api/cases/{hsn}/decisions", json=decision).status_code == 201
    extract = {"recipient": "Regiondirektör"}
    problem(secretary.post(f"/api/cases/{rs}/decisions/1/extracts", json=extract), 403)
    assert secretary.post(f"/api/cases/{hsn}/decisions/1/extracts", json=extract).status_code == 201
    hsn_registrar = client_as("registrar", bodies=["HSN"])
    problem(hsn_registrar.post("/api/cases", json=CASE), 403)
    own = hsn_registrar.post("/api/cases", json={**CASE, "responsible_body": "HSN"})
    assert own.status_code == 201


def test_admins_issue_and_revoke_tokens_over_http(client_as: Any) -> None:
    admin = client_as("admin", name="root.admin")
    problem(client_as("registrar").post("/api/tokens", json={"name": "x", "roles": ["admin"]}), 403)
    problem(admin.post("/api/tokens", json={"name": "x", "roles": ["god"]}), 422)
    problem(admin.post("/api/tokens", json={"name": "x", "roles": ["admin"], "extra": 1}), 422)
    issued = admin.post("/api/tokens", json={"name": "eva", "roles": ["auditor"]})
    assert issued.status_code == 201
    token = issued.get_json()
    assert token["created_by"] == "root.admin"
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert client_as(None).get("/api/whoami", headers=headers).get_json()["name"] == "eva"
    listed = admin.get("/api/tokens").get_json()
    assert "token" not in json.dumps(listed).replace('"tokens"', "")
    assert token["token"] not in json.dumps(listed)
    assert admin.post(f"/api/tokens/{token['id']}/revoke").get_json()["active"] is False
    problem(client_as(None).get("/api/whoami", headers=headers), 401)
    problem(admin.post("/api/tokens/000000000000/revoke"), 404)


# -- OIDC ----------------------------------------------------------------------------------

ISSUER = "https://idp.example.test/realms/region"
AUDIENCE = "diarium"


@pytest.fixture(scope="module")
def rsa_key() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def oidc_client(diarium: Any, rsa_key: Any, tmp_path: Any) -> Any:
    pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key_file = tmp_path / "idp.pem"
    key_file.write_bytes(pem)
    app = create_app(
        diarium,
        DIARIUM_OIDC_ISSUER=ISSUER,
        DIARIUM_OIDC_AUDIENCE=AUDIENCE,
        DIARIUM_OIDC_PUBLIC_KEY_FILE=str(key_file),
        DIARIUM_OIDC_ROLES_CLAIM="realm_access.roles",
    )
    return app.test_client()


def _jwt(key: Any, **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": "u-1", "preferred_username": "karin.idp",
        "iat": now, "exp": now + 300, "realm_access": {"roles": ["registrar", "offline_access"]},
        "diarium_bodies": ["RS"],
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256")


def test_oidc_jwts_are_verified_and_mapped(oidc_client: Any, rsa_key: Any) -> None:
    def call(token: str) -> Any:
        return oidc_client.post(
            "/api/cases", json=CASE, headers={"Authorization": f"Bearer {token}"}
        )

    response = call(_jwt(rsa_key))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["case"]["registered_by"] == "karin.idp"
    problem(call(_jwt(rsa_key, realm_access={"roles": ["auditor"]})), 403)
    problem(oidc_client.post("/api/cases", json={**CASE, "responsible_body": "HSN"},
                             headers={"Authorization": f"Bearer {_jwt(rsa_key)}"}), 403)

    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    now = int(time.time())
    for bad in (
        _jwt(other_key),  # signed by someone else
        _jwt(rsa_key, aud="another-app"),
        _jwt(rsa_key, iss="https://evil.example.test"),
        _jwt(rsa_key, exp=now - 3600),  # expired
        _jwt(rsa_key, exp=None),  # no expiry
        _jwt(rsa_key, realm_access={"roles": ["offline_access"]}),  # no diarium role
        _forged("HS256", public_pem),  # key confusion: HMAC keyed with the public key
        _forged("none", b""),
    ):
        problem(call(bad), 401)


def _forged(alg: str, key: bytes) -> str:
    """A token an attacker builds by hand (PyJWT refuses to make these)."""
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 60, "sub": "x",
              "realm_access": {"roles": ["admin"]}}
    signing_input = f"{part({'alg': alg, 'typ': 'JWT'})}.{part(claims)}"
    mac = hmac.new(key, signing_input.encode(), hashlib.sha256).digest() if key else b""
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def test_without_oidc_configured_jwts_are_refused(client_as: Any, rsa_key: Any) -> None:
    response = client_as(None).get(
        "/api/rules", headers={"Authorization": f"Bearer {_jwt(rsa_key)}"}
    )
    problem(response, 401)
