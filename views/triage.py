"""The triage form and case history shown for a finding (Rings, Tenders, Closeness and Cases pages).

A submission appends CaseEvents (status, assignment, comment) with the logged-in user and
the server's time; nothing earlier is changed. The history table shows every event, and the
case file (the finding, its evidence and its history as JSON) and a printable case report
(the same as one HTML page, :mod:`views.case_report`), both with the ids of the records behind the
finding (:func:`graph.app_queries.case_records`), can be downloaded for the investigator's
records; each is made when the browser fetches it, once the access log
(:mod:`views.access_log`) has its line.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from graph import app_queries
from graph.app_queries import TRIAGE_STATUSES
from graph.db import Database, GraphError
from views import access_log
from views.case_report import render as case_report_html
from views.common import (
    clear_triage_cache,
    current_user,
    detector_label,
    kind_label,
    link_to_finding,
    load,
    md,
    score_column,
    shared_text,
    show_table,
    status_label,
)


def triage_panel(db: Database, finding_id: str, key: str) -> None:
    """Status/assignee/comment form for ``finding_id`` plus its append-only history."""
    current = app_queries.finding(db, finding_id)
    if current is None:
        st.warning(f"Finding {md(finding_id)} no longer exists.")
        return
    # Messages go into slots drawn on every run, so the form and the widgets after it keep their
    # place whether or not a message shows: a widget that moves to another place in its block on
    # the run after st.rerun() can leave a stale copy of itself on the page (streamlit#8360).
    flash_slot, clash_slot = st.empty(), st.empty()
    flash = st.session_state.pop(f"triage_flash_{key}", None)
    if flash:
        flash_slot.success(flash)
    clash = st.session_state.pop(f"triage_clash_{key}", None)
    if clash:
        clash_slot.warning(clash)
    status = current.get("status") or "open"
    assignee = current.get("assignee") or ""
    st.markdown(f"**Status:** {md(status_label(status))} · **Assignee:** {md(assignee or '—')}")
    # The form's widgets keep what they showed across reruns; a save compares the user's entries with
    # what the form showed them (``drawn``), not with the state read now, so a colleague's change
    # made meanwhile is neither reverted nor recorded again in this user's name.
    status_key, assignee_key = f"triage_status_{key}_{finding_id}", f"triage_assignee_{key}_{finding_id}"
    save_key, drawn_key = f"triage_save_{key}_{finding_id}", f"triage_drawn_{key}_{finding_id}"
    comment_key = f"triage_comment_{key}_{finding_id}"
    drawn = st.session_state.get(drawn_key)
    if drawn is None or (drawn != (status, assignee) and not st.session_state.get(save_key)):
        # first shown, saved, or the case moved on: show it as it is now. Set through session state,
        # which also updates the widgets already in the browser (a popped key would not). Unset
        # (first shown, or just saved), the comment starts empty the same way (clear_on_submit
        # would reset the others to empty defaults)
        st.session_state[status_key] = status if status in TRIAGE_STATUSES else TRIAGE_STATUSES[0]
        st.session_state[assignee_key] = assignee
        if drawn is None:
            st.session_state[comment_key] = ""
        drawn = (status, assignee)
    with st.form(f"triage_{key}_{finding_id}"):
        cols = st.columns([1, 1, 2])
        new_status = cols[0].selectbox("Status", TRIAGE_STATUSES, format_func=status_label,
                                       key=status_key)
        new_assignee = cols[1].text_input("Assignee", key=assignee_key, max_chars=app_queries.MAX_ASSIGNEE_CHARS)
        comment = cols[2].text_area("Comment", key=comment_key, height=68, max_chars=app_queries.MAX_COMMENT_CHARS)
        submitted = st.form_submit_button("Save triage", type="primary", key=save_key)
    st.session_state[drawn_key] = (status, assignee)
    outcome_slot = st.empty()
    if submitted:
        chose_status = new_status if new_status != drawn[0] else None
        chose_assignee = new_assignee.strip() if new_assignee.strip() != drawn[1] else None
        clash = []  # a field this user changed that someone else changed since the form showed it: not saved
        if chose_status is not None and status != drawn[0]:
            clash.append(f"the status is now {md(status_label(status))}")
            chose_status = None
        if chose_assignee is not None and assignee != drawn[1]:
            clash.append(f"the assignee is now {md(assignee or '—')}")
            chose_assignee = None
        not_saved = (f"Someone changed this case while you were editing it: {', '.join(clash)} (see the case "
                     "history). Your change of it was not saved; enter it again if it still stands.") if clash else ""
        try:
            written = app_queries.record_triage(
                db, finding_id, current_user(),
                status=chose_status if chose_status not in (None, status) else None,
                assignee=chose_assignee if chose_assignee not in (None, assignee) else None,
                comment=comment or None,
            )
        except (GraphError, ValueError) as error:
            outcome_slot.error(f"Could not save: {error}")
        else:
            clear_triage_cache()  # not the whole app's cache: every page's reads, for every user
            if written or not_saved:
                if written:
                    st.session_state[f"triage_flash_{key}"] = f"Saved {written} change(s) as {md(current_user())}."
                st.session_state[f"triage_clash_{key}"] = not_saved
                st.session_state[drawn_key] = None  # the next run redraws the form from the case
                st.rerun()
            outcome_slot.info("Nothing changed.")
    history = app_queries.case_events(db, finding_id)  # not cached, like the state above: the file below holds it
    st.markdown("**Case history** (append-only)")
    if history.empty:
        st.caption("No triage yet.")
    else:
        show_table(history.drop(columns=["event_id"]).assign(at=history["at"].map(app_queries.to_second),
                                                             status=history["status"].map(status_label)),
                     hide_index=True, width="stretch",
                     key=f"history_{key}")
    related_panel(db, finding_id, key, status)
    user = current_user()

    def record() -> dict[str, object]:  # the ids behind the finding are read only when a file is fetched
        return app_queries.case_record_read(db, current, history)

    def case_file() -> bytes:
        exported = {"exported_at": datetime.now(UTC).isoformat(timespec="seconds"), "exported_by": user, **record()}
        return json.dumps(exported, ensure_ascii=False, indent=2, default=str).encode("utf-8")

    def case_report() -> bytes:
        return case_report_html(record(), user, datetime.now(UTC).isoformat(timespec="seconds")).encode("utf-8")

    left, right = st.columns(2)
    left.download_button("Download the case file (JSON)", key=f"case_file_{key}", mime="application/json",
                         file_name=f"{finding_id}.json", on_click="ignore",
                         data=access_log.on_download(user, "case_file_export", case_file, finding_id=finding_id))
    right.download_button("Download the case report (HTML, to print)", key=f"case_report_{key}", mime="text/html",
                          file_name=f"{finding_id}.html", on_click="ignore",
                          data=access_log.on_download(user, "case_report_export", case_report, finding_id=finding_id))


def _kind_text(row: Any) -> str:
    """A related finding's kind in words, "(weak)" where it scores no higher than shuffled markets."""
    return kind_label(row.kind) + (" (weak)" if row.tier == "weak" else "")


