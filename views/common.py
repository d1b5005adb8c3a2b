"""What every page shares: the one cached Database, cached reads, and the database checks.

Pages call :func:`load` with a function of :mod:`graph.app_queries` and its arguments; the
result is cached per arguments for :data:`CACHE_TTL_S` seconds (``st.cache_data``). The reads
that show a finding's triage (:data:`graph.app_queries.TRIAGE_READS`) have a cache of their
own, cleared after a triage write (:func:`clear_triage_cache`) so the next read shows it; every
other page's cached reads stay, for every user. The driver lives once per process
(``st.cache_resource``).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

import pandas as pd
import streamlit as st

from graph import app_queries
from graph.db import Database, GraphError, GraphUnavailable, connect
from graph.model import NODE_BY_LABEL
from graph.settings import SettingsError
from views import access_log

CACHE_TTL_S = 120
# the server's "unknown label/property" hints (e.g. no CaseEvent yet) are noise in the app's log
logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
T = TypeVar("T")

START_HINT = "Start the local server with `python -m graph server start` (or `make neo4j`), " \
             "or point NEO4J_URI, NEO4J_USERNAME and NEO4J_PASSWORD at a running Neo4j 5."
LOAD_HINT = "Load data with `make demo`, or `python -m loaders csv DIR` for a CSV bundle, " \
            "then find suspects with `python -m detectors run`."


# Markdown syntax characters, including Streamlit's extensions: ``$`` (LaTeX), ``:`` (colour and
# icon directives), ``~`` (strikethrough), ``|`` (tables), ``<``/``&`` (HTML)
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_{}\[\]()#!|<>~$:&])")
# ``-``, ``+`` and ``1.`` / ``1)`` only make a list (and ``---`` a rule) at the start of a line
_LIST_MARKER = re.compile(r"^([-+]|\d+[.)])")
# GitHub-style literal autolinks (``http://…``, ``www.…``, ``name@host``) are found in the text
# after escapes are resolved, so they are broken with an invisible word joiner instead
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)")
WORD_JOINER = "\u2060"
#: the bidirectional embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI):
#: invisible, and they reorder the text after them
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _shown_as_code(char: str) -> str:
    """``char`` as it is shown: a control character (Unicode category Cc) or a bidi control as its code
    point in brackets (``[U+202E]``), anything else, letters of every script among it, as itself."""
    return f"[U+{ord(char):04X}]" if char in BIDI_CONTROLS or unicodedata.category(char) == "Cc" else char


#: what :func:`shown_text` replaces: the controls of :func:`_shown_as_code` but the tab and line breaks a
#: comment or an address may hold
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS)) + "]")


def shown_text(value: Any) -> Any:
    """A text as tables and graphs show it: control characters and bidi controls as their code
    (:func:`_shown_as_code`; tab and line breaks kept), so a RIGHT-TO-LEFT OVERRIDE in one member's
    name does not reverse the other names of its cell (a review); anything but text unchanged."""
    return _HIDDEN.sub(lambda m: _shown_as_code(m[0]), value) if isinstance(value, str) else value


def md(value: Any) -> str:
    """``value`` as literal text for ``st.markdown`` and friends: names, ids and explanations come
    from loaded records, so a firm called ``[verify](http://…)`` or ``![x](http://…)`` must show
    as those characters, not as a link or an image fetched by the investigator's browser.
    Every syntax character is backslash-escaped (CommonMark escapes), literal URLs and e-mail
    addresses get an invisible word joiner so they are not turned into links, and line
    breaks become spaces (a newline would end a quote and start a heading or a list).
    Control characters and bidi overrides show as their code (``[U+202E]``, ``[U+001B]``): a
    RIGHT-TO-LEFT OVERRIDE in a firm's name would otherwise show the rest of the line reversed,
    so that what the investigator reads is not what the record says. Arabic and Hebrew letters
    are untouched: the browser orders them by their own direction."""
    text = shown_text(" ".join(str(value).split()))  # no tab or line break is left for it to keep
    text = _AUTOLINK.sub(WORD_JOINER, text)
    text = _MARKDOWN_SYNTAX.sub(r"\\\1", text)
    return _LIST_MARKER.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], text)


@st.cache_resource(show_spinner=False, on_release=lambda db: db.close())
def database() -> Database:
    """The process's one Database (one driver, one connection pool)."""
    return connect()


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def _cached(name: str, args: tuple[Any, ...], kwargs: tuple[tuple[str, Any], ...]) -> Any:
    return getattr(app_queries, name)(database(), *args, **dict(kwargs))


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def _cached_triage(name: str, args: tuple[Any, ...], kwargs: tuple[tuple[str, Any], ...]) -> Any:
    """:func:`_cached` for the reads a triage write makes stale: a cache of their own, so that a save
    clears them and nothing else."""
    return getattr(app_queries, name)(database(), *args, **dict(kwargs))


def load(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(db, *args, **kwargs)`` from :mod:`graph.app_queries`, cached for a while."""
    cached = _cached_triage if function.__name__ in app_queries.TRIAGE_READS else _cached
    return cached(function.__name__, args, tuple(sorted(kwargs.items())))


def clear_triage_cache() -> None:
    """Forget the cached reads that show triage (the finding lists, a finding, its history), for every
    user, after a triage write; the pages' other reads (bids, graphs, charts' frames) stay cached."""
    _cached_triage.clear()


@st.cache_resource(show_spinner=False)
def start_warm_up() -> threading.Thread:
    """Once per process, in the background (e.g. while the user logs in): import the charting library
    and run the pages' queries once (:func:`graph.app_queries.warm_up`), so Neo4j has planned them
    before the first page asks. ``python -m graph server start`` runs the same after a restart."""

    def warm() -> None:
        try:
            import plotly.graph_objects  # noqa: F401  (≈1 s on first import)

            with connect() as db:  # its own driver: query plans are cached by the server, not the driver
                app_queries.warm_up(db)
        except Exception:  # a cold cache is all that is lost; the pages report real errors themselves
            logging.getLogger(__name__).debug("warm-up failed", exc_info=True)

    thread = threading.Thread(target=warm, name="ironcage-warm-up", daemon=True)
    thread.start()
    return thread


@st.cache_data(ttl=15, show_spinner=False)
def _status() -> tuple[str, str, int]:
    """("ok" | "unreachable" | "empty", message, data nodes)."""
    try:
        db = database()
        db.verify()
        counts = app_queries.label_counts(db)
    except SettingsError as error:
        return "unreachable", str(error), 0
    except GraphUnavailable as error:
        database.clear()  # reconnect next time: the server may come back
        return "unreachable", str(error), 0
    except GraphError as error:
        return "unreachable", f"Neo4j answered with an error: {error}", 0
    total = int(counts["nodes"].sum()) if not counts.empty else 0
    return ("ok" if total else "empty"), "", total


def require_database(allow_empty: bool = False) -> Database:
    """The Database, or a plain explanation and ``st.stop()`` when it cannot be used."""
    state, message, _ = _status()
    if state == "unreachable":
        _status.clear()
        st.error(f"The graph database is unreachable. {message}")
        st.markdown(START_HINT)
        st.stop()
    if state == "empty" and not allow_empty:
        st.info(f"The graph database is empty. {LOAD_HINT}")
        st.stop()
    return database()


def current_user() -> str:
    """The logged-in investigator's name, as it goes into the audit trail."""
    return str(st.session_state.get("auth_user") or "unknown")


def record_opened(page: str, chosen: bool, **subject: Any) -> None:
    """Log that the user opened one record on ``page`` (an official, a pair, a ring …), once per signed-in
    user and browser session, as a ``record_view`` line of the access log (:mod:`views.access_log`):
    ``chosen`` False when the page showed it without anyone picking it (``shown: "shown, not picked"``:
    the first of its list, or what a filter left first), True when the user picked it (logged again
    when it was logged unpicked before). When the line cannot be written the page stops before the
    record shows (fail closed, as the console does)."""
    seen: dict[tuple[Any, ...], bool] = st.session_state.setdefault("access_opened", {})
    user = current_user()
    key = (user, page, *sorted((name, str(value)) for name, value in subject.items()))
    if key in seen and (seen[key] or not chosen):  # logged, and as chosen when it is chosen now
        return
    try:
        access_log.record(user, "record_view", page=page, shown="chosen" if chosen else "shown, not picked",
                          **subject)
    except access_log.AccessLogError as error:
        st.error(f"{error}. The record is not shown: every record opened is logged first.")
        st.stop()
    seen[key] = chosen


#: the query parameter that names the record a page opens: ``/firms?open=F12`` opens firm F12 on Firms.
#: Links between pages (:func:`link_to`) set it, and picking a record sets it in the address bar, so an
#: investigator can bookmark or send the address of the record on screen.
OPEN_PARAM = "open"

#: the pages' scripts, as ``app.py`` routes them, by the name links use
PAGE_FILES = {"rings": "views/rings.py", "tenders": "views/tenders.py", "firms": "views/firms.py",
              "officials": "views/officials.py", "closeness": "views/closeness.py", "cases": "views/cases.py",
              "explore": "views/explore.py"}


def record_select(page: str, label: str, options: list[Any], key: str, format_func: Callable[[Any], str],
                  subject: Callable[[Any], dict[str, Any]], also: dict[str, Any] | None = None) -> Any:
    """The selectbox that opens one record on ``page`` (keyed ``key``), and the record's ``record_view``
    line (:func:`record_opened`, with the ids ``subject(value)`` gives); the value shown.

    A link's ``?open=<id>`` (:data:`OPEN_PARAM`) opens that option once, as if the user had picked it;
    ``also`` maps other ids a link may give to an option (a tender's id to its finding). An id the list
    does not hold (a weak finding hidden, say) is said, and the list's first record shows."""
    wanted = st.query_params.get(OPEN_PARAM)
    if wanted is not None and st.session_state.get(f"{key}__link") != wanted:
        st.session_state[f"{key}__link"] = wanted  # applied once: the user's later picks stand
        option = wanted if wanted in options else (also or {}).get(wanted)
        if option is not None and option in options:
            st.session_state[key] = st.session_state[f"{key}__picked"] = option
        else:
            st.warning(f"{md(label)} {md(wanted)} from the link is not in this list: it may be hidden by a filter "
                       "above (weak findings, say), or no longer stored.")
    value = st.selectbox(label, options, key=key, format_func=format_func, on_change=_mark_picked, args=(key,))
    record_opened(page, _picked(key, value), **subject(value))
    return value


def _mark_picked(widget_key: str) -> None:
    """``on_change`` of a record's selectbox: remember the value the user picked, and put it in the
    address bar (``?open=``) so the address opens it again. A selectbox also shows a value nobody
    picked — its first option on the page's first run, or after a filter changed its options."""
    value = st.session_state.get(widget_key)
    st.session_state[f"{widget_key}__picked"] = value
    if isinstance(value, str):
        st.query_params[OPEN_PARAM] = st.session_state[f"{widget_key}__link"] = value


def link_to(page: str, record_id: Any, label: str, help: str | None = None) -> None:
    """A link that opens ``record_id`` on ``page`` (a key of :data:`PAGE_FILES`) in this tab."""
    st.page_link(PAGE_FILES[page], label=label, help=help, query_params={OPEN_PARAM: str(record_id)},
                 icon=":material/arrow_forward:")


def link_to_finding(finding_id: str, kind: str, what: str) -> None:
    """A link that opens a finding on the page of its kind (:data:`KIND_PAGES`, else Cases), labelled with its id,
    ``what`` it is (Markdown, already escaped) and the page."""
    page = KIND_PAGES.get(kind, "cases")
    link_to(page, finding_id, f"{md(finding_id)} ({what}) on {page.capitalize()}")


def _picked(widget_key: str, value: Any) -> bool:
    """Whether the selectbox ``widget_key`` (with ``on_change=_mark_picked``) shows ``value`` because
    the user picked it."""
    return bool(st.session_state.get(f"{widget_key}__picked") == value)


def node_key(label: str, props: Any) -> dict[str, str]:
    """A node as the access log names it: its label and its key property (id, value or hash, as
    :mod:`graph.model` declares it), not its name."""
    node = NODE_BY_LABEL.get(label)
    key = node.key if node is not None else "id"
    return {"label": label, key: str((props or {}).get(key, ""))}


def one_currency(currencies: Any) -> str | None:
    """The currency every one of ``currencies`` names (a column of amounts' currencies), None when some name
    none or they name several: then no header may claim one."""
    values = pd.Series(list(currencies), dtype=object)
    named = values.map(lambda c: str(c).strip() if isinstance(c, str) else "")
    found = set(named)
    return found.pop() if len(found) == 1 and "" not in found else None


def currency_in_header(frame: pd.DataFrame, amount: str) -> tuple[str | None, pd.DataFrame]:
    """The currency to head ``frame``'s ``amount`` column with — the one every row with an amount names
    (:func:`one_currency`), else None — and ``frame`` without its ``currency`` column where that header
    says it or no row with an amount names any; where the amounts differ the column stays."""
    if "currency" not in frame:
        return None, frame
    priced = frame.loc[frame[amount].notna(), "currency"]
    currency = one_currency(priced) if not priced.empty else None
    if currency is not None or priced.isna().all():
        frame = frame.drop(columns=["currency"])
    return currency, frame


def money_column(label: str, currency: str | None = None) -> Any:
    """A column of sums of money: numbers (they sort as numbers) shown with thousands separators and cents,
    and the currency in the header when the amounts have one (:func:`one_currency`): "amount (CNY)"."""
    return st.column_config.NumberColumn(f"{label} ({currency})" if currency else label, format="%,.2f")


#: a finding's kind as the pages say it (Cases' filter, table and picker; the Overview's top findings)
KIND_LABELS = {"ring": "ring", "pair": "official–firm pair", "linked_bidders": "linked bidders", "tender": "tender",
               "firm": "firm (red flags)", "buyer": "buyer (red flags)", "official": "official's profile"}


#: the page that opens a finding of a kind by its id (``?open=``), by kind; the others show in full on Cases
KIND_PAGES = {"ring": "rings", "pair": "closeness", "tender": "tenders"}


def kind_label(kind: Any) -> str:
    """A finding's kind in words (:data:`KIND_LABELS`), else with its underscores as spaces."""
    return KIND_LABELS.get(str(kind), str(kind).replace("_", " "))


#: a triage status as the pages say it
STATUS_LABELS = {"open": "open", "in_progress": "in progress", "confirmed": "confirmed", "dismissed": "dismissed"}


def status_label(status: Any) -> str:
    """A triage status in words (:data:`STATUS_LABELS`: "in progress"), else as stored."""
    return STATUS_LABELS.get(status, status)


def detector_label(detector: Any) -> str:
    """A detector as the pages say it: "tender risk", "red flags"."""
    return str(detector).replace("_", " ")


def score_column(label: str = "score") -> Any:
    return st.column_config.ProgressColumn(label, min_value=0, max_value=100, format="%.0f")


def triaged(frame: pd.DataFrame) -> pd.Series:
    """Rows of a findings list someone has triaged: a status other than open, an assignee (an
    assignee cleared again is stored as an empty string: no one), or a case event (a comment)."""
    events = frame["events"].fillna(0).gt(0) if "events" in frame else pd.Series(False, index=frame.index)
    return frame["status"].ne("open") | frame["assignee"].fillna("").astype(str).str.strip().ne("") | events


def without_weak(frame: pd.DataFrame, noun: str, key: str, weak_means: str,
                 keep: pd.Series | None = None) -> pd.DataFrame:
    """``frame`` without its weak-tier rows (evidence ``tier`` "weak") unless the investigator
    switches them on: the strong leads come first, and the weak ones are one toggle away.

    ``noun`` names the rows in the plural ("rings"); ``weak_means`` says in a few words what
    the weak tier is. Rows without a tier (older runs) are always listed, and so are the rows
    ``keep`` marks (a weak lead someone already works on). When only weak rows exist and they
    are hidden, the page says so and stops.
    """
    weak = frame["tier"].eq("weak") if "tier" in frame else pd.Series(False, index=frame.index)
    weak = weak.fillna(False).astype(bool)
    if keep is not None:
        weak &= ~keep.fillna(False).astype(bool)
    if not weak.any():
        return frame
    if st.toggle(f"Include weak {noun}", key=key):
        return frame
    if weak.all():
        st.info(f"No strong {noun}: all {int(weak.sum())} are weak ({weak_means}). Switch on "
                f"“Include weak {noun}” to see them.")
        st.stop()
    st.caption(f"Showing {int((~weak).sum())}; {int(weak.sum())} weak {noun} ({weak_means}) are hidden.")
    return frame.loc[~weak]


def linked(ids: pd.Series) -> pd.Series:
    """Whether each of ``ids`` is the record the address opens (``?open=``): a filter keeps it (a link to a weak
    finding opens it, the weak ones hidden or not)."""
    wanted = st.query_params.get(OPEN_PARAM)
    return ids.astype(str).eq(wanted) if wanted is not None else pd.Series(False, index=ids.index)


def found_column(frame: pd.DataFrame, table: pd.DataFrame, shown: bool) -> pd.DataFrame:
    """``table`` with a "latest run" column (found / no longer) when findings the latest run no longer found
    are ``shown`` beside the others, so that the two can be told apart."""
    if shown:
        table.insert(1, "latest run", frame["active"].map({True: "found", False: "no longer found"}).fillna("found"))
    return table


def no_longer_found(finding: pd.Series, noun: str) -> None:
    """A warning above a finding the latest detector run no longer produced: its facts are those of its last run."""
    if bool(finding.get("active", True)):
        return
    when = str(finding.get("last_seen_at") or "")[:10]
    st.warning(f"The latest detector run no longer found this {noun}"
               + (f"; it was last found on {md(when)}" if when else "")
               + ". Its facts below are those of that run; its triage is kept.")


#: what a table shows for a missing value: Streamlit's default is the word "None", which an investigator reads
#: as a value (an app review: tier, assignee, approval days, pass rate)
MISSING = "—"


def show_table(data: Any, **kwargs: Any) -> Any:
    """``st.dataframe`` with :data:`MISSING` for missing values and every text cell, and column name, as
    :func:`shown_text` shows it."""
    if isinstance(data, pd.DataFrame):
        texts = [c for c in data.columns if data[c].dtype == object]
        data = data.assign(**{str(c): data[c].map(shown_text) for c in texts}) if texts else data
        data = data.rename(columns=lambda c: shown_text(c) if isinstance(c, str) else c)
    return st.dataframe(data, placeholder=MISSING, **kwargs)


def show_facts(evidence: Any, key: str, height: int | Literal["auto"] = 360, names: Mapping[str, Any] | None = None,
               currency: str | None = None) -> None:
    """Every fact of a finding's evidence as a table (with the thresholds used), or a caption when
    the finding stores none. ``names`` (id → name: the finding's members or subjects) names the firms
    a fact is about, as do the store's names of the firms, persons and officials the facts quote;
    ``currency`` is the bids' (a tender's facts), said beside its sums of money."""
    # the firms, persons and officials the facts quote by id, by name (a ring's shared owner read P673322)
    quoted = load(app_queries.names_of, app_queries.evidence_ids(evidence))
    facts = app_queries.evidence_facts(evidence, {**quoted, **(names or {})})
    if facts.empty:
        st.caption("The finding stores no evidence.")
    else:
        show_table(facts_table(facts, currency), hide_index=True, width="stretch", height=height, key=key)


#: the columns of :func:`facts_table` left out when no fact has a value in them
_SPARSE_FACT_COLUMNS = ("baseline", "threshold", "contribution", "flagged", "meaning")


def facts_table(facts: Any, currency: str | None = None) -> Any:
    """Evidence facts (:func:`graph.app_queries.evidence_facts`) for display: the fact in words, every cell
    as text, blanks where there is none, "yes"/"no" for flags, sums of money with thousands separators
    (and ``currency`` for the bids' sums), large numbers grouped; a column no fact fills is left out, and
    the fact's path in the stored JSON comes last, so an analyst can find it in the case file."""
    def text(value: Any) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, (int, float)) and abs(value) >= 10_000:
            return f"{value:,}"
        return str(value)

    def cell(value: Any, money: str | None) -> str:
        if money is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
            return app_queries.money_text(value, currency if money == "bid" else None)
        return text(value)

    money = facts["fact"].map(app_queries.fact_money)
    label = facts["label"] if "label" in facts else facts["fact"]
    table = pd.DataFrame({"fact": label.where(label.notna(), facts["fact"]).map(text)}, index=facts.index)
    for column in ("value", "baseline", "threshold"):
        table[column] = [cell(v, m) for v, m in zip(facts[column], money, strict=True)]
    for column in ("contribution", "flagged", "meaning"):
        table[column] = facts[column].map(text)
    table["path"] = facts["fact"].map(text)
    return table.drop(columns=[c for c in _SPARSE_FACT_COLUMNS if table[c].eq("").all()])


def shared_text(row: Mapping[str, Any]) -> str:
    """What a related finding (a row of :func:`graph.app_queries.related_findings`) shares with the one shown, in
    words: "Alpha Build (F1), Beta Build (F2); 6 tenders", a tender by its number and title where it shares up
    to three ("T2 Road repair")."""
    people = list(row["firms"]) + list(row["officials"])
    parts = [", ".join(f"{p['name']} ({p['id']})" if p["name"] != p["id"] else p["id"] for p in people)]
    names = list(row.get("tender_names") or [])
    if row["tenders"] and row["tenders"] <= len(names):
        parts.append(", ".join(" ".join(filter(None, (t["id"], (t.get("title") or "")[:40]))) for t in names))
    elif row["tenders"]:
        parts.append(f"{row['tenders']} tenders")
    if row["departments"]:
        parts.append("department " + ", ".join(row["departments"]))
    return "; ".join(part for part in parts if part)
