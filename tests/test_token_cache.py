"""The web processes' cache of verified tokens: fewer lookups, revocation still effective
within the cache's lifetime (at once through the same process), expiry checked each time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from diarium.cases.tokens import TokenStore
from diarium.web.token_cache import CachedTokens


class Counting:
    def __init__(self, tokens: TokenStore) -> None:
        self.tokens, self.lookups = tokens, 0

    def authenticate(self, presented: str) -> Any:
        self.lookups += 1
        return self.tokens.authenticate(presented)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tokens, name)


def test_cached_tokens_are_looked_up_once_and_revocation_lands_within_the_lifetime(
    tokens: TokenStore,
) -> None:
    now = [100.0]
    store = Counting(tokens)
    cache = CachedTokens(store, 2.0, clock=lambda: now[0])
    secret, token = tokens.issue(name="anna", roles=["registrar"])
    assert cache.authenticate(secret).name == "anna"
    assert cache.authenticate(secret).name == "anna"
    assert store.lookups == 1
    assert cache.authenticate(secret + "x") is None and cache.authenticate("nonsense") is None
    assert store.lookups == 3  # refusals are never cached

    tokens.revoke(token.id)  # by another process: this one learns within 2 s
    now[0] += 1.9
    assert cache.authenticate(secret) is not None
    now[0] += 0.2
    assert cache.authenticate(secret) is None
    assert cache.authenticate(secret) is None  # and stays refused

    other, other_token = tokens.issue(name="bo", roles=["auditor"])
    assert cache.authenticate(other).name == "bo"
    cache.revoke(other_token.id)  # through this process: at once
    assert cache.authenticate(other) is None
    assert cache.list(include_revoked=True)  # everything else goes to the store


def test_a_cached_token_past_its_expiry_is_never_served_from_the_cache(
    tokens: TokenStore,
) -> None:
    store = Counting(tokens)
    cache = CachedTokens(store, 60.0, clock=lambda: 0.0)
    secret, _ = tokens.issue(name="eva", roles=["auditor"])
    assert cache.authenticate(secret) is not None and store.lookups == 1
    key, (until, token) = next(iter(cache._entries.items()))
    expired = replace(token, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    cache._entries[key] = (until, expired)
    assert cache.authenticate(secret) is not None  # the store's answer, not the cache's
    assert store.lookups == 2
