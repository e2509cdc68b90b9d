"""Who may use the Streamlit page: on a non-loopback address, a key (`batchrag keys create`) or serve.ui_password.

On loopback, or where neither a key exists nor a password is set, the page is open and everyone is an admin (as
before keys). Otherwise a reader key or the password gives a reader, an admin key an admin; readers get no button
that changes the library or the models.
"""

from __future__ import annotations

import hmac

from batchrag.service.keys import Keys, Role, is_loopback
from batchrag.settings import Settings


class PageAccess:
    """The page's access rule for one bind address (`address`: streamlit's server.address; empty binds every one)."""

    def __init__(self, settings: Settings, address: str | None, keys: Keys | None = None) -> None:
        self.settings = settings
        self.address = address or ""
        self.keys = keys or Keys(settings)

    @property
    def password(self) -> str:
        return self.settings.serve.ui_password.strip()

    def login_needed(self) -> bool:
        """Whether the page asks for a key or the password: a non-loopback address, and a key or a password."""
        if is_loopback(self.address):
            return False
        return bool(self.password) or self.keys.required()

    def role(self, presented: str | None) -> Role | None:
        """The role a presented key or password gives (admin where no login is needed); None for a wrong one."""
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
        return None


def page_role(settings: Settings, address: str | None, presented: str | None) -> Role | None:
    """One-off form of PageAccess(settings, address).role(presented)."""
    return PageAccess(settings, address).role(presented)
