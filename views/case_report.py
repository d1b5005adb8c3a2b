"""A finding's case report: one self-contained HTML page an investigator can print or file.

The case file (JSON) is for machines; a case dossier needs a page a person reads and signs.
The report holds what the app shows about the finding — score, status, the plain sentence,
its subjects with their ids, the ids of the records behind it (a ring's tenders, a pair's
inspections, approvals and committee tenders), every fact of the evidence with the baseline and threshold it
was measured against, and the whole triage history — and says who exported it when. Every
value from the records (names, comments, ids) is HTML-escaped: a firm registered as
``<script>…`` prints as text. No script, style sheet or image is fetched from anywhere.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from graph import app_queries
from views.common import detector_label, facts_table, kind_label, shared_text, status_label

STYLE = ("body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;margin:.5em 0 1.5em}"
         "th,td{border:1px solid #999;padding:.2em .5em;text-align:left;vertical-align:top;overflow-wrap:anywhere}"
         "th{background:#eee;overflow-wrap:normal;white-space:nowrap}")


def _e(value: Any) -> str:
    """``value`` as HTML text: escaped, blank for a missing value, line breaks kept."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value)).replace("\r\n", "\n").replace("\n", "<br>")


def _table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p>None.</p>"
    head = "".join(f"<th>{_e(column)}</th>" for column in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>"
                   for row in frame.itertuples(index=False, name=None))
    return f"<table><tr>{head}</tr>{body}</table>"


def _rows(pairs: Sequence[tuple[str, Any]]) -> str:
    return "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in pairs)


#: the most ids of one kind the report prints: as many as the case file (JSON) holds, since the printed report
#: goes in the dossier
REPORT_IDS = app_queries.CASE_RECORDS_CAP


def records_table(records: Mapping[str, Any] | None) -> pd.DataFrame:
    """The ids of the records behind the finding (:func:`graph.app_queries.case_records`), one row per kind:
    what they are in words, how many, and the first :data:`REPORT_IDS` ids with how many more there are."""
    rows = []
    for kind, what in app_queries.CASE_RECORD_KINDS.items():
        entry = (records or {}).get(kind)
        if not isinstance(entry, Mapping) or not entry.get("total"):
            continue
        ids, total = [str(i) for i in entry.get("ids") or []], int(entry["total"])
        shown = ", ".join(ids[:REPORT_IDS])
        if total > min(len(ids), REPORT_IDS):
            shown += f" … and {total - min(len(ids), REPORT_IDS)} more"
            if len(ids) < total:
                shown += f" (the case file lists the first {len(ids)})"
        rows.append({"records": what, "how many": total, "ids": shown})
    return pd.DataFrame(rows, columns=["records", "how many", "ids"])


def related_table(related: Sequence[Mapping[str, Any]] | None) -> pd.DataFrame:
    """The related findings of the case file (:func:`graph.app_queries.related_findings`) as the report lists
    them: id, kind (weak ones said), score, status and what each shares with this finding."""
    rows = [{"finding": r["finding_id"], "kind": kind_label(r["kind"]) + (" (weak)" if r.get("tier") == "weak" else ""),
             "score": f"{float(r['score']):.0f}" if r.get("score") is not None else "",
             "status": status_label(r.get("status") or "open"), "shares": shared_text(r)}
            for r in related or []]
    return pd.DataFrame(rows, columns=["finding", "kind", "score", "status", "shares"])


def render(record: Mapping[str, Any], exported_by: str, exported_at: str) -> str:
    """The report of ``record`` (:func:`graph.app_queries.case_record`) as one HTML page."""
    finding_id = record.get("finding_id")
    subjects = pd.DataFrame([{"kind": s.get("label"), "name": s.get("name"), "id": s.get("id")}
                             for s in record.get("subjects") or [] if isinstance(s, Mapping)])
    history = pd.DataFrame(record.get("case_events") or [])
    if "at" in history:
        history["at"] = history["at"].map(app_queries.to_second)
    if "status" in history:
        history["status"] = history["status"].map(lambda v: status_label(v) if isinstance(v, str) else v)
    names = {**(record.get("names") or {}), **{s["id"]: s["name"] for s in record.get("subjects") or []
                                                if isinstance(s, Mapping) and s.get("id") and s.get("name")}}
    facts = app_queries.evidence_facts(record.get("evidence"), names)
    summary = [("Finding", finding_id), ("Kind", kind_label(record.get("kind"))),
               ("Detector", detector_label(record.get("detector") or "")),
               ("Score", f"{float(record['score']):.1f}" if record.get("score") is not None else None),
               ("Status", status_label(record.get("status") or "open")),
               ("Assignee", record.get("assignee") or "—"),
               ("Still found by the latest run", "yes" if record.get("active", True) else "no"),
               ("First found", app_queries.to_second(record.get("first_seen_at"))),
               ("Last found", app_queries.to_second(record.get("last_seen_at")))]
    records = records_table(record.get("records"))
    related = related_table(record.get("related"))
    records_section = "" if records.empty else (  # a kind of finding with no records listed has no such section
        "<h2>Records behind the finding</h2><p>Search an id on the app's Explore page, or "
        f"<code>MATCH (n {{id: $id}})</code> in Neo4j.</p>{_table(records)}")
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Case report {_e(finding_id)}</title>"
            f"<style>{STYLE}</style></head><body>"
            f"<h1>Iron Cage case report: {_e(kind_label(record.get('kind')))} {_e(finding_id)}</h1>"
            f"<p>Exported by {_e(exported_by)} at {_e(app_queries.to_second(exported_at))} from the records in the graph. Each subject "
            "and fact below can be followed in Neo4j by the ids shown.</p>"
            f"<table>{_rows(summary)}</table>"
            f"<h2>What was found</h2><p>{_e(record.get('explanation'))}</p>"
            f"<h2>Subjects</h2>{_table(subjects)}"
            f"{records_section}"
            f"<h2>Facts behind the score</h2>{_table(facts_table(facts) if not facts.empty else facts)}"
            "<p>Long lists are cut at 30 items and long values at 300 characters here; the case file (JSON) "
            "holds the evidence whole.</p>"
            f"<h2>Case history</h2>{_table(history) if not history.empty else '<p>No triage yet.</p>'}"
            f"<h2>Related findings</h2><p>The other active findings that name its firms, officials, tenders or "
            f"departments, as they stood at the export.</p>"
            f"{_table(related) if not related.empty else '<p>No other active finding names them.</p>'}"
            "</body></html>")
