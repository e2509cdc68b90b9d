"""The page's login where keys are required (service/exposure.py): a key (`batchrag keys create`) or the password
serve.ui_password. A Host that is not this server's (DNS rebinding) gets one line and nothing else.

The secret is kept in the session (server-side, st.session_state) and checked again on every run, so a revoked key
ends the session at its next click. Readers see the page without the buttons that change the library or the models.
A key's conversations are its own (their owner is the key's identity, never its reusable name); the password's
readers share theirs.
"""

from __future__ import annotations

import streamlit as st

from batchrag.service.page_access import PageAccess
from batchrag.settings import Settings
from batchrag.ui.render import escape_md

SECRET = "_login_secret"
ROLE = "_login_role"
OWNER = "_login_owner"  # (the secret it was found for, the owner of this session's conversations, the name shown)
# Password readers share one owner: brackets are no key name's letters, so no key can read or write theirs.
PASSWORD_OWNER = "(password)"
LABEL = "Ключ доступу або пароль"
WRONG = "Неправильний ключ або пароль."
TRIES_LEFT = "Спроб до хвилинної паузи: {n}."
TOO_MANY = "Забагато невдалих спроб з цієї адреси: спробуйте знову через {wait} с."
NO_KEY = ("Сторінка вимагає ключа, але жодного ключа немає: адміністратор сервера створює його командою "
          "`batchrag keys create ІМ'Я --role admin`.")


@st.cache_resource(show_spinner=False)
def _access(settings_json: str, address: str) -> PageAccess:
    # One per library and address: its Keys re-reads whether any key exists at most once a second.
    return PageAccess(Settings.model_validate_json(settings_json), address)


def access(base: Settings) -> PageAccess:
    return _access(base.model_dump_json(), st.get_option("server.address") or "")


def client_address() -> str:
    """The reader's address for the failed-login limit: a proxy's X-Forwarded-For when it connects on loopback."""
    direct = st.context.ip_address  # None on loopback
    if direct is None:
        forwarded = (st.context.headers.get("X-Forwarded-For") or "").split(",")[0].strip()
        return forwarded or "loopback"
    return direct


def gate(base: Settings) -> bool:
    """Whether the page may be shown; when not, only the login form (or one line why not) is (and the session's role
    is none)."""
    acc = access(base)
    host = st.context.headers.get("Host")
    if not acc.exposure.host_allowed(host):  # a DNS-rebinding page: nothing of the library, no button
        st.session_state[ROLE] = None
        st.error(f"Адреса «{escape_md(host or '')}» не належить цьому серверу: додайте її до serve.allowed_hosts "
                 "(BATCHRAG_SERVE__ALLOWED_HOSTS), якщо вона ваша.")
        return False
    role = acc.role(st.session_state.get(SECRET))
    st.session_state[ROLE] = role
    if role is not None:
        _find_owner(acc, st.session_state.get(SECRET))
        return True
    st.session_state.pop(SECRET, None)
    st.title("The Batch: запитайте українською")
    if not acc.can_log_in():  # required, and nothing to log in with: the last key revoked, or none made yet
        st.error(NO_KEY)
        return False
    with st.form("login"):
        secret = st.text_input(LABEL, type="password", key="login_secret")
        sent = st.form_submit_button("Увійти")
    if sent:
        client = client_address()
        wait = acc.wait(client)
        if wait:
            st.error(TOO_MANY.format(wait=wait))
        elif acc.role(secret, client) is None:
            st.error(f"{WRONG} {TRIES_LEFT.format(n=acc.tries_left(client))}")
        else:
            st.session_state[SECRET] = secret
            st.rerun()
    return False


def is_admin() -> bool:
    """Whether this session may change the library and the models (set by `gate` on every run)."""
    return st.session_state.get(ROLE) == "admin"


def _find_owner(acc: PageAccess, secret: str | None) -> None:
    if st.session_state.get(OWNER, (None,))[0] == (secret, acc.login_needed()):
        return  # looked up once per secret: `role` above checks it again on every run
    if not acc.login_needed():
        who = name = None  # loopback, or no key and no password: the page's conversations, as the CLI's, have none
    else:
        caller = acc.keys.check(secret)
        # The key's identity owns, as on the API (a revoked name given to a new key owns none of the old one's).
        who, name = (caller.owner, caller.name) if caller is not None else (PASSWORD_OWNER, PASSWORD_OWNER)
    st.session_state[OWNER] = ((secret, acc.login_needed()), who, name)


def owner() -> str | None:
    """Whose conversations this session reads and writes: the logged-in key's identity (`Caller.owner`), the
    password's shared owner, or None on an open page."""
    return st.session_state.get(OWNER, (None, None))[1]


ROLE_UK = {"admin": "адміністратор", "reader": "читач"}


def account_panel(base: Settings) -> None:
    """On a page that asked who you are: who, and «Вийти» (the session forgets the key; the form is shown again)."""
    acc = access(base)
    if not acc.login_needed() or st.session_state.get(ROLE) is None:
        return
    who = st.session_state.get(OWNER, (None, None, None))[2]  # the key's name, never its identity
    name = "командний пароль" if who == PASSWORD_OWNER else who
    st.sidebar.caption(f"Ви увійшли: {name} ({ROLE_UK.get(st.session_state[ROLE], st.session_state[ROLE])})")
    if st.sidebar.button("Вийти", key="log_out"):
        for k in (SECRET, ROLE, OWNER, "turns", "conversation"):
            st.session_state.pop(k, None)
        st.query_params.clear()  # the open conversation is the key's: not shown to whoever logs in next
        st.rerun()
