"""Who may use the app, and who they are for the audit trail.

With an ``[auth]`` section in ``.streamlit/secrets.toml`` the app uses Streamlit's built-in
OpenID Connect login (``st.login``) and the identity provider's name/e-mail. Otherwise it
asks for a name and the shared password from ``app_password`` in the secrets file or the
``IRONCAGE_APP_PASSWORD`` environment variable. There is no default password: without
one the app explains how to set it and stops. Wrong passwords are limited per client address
(:mod:`views.login_throttle`): past the limit the password is not compared until the lock ends.
Sign-ins, refused passwords, locks and sign-outs go to the access log (:mod:`views.access_log`).
"""

from __future__ import annotations

import hmac
import math
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import streamlit as st

from graph.app_queries import to_second
from views import access_log
from views.common import md
from views.login_throttle import ALL_CLIENTS, UNKNOWN_CLIENT, Lock, LoginThrottle, client_key

PASSWORD_ENV = "IRONCAGE_APP_PASSWORD"
PASSWORD_SECRET = "app_password"
#: the access log's user for a sign-in whose name field held the password
WITHHELD_NAME = "(withheld)"


def _secret(name: str) -> Any:
    try:
        return st.secrets.get(name)
    except Exception:  # no secrets.toml at all, or an unreadable one: treat as unset
        return None


def configured_password() -> str | None:
    """The environment variable wins over the secrets file: it is the more specific setting."""
    value = os.environ.get(PASSWORD_ENV) or _secret(PASSWORD_SECRET)
    return str(value) if value else None


def _oidc_providers(auth: Any) -> list[str | None]:
    """``[auth]`` with client_id directly → the default provider; ``[auth.<name>]`` sections → names."""
    if "client_id" in auth:
        return [None]
    return [name for name, section in auth.items() if hasattr(section, "get") and "client_id" in section]


@st.cache_resource(show_spinner=False)
def login_throttle() -> LoginThrottle:
    """One per server process, shared by every browser session: a new tab must not start a fresh count."""
    return LoginThrottle()


def _lock_end(lock: Lock) -> datetime:
    """When ``lock`` ends, rounded up to the minute the page names (no one is told a minute too early)."""
    end = datetime.now(UTC) + timedelta(seconds=lock.seconds_left)
    return end if end.second == end.microsecond == 0 else end.replace(second=0, microsecond=0) + timedelta(minutes=1)


def _lock_message(lock: Lock) -> str:
    minutes = max(1, math.ceil(lock.seconds_left / 60))
    until = to_second(_lock_end(lock).isoformat(), minutes_only=True)
    when = f"for {minutes} more minute{'s' if minutes > 1 else ''}, until {until}"
    if lock.client == ALL_CLIENTS:
        return (f"Too many wrong passwords from many addresses: sign-in with the password is refused for everyone "
                f"{when}. Try again then.")
    source = ("from addresses the app cannot tell apart (this machine, or a proxy that does not say whose they are)"
              if lock.client == UNKNOWN_CLIENT else "from your address")
    return f"Too many wrong passwords {source}: sign-in is refused {when}. Try again then."


def signed_in() -> bool:
    """Whether this browser session has a signed-in user yet (asked before :func:`require_login`, which
    signs one in): single sign-on's account, else the name a password sign-in recorded."""
    if _secret("auth"):
        return bool(st.user.get("is_logged_in"))
    return bool(st.session_state.get("auth_user"))


def require_login() -> str:
    """The logged-in user's name; otherwise show the login and ``st.stop()``."""
    auth = _secret("auth")
    if auth:
        return _oidc_login(auth)
    if st.session_state.get("auth_user"):
        return str(st.session_state["auth_user"])
    password = configured_password()
    st.title("Iron Cage")
    if password is None:
        st.error("No app password is set, so nobody can log in.")
        st.markdown(
            f"Set one with the environment variable `{PASSWORD_ENV}` "
            f"(e.g. `export {PASSWORD_ENV}=$(python -c 'import secrets; print(secrets.token_urlsafe(12))')`), "
            f"or `{PASSWORD_SECRET} = \"…\"` in `.streamlit/secrets.toml`, or configure single sign-on "
            "in an `[auth]` section there. Then restart the app."
        )
        st.stop()
    with st.form("login", border=True):
        st.subheader("Log in")
        name = st.text_input("Your name (recorded with every triage action)", key="login_name", max_chars=100)
        given = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Log in")
    if submitted:
        # the shared password typed into the name field must not land in the log in clear, nor become the
        # name every triage action and access log line of the session is recorded under
        name_is_password = hmac.compare_digest(name.strip().encode(), password.encode())
        client = client_key(st.context.ip_address)
        throttle = login_throttle()
        lock = throttle.lock(client)
        if lock is not None:
            # first, and the same answer whatever was typed: under a lock neither field may tell a guess right
            access_log.try_record(WITHHELD_NAME if name_is_password else name.strip(), "sign_in_refused",
                                  method="password", reason="locked", client=client, locked=lock.client,
                                  until=_lock_end(lock).isoformat())
            st.error(_lock_message(lock))
        elif not name.strip():
            st.error("Enter your name: the audit trail records who did what.")
        elif name_is_password:
            access_log.try_record(WITHHELD_NAME, "sign_in_refused", method="password", reason="name is the password")
            st.error("The name field holds the password. Enter your own name there, and the password below.")
        elif hmac.compare_digest(given.encode(), password.encode()):
            throttle.succeeded(client)
            st.session_state["auth_user"] = name.strip()
            access_log.try_record(name.strip(), "sign_in", method="password", client=client)
            st.rerun()
        else:
            access_log.try_record(name.strip(), "sign_in_refused", method="password", reason="wrong password",
                                  client=client)
            started = throttle.failed(client)
            for lock in started:
                access_log.try_record(name.strip(), "sign_in_locked", method="password", client=client,
                                      locked=lock.client, until=_lock_end(lock).isoformat(),
                                      failures=throttle.max_failures if lock.client == client
                                      else throttle.max_failures_all_clients,
                                      window_seconds=throttle.window_seconds)
            st.error(" ".join(["Wrong password."] + [_lock_message(lock) for lock in started[-1:]]))
    st.stop()
    return ""  # unreachable: st.stop() ends the run


def _oidc_login(auth: Any) -> str:
    if st.user.get("is_logged_in"):
        user = str(st.user.get("name") or st.user.get("email") or st.user.get("sub") or "unknown")
        if st.session_state.get("auth_user") != user:
            if st.session_state.get("auth_user"):  # another person on this browser session: nothing of theirs stays
                st.session_state.clear()
            access_log.try_record(user, "session_start", method="single sign-on", email=st.user.get("email"))
        st.session_state["auth_user"] = user
        return user
    st.title("Iron Cage")
    st.write("Log in with your organisation's account.")
    for provider in _oidc_providers(auth):
        label = f"Log in with {provider}" if provider else "Log in"
        if st.button(label, key=f"login_{provider or 'default'}"):
            st.login(provider) if provider else st.login()
    st.stop()
    return ""


def logout_button() -> None:
    with st.sidebar:
        st.caption(f"Logged in as **{md(st.session_state.get('auth_user', '?'))}**")
        if st.button("Log out", key="logout"):
            access_log.try_record(str(st.session_state.get("auth_user", "?")), "sign_out")
            # the whole session goes: a console result, a graph being explored or a chosen record
            # left behind would show to the next person who signs in here, unlogged in their name
            st.session_state.clear()
            if _secret("auth"):
                st.logout()
            st.rerun()
