"""Officials page: the per-official record (workload 工作量, overdue approvals 超期量, deviation from
peers 偏离度, closeness 亲密度), filterable by department and period, with a drill-down."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from detectors.finding import counted
from detectors.market import PASSED_RESULTS, plain_text
from graph import app_queries
from views.charts import monthly_activity_figure
from views.common import link_to, load, md, record_select, require_database, score_column, show_table
from views.triage import triage_panel

#: the firm columns of the drill-down's tables in words
FIRM_LABELS = {"firm_id": "firm id", "firm_name": "firm", "case_officer": "case officer (period)"}


def _z(value: float, kind: str) -> str | None:
    """A metric's delta text: the z and which one it is, or nothing where there is none. The z comes first:
    Streamlit points the arrow by the text's first character, so "funnel z -1.3" had an up arrow, in red."""
    return None if pd.isna(value) else f"{value:+.1f} ({kind} z)"


db = require_database()
st.title("Officials")

departments = load(app_queries.departments)
first, last = load(app_queries.activity_range)
filters = st.columns([2, 2, 2])
department_names = dict(zip(departments["department_id"], departments["name"], strict=True))
department_id = filters[0].selectbox(
    "Department", [None, *department_names], key="officials_department",
    format_func=lambda d: "All departments" if d is None else f"{department_names[d]} ({d})",
)
first, last = first or date(2000, 1, 1), last or date.today()
period = filters[1].date_input("Period", value=(first, last), key="officials_period")
date_from, date_to = (period if isinstance(period, tuple) and len(period) == 2 else (None, None))
SORT_LABELS = {"deviation": "deviation", "overdue": "overdue approvals", "workload": "workload",
               "closeness": "closeness", "profile_score": "profile finding score", "pass_rate": "pass rate"}
sort_by = filters[2].selectbox("Sort by", list(SORT_LABELS), key="officials_sort", format_func=SORT_LABELS.get)

if department_id is not None:
    for alert in load(app_queries.department_alerts, department_id).itertuples():
        st.warning(f"**{md(department_names[department_id])} as a buyer: {md(alert.detector.replace('_', ' '))} finding "
                   f"{md(alert.alert_id)}** (score {alert.score:.0f}): {md(alert.explanation)}")

record = load(app_queries.official_workload, department_id, date_from, date_to, last)  # pending: to the data's last day
if record.empty:
    st.info("No officials in this selection.")
    st.stop()
record = record.sort_values(sort_by, ascending=False, na_position="last")
columns = ["official_id", "name", "department", "role", "workload", "inspections", "approvals", "evaluations",
           "overdue", "mean_approval_days", "pass_rate", "workload_z", "overdue_z", "pass_rate_z", "deviation",
           "closeness", "profile_score"]
show_table(
    record[columns], hide_index=True, width="stretch", key="officials_table",
    column_config={
        "official_id": "id", "overdue": "overdue approvals", "evaluations": "tender evaluations",
        "closeness": score_column("closeness (best pair score)"),
        "profile_score": score_column("profile finding score"),
        "pass_rate": st.column_config.NumberColumn("pass rate", format="percent"),
        "mean_approval_days": st.column_config.NumberColumn("mean approval days", format="%.1f"),
        "workload_z": st.column_config.NumberColumn("workload vs peers (z)"),
        "overdue_z": st.column_config.NumberColumn("overdue vs peers (z)"),
        "pass_rate_z": st.column_config.NumberColumn("raw pass rate vs peers (z)"),
        "deviation": st.column_config.NumberColumn("deviation (max |z|)"),
    },
)
st.caption("Workload = inspections + approvals decided (or pending past their deadline) + tender evaluations in "
           "the period. Overdue = approvals "
           f"decided (or still pending on {last}, the data's last date, as the findings count them) after their "
           "statutory days. Workload z: (official − department "
           "median) / (1.4826 × median absolute deviation). Overdue and pass-rate z: the official's overdue "
           "approvals (inspections not passed) against its volume × the department's rate, as in a funnel plot — "
           "exact for small counts, so two overdue approvals out of two are not an outlier; empty where the "
           "department has fewer than 4 officials with that work. The pass rate is raw: an official who inspects "
           "poorer firms fails more of them. The profile finding judges each official's failures against what "
           "its own firms' records with the other officials predict.")


st.subheader("Drill-down")
names = dict(zip(record["official_id"], record["name"], strict=True))
official_id = record_select("officials", "Official", list(names), "officials_pick", lambda o: f"{names[o]} ({o})",
                            lambda o: {"official_id": o})
