"""Overview page: the latest detector run, findings by kind and status, top findings, data loaded."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from graph import app_queries
from views.common import (
    LOAD_HINT,
    detector_label,
    kind_label,
    link_to_finding,
    load,
    md,
    require_database,
    score_column,
    show_table,
    status_label,
)

#: the order the Overview lists the detectors' best findings in: groups of firms, then pairs, then single records
DETECTOR_ORDER = ("rings", "linked_bidders", "closeness", "tender_risk", "official_profile", "red_flags")

db = require_database()
st.title("Overview")

run = load(app_queries.latest_run)
st.subheader("Latest detector run")
if run is None:
    st.info("No detector run yet. Find suspects with `python -m detectors run` (or `make demo`).")
else:
    cols = st.columns([3, 2, 2, 2])  # the time with its zone needs the room
    cols[0].metric("Started", app_queries.to_second(run.get("started_at") or "?", minutes_only=True))
    seconds = run.get("seconds")
    cols[1].metric("Took", f"{seconds:.1f} s" if isinstance(seconds, (int, float)) else "?")
    cols[2].metric("Status", run.get("status") or "?")
    cols[3].metric("Findings", run.get("finding_count") if run.get("finding_count") is not None else "?")
    detectors = run.get("detectors") or ([run["detector"]] if run.get("detector") else [])
    st.caption(f"Run {md(run.get('run_id'))} · detectors: {md(', '.join(detectors) or '?')} · "
               f"code {md(run.get('code_version') or '?')}")
    with st.expander("Parameters and per-detector time"):
        st.json({"params": run.get("params"), "detector_seconds": run.get("detector_seconds")}, expanded=False)
    if run.get("status") == "running" and load(app_queries.job_lock_state) == "free":
        st.warning("The latest run is marked running, but no job holds the database's lock: its process ended "
                   "without recording its end (killed, or its machine went down). Its findings were not written; "
                   "the next run marks it failed.")
    if run.get("status") not in ("succeeded", "running"):
        good = run.get("last_succeeded_at")
        since = f"the last successful run, started {app_queries.to_second(good)}" if good else "no successful run yet"
        st.error(f"The latest run {md(run.get('status') or 'did not finish')}: "
                 f"{md(run.get('error') or 'no error recorded')}. Its findings were not written; the findings "
                 f"shown are from {md(since)}.")
    with st.expander("Recent runs"):
        show_table(load(app_queries.recent_runs), hide_index=True, width="stretch", key="overview_runs",
                   column_config={"run_id": "run", "started_at": "started", "code_version": "code version"})

left, right = st.columns([1, 2])
with left:
    st.subheader("Findings by kind and status")
    counts = load(app_queries.findings_counts)
    if counts.empty:
        st.caption("No findings stored.")
    else:
        table = counts.pivot_table(index="kind", columns="status", values="findings", fill_value=0, aggfunc="sum")
        # statuses and kinds are headers here: in words ("in progress", "linked bidders"), as the pages say them
        table = table.rename(columns=status_label, index=lambda k: str(k).replace("_", " "))
        table["total"] = table.sum(axis=1)
        weak = counts[counts["tier"].eq("weak")].groupby("kind")["findings"].sum()
        if not weak.empty:  # rings and pairs no stronger than markets without collusion give
            table["of them weak"] = weak.reindex(table.index, fill_value=0)
        show_table(table, width="stretch", key="overview_counts")
with right:
    st.subheader("Top findings")
    top = load(app_queries.top_findings, 15)
    if top.empty:
        st.caption("No findings stored.")
    else:
        # what each is about, by name, and its kind, detector and status in words: a row read
        # "tender-6968e1f68840f827 | tender | tender_risk" with nothing naming the tender (an app review)
        # by detector, then score: the detectors' scores are not on one scale (the strongest ring sat 12th of 15,
        # below tender screens near their percentile and red flags at 40/64/78: an app review)
        order = {detector: rank for rank, detector in enumerate(DETECTOR_ORDER)}
        top = top.assign(rank=top["detector"].map(order).fillna(len(order))).sort_values(
            ["rank", "score", "finding_id"], ascending=[True, False, True])
        shown = top.assign(about=top["about"].map(lambda names: ", ".join(names[:4]) + (
                               f" and {len(names) - 4} more" if len(names) > 4 else "")),
                           kind=top["kind"].map(kind_label), detector=top["detector"].map(detector_label),
                           status=top["status"].map(status_label))
        show_table(shown[["finding_id", "about", "kind", "detector", "score", "status", "explanation"]],
                   hide_index=True, width="stretch", key="overview_top",
                   column_config={"finding_id": "finding", "score": score_column()})
        st.caption("The best of each detector, detector by detector: a score ranks findings of its own detector, "
                   "not one detector's against another's.")
        with st.expander(f"Open one on its page ({len(top)})"):
            for kind, row in zip(top["kind"], shown.itertuples(), strict=True):
                link_to_finding(row.finding_id, kind, f"{md(row.kind)}: {md(row.about)}")

st.subheader("Data loaded")
labels = load(app_queries.label_counts)
tenders = load(app_queries.tender_range)
cols = st.columns(3)
cols[0].metric("Tenders", tenders.get("tenders", 0))
cols[1].metric("First published", tenders.get("first_published") or "—")
cols[2].metric("Last published", tenders.get("last_published") or "—")
show_table(labels[labels["nodes"] > 0], hide_index=True, key="overview_labels")
if int(labels["nodes"].sum()) == 0:
    st.info(LOAD_HINT)
loads = load(app_queries.recent_loads)
if loads.empty:
    st.caption("No load recorded (loads record themselves since the load log was added).")
else:
    last = loads.iloc[0]
    when = last["finished_at"] or last["started_at"] or "?"  # to the second already
    rows = f"{int(last['rows_loaded']):,}" if pd.notna(last["rows_loaded"]) else "?"
    st.caption(f"Last load: {md(last['input'])} ({md(last['kind'])}, source {md(last['source'])}), "
               f"{md(last['status'])} at {md(when)} · {rows} rows loaded")
    if last["status"] == "running" and load(app_queries.job_lock_state) == "free":
        st.warning("The last load is marked running, but no job holds the database's lock: its process ended "
                   "without recording its end (killed). Rows it wrote stay; run it again to complete it (the next "
                   "load marks it interrupted).")
    if last["status"] not in ("succeeded", "running"):
        ended = {"partial": "was partial", "interrupted": "was interrupted"}.get(last["status"], last["status"])
        st.warning(f"The last load {md(ended)}: {md(last['note'] or 'no reason recorded')}")
    with st.expander("Recent loads"):
        show_table(loads, hide_index=True, width="stretch", key="overview_loads", column_config={
            "started_at": "started", "finished_at": "finished", "rows_read": "rows read",
            "rows_loaded": "rows loaded", "rejected": "rows rejected", "pruned": "rows pruned"})
