"""Who may use the Streamlit page: the rule of service/exposure.py, as for the API.

Keys (or serve.ui_password) are asked for beyond loopback, with serve.require_keys (a page behind a reverse proxy),
or once any key exists; revoking the last key leaves the page asking, with a line saying how to make one. Where none
is asked (loopback, no key, no requirement), everyone is an admin. A reader key or the password gives a reader, an
admin key an admin; readers get no button that changes the library or the models. Failed logins are limited per
client address.
"""

from __future__ import annotations

import hmac

from batchrag.service.exposure import Exposure
from batchrag.service.keys import Keys, Role, is_loopback
from batchrag.settings import Settings


class PageAccess:
    """The page's access rule for one bind address (`address`: streamlit's server.address; empty binds every one)."""

    def __init__(self, settings: Settings, address: str | None, keys: Keys | None = None) -> None:
        self.settings = settings
        self.address = address or ""
        self.keys = keys or Keys(settings)
        self.exposure = Exposure(settings, self.address, self.keys)  # decided once, when the page's process starts

    @property
    def password(self) -> str:
        return self.settings.serve.ui_password.strip()

    def login_needed(self) -> bool:
        """Whether the page asks for a key or the password (the exposure rule, or a password beyond loopback)."""
        return self.exposure.keys_required() or (bool(self.password) and not is_loopback(self.address))

    def can_log_in(self) -> bool:
        """Whether any login could succeed now: a key exists or a password is set."""
        return bool(self.password) or self.keys.required()

    def wait(self, client: str) -> int:
        """Seconds `client` must wait before its next try (after too many wrong keys or passwords), else 0."""
        return self.exposure.failures.wait(client)

    def tries_left(self, client: str) -> int:
        """How many more wrong secrets `client` may send before it waits."""
        return self.exposure.failures.left(client)

    def role(self, presented: str | None, client: str | None = None) -> Role | None:
        """The role a presented key or password gives (admin where no login is needed); None for a wrong one.
        With `client` (its address), a wrong secret counts toward that address's limit."""
        if not self.login_needed():
            return "admin"
        presented = (presented or "").strip()
        if not presented:
            return None
        caller = self.keys.check(presented)
        if caller is not None:
            return caller.role
        if self.password and hmac.compare_digest(presented.encode("utf-8"), self.password.encode("utf-8")):
            return "reader"
        if client is not None:
            self.exposure.failures.add(client)
        return None


def page_role(settings: Settings, address: str | None, presented: str | None) -> Role | None:
    """One-off form of PageAccess(settings, address).role(presented)."""
    return PageAccess(settings, address).role(presented)