row = record.set_index("official_id").loc[official_id]
cols = st.columns(5)
cols[0].metric("Workload", int(row["workload"]), _z(row["workload_z"], "robust"), delta_color="off")
cols[1].metric("Overdue approvals", int(row["overdue"]), _z(row["overdue_z"], "funnel"), delta_color="inverse")
# the rate's count beside it: "50 %" in large type rested on 2 inspections (an app review)
cols[2].metric(f"Pass rate ({counted(int(row['results']), 'result')})",
               "—" if pd.isna(row["pass_rate"]) else f"{row['pass_rate']:.0%}")
cols[3].metric("Closeness", "—" if pd.isna(row["closeness"]) else f"{row['closeness']:.0f}")
cols[4].metric("Profile score", "—" if pd.isna(row["profile_score"]) else f"{row['profile_score']:.0f}")
if isinstance(row.get("closest_pair"), str):  # the metric alone led nowhere
    link_to("closeness", row["closest_pair"], f"Open its closest firm (pair {md(row['closest_pair'])}, score "
            f"{row['closeness']:.0f}) on Closeness")

alerts = load(app_queries.official_alerts, official_id)
if not alerts.empty:  # two statistics, both called z: say which is which (an app review found 7.3 beside 12.1)
    st.caption("The z above are this page's, over the period chosen: workload by median and MAD, overdue approvals "
               "as a count against the department's rate (funnel z, allowing for chance). The finding below is the "
               "profile detector's over the whole record: its \"robust standard deviations\" compare the overdue "
               "share with the peers' median and MAD, so the figures differ.")
for alert in alerts.itertuples():
    st.warning(f"**Official finding {md(alert.alert_id)}** (score {alert.score:.0f}): {md(alert.explanation)}")
if not alerts.empty:  # a finding about the official is a case like any other: triaged here or on Cases
    alert_id = alerts["alert_id"].iloc[0]
    with st.expander(f"Triage {alert_id}" + (f" (and {len(alerts) - 1} more on Cases)" if len(alerts) > 1 else ""),
                     expanded=False):
        triage_panel(db, alert_id, key="officials")

activity = load(app_queries.official_activity, official_id, last, date_from, date_to)
assignments = load(app_queries.official_assignments, official_id)
if not assignments.empty:
    with st.expander(f"Assigned case officer of {len(assignments)} firms (with or without activity here)"):
        show_table(assignments, hide_index=True, width="stretch", key="officials_assignments",
                   column_config=FIRM_LABELS)
if activity.empty:
    st.caption("No inspections, approvals or evaluations recorded for this official in the period.")
else:
    st.plotly_chart(monthly_activity_figure(activity), key="officials_activity_chart", width="stretch")
    firms = (activity.groupby(["firm_id", "firm_name"])
             .agg(activities=("activity", "count"),
                  inspections=("activity", lambda a: int((a == "inspection").sum())),
                  passes=("outcome", lambda o: int((plain_text(o).isin(PASSED_RESULTS)
                                                    & (activity.loc[o.index, "activity"] == "inspection")).sum())),
                  approvals=("activity", lambda a: int((a == "approval").sum())),
                  evaluated_bids=("activity", lambda a: int((a == "evaluation").sum())),
                  wins_evaluated=("outcome", lambda o: int((o == "won").sum())))
             .reset_index())
    late = activity[(activity["activity"] == "approval") & (activity["days"] > activity["statutory_days"])]
    firms["overdue_approvals"] = firms["firm_id"].map(late.groupby("firm_id").size()).fillna(0).astype(int)
    decided = activity[(activity["activity"] == "approval") & (activity["outcome"] != "pending")
                       & (activity["days"] >= 0)]  # decided ones, timed: an approver's record too
    firms["median_approval_days"] = firms["firm_id"].map(decided.groupby("firm_id")["days"].median())
    firms = firms.sort_values("activities", ascending=False)
    firms["case_officer"] = firms["firm_id"].map(assignments.set_index("firm_id")["case_officer"]).fillna("")
    st.markdown("**Firms this official dealt with most** (case officer: the period the official is the firm's "
                "assigned case officer; closeness does not count those visits and decisions as frequency)")
    show_table(firms.head(30), hide_index=True, width="stretch", key="officials_firms", column_config={
        **FIRM_LABELS, "activities": "dealings", "passes": "inspections passed",
        "evaluated_bids": "its bids in tenders evaluated", "wins_evaluated": "its wins in tenders evaluated",
        "overdue_approvals": "overdue approvals",
        "median_approval_days": st.column_config.NumberColumn("median approval days", format="%.1f")})
    with st.expander("All activity"):
        show_table(activity, hide_index=True, width="stretch", key="officials_activity", column_config={
            **FIRM_LABELS, "activity_id": "record id (evaluation: the tender)",
            "date": st.column_config.DateColumn("date (approval: applied; evaluation: published)"),
            "days": st.column_config.NumberColumn("approval days", format="%d"),
            "statutory_days": st.column_config.NumberColumn("statutory days", format="%d")})