def related_panel(db: Database, finding_id: str, key: str, status: str) -> None:
    """The other active findings about the same firms, officials, tenders or departments
    (:func:`graph.app_queries.related_findings`; weak ones last), each linked to its page, and a form that
    gives the chosen ones a status — this finding's, as it is now, to start with — in one transaction
    (:func:`graph.app_queries.record_status_of_related`): each gets a comment naming this finding, this
    finding one naming them, and one a colleague changed since the form showed it is left as it is and
    said. A ring, its linked bidders and the risky tenders it bid in are one case to an investigator."""
    related = load(app_queries.related_findings, finding_id)
    more = "+" if len(related) >= app_queries.MAX_RELATED else ""
    st.markdown(f"**Related findings** ({len(related)}{more}): the other active findings that name its firms, "
                "officials, tenders or departments")
    for level, message in st.session_state.pop(f"related_flash_{key}", []):
        getattr(st, level)(message)
    if related.empty:
        st.caption("None: no other active finding names its firms, officials, tenders or departments.")
        return
    shares = [shared_text(row) for row in related.to_dict("records")]
    table = pd.DataFrame({
        "finding": related["finding_id"], "kind": [_kind_text(row) for row in related.itertuples()],
        "score": related["score"], "status": related["status"].map(status_label), "shares": shares,
        "detector": related["detector"].map(detector_label), "assignee": related["assignee"],
    })
    show_table(table, hide_index=True, width="stretch", key=f"related_{key}",
               column_config={"score": score_column(), "shares": "what it shares with this one"})
    with st.expander(f"Open one on its page ({len(related)})"):
        for row in related.itertuples():
            link_to_finding(row.finding_id, row.kind, f"{md(_kind_text(row))}, score {row.score:.0f}")
    labels = {row.finding_id: f"{_kind_text(row)}: {share[:60]} — {status_label(row.status)} ({row.finding_id})"
              for row, share in zip(related.itertuples(), shares, strict=True)}
    chosen_key, status_key = f"related_chosen_{key}_{finding_id}", f"related_status_{key}_{finding_id}"
    note_key, shown_key = f"related_comment_{key}_{finding_id}", f"related_shown_{key}_{finding_id}"
    if st.session_state.get(f"{status_key}__for") != status:  # this finding's status, as it is now
        st.session_state[status_key] = st.session_state[f"{status_key}__for"] = status
    if st.session_state.pop(f"{chosen_key}__reset", False):  # saved: an empty form, not the last one again
        st.session_state[chosen_key], st.session_state[note_key] = [], ""
    shown = st.session_state.get(shown_key) or {}  # the statuses the form showed when the user chose
    st.session_state[shown_key] = dict(zip(related["finding_id"], related["status"], strict=True))
    with st.form(f"related_form_{key}_{finding_id}"):
        cols = st.columns([3, 1, 2])
        chosen = cols[0].multiselect("Related findings", list(labels), format_func=lambda f: labels.get(f, f),
                                     key=chosen_key)
        new_status = cols[1].selectbox("Set to", app_queries.TRIAGE_STATUSES, format_func=status_label,
                                       key=status_key)
        note = cols[2].text_input("Note (optional)", key=note_key, max_chars=app_queries.MAX_COMMENT_CHARS)
        submitted = st.form_submit_button("Set their status", help=f"Each gets a comment saying it was set together "
                                                                   f"with {finding_id}, and so does this finding; one "
                                                                   "someone changed meanwhile is left as it is")
    if submitted:
        if not chosen:
            st.warning("Choose the related findings to set first.")
            return
        try:
            done = app_queries.record_status_of_related(
                db, {f: shown.get(f, st.session_state[shown_key].get(f, "open")) for f in chosen}, current_user(),
                new_status, finding_id, note or None)
        except (GraphError, ValueError) as error:
            st.error(f"Could not save: {md(error)}")
            return
        clear_triage_cache()
        flash = []
        if done.changed:
            flash.append(("success", f"Set {md(', '.join(done.changed))} to {md(status_label(new_status))}, each "
                                     f"with a comment naming {md(finding_id)} ({done.events} change(s) saved as "
                                     f"{md(current_user())})."))
        if done.already:
            flash.append(("info", f"Already {md(status_label(new_status))}, left as they were: "
                                  f"{md(', '.join(done.already))}."))
        if done.moved:
            flash.append(("warning", "Someone changed these since you chose them, so they were left as they are "
                                     "(see their history): " + "; ".join(f"{md(f)} is now {md(status_label(s))}"
                                                                         for f, s in done.moved.items()) + "."))
        st.session_state[f"related_flash_{key}"] = flash
        st.session_state[f"{chosen_key}__reset"] = True
        st.rerun()
