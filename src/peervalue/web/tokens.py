"""The admin token (PEERVALUE_API_TOKEN): whether one is set, and whether a request gave it.

Shared by the JSON API, the pages and the page renderer, so none of them imports another
for it.
"""

from __future__ import annotations

import hmac
import os

TOKEN_ENV = "PEERVALUE_API_TOKEN"


def admin_token() -> str:
    """The server's admin token (PEERVALUE_API_TOKEN), or "" when it sets none."""
    return os.environ.get(TOKEN_ENV, "")


def token_required() -> bool:
    """Whether saving a new case needs the admin token (PEERVALUE_API_TOKEN is set)."""
    return bool(admin_token())


def is_admin(given: str) -> bool:
    """Whether ``given`` is the admin token (compared in constant time; never when unset)."""
    expected = admin_token()
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def token_accepted(given: str) -> bool:
    """Whether ``given`` may save a new case: any text when no admin token is set, else the
    admin token itself."""
    return not token_required() or is_admin(given)
