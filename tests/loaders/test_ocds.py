"""OCDS loader against the real Neo4j: streaming a gzipped release package and a record
package, consortium bids, lots, award→bid links, rejects with JSON paths, idempotent
reloads, and the loaded market running through the ring and linked-bidder detectors."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path

import ijson
import pytest

from loaders.ocds import (
    ChunkRows,
    Item,
    OcdsFormatError,
    PartyKeys,
    iter_releases,
    load_ocds,
    main,
    map_release,
    market_category,
)
from loaders.rejects import RejectLog, read_rejects

BUYER = {"id": "B1", "name": "Housing Bureau", "roles": ["buyer"],
         "identifier": {"scheme": "CN-USCC", "id": "B-0001"}}


def firm(party_id: str, phone: str | None = None, identifier: str | None = None) -> dict:
    party: dict = {"id": party_id, "name": f"Firm {party_id}", "roles": ["tenderer"]}
    if identifier == "F1":
        party["address"] = {"streetAddress": "1 Main St", "locality": "Leeds", "countryName": "United Kingdom"}
    if phone:
        party["contactPoint"] = {"telephone": phone, "email": f"bids@{party_id.lower()}.example"}
    if identifier:
        party["identifier"] = {"scheme": "XI", "id": identifier}
    return party


OWNER = {"id": "o1", "name": "A. Owner", "identifier": {"scheme": "XI-PASSPORT", "id": "P1"},
         "telephone": "+44 20 7000 0001"}


def release_1() -> dict:
    """ocds-1: two lots; a consortium bid by F2+F3; F1 wins lot L1 through relatedBids;
    F1 and F3 have the same beneficial owner."""
    f1, f3 = firm("F1", "+44 20 7946 0958", "F1"), firm("F3")
    f1["beneficialOwners"] = [OWNER]
    f3["beneficialOwners"] = [OWNER, {"name": "Local Owner"}]
    return {
        "ocid": "ocds-1", "id": "1", "date": "2024-01-20T00:00:00Z", "tag": ["award"],
        "parties": [BUYER, f1, firm("F2", "+44 (20) 7946-0958"), f3],
        "buyer": {"id": "B1", "name": "Housing Bureau"},
        "tender": {"id": "t1", "title": "School roof", "status": "complete", "procurementMethod": "open",
                   "awardCriteria": "ratedCriteria", "awardCriteriaDetails": "price 60 %, quality 40 %",
                   "mainProcurementCategory": "works", "value": {"amount": 1000, "currency": "EUR"},
                   "tenderPeriod": {"startDate": "2024-01-01T09:00:00Z", "endDate": "2024-01-05T09:00:00Z"},
                   "items": [{"id": "i1", "classification": {"scheme": "CPV", "id": "45261000"}}],
                   "lots": [{"id": "L1", "title": "Roof", "value": {"amount": 600, "currency": "EUR"}},
                            {"id": "L2", "title": "Gutters"}]},
        "bids": {"details": [
            {"id": "b1", "status": "valid", "date": "2024-01-04T10:00:00Z", "tenderers": [{"id": "F1"}],
             "value": {"amount": 100, "currency": "EUR"}, "relatedLots": ["L1"]},
            {"id": "b2", "status": "valid", "tenderers": [{"id": "F2"}, {"id": "F3"}],
             "value": {"amount": 105, "currency": "EUR"}, "relatedLots": ["L1"]},
            {"id": "b3", "status": "disqualified", "tenderers": [{"id": "F1"}],
             "value": {"amount": 50, "currency": "EUR"}, "relatedLots": ["L2"]},
        ]},
        "awards": [{"id": "a1", "status": "active", "suppliers": [{"id": "F1"}], "relatedBids": ["b1"],
                    "relatedLots": ["L1"], "value": {"amount": 100, "currency": "EUR"},
                    "date": "2024-01-10T00:00:00Z",
                    "items": [{"id": "i1", "classification": {"id": "45261000"}}]}],
        "contracts": [{"id": "c1", "awardID": "a1", "status": "active", "dateSigned": "2024-01-15T00:00:00Z"}],
    }


def release_2() -> dict:
    """ocds-2: a bid amount that is not a number and a start date that is not a date."""
    return {
        "ocid": "ocds-2", "id": "1", "date": "2024-02-01T00:00:00Z", "tag": ["tender"],
        "parties": [BUYER, firm("F1", identifier="F1"), firm("F2", "+44 (20) 7946-0958")],
        "buyer": {"id": "B1"},
        "tender": {"id": "t2", "tenderPeriod": {"startDate": "yesterday", "endDate": "2024-02-09T00:00:00Z"}},
        "bids": {"details": [
            {"id": "b1", "status": "valid", "tenderers": [{"id": "F1"}], "value": {"amount": 90, "currency": "EUR"}},
            {"id": "b2", "status": "valid", "tenderers": [{"id": "F2"}], "value": {"amount": "abc", "currency": "EUR"}},
        ]},
    }


def write_gz_package(path: Path, releases: list) -> Path:
    package = {"uri": "https://example.org/p.json", "publishedDate": "2024-03-01T00:00:00Z", "version": "1.1",
               "publisher": {"name": "Test"}, "releases": releases}
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(package, handle, indent=2)  # pretty-printed: not JSON Lines
    return path


def write_record_package(path: Path) -> Path:
    compiled = {"ocid": "ocds-9", "id": "x", "date": "2024-01-01T00:00:00Z", "tag": ["compiled"],
                "tender": {"id": "t9", "title": "Compiled"},
                "bids": {"details": [{"id": "b1", "status": "valid", "tenderers": [{"id": "F9"}]}]}}
    first = {"ocid": "ocds-10", "id": "r1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"],
             "tender": {"id": "t10", "title": "Merged", "status": "active"},
             "bids": {"details": [{"id": "b1", "status": "pending", "tenderers": [{"id": "F10"}]}]}}
    second = {"ocid": "ocds-10", "id": "r2", "date": "2024-02-01T00:00:00Z", "tag": ["award"],
              "tender": {"id": "t10", "status": "complete"},
              "bids": {"details": [{"id": "b1", "status": "valid"}]},
              "awards": [{"id": "a1", "status": "active", "suppliers": [{"id": "F10"}]}]}
    linked_only = {"ocid": "ocds-11", "releases": [{"url": "https://example.org/r.json", "date": "2024-01-01T00:00:00Z",
                                                    "tag": ["tender"]}]}
    package = {"uri": "https://example.org/records.json", "records": [
        {"ocid": "ocds-9", "compiledRelease": compiled},
        {"ocid": "ocds-10", "releases": [second, first]},
        linked_only,
    ]}
    path.write_text(json.dumps(package, indent=1), encoding="utf-8")
    return path


def count(db, text: str) -> int:  # type: ignore[no-untyped-def]
    keys, records, _ = db.run_read_only(text)
    return int(records[0][0])


# -- streaming, without the database ------------------------------------------------------

def test_gzipped_release_package_streams_release_by_release(tmp_path: Path) -> None:
    path = write_gz_package(tmp_path / "p.json.gz", [release_1(), release_2(), {"id": "no ocid"}])
    items = list(iter_releases(path))
    assert [i.path for i in items] == ["$.releases[0]", "$.releases[1]", "$.releases[2]"]
    assert items[0].release["ocid"] == "ocds-1"


def _peak_bytes_streaming(path: Path, releases: int) -> int:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write('{"uri": "x", "releases": [\n')
        for i in range(releases):
            rel = release_1()
            rel["ocid"] = f"ocds-big-{i}"
            handle.write(("," if i else "") + json.dumps(rel, indent=1))
        handle.write("]}")
    tracemalloc.start()
    seen = sum(1 for _ in iter_releases(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert seen == releases
    return peak


def test_a_tender_s_category_is_the_cpv_division_or_unspsc_segment_most_of_its_items_are_in() -> None:
    """goods/works/services made fuel, medicines and office supplies one market (an unseen-market review:
    fuel at regulated prices read as cover bidding against all goods); the division is the market."""
    def item(scheme: str | None, code: str) -> dict:
        return {"id": code, "classification": {"scheme": scheme, "id": code}}

    assert market_category([item("CPV", "09134100-8")], "goods") == "CPV 09"  # diesel oil
    assert market_category([item("cpv", "33600000"), item("CPV", "33141000"), item("CPV", "30192000")],
                           "goods") == "CPV 33"  # two medical items of three
    assert market_category([item("CPV", "45000000"), item("CPV", "71000000")], "works") == "CPV 45"  # a tie: the first
    assert market_category([item("UNSPSC", "42131600")], "goods") == "UNSPSC 42"
    # a code published as a number has lost its leading zeros: diesel is division 09, not 91
    assert market_category([{"classification": {"scheme": "CPV", "id": 9134100}}], "goods") == "CPV 09"
    assert market_category([{"classification": {"scheme": "CPV", "id": 45000000.0}}], "works") == "CPV 45"
    # near misses: the three values where no item names a known hierarchical scheme
    assert market_category([item("CUCOP", "21101")], "goods") == "goods"
    assert market_category([item("CPV", "X1")], "services") == "services"
    assert market_category([{"id": "1"}], "works") == "works" and market_category(None, None) is None
    assert market_category([item("CPV", "٤٥000000")], "works") == "works"  # Arabic-Indic digits are no CPV code


def test_memory_stays_flat_while_streaming_a_large_package(tmp_path: Path) -> None:
    small = _peak_bytes_streaming(tmp_path / "small.json.gz", 200)
    large = _peak_bytes_streaming(tmp_path / "large.json.gz", 1600)  # 8× the data (~4 MB of JSON)
    assert large < 1.25 * small  # the package never sits in memory: peak does not grow with it


def test_record_package_uses_compiled_release_or_merges_releases(tmp_path: Path) -> None:
    items = list(iter_releases(write_record_package(tmp_path / "records.json")))
    assert items[0].release["tender"]["title"] == "Compiled"
    merged = items[1].release
    assert merged["tender"] == {"id": "t10", "title": "Merged", "status": "complete"}
    assert merged["bids"]["details"][0] == {"id": "b1", "status": "valid", "tenderers": [{"id": "F10"}]}
    assert items[2].release is None and "linked releases" in items[2].error


# -- loading into Neo4j ----------------------------------------------------------------------


def _lines(items: list) -> list[tuple[int, str | None]]:
    """(line, ocid) of each item, ocid None for a line that is a reject."""
    return [(i.line, i.release["ocid"] if i.release else None) for i in items]


@pytest.mark.parametrize("bad_at", [0, 1])
def test_a_broken_json_lines_line_is_a_reject_wherever_it_is(tmp_path: Path, bad_at: int) -> None:
    lines = [json.dumps({"ocid": "o1"}), json.dumps({"ocid": "o2"})]
    lines.insert(bad_at, "{oops")
    path = tmp_path / "releases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ocids: list[str | None] = ["o1", "o2"]
    ocids.insert(bad_at, None)
    assert _lines(list(iter_releases(path))) == list(enumerate(ocids, start=1))  # 2 releases and 1 reject


def test_json_lines_with_a_first_line_longer_than_the_head_or_a_bom(tmp_path: Path) -> None:
    long_first = tmp_path / "long.jsonl"
    long_first.write_text(json.dumps({"ocid": "o1", "tender": {"title": "x" * (1 << 20)}}) + "\n"
                          + json.dumps({"ocid": "o2"}) + "\n", encoding="utf-8")
    assert _lines(list(iter_releases(long_first))) == [(1, "o1"), (2, "o2")]
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(codecs.BOM_UTF8 + b'{"ocid": "o1"}\n{"ocid": "o2"}\n')
    assert _lines(list(iter_releases(bom))) == [(1, "o1"), (2, "o2")]


def test_packages_stay_packages_pretty_with_a_bom_one_release_a_line_or_on_one_long_line(tmp_path: Path) -> None:
    pretty = tmp_path / "bom.json"
    pretty.write_bytes(codecs.BOM_UTF8 + json.dumps({"uri": "x", "releases": [{"ocid": "o1"}]}, indent=2).encode())
    assert [i.path for i in iter_releases(pretty)] == ["$.releases[0]"]
    # near-miss: the second line is a whole release, but it continues the first line's array
    per_line = tmp_path / "per_line.json"
    per_line.write_text('{"uri": "x", "releases": [\n{"ocid": "o1"}\n]}\n', encoding="utf-8")
    assert [i.path for i in iter_releases(per_line)] == ["$.releases[0]"]
    one_line = tmp_path / "one_line.json"
    one_line.write_text(json.dumps({"uri": "x", "releases": [{"ocid": "o1", "title": "x" * (1 << 20)},
                                                            {"ocid": "o2"}]}), encoding="utf-8")
    assert [i.path for i in iter_releases(one_line)] == ["$.releases[0]", "$.releases[1]"]
    # a package broken in its first line is one error, not a reject for each of its lines
    broken = tmp_path / "broken.json"
    broken.write_text('{oops\n  "releases": [\n    {"ocid": "o1"}\n  ]\n}\n', encoding="utf-8")
    with pytest.raises(OcdsFormatError, match="invalid JSON after 0"):
        list(iter_releases(broken))


def test_a_file_not_in_utf8_is_told_to_be_converted_not_loaded_again(tmp_path: Path) -> None:
    """A package saved in Latin-1 stops with what to do about it (convert it: loading the same file
    again would fail the same way), on one line; a Latin-1 JSON Lines line is a reject saying so."""
    release = {"ocid": "o1", "tender": {"id": "t1", "title": "Café"}}
    package = tmp_path / "latin1.json"
    package.write_bytes(json.dumps({"uri": "x", "releases": [release]}, ensure_ascii=False, indent=1).encode("latin-1"))
    with pytest.raises(OcdsFormatError) as raised:
        list(iter_releases(package))
    said = str(raised.value)
    assert said.startswith("latin1.json: not UTF-8 text") and "iconv -f latin1 -t utf-8" in said
    assert "load a whole copy again" not in said and "\n" not in said
    lines = tmp_path / "latin1.jsonl"
    lines.write_bytes(json.dumps({"ocid": "o0"}).encode() + b"\n" + json.dumps(release, ensure_ascii=False).encode("latin-1")
                      + b"\n")
    first, second = iter_releases(lines)
    assert first.release == {"ocid": "o0"} and second.release is None
    assert second.error is not None and second.error.startswith("not UTF-8 text") and "byte 0xe9" in second.error
    # near-miss: the same file in UTF-8 is read, and JSON broken otherwise is still told as broken JSON
    lines.write_text(json.dumps({"ocid": "o0"}) + "\n" + json.dumps(release, ensure_ascii=False) + "\n", encoding="utf-8")
    assert [i.release["ocid"] for i in iter_releases(lines) if i.release] == ["o0", "o1"]
    broken = tmp_path / "broken.json"
    broken.write_text('{"releases": [{"ocid": "o1"', encoding="utf-8")
    with pytest.raises(OcdsFormatError, match="broken.json: invalid JSON after 0 .*premature EOF"):
        list(iter_releases(broken))

def _mapped(release: dict) -> tuple[ChunkRows, list]:
    rows, log = ChunkRows(), RejectLog(None)
    map_release(Item(1, "$", release), "f.jsonl", rows, log)
    return rows, [(r.field, r.value, r.reason) for r in log.rejects]


def test_tender_days_are_the_dates_as_written_not_utc_days() -> None:
    rows, rejects = _mapped({"ocid": "o1", "tender": {"tenderPeriod": {
        "startDate": "2024-03-05T00:00:00+08:00",   # 4 March in UTC
        "endDate": "2024-03-05T23:30:00-05:00"}}})  # 6 March in UTC
    props = rows.tenders[0]["props"]
    assert rejects == []
    assert (props["published_at"], props["deadline_at"]) == (date(2024, 3, 5), date(2024, 3, 5))
    assert props["tender_start"] == datetime(2024, 3, 4, 16, tzinfo=UTC)  # the instant is still UTC
    # near-miss: a date-time without an offset, or in UTC, is the same day either way
    rows, _ = _mapped({"ocid": "o1", "tender": {"tenderPeriod": {"startDate": "2024-03-05T00:00:00Z"}}})
    assert rows.tenders[0]["props"]["published_at"] == date(2024, 3, 5)


def test_values_the_database_cannot_store_are_rejects_not_a_failed_load() -> None:
    """A date-time in year 0 in UTC, a count beyond 64 bits, an amount beyond a float and an id
    over the index key limit each stopped the whole load (a traceback or a refused write that
    lost the chunk's good releases); now each is a reject naming its path, the rest loads."""
    rows, rejects = _mapped({"ocid": "o1", "tender": {
        "tenderPeriod": {"startDate": "0001-01-01T00:00:00+01:00", "endDate": "2024-03-05T10:00:00Z"},
        "numberOfTenderers": 10**30, "value": {"amount": 10**400, "currency": "CNY"}}})
    assert [(field, reason) for field, _, reason in rejects] == [
        ("$.tender.tenderPeriod.startDate", "not an ISO 8601 date-time between years 1 and 9999 (in UTC)"),
        ("$.tender.value.amount", "amount is not a finite number"),
        ("$.tender.numberOfTenderers", "not a count that can be stored (0 to 9,223,372,036,854,775,807)"),
    ]
    props = rows.tenders[0]["props"]
    assert props["tender_end"] == datetime(2024, 3, 5, 10, tzinfo=UTC)
    assert "tender_start" not in props and "number_of_tenderers" not in props and "budget" not in props
    # near-misses: the largest count, an integer amount a float holds
    rows, rejects = _mapped({"ocid": "o1", "tender": {"numberOfTenderers": 2**63 - 1, "value": {"amount": 10**30}}})
    assert rejects == [] and rows.tenders[0]["props"]["number_of_tenderers"] == 2**63 - 1
    assert rows.tenders[0]["props"]["budget"] == 1e30


def test_a_release_with_text_too_long_to_store_is_rejected_whole_with_its_path() -> None:
    too_long = {"ocid": "o1", "parties": [{"id": "F1", "name": "ok", "roles": ["tenderer"]},
                                          {"id": "x" * 4001, "name": "long id", "roles": ["tenderer"]}]}
    rows, rejects = _mapped(too_long)
    assert rejects == [("$.parties[1].id", "(4,001 bytes)",
                        "text too long to store: 4,001 bytes, at most 4,000 here; release not loaded")]
    assert rows.releases == 0 and not rows.firms
    # a long description is text, not a key: 30,000 bytes load
    rows, rejects = _mapped({"ocid": "o1", "tender": {"title": "t", "description": "文" * 10000}})
    assert rejects == [] and rows.releases == 1


def test_text_too_long_where_the_loader_stores_nothing_does_not_reject_the_release() -> None:
    """A 44 kB tender description, a 40 kB planning rationale and a 5,000-byte document id, none of which
    the graph stores, rejected the tender, bids and award around them (a review)."""
    release = {"ocid": "o1", "planning": {"rationale": "r" * 40000},
               "tender": {"title": "t", "description": "Spec text. " * 4000, "documents": [{"id": "d" * 5000}]},
               "parties": [{"id": "F1", "name": "Firm", "roles": ["tenderer"]}, {"id": "x" * 4001, "name": "no role"}],
               "bids": {"details": [{"id": "b1", "tenderers": [{"id": "F1"}], "value": {"amount": 5, "currency": "EUR"}}]}}
    rows, rejects = _mapped(release)
    assert rejects == [] and rows.releases == 1 and len(rows.bids) == 1 and list(rows.firms) == ["o1/F1"]


def test_json_nested_beyond_any_release_is_a_reject_and_the_rest_loads(tmp_path: Path) -> None:
    """A line, or a package's release, nested 1,200 deep stopped the whole load with a RecursionError, and
    100,000 deep in a package grew ijson's prefixes until the loader was killed (a review)."""
    deep = "[" * 100_000 + "]" * 100_000
    lines = tmp_path / "deep.jsonl"
    lines.write_text(json.dumps({"ocid": "o-0"}) + "\n" + '{"ocid": "o-deep", "x": ' + "[" * 1200 + "]" * 1200
                     + "}\n" + json.dumps({"ocid": "o-2"}) + "\n", encoding="utf-8")
    package = tmp_path / "deep.json"
    package.write_text('{"releases": [' + json.dumps({"ocid": "p-0"}) + ', {"ocid": "p-deep", "x": ' + deep + "}, "
                       + json.dumps({"ocid": "p-2"}) + "]}", encoding="utf-8")
    for path, where, loaded in ((lines, "$", ["o-0", "o-2"]), (package, "$.releases[1]", ["p-0", "p-2"])):
        rows, log = ChunkRows(), RejectLog(None)
        assert sum(map_release(item, path.name, rows, log) for item in iter_releases(path)) == 2
        assert [row["id"] for row in rows.tenders] == loaded
        [reject] = log.rejects
        assert reject.field == where and "nested" in reject.reason and "deep" in reject.reason
    # near-miss: 60 levels is odd but readable, and loads
    rows, rejects = _mapped({"ocid": "o1", "x": json.loads("[" * 60 + "]" * 60)})
    assert rejects == [] and rows.releases == 1


def test_a_lone_surrogate_escape_in_json_lines_is_mended_and_told(tmp_path: Path) -> None:
    """``"Bad \\ud83d name"`` decodes to a character no UTF-8 text holds; the database driver then failed
    the whole chunk's write with a UnicodeEncodeError and the load stopped (a review)."""
    path = tmp_path / "uni.jsonl"
    bad = {"ocid": "o1", "parties": [{"id": "F", "name": "Bad \ud83d name", "roles": ["tenderer"]}]}
    fine = {"ocid": "o2", "parties": [{"id": "F", "name": "Smile \U0001F600", "roles": ["tenderer"]}]}
    path.write_text(json.dumps(bad) + "\n" + json.dumps(fine) + "\n", encoding="ascii")  # escapes, as publishers write
    rows, log = ChunkRows(), RejectLog(None)
    assert sum(map_release(item, path.name, rows, log) for item in iter_releases(path)) == 2
    assert [row["name"] for row in rows.firms.values()] == ["Bad \ufffd name", "Smile \U0001F600"]
    assert [(r.line, r.field, r.value) for r in log.rejects] == [(1, "$.parties[0].name", "Bad \ufffd name")]
    assert "lone UTF-16 surrogate" in log.rejects[0].reason


def test_keys_composed_of_several_fields_are_checked_after_mapping() -> None:
    """Each field under its limit, yet the key made of them over it (review): an address of three
    3,900-byte lines, a beneficial owner whose id is the firm's key and a 9,000-byte name, an
    award status (range-indexed) of 9,000 bytes. Each failed its chunk in the database."""
    line = "路" * 1300  # 3,900 bytes
    cases = {
        "address": {"ocid": "o1", "parties": [{"id": "F1", "roles": ["tenderer"], "address": {
            "streetAddress": line, "locality": line, "region": line}}]},
        "owner": {"ocid": "o1", "parties": [{"id": "F1", "roles": ["tenderer"],
                                             "beneficialOwners": [{"name": "名" * 3000}]}]},
        "status": {"ocid": "o1", "awards": [{"id": "A1", "status": "s" * 9000}]},
    }
    for case, release in cases.items():
        rows, rejects = _mapped(release)
        assert rows.releases == 0, case
        [(field, value, reason)] = rejects
        assert field == "$" and "release not loaded" in reason and "at most 8,000" in reason, (case, reason)
    # the near-miss: a long description and a long title are text, not keys
    rows, rejects = _mapped({"ocid": "o1", "tender": {"title": "t" * 9000, "description": "文" * 10000}})
    assert rejects == [] and rows.releases == 1


def test_party_paths_are_array_positions_and_a_conflicting_repeated_id_is_rejected() -> None:
    rows, rejects = _mapped({"ocid": "o1", "parties": [
        {"name": "no id"},
        {"id": "F1", "roles": ["tenderer"], "contactPoint": {"telephone": "+86 138 0000 0000"}},
        {"id": "F2", "roles": ["tenderer"], "contactPoint": {"telephone": "call us"}},
        {"id": "F1", "roles": ["tenderer"], "contactPoint": {"telephone": "+86 139 0000 0000"}},
    ]})
    assert [(field, value) for field, value, _ in rejects] == [
        ("$.parties[0].id", "null"),
        ("$.parties[3].contactPoint.telephone", "+86 139 0000 0000"),
        ("$.parties[2].contactPoint.telephone", "call us"),  # F2 is parties[2], not the 2nd party with an id
    ]
    assert rejects[1][2] == ("party id F1 is also $.parties[1], with contactPoint.telephone +86 138 0000 0000; party "
                             "ids must be unique within a release, and the two disagree on contactPoint.telephone: "
                             "this entry is not loaded")
    assert rows.firms["o1/F1"]["phones"] == ["13800000000"]


def test_a_contact_point_telephone_of_several_numbers_links_each() -> None:
    rows, rejects = _mapped({"ocid": "o1", "parties": [
        {"id": "F1", "roles": ["tenderer"], "contactPoint": {"telephone": "0931-8888888/+86 138 0000 0000"}}]})
    assert rejects == [] and rows.firms["o1/F1"]["phones"] == ["09318888888", "13800000000"]


def test_a_repeated_party_id_that_agrees_is_merged() -> None:
    rows, rejects = _mapped({"ocid": "o1", "parties": [
        {"id": "F1", "name": "Alpha", "roles": ["tenderer"], "contactPoint": {"telephone": "+86 138 0000 0000"}},
        {"id": "F1", "name": "Alpha", "roles": ["supplier"], "contactPoint": {"telephone": "+86 138 0000 0000",
                                                                              "email": "BIDS@alpha.example"}},
    ]})
    assert rejects == []
    firm = rows.firms["o1/F1"]
    assert (firm["name"], firm["phones"], firm["emails"]) == ("Alpha", ["13800000000"], ["bids@alpha.example"])


def test_a_party_s_phone_in_national_form_is_read_in_its_country() -> None:
    # the country from the org-id scheme, else the address's country name (Spanish here); a
    # beneficial owner without a country of its own is read in its firm's
    rows, rejects = _mapped({"ocid": "o1", "parties": [
        {"id": "F1", "roles": ["tenderer"], "identifier": {"scheme": "PY-RUC", "id": "80012345-1"},
         "contactPoint": {"telephone": "+595 21 661 234"}},
        {"id": "F2", "roles": ["tenderer"], "address": {"countryName": "Paraguay"},
         "contactPoint": {"telephone": "021 661234"},
         "beneficialOwners": [{"id": "o1", "name": "Dueño", "telephone": "(021) 661-234"}]},
        {"id": "F3", "roles": ["tenderer"], "address": {"countryName": "España"},
         "contactPoint": {"telephone": "021 661234"}},
        # near-miss: no country known, so the national form stays as it is written
        {"id": "F4", "roles": ["tenderer"], "contactPoint": {"telephone": "021 661234"}},
    ]})
    assert rejects == []
    assert [rows.firms[key]["phones"] for key in ("PY-RUC-80012345-1", "o1/F2", "o1/F3", "o1/F4")] == [
        ["59521661234"], ["59521661234"], ["34021661234"], ["021661234"]]  # Spain has no trunk 0
    assert [person["phones"] for person in rows.persons] == [["59521661234"]]


def test_a_firm_s_locality_is_its_address_s_locality_field_else_the_head_of_a_chinese_address() -> None:
    rows, rejects = _mapped({"ocid": "o1", "parties": [
        {"id": "F1", "roles": ["tenderer"], "address": {"streetAddress": "1 Main St", "locality": "Leeds"}},
        {"id": "F2", "roles": ["tenderer"], "address": {"streetAddress": "甘肃省兰州市西固区东山路459号"}},
        {"id": "F3", "roles": ["tenderer"], "address": {"streetAddress": "1 Main St", "region": "Yorkshire"}},
        # the field holds the city, the street address its district: the district (review)
        {"id": "F4", "roles": ["tenderer"], "address": {"streetAddress": "西固区东山路459号", "locality": "兰州市"}},
        {"id": "F5", "roles": ["tenderer"], "address": {"streetAddress": "1 Main St", "locality": " Leeds\u200b"}},
        # the street address names only the city, the field the district: the district (second review)
        {"id": "F6", "roles": ["tenderer"], "address": {"streetAddress": "兰州市东山路459号", "locality": "西固区"}},
        {"id": "F7", "roles": ["tenderer"], "address": {"streetAddress": "兰州市东山路459号"}},
    ]})
    assert rejects == [("$.parties[4].address.locality", "Leeds\u200b",
                        "locality holds an invisible character (U+200B)")]
    assert [rows.firms[f"o1/{f}"]["locality"] for f in ("F1", "F2", "F3", "F4", "F5", "F6", "F7")] == [
        "Leeds", "西固区", None, "西固区", None, "西固区", "兰州市"]


@pytest.mark.neo4j
def test_release_package_maps_onto_the_graph(clean_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_gz_package(tmp_path / "p.json.gz", [release_1(), release_2(), {"id": "no ocid"}])
    with RejectLog(tmp_path / "rejects.csv") as log:
        report = load_ocds(clean_db, [path], rejects=log)
    assert (report.releases_read, report.releases_loaded) == (3, 2)
    db = clean_db
    # identifier → scheme-id key; no identifier → ocid/party id
    assert count(db, "MATCH (f:Firm {id: 'XI-F1'}) RETURN count(f)") == 1
    assert count(db, "MATCH (f:Firm {id: 'ocds-1/F3'}) RETURN count(f)") == 1
    assert count(db, "MATCH (d:Department {id: 'CN-USCC-B-0001'})-[:ISSUED]->(:Tender) RETURN count(*)") == 2
    # the consortium bid links both members
    assert count(db, "MATCH (f:Firm)-[:SUBMITTED]->(:Bid {id: 'ocds-1/b2'}) RETURN count(f)") == 2
    # lots, and bids and awards FOR_LOT them
    assert count(db, "MATCH (:Tender {id: 'ocds-1'})-[:HAS_LOT]->(l:Lot) RETURN count(l)") == 2
    assert count(db, "MATCH (:Bid)-[:FOR_LOT]->(:Lot {id: 'ocds-1/L1'}) RETURN count(*)") == 2
    assert count(db, "MATCH (:Award {id: 'ocds-1/a1'})-[:FOR_LOT]->(:Lot {id: 'ocds-1/L1'}) RETURN count(*)") == 1
    # award → bid link, AWARDED_TO from the active award, contract under its award
    assert count(db, "MATCH (:Award {id: 'ocds-1/a1'})-[:AWARDS_BID]->(:Bid {id: 'ocds-1/b1'}) RETURN count(*)") == 1
    assert count(db, "MATCH (:Tender {id: 'ocds-1'})-[w:AWARDED_TO {amount: 100.0}]->(:Firm {id: 'XI-F1'}) "
                     "RETURN count(w)") == 1
    assert count(db, "MATCH (:Award)-[:HAS_CONTRACT]->(c:Contract {id: 'ocds-1/c1'}) RETURN count(c)") == 1
    # tender facts, bid status; the shared (normalised) phone is one node
    assert count(db, "MATCH (t:Tender {id: 'ocds-1', procedure: 'open', budget: 1000.0, currency: 'EUR', "
                     "category: 'CPV 45', award_criteria: 'ratedCriteria', main_procurement_category: 'works', "
                     "award_criteria_details: 'price 60 %, quality 40 %'}) "
                     "WHERE t.published_at = date('2024-01-01') RETURN count(t)") == 1
    assert count(db, "MATCH (b:Bid {id: 'ocds-1/b3', status: 'disqualified', disqualified: true}) RETURN count(b)") == 1
    # XI-F1, ocds-1/F2 and ocds-2/F2 (F2 has no identifier, so it is a firm per ocid by default)
    assert count(db, "MATCH (f:Firm)-[:HAS_PHONE]->(:Phone {value: '442079460958'}) RETURN count(f)") == 3
    assert count(db, "MATCH (f:Firm {locality: 'Leeds'}) RETURN count(f)") == 1  # XI-F1's address locality
    # beneficial owners: one person (by identifier) owning two firms; one without identifier per firm
    assert count(db, "MATCH (:Person {id: 'XI-PASSPORT-P1'})-[:SHAREHOLDER_OF]->(f:Firm) RETURN count(f)") == 2
    assert count(db, "MATCH (:Person {id: 'ocds-1/F3/Local Owner'})-[:SHAREHOLDER_OF]->(:Firm {id: 'ocds-1/F3'}) "
                     "RETURN count(*)") == 1
    assert count(db, "MATCH (:Person)-[:HAS_PHONE]->(:Phone {value: '442070000001'}) RETURN count(*)") == 1
    # the bad amount is dropped, the rest of the bid kept
    assert count(db, "MATCH (b:Bid {id: 'ocds-2/b2'}) WHERE b.amount IS NULL RETURN count(b)") == 1
    rejects = {(r.line, r.field): r.reason for r in read_rejects(tmp_path / "rejects.csv")}
    assert rejects[(0, "$.releases[1].bids.details[1].value.amount")] == "amount is not a number"
    assert rejects[(0, "$.releases[1].tender.tenderPeriod.startDate")] == "not an ISO 8601 date-time between years 1 and 9999 (in UTC)"
    assert "without ocid" in rejects[(0, "$.releases[2].ocid")]


@pytest.mark.neo4j
def test_reload_is_idempotent(clean_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_gz_package(tmp_path / "p.json.gz", [release_1(), release_2()])
    first = load_ocds(clean_db, [path])
    nodes = count(clean_db, "MATCH (n) RETURN count(n)")
    rels = count(clean_db, "MATCH ()-[r]->() RETURN count(r)")
    second = load_ocds(clean_db, [path])
    assert first.counters.nodes_created > 0
    assert (second.counters.nodes_created, second.counters.relationships_created) == (0, 0)
    assert count(clean_db, "MATCH (n) RETURN count(n)") == nodes
    assert count(clean_db, "MATCH ()-[r]->() RETURN count(r)") == rels


@pytest.mark.neo4j
def test_a_later_release_cancelling_the_award_removes_awarded_to(clean_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = tmp_path / "v1.jsonl"
    first.write_text(json.dumps(release_1()) + "\n", encoding="utf-8")
    load_ocds(clean_db, [first])
    later = release_1()
    later["awards"][0]["status"] = "cancelled"
    second = tmp_path / "v2.jsonl"
    second.write_text(json.dumps(later) + "\n", encoding="utf-8")
    load_ocds(clean_db, [second])
    assert count(clean_db, "MATCH (:Tender {id: 'ocds-1'})-[w:AWARDED_TO]->() RETURN count(w)") == 0


@pytest.mark.neo4j
def test_a_later_release_moving_an_award_or_a_bid_moves_its_links(clean_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A compiled release is the latest state: an award whose relatedBids or relatedLots changed, and a
    bid whose relatedLots did, keep only the links the later release gives (they were only ever added)."""
    first = tmp_path / "v1.jsonl"
    first.write_text(json.dumps(release_1()) + "\n", encoding="utf-8")
    load_ocds(clean_db, [first])
    later = release_1()
    later["awards"][0].update(relatedBids=["b2"], relatedLots=["L2"], suppliers=[{"id": "F2"}, {"id": "F3"}])
    later["bids"]["details"][0]["relatedLots"] = ["L2"]
    second = tmp_path / "v2.jsonl"
    second.write_text(json.dumps(later) + "\n", encoding="utf-8")
    load_ocds(clean_db, [second])

    def linked(pattern: str) -> list[str]:
        keys, records, _ = clean_db.run_read_only(f"MATCH {pattern} RETURN x.id ORDER BY x.id")
        return [r[0] for r in records]

    assert linked("(:Award {id: 'ocds-1/a1'})-[:AWARDS_BID]->(x:Bid)") == ["ocds-1/b2"]
    assert linked("(:Award {id: 'ocds-1/a1'})-[:FOR_LOT]->(x:Lot)") == ["ocds-1/L2"]
    assert linked("(:Bid {id: 'ocds-1/b1'})-[:FOR_LOT]->(x:Lot)") == ["ocds-1/L2"]
    assert linked("(:Tender {id: 'ocds-1'})-[:AWARDED_TO]->(x:Firm)") == ["ocds-1/F2", "ocds-1/F3"]


@pytest.mark.neo4j
def test_a_compiled_release_is_the_whole_state_and_an_update_only_adds(clean_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A field a later compiled release no longer has is removed (a bid withdrawn, then not, is not
    withdrawn any more), and a corrected buyer is the only buyer; a release that is not compiled is an
    update, and what it leaves out stays."""
    def load(release: dict, name: str) -> None:
        path = tmp_path / f"{name}.jsonl"
        path.write_text(json.dumps(release) + "\n", encoding="utf-8")
        load_ocds(clean_db, [path])

    def state() -> tuple:
        keys, records, _ = clean_db.run_read_only(
            "MATCH (t:Tender {id: 'ocds-1'}) MATCH (b:Bid {id: 'ocds-1/b1'}) "
            "RETURN t.title, t.budget, b.status, [(d)-[:ISSUED]->(t) | d.id]")
        return tuple(records[0])

    first = {**release_1(), "tag": ["compiled"]}
    first["bids"]["details"][0]["status"] = "withdrawn"
    load(first, "v1")
    *before, [buyer] = state()
    assert before == ["School roof", 1000.0, "withdrawn"]
    later = {**release_1(), "tag": ["compiled"], "buyer": {"id": "B2", "name": "Schools Bureau"},
             "parties": [*release_1()["parties"], {"id": "B2", "name": "Schools Bureau", "roles": ["buyer"]}]}
    del later["bids"]["details"][0]["status"]
    del later["tender"]["value"]
    load(later, "v2")
    *after, [new_buyer] = state()
    assert after == ["School roof", None, None] and new_buyer != buyer
    update = {"ocid": "ocds-1", "id": "3", "date": "2024-03-01T00:00:00Z", "tag": ["tenderUpdate"],
              "tender": {"id": "t1", "value": {"amount": 900, "currency": "EUR"}}}
    load(update, "v3")
    assert state() == ("School roof", 900.0, None, [new_buyer])


@pytest.mark.neo4j
def test_record_package_and_json_lines_through_the_cli(clean_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = write_record_package(tmp_path / "records.json")
    lines = tmp_path / "releases.jsonl"
    lines.write_text(json.dumps(release_1()) + "\n{not json\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    assert main([str(records), str(lines), "--rejects", str(rejects), "--source", "test-ocds"]) == 0
    assert count(clean_db, "MATCH (t:Tender {source: 'test-ocds'}) RETURN count(t)") == 3
    assert count(clean_db, "MATCH (:Tender {id: 'ocds-10', status: 'complete'})-[:AWARDED_TO]->"
                           "(:Firm {id: 'ocds-10/F10'}) RETURN count(*)") == 1
    found = {(r.file, r.line, r.field) for r in read_rejects(rejects)}
    assert ("releases.jsonl", 2, "$") in found
    assert ("records.json", 0, "$.records[2]") in found


def test_an_unreachable_database_exits_1_with_advice_not_a_traceback(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{port}")
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    lines = tmp_path / "releases.jsonl"
    lines.write_text(json.dumps(release_1()) + "\n", encoding="utf-8")
    assert main([str(lines), "--rejects", str(tmp_path / "rejects.csv")]) == 1
    err = capsys.readouterr().err
    assert "is unreachable" in err and "python -m graph server start" in err and "Traceback" not in err


def test_a_load_during_a_backup_says_the_lock_is_held_not_that_the_server_is_down(tmp_path: Path, monkeypatch,
                                                                                   capsys) -> None:  # type: ignore[no-untyped-def]
    import socket

    from graph import lock

    with socket.socket() as sock:  # the server is down: a backup has stopped it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{port}")
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    monkeypatch.setenv(lock.STATE_ENV, str(tmp_path / "state"))
    lines = tmp_path / "releases.jsonl"
    lines.write_text(json.dumps(release_1()) + "\n", encoding="utf-8")
    with lock.run_lock(name=lock.lock_name(), job="a backup of Neo4j (local)"):
        assert main([str(lines), "--rejects", str(tmp_path / "rejects.csv")]) == 3
    err = capsys.readouterr().err
    assert "another job holds the database's lock: a backup of Neo4j (local)" in err and "unreachable" not in err


@pytest.mark.neo4j
def test_a_truncated_gzip_file_is_named_and_exits_2_not_a_traceback(clean_db, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    whole = gzip.compress(("\n".join(json.dumps(release_1()) for _ in range(200)) + "\n").encode())
    cut = tmp_path / "bulk.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])  # an interrupted download
    assert main([str(cut), "--rejects", str(tmp_path / "rejects.csv")]) == 2
    err = capsys.readouterr().err
    assert "bulk.jsonl.gz: the compressed file is cut short or damaged" in err and "Traceback" not in err
    assert err.rstrip().endswith(f"a load of {cut}: ended, exit code 2"), err  # the cron log's line said 0
    # damaged in the middle of a package, not cut short: found by the CRC check at the end
    package = bytearray(gzip.compress(json.dumps({"releases": [release_1()] * 300}).encode()))
    package[len(package) // 2] ^= 0xFF
    damaged = tmp_path / "package.json.gz"
    damaged.write_bytes(bytes(package))
    assert main([str(damaged), "--rejects", str(tmp_path / "rejects.csv")]) == 2
    assert "package.json.gz: the compressed file is cut short or damaged" in capsys.readouterr().err


def _readable_before_the_cut(cut: bytes) -> bytes:
    """What a gzip reader gets out of the bytes of a gzip file cut short, read a chunk at a time."""
    readable = gzip.GzipFile(fileobj=io.BytesIO(cut))
    text = b""
    with pytest.raises(EOFError):
        while chunk := readable.read1(1 << 14):
            text += chunk
    return text


def test_a_gzip_file_damaged_within_its_first_mib_yields_every_whole_release_before_the_damage(tmp_path: Path) -> None:
    """The format is decided from the file's first MiB, and peeking it through a buffered gzip reader
    lost all of it when the damage came within it: a download cut short at 200 KB of releases loaded
    none of them (a docs review: 1,340 readable lines, 0 loaded). The releases before the damage
    are read, then the damage is an error naming the file; a JSON package cut as early reads its
    releases before the damage too."""
    lines = [json.dumps({**release_1(), "ocid": f"ocds-early-{i:04d}"}) for i in range(400)]
    whole = gzip.compress(("\n".join(lines) + "\n").encode())
    cut = tmp_path / "early.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    text = _readable_before_the_cut(whole[: len(whole) // 2])
    whole_lines = text.count(b"\n")  # what a reader can get out of the cut file: whole lines
    assert 0 < len(text) < 1 << 20 and whole_lines > 50
    seen: list[str] = []
    with pytest.raises(OcdsFormatError, match="early.jsonl.gz: the compressed file is cut short or damaged"):
        for item in iter_releases(cut):
            seen.append(item.release["ocid"] if item.release else item.error)
    assert seen == [f"ocds-early-{i:04d}" for i in range(whole_lines)]
    package = gzip.compress(json.dumps({"releases": [json.loads(line) for line in lines]}).encode())
    early = tmp_path / "early.json.gz"
    early.write_bytes(package[: len(package) // 2])
    text = _readable_before_the_cut(package[: len(package) // 2])
    whole: list[str] = []
    with pytest.raises(ijson.IncompleteJSONError):  # what a parser can get out of the cut document
        whole.extend(release["ocid"] for release in ijson.items(io.BytesIO(text), "releases.item"))
    got: list[Item] = []
    with pytest.raises(OcdsFormatError, match="cut short or damaged"):
        got.extend(iter_releases(early))
    # every whole release (a parser's buffered read at the cut dropped the last ~110 of 736)
    assert len(whole) > 50 and [i.release["ocid"] for i in got] == whole


@pytest.mark.neo4j
def test_a_damaged_file_loads_what_precedes_the_damage_and_the_other_files_still_load(clean_db, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                                        capsys) -> None:
    """Of a cut-short file every release read before the damage loads — those of the chunk being
    gathered too, not only the chunks already written — and the files after it load: one bad
    download must not stop a night's load. The exit code is still 2, naming the file."""
    import random

    rng = random.Random(1)
    releases = []
    for i in range(3000):  # ~3 MB, past the head the loader peeks at, and hard to compress
        release = release_2()
        release["ocid"] = f"ocds-cut-{i:04d}"
        release["tender"]["title"] = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(600))
        releases.append(json.dumps(release))
    whole = gzip.compress(("\n".join(releases) + "\n").encode())
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) * 3 // 4])
    not_ocds = tmp_path / "other.json"
    not_ocds.write_text(json.dumps({"hello": "world"}, indent=2), encoding="utf-8")  # a document, no package
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(release_1()) + "\n", encoding="utf-8")
    assert main([str(cut), str(not_ocds), str(good), "--rejects", str(tmp_path / "rejects.csv"),
                 "--chunk", "1000"]) == 2
    err = capsys.readouterr().err
    assert "cut.jsonl.gz: the compressed file is cut short or damaged" in err
    assert "other.json: no releases[] or records[] found" in err
    read = int(err.split("cut short or damaged")[1].split("(")[-2].split(" of its releases")[0].replace(",", ""))
    assert 1000 < read < 3000 and read % 1000 != 0  # part of a chunk was being gathered when the damage came
    assert count(clean_db, "MATCH (t:Tender) WHERE t.id STARTS WITH 'ocds-cut-' RETURN count(t)") == read
    assert count(clean_db, "MATCH (t:Tender {id: 'ocds-1'}) RETURN count(t)") == 1
    _, [[status, note, loaded]], _ = clean_db.run_read_only(
        "MATCH (r:LoadRun {kind: 'ocds'}) RETURN r.status, r.note, r.rows_loaded")
    assert status == "partial" and "cut.jsonl.gz" in note and "other.json" in note and loaded == read + 1
    # an uncompressed package whose JSON breaks off, and JSON Lines of which no line is a release
    package = json.dumps({"releases": [release_1()] * 3})
    broken = tmp_path / "broken.json"
    broken.write_text(package[: len(package) * 2 // 3], encoding="utf-8")
    stranger = tmp_path / "stranger.jsonl"
    stranger.write_text('{"hello": "world"}\n{"hello": "again"}\n', encoding="utf-8")
    assert main([str(broken), str(stranger), "--rejects", str(tmp_path / "rejects2.csv")]) == 2
    err = capsys.readouterr().err
    assert "broken.json: invalid JSON after 1 whole releases or records" in err
    assert "(1 of its releases before the damage are loaded)" in err
    assert "stranger.jsonl: no release of it could be loaded (2 read" in err


@pytest.mark.neo4j
def test_an_ocds_load_is_refused_while_another_job_holds_the_databases_lock(clean_db, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                           monkeypatch, capsys) -> None:
    from graph import lock

    monkeypatch.setenv(lock.STATE_ENV, str(tmp_path / "state"))
    lines = tmp_path / "releases.jsonl"
    lines.write_text(json.dumps(release_1()) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    rejects.write_text("kept\n", encoding="utf-8")
    with lock.run_lock(name=lock.lock_name(clean_db), job="a load of other.csv"):
        assert main([str(lines), "--rejects", str(rejects)]) == 3
    assert "another job holds the database's lock: a load of other.csv since" in capsys.readouterr().err
    assert count(clean_db, "MATCH (t:Tender) RETURN count(t)") == 0
    assert rejects.read_text(encoding="utf-8") == "kept\n"  # the last load's rejects are left alone
    assert main([str(lines), "--rejects", str(rejects)]) == 0
    assert count(clean_db, "MATCH (t:Tender) RETURN count(t)") > 0


@pytest.mark.neo4j
def test_loaded_market_runs_through_ring_and_linked_bidder_detectors(clean_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from detectors import linked_bidders, rings
    from graph.readers import read_market

    path = tmp_path / "market.jsonl"
    path.write_text(json.dumps(release_1()) + "\n" + json.dumps(release_2()) + "\n", encoding="utf-8")
    load_ocds(clean_db, [path], party_ids="global")
    market = read_market(clean_db)
    assert set(market.bids.loc[market.bids["bid_id"] == "ocds-1/b2", "firm_id"]) == {"F2", "F3"}
    assert market.tenders.set_index("tender_id").loc["ocds-1", "winner_firm_id"] == "XI-F1"
    linked = linked_bidders.detect(market)
    assert any({"XI-F1", "F2"} <= set(f.firms) for f in linked)  # same phone, same tenders
    assert isinstance(rings.detect(market), list)


@pytest.mark.neo4j
def test_the_market_reads_a_tender_s_lots_as_competitions_of_their_own(clean_db, tmp_path: Path) -> None:
    """ocds-1's bids name lots: the roof (L1: F1's b1, the consortium's b2; the award names b1) and the
    gutters (L2: F1's disqualified b3). The detectors compare each lot's bids, and F1's gutters bid
    is not a winning bid because F1 won the roof; the findings name the tender (detectors.finding.at_tenders)."""
    from graph.readers import read_market

    path = tmp_path / "releases.jsonl"
    path.write_text(json.dumps(release_1()) + "\n", encoding="utf-8")
    load_ocds(clean_db, [path])
    data = read_market(clean_db)
    bids = data.bids.set_index(["bid_id", "firm_id"])
    assert bids["tender_id"].to_dict() == {("ocds-1/b1", "XI-F1"): "ocds-1/L1", ("ocds-1/b2", "ocds-1/F2"): "ocds-1/L1",
                                           ("ocds-1/b2", "ocds-1/F3"): "ocds-1/L1", ("ocds-1/b3", "XI-F1"): "ocds-1/L2"}
    assert bids["is_winner"].to_dict() == {("ocds-1/b1", "XI-F1"): True, ("ocds-1/b2", "ocds-1/F2"): False,
                                           ("ocds-1/b2", "ocds-1/F3"): False, ("ocds-1/b3", "XI-F1"): False}
    units = data.tenders.set_index("tender_id")
    assert units.loc["ocds-1/L1", ["lot_of", "title", "budget", "category"]].tolist() == [
        "ocds-1", "School roof — Roof", 600.0, "CPV 45"]
    assert data.lot_parents() == {"ocds-1/L1": "ocds-1", "ocds-1/L2": "ocds-1"}


# -- OCDS as publishers write it (a review that loaded hand-made files of each shape) -------------

def test_award_statuses_read_in_the_codelist_s_spelling_and_an_unknown_one_is_told() -> None:
    rows, rejects = _mapped({"ocid": "o1", "parties": [firm("S"), firm("T")], "awards": [
        {"id": "a1", "suppliers": [{"id": "S", "name": "S"}]},
        {"id": "a2", "status": "Active", "suppliers": [{"id": "S"}]},
        {"id": "a3", "status": "done", "suppliers": [{"id": "S"}]},
        {"id": "a1", "status": "active", "suppliers": [{"id": "T"}]}]})
    assert [(row["id"], row["props"].get("status")) for row in rows.awards] == [
        ("o1/a1", None), ("o1/a2", "active"), ("o1/a3", "done")]
    assert [(field, reason.split(":")[0]) for field, _, reason in rejects] == [
        ("$.awards[2].status", "not an awardStatus code (pending, active, cancelled, unsuccessful)"),
        ("$.awards[3].id", "duplicate award id in this release")]


def test_references_without_id_bids_statistics_and_contracts_without_award_id() -> None:
    rows, rejects = _mapped({
        "ocid": "o1", "buyer": {"name": "Council", "identifier": {"scheme": "GB-LAC", "id": "E0101"}},
        "bids": {"statistics": [{"id": "1", "measure": "bids", "value": 3}]},
        "awards": [{"id": "a1", "status": "active",
                    "suppliers": [{"name": "Alpha", "identifier": {"scheme": "GB-COH", "id": "1"}}, {"name": "Nobody"}]}],
        "contracts": [{"id": "c1", "status": "active"}]})
    assert list(rows.departments) == ["GB-LAC-E0101"] and rows.departments["GB-LAC-E0101"]["name"] == "Council"
    assert rows.awards[0]["suppliers"] == ["GB-COH-1"] and rows.firms["GB-COH-1"]["name"] == "Alpha"
    assert rows.contracts[0]["award_id"] is None
    assert [(field, reason) for field, _, reason in rejects] == [
        ("$.awards[0].suppliers[1].id", "organization reference without id or identifier"),
        ("$.contracts[0].awardID", "contract without awardID (OCDS requires one): stored under no award")]


def test_a_record_mixing_linked_and_embedded_releases_without_a_compiled_release_is_rejected(tmp_path: Path) -> None:
    embedded = {"ocid": "o1", "id": "r1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"],
                "tender": {"id": "t", "status": "active"}}
    linked = {"url": "https://example.org/r2.json", "date": "2024-02-01T00:00:00Z", "tag": ["awardUpdate"]}
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"records": [{"ocid": "o1", "releases": [linked, embedded]},
                                            {"ocid": "o2", "releases": [{**embedded, "ocid": "o2"}]}]}), encoding="utf-8")
    items = list(iter_releases(path))
    assert items[0].release is None and "1 linked release(s)" in items[0].error
    assert items[1].release is not None and items[1].release["ocid"] == "o2"  # near-miss: embedded alone compiles


def test_tender_tenderers_are_bids_of_no_amount_where_the_release_has_no_bids() -> None:
    tenderers = {"ocid": "o1", "parties": [firm("T1", identifier="T1"), firm("T2")],
                 "tender": {"numberOfTenderers": 2, "tenderers": [{"id": "T1"}, {"id": "T2"}]}}
    rows, rejects = _mapped(tenderers)
    assert rejects == [] and rows.bids == []
    assert rows.by_query()["ocds_tenderer_bids"] == [{"tender_id": "o1", "firms": ["XI-T1", "o1/T2"]}]
    # near-miss: with the bids extension, its bids are the bids
    rows, _ = _mapped({**tenderers, "bids": {"details": [{"id": "b1", "tenderers": [{"id": "T1"}]}]}})
    assert [b["id"] for b in rows.bids] == ["o1/b1"] and rows.by_query()["ocds_tenderer_bids"] == []


@pytest.mark.neo4j
def test_winners_of_awards_without_status_and_in_two_currencies(clean_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """An award with no status (optional in OCDS) named no winner, and 1,000 EUR + 30,000,000 PYG made an
    AWARDED_TO amount of 30,001,000 (a review)."""
    supplier = {"id": "S", "name": "Supplier", "roles": ["supplier"], "identifier": {"scheme": "XX", "id": "1"}}
    releases = [
        {"ocid": "o-none", "parties": [supplier], "awards": [
            {"id": "A", "suppliers": [{"id": "S"}], "value": {"amount": 500, "currency": "EUR"}}]},
        {"ocid": "o-two", "parties": [supplier], "awards": [
            {"id": "A1", "status": "active", "suppliers": [{"id": "S"}], "value": {"amount": 1000, "currency": "EUR"}},
            {"id": "A2", "status": "active", "suppliers": [{"id": "S"}], "value": {"amount": 3e7, "currency": "PYG"}}]},
        {"ocid": "o-pending", "parties": [supplier], "awards": [
            {"id": "A", "status": "pending", "suppliers": [{"id": "S"}], "value": {"amount": 9, "currency": "EUR"}}]},
    ]
    path = tmp_path / "awards.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in releases), encoding="utf-8")
    load_ocds(clean_db, [path])
    won = {row[0]: row[1] for row in clean_db.run_read_only(
        "MATCH (t:Tender)-[w:AWARDED_TO]->(:Firm {id: 'XX-1'}) RETURN t.id, w.amount")[1]}
    assert won == {"o-none": 500.0, "o-two": None}  # a pending award names no winner


@pytest.mark.neo4j
def test_tenderer_bids_give_way_to_the_bids_extension_s_bids_in_either_order(clean_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    parties = [firm("T1", identifier="T1"), firm("T2", identifier="T2")]
    listed = {"ocid": "o1", "parties": parties, "tender": {"tenderers": [{"id": "T1"}, {"id": "T2"}]}}
    priced = {"ocid": "o1", "parties": parties, "bids": {"details": [
        {"id": "b1", "status": "valid", "tenderers": [{"id": "T1"}], "value": {"amount": 10, "currency": "EUR"}},
        {"id": "b2", "status": "valid", "tenderers": [{"id": "T2"}], "value": {"amount": 12, "currency": "EUR"}}]}}
    query = "MATCH (f:Firm)-[:SUBMITTED]->(b:Bid)-[:FOR]->(:Tender {id: 'o1'}) RETURN f.id, b.id ORDER BY f.id"
    # in separate loads, and in one file (one chunk: a review found the first version's single query let a
    # firm bid twice there, until a reload)
    for order, files in (([listed], 1), ([listed, priced], 2), ([priced, listed], 2), ([listed, priced], 1),
                         ([priced, listed], 1)):
        with clean_db.driver.session(database=clean_db.settings.database) as session:
            session.run("MATCH (n) DETACH DELETE n").consume()
        paths = [tmp_path / f"r{i}.jsonl" for i in range(files)]
        for path, part in zip(paths, [order] if files == 1 else [[r] for r in order], strict=True):
            path.write_text("".join(json.dumps(release) + "\n" for release in part), encoding="utf-8")
        for path in paths:
            load_ocds(clean_db, [path])
        rows = [tuple(r) for r in clean_db.run_read_only(query)[1]]
        expected = [("XI-T1", "o1/tenderer/XI-T1"), ("XI-T2", "o1/tenderer/XI-T2")] if order == [listed] else \
            [("XI-T1", "o1/b1"), ("XI-T2", "o1/b2")]
        assert rows == expected, (order, files)
        again = load_ocds(clean_db, paths)  # and a reload changes nothing
        assert (again.counters.nodes_created, again.counters.relationships_created) == (0, 0)
        assert [tuple(r) for r in clean_db.run_read_only(query)[1]] == expected


def test_a_release_naming_a_party_an_earlier_release_listed_keys_it_as_that_one_did(tmp_path: Path) -> None:
    """An award update without ``parties`` naming the bidder ``T1`` made a firm ``o1/T1`` that won in place of
    ``XI-T1``, whose bid it was (a review); a party no release listed is told."""
    first = {"ocid": "o1", "parties": [firm("T1", identifier="T1"), firm("T2")],
             "bids": {"details": [{"id": "b1", "tenderers": [{"id": "T1"}]}, {"id": "b2", "tenderers": [{"id": "T2"}]}]}}
    update = {"ocid": "o1", "awards": [{"id": "A1", "status": "active", "suppliers": [{"id": "T1", "name": "Alpha"}]}]}
    stranger = {"ocid": "o2", "awards": [{"id": "A1", "status": "active", "suppliers": [{"id": "T1"}]}]}
    path = tmp_path / "split.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in (first, update, stranger)), encoding="utf-8")
    rows, log, known = ChunkRows(), RejectLog(None), PartyKeys()
    for item in iter_releases(path):
        map_release(item, path.name, rows, log, known=known)
    assert [(a["id"], a["suppliers"]) for a in rows.awards] == [("o1/A1", ["XI-T1"]), ("o2/A1", ["o2/T1"])]
    assert [(r.line, r.field) for r in log.rejects] == [(3, "$.awards[0].suppliers[0].id")]
    assert "names no party of this release" in log.rejects[0].reason


@pytest.mark.parametrize("indent", [None, 2])
def test_a_bare_array_of_releases_is_read_on_one_line_or_pretty_printed(tmp_path: Path, indent: int | None) -> None:
    """Some APIs answer with a bare JSON array of releases: it was "not a JSON object" on one line and "no
    releases[] or records[] found" pretty-printed (a review)."""
    path = tmp_path / "array.json"
    path.write_text(json.dumps([{"ocid": "a-1", "tender": {"title": "x"}}, 7, {"ocid": "a-2"}], indent=indent),
                    encoding="utf-8")
    items = [(item.path, (item.release or {}).get("ocid"), item.error) for item in iter_releases(path)]
    assert items == [("$[0]", "a-1", ""), ("$[1]", None, "not a JSON object"), ("$[2]", "a-2", "")]
    # and in a package, a stray value in releases[] is a reject at its own position (it was skipped, and the
    # releases after it were named one position too early)
    package = tmp_path / "package.json"
    package.write_text(json.dumps({"uri": "u", "releases": [{"ocid": "p-1"}, [1], "x", {"ocid": "p-2"}]}, indent=indent),
                       encoding="utf-8")
    assert [(item.path, (item.release or {}).get("ocid"), item.error) for item in iter_releases(package)] == [
        ("$.releases[0]", "p-1", ""), ("$.releases[1]", None, "not a JSON object"),
        ("$.releases[2]", None, "not a JSON object"), ("$.releases[3]", "p-2", "")]


def test_a_tender_without_classified_items_takes_its_category_from_its_awards_items() -> None:
    award = {"id": "a1", "status": "active", "items": [{"id": "1", "classification": {"scheme": "CPV", "id": "33600000"}}]}
    rows, _ = _mapped({"ocid": "o1", "tender": {"mainProcurementCategory": "goods"}, "awards": [award]})
    assert rows.tenders[0]["props"]["category"] == "CPV 33"
    # near-misses: the tender's own items come first, and without any classified item the main category stays
    rows, _ = _mapped({"ocid": "o1", "tender": {"items": [{"id": "1", "classification": {"scheme": "CPV",
                                                                                          "id": "45000000"}}]},
                       "awards": [award]})
    assert rows.tenders[0]["props"]["category"] == "CPV 45"
    rows, _ = _mapped({"ocid": "o1", "tender": {"mainProcurementCategory": "goods"}, "awards": [{"id": "a1"}]})
    assert rows.tenders[0]["props"]["category"] == "goods"


@pytest.mark.neo4j
def test_releases_of_one_process_apply_in_date_order_whatever_order_the_package_lists_them(clean_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A package listing the newest release first (as some APIs answer) loaded the cancelled award and tender
    of the latest release as active, overwritten by the older releases after it (a review)."""
    supplier = {"id": "S", "name": "Supplier", "roles": ["supplier"], "identifier": {"scheme": "XX", "id": "1"}}
    r1 = {"ocid": "o1", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"], "tender": {"status": "active"}}
    r2 = {"ocid": "o1", "id": "2", "date": "2024-02-01T00:00:00Z", "tag": ["award"], "parties": [supplier],
          "awards": [{"id": "A1", "status": "active", "suppliers": [{"id": "S"}]}]}
    r3 = {"ocid": "o1", "id": "3", "date": "2024-03-01T00:00:00Z", "tag": ["awardUpdate", "tenderUpdate"],
          "tender": {"status": "cancelled"}, "awards": [{"id": "A1", "status": "cancelled"}]}
    other = {"ocid": "o2", "id": "1", "date": "2023-01-01T00:00:00Z", "tender": {"status": "active"}}
    path = write_gz_package(tmp_path / "newest_first.json.gz", [r3, other, r2, r1])
    load_ocds(clean_db, [path])
    _, [[tender, award, winners]], _ = clean_db.run_read_only(
        "MATCH (t:Tender {id: 'o1'})-[:HAS_AWARD]->(a:Award) RETURN t.status, a.status, COUNT { (t)-[:AWARDED_TO]->() }")
    assert (tender, award, winners) == ("cancelled", "cancelled", 0)
    assert count(clean_db, "MATCH (t:Tender {id: 'o2', status: 'active'}) RETURN count(t)") == 1


@pytest.mark.neo4j
def test_the_load_says_how_many_firms_are_keyed_per_process_and_what_to_do(clean_db, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Firms without an identifier scheme are one firm per process by default: the same company in two tenders
    is two firms, and rings find nothing — the load said nothing of it (a review)."""
    local = [{"ocid": f"o{i}", "parties": [firm("1"), firm("2")],
              "bids": {"details": [{"id": "b1", "tenderers": [{"id": "1"}]}, {"id": "b2", "tenderers": [{"id": "2"}]}]}}
             for i in range(2)]
    path = tmp_path / "local.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in local), encoding="utf-8")
    assert main([str(path), "--rejects", str(tmp_path / "r.csv")]) == 0
    out = capsys.readouterr().out
    assert "4 firms have no identifier with a scheme" in out and "--party-ids global" in out
    # near-misses: with identifiers, or with --party-ids global, nothing to say
    assert main([str(path), "--rejects", str(tmp_path / "r.csv"), "--party-ids", "global"]) == 0
    assert "no identifier with a scheme" not in capsys.readouterr().out
    path.write_text(json.dumps({"ocid": "o9", "parties": [firm("1", identifier="R1")],
                                "bids": {"details": [{"id": "b1", "tenderers": [{"id": "1"}]}]}}) + "\n", encoding="utf-8")
    assert main([str(path), "--rejects", str(tmp_path / "r.csv")]) == 0
    assert "no identifier with a scheme" not in capsys.readouterr().out
