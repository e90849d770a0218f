"""WSGI entry point for gunicorn: ``gunicorn web.wsgi:app``."""

from diarium.web import create_app
from diarium.web.token_cache import cache_tokens

app = create_app()
cache_tokens(app)  # verified tokens are trusted for DIARIUM_TOKEN_CACHE_SECONDS (2 s)
