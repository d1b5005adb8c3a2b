"""views.case_report: the printable report holds the finding's facts, subjects and history, and escapes the records."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from views.case_report import render

HOSTILE = "<script>alert('x')</script> & <img src=http://evil.example/p.png>"


class _Text(HTMLParser):
    """Tags and text of a page, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _record() -> dict[str, object]:
    return {
        "finding_id": "RING-1", "kind": "ring", "detector": "rings", "score": 87.0, "status": "confirmed",
        "assignee": "Ana", "active": True, "first_seen_at": "2024-08-01T10:00:00Z", "last_seen_at": "2024-09-01T10:00:00Z",
        "explanation": f"3 firms bid together in 6 tenders; one is named {HOSTILE}",
        "subjects": [{"label": "Firm", "id": "F1", "name": HOSTILE}, {"label": "Firm", "id": "F2", "name": "Beta"}],
        "evidence": json.dumps({"cv": {"value": 0.012, "baseline": 0.08, "threshold": 0.03, "flagged": True},
                                "thresholds": {"min_tenders": 3}, HOSTILE: 1}),
        "case_events": [{"at": "2024-09-02T08:00:00Z", "user": "Ana", "action": "comment", "status": "confirmed",
                         "assignee": None, "comment": f"cover bids {HOSTILE}\nsecond line"}],
    }


def test_the_report_holds_the_finding_and_escapes_every_value_from_the_records(shanghai_time) -> None:
    page = render(_record(), exported_by="Ana <ana@city>", exported_at="2024-09-03T09:00:00+00:00")
    parsed = _Text()
    parsed.feed(page)
    text = " ".join(parsed.text)
    # nothing from the records became markup: no script, no image, no link fetched when the page opens
    assert not {"script", "img", "a", "link", "iframe"} & set(parsed.tags)
    # name, sentence, comment, and the evidence key twice (the fact in words, and its path): as text
    assert text.count("<script>alert('x')</script>") == 5
    assert "None" not in text and "\\n" not in page  # a missing value is blank, a line break a line break
    assert parsed.tags.count("br") == 1 and "second line" in text
    for shown in ("Iron Cage case report: ring RING-1", "Exported by Ana <ana@city> at 2024-09-03 17:00:00 CST",
                  "2024-08-01 18:00:00 CST", "2024-09-02 16:00:00 CST",  # first found, the comment: the city's time
                  "87.0", "confirmed", "3 firms bid together in 6 tenders", "F1", "Beta",
                  "cv", "0.012", "0.08", "0.03", "yes", "thresholds.min_tenders", "cover bids"):
        assert shown in text, shown


def test_a_finding_without_evidence_or_history_still_reports() -> None:
    record = {**_record(), "evidence": None, "case_events": [], "subjects": [], "assignee": None, "active": False}
    parsed = _Text()
    parsed.feed(render(record, exported_by="Bo", exported_at="now"))
    text = " ".join(parsed.text)
    assert text.count("None.") == 2 and "Still found by the latest run no" in " ".join(text.split())
    assert "Case history No triage yet." in " ".join(text.split())  # it printed "Case history None."


def test_the_report_lists_the_related_findings_with_their_status() -> None:
    """The dossier of a confirmed ring named neither its linked bidders nor its tender findings (a review)."""
    related = [{"finding_id": "LB-1", "kind": "linked_bidders", "score": 60.0, "tier": None, "status": "in_progress",
                "firms": [{"id": "F1", "name": HOSTILE}], "officials": [], "tenders": 6,
                "tender_names": [{"id": "T1", "title": "Road"}], "departments": []},
               {"finding_id": "RING-9", "kind": "ring", "score": 12.0, "tier": "weak", "status": "open",
                "firms": [], "officials": [], "tenders": 1, "tender_names": [{"id": "T3", "title": None}],
                "departments": []}]
    parsed = _Text()
    parsed.feed(render({**_record(), "related": related}, exported_by="Bo", exported_at="now"))
    text = " ".join(" ".join(parsed.text).split())
    assert "Related findings" in text and not {"script", "img"} & set(parsed.tags)
    assert "LB-1 linked bidders 60 in progress" in text and "(F1); 6 tenders" in text
    assert "RING-9 ring (weak) 12 open T3" in text


def test_the_report_names_the_persons_its_facts_quote_and_says_codes_in_words() -> None:
    """The report quoted a ring's shared owner as P673322 only, and its status as in_progress (an app review)."""
    record = {**_record(), "status": "in_progress", "kind": "linked_bidders", "detector": "linked_bidders",
              "evidence": {"shared_identifiers": [{"kind": "person", "value": "P9", "members": ["F1", "F2"]}]},
              "names": {"P9": "Xu Ling", "F2": "Beta"},
              "case_events": [{"at": "2024-09-02T08:00:00Z", "user": "Ana", "action": "status",
                               "status": "in_progress", "assignee": None, "comment": None}]}
    parsed = _Text()
    parsed.feed(render(record, exported_by="Bo", exported_at="now"))
    text = " ".join(" ".join(parsed.text).split())
    assert "Xu Ling (P9)" in text and "Beta (F2)" in text
    assert "in_progress" not in text and text.count("in progress") == 2  # the summary and the history
    assert "case report: linked bidders RING-1" in text and "Detector linked bidders" in text
    # near-miss: an id the store names nothing for stays as it is
    record["names"] = {}
    parsed = _Text()
    parsed.feed(render(record, exported_by="Bo", exported_at="now"))
    assert "P9" in " ".join(parsed.text) and "Xu Ling" not in " ".join(parsed.text)


def test_the_report_lists_the_ids_of_the_records_behind_the_finding_and_says_how_many_more() -> None:
    """The report named no tender of a ring and no record behind a pair (an app review)."""
    tenders = [f"T{i}" for i in range(1, 41)]
    record = {**_record(), "records": {"tenders": {"ids": tenders, "total": 45}}}
    parsed = _Text()
    parsed.feed(render(record, exported_by="Bo", exported_at="now"))
    text = " ".join(" ".join(parsed.text).split())
    assert "Records behind the finding" in text and "where two or more members bid" in text
    # every id the case file holds (the report goes in the dossier: it left out 21 of a ring's 51 tenders),
    # and how many more the finding has than the file lists
    assert ", ".join(tenders) + " … and 5 more (the case file lists the first 40)" in text and "45" in text
    pair = {**_record(), "kind": "pair", "records": {"inspections": {"ids": ["I6", "I1"], "total": 2},
                                                     "approvals": {"ids": ["A1"], "total": 1},
                                                     "evaluations": {"ids": ["T1"], "total": 1}}}
    parsed = _Text()
    parsed.feed(render(pair, exported_by="Bo", exported_at="now"))
    text = " ".join(" ".join(parsed.text).split())
    for shown in ("Inspections of the firm by the official 2 I6, I1", "Approvals of the firm the official decided 1 A1",
                  "Tenders the official evaluated and the firm bid in 1 T1"):
        assert shown in text, shown
    assert "more" not in text.split("Records behind the finding")[1].split("Facts behind the score")[0]
    # near-miss: a finding with no records listed (an official's profile) has no such section
    parsed = _Text()
    parsed.feed(render({**_record(), "records": {}}, exported_by="Bo", exported_at="now"))
    assert "Records behind the finding" not in " ".join(parsed.text)
