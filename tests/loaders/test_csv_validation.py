"""CSV bundle validation without a database: tiny hand-made bundles, rejects checked by eye."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from loaders.csv_bundle import (
    BUNDLE,
    KEEP_STORED,
    SKIPPED_VALUE,
    BundleError,
    Field,
    Record,
    parse_date,
    parse_datetime,
    parse_number,
    parse_row,
    parse_value,
    preflight,
    read_bundle,
)
from loaders.rejects import Reject

FIRMS = "firm_id,name,reg_no,phone,email,address\nF1,Alpha,R1,+86 138-0000-0000,A@X.com,北京市１号\nF2,Beta,R2,13800000000,,\n"
TENDERS = (
    "tender_id,department_id,title,category,region,budget,currency,published_at,deadline_at,procedure,"
    "winner_firm_id,award_amount\n"
    "T1,,Road,works,north,100.5,CNY,2024-01-05,2024-02-01,open,F1,95\n"
)
OFFICIALS = "official_id,name\nO1,Wang\n"


def bundle(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def reasons(rejects: list[Reject]) -> list[tuple[str, int, str, str]]:
    return [(r.file, r.line, r.field, r.reason) for r in rejects]


def test_good_bundle_gives_typed_normalised_frames(tmp_path: Path) -> None:
    frames, rejects = read_bundle(bundle(tmp_path, {
        "firms.csv": FIRMS, "tenders.csv": TENDERS,
        "bids.csv": "bid_id,tender_id,firm_id,amount,submitted_at,ip,document_hash,disqualified\n"
                    "B1,T1,F1,95,2024-01-20T10:00:00+08:00,10.0.0.1,ABC,yes\n"
                    "B2,T1,F2,99.5,2024-01-20,,,0\n",
    }))
    assert rejects == []
    firms = frames["firms"]
    assert list(firms["firm_id"]) == ["F1", "F2"]
    assert list(firms["phone"]) == ["13800000000", "13800000000"]
    assert firms.loc[0, "email"] == "a@x.com"
    assert firms.loc[0, "address"] == "北京市1号"
    assert firms.loc[0, "locality"] == "北京市" and firms.loc[1, "locality"] is None  # the address's head, else none
    tender = frames["tenders"].iloc[0]
    assert tender["budget"] == 100.5 and tender["published_at"] == date(2024, 1, 5)
    assert tender["winner_firm_id"] == "F1" and tender["award_amount"] == 95.0
    bids = frames["bids"]
    assert bids.loc[0, "submitted_at"] == datetime(2024, 1, 20, 2, 0)  # +08:00 → UTC
    assert bids.loc[1, "submitted_at"] == datetime(2024, 1, 20)
    assert list(bids["disqualified"]) == [True, False]
    assert bids.loc[0, "document_hash"] == "abc"
    assert frames["inspections"].empty and list(frames["inspections"].columns)[0] == "inspection_id"


def test_each_bad_value_is_rejected_with_line_field_and_reason(tmp_path: Path) -> None:
    _, rejects = read_bundle(bundle(tmp_path, {
        "firms.csv": FIRMS, "officials.csv": OFFICIALS, "tenders.csv": TENDERS,
        "bids.csv": "bid_id,tender_id,firm_id,amount,submitted_at,disqualified\n"
                    "B1,T1,F1,95,2024-01-20,false\n"        # line 2: good
                    "B2,T1,F2,-3,,\n"                        # line 3: negative amount
                    "B3,T1,F2,lots,,\n"                      # line 4: not a number
                    "B4,T1,F2,10,01/20/2024,maybe\n"         # line 5: two bad fields
                    "B5,T1,,10,,\n"                          # line 6: required value empty
                    "B1,T1,F2,10,,\n",                       # line 7: duplicate key
        "inspections.csv": "inspection_id,official_id,firm_id,date,kind,result,penalty\n"
                           "I1,O1,F1,2024-03-01,safety,PASS,0\n"   # line 2: good (case folded)
                           "I2,O1,F1,2024-03-01,safety,done,\n"    # line 3: not an allowed result
                           "I3,O1,F1,,safety,fail,\n",             # line 4: date required
        "person_roles.csv": "person_id,firm_id,role,share\nP1,F1,owner,\n",
        "persons.csv": "person_id,name\nP1,Zhang\n",
    }))
    assert reasons(rejects) == [
        ("person_roles.csv", 2, "role", "not one of legal_rep, shareholder, director"),
        ("bids.csv", 3, "amount", "negative amount"),
        ("bids.csv", 4, "amount", "not a number"),
        ("bids.csv", 5, "submitted_at", "not an ISO 8601 date-time (YYYY-MM-DDTHH:MM:SS)"),
        ("bids.csv", 5, "disqualified", "not a boolean (true/false, 1/0, yes/no, 是/否)"),
        ("bids.csv", 6, "firm_id", "required value is empty"),
        ("bids.csv", 7, "bid_id", "duplicate key: an earlier row of this file has it"),
        ("inspections.csv", 3, "result", "not one of pass, fail, warning (or passed, 合格, 通过, failed, 不合格, 不通过, "
                                         "未通过, 警告)"),
        ("inspections.csv", 4, "date", "required value is empty"),
    ]
    assert rejects[1].value == "-3"


def test_references_must_resolve_within_the_bundle(tmp_path: Path) -> None:
    frames, rejects = read_bundle(bundle(tmp_path, {
        "firms.csv": FIRMS, "officials.csv": OFFICIALS, "tenders.csv": TENDERS,
        "bids.csv": "bid_id,tender_id,firm_id,amount\nB1,T1,F1,1\nB2,T9,F1,1\nB3,T1,F9,1\n",
        "evaluations.csv": "tender_id,official_id\nT1,O1\nT9,O1\nT1,O9\n",
        "inspections.csv": "inspection_id,official_id,firm_id,date\nI1,O1,F1,2024-01-01\nI2,O9,F1,2024-01-01\n"
                           "I3,O1,F9,2024-01-01\n",
    }))
    assert list(frames["bids"]["bid_id"]) == ["B1"]
    assert list(frames["evaluations"]["tender_id"]) == ["T1"]
    assert list(frames["inspections"]["inspection_id"]) == ["I1"]
    assert [(r.file, r.line, r.field, r.value) for r in rejects] == [
        ("bids.csv", 3, "tender_id", "T9"), ("bids.csv", 4, "firm_id", "F9"),
        ("evaluations.csv", 3, "tender_id", "T9"), ("evaluations.csv", 4, "official_id", "O9"),
        ("inspections.csv", 3, "official_id", "O9"), ("inspections.csv", 4, "firm_id", "F9"),
    ]
    assert rejects[0].reason == "unknown tender: not in tenders.csv and not in the graph"


def test_an_assignment_names_an_official_and_a_firm_and_a_period_that_does_not_run_backwards(tmp_path: Path) -> None:
    frames, rejects = read_bundle(bundle(tmp_path, {
        "firms.csv": FIRMS, "officials.csv": OFFICIALS,
        "assignments.csv": "official_id,firm_id,since,until\n"
                           "O1,F1,2023-01-01,2024-06-30\n"   # line 2: good
                           "O1,F2,,\n"                       # line 3: good, open at both ends
                           "O1,F9,2023-01-01,\n"             # line 4: unknown firm
                           "O1,F1,2024-07-01,\n"             # line 5: the pair again
                           "O1,F2,2024-05-01,2024-04-30\n",  # line 6: backwards
    }))
    assignments = frames["assignments"]
    assert list(zip(assignments["firm_id"], assignments["since"], assignments["until"], strict=True)) == [
        ("F1", date(2023, 1, 1), date(2024, 6, 30)), ("F2", None, None)]
    assert reasons(rejects) == [
        ("assignments.csv", 4, "firm_id", "unknown firm: not in firms.csv and not in the graph"),
        ("assignments.csv", 5, "official_id+firm_id", "duplicate key: an earlier row of this file has it"),
        ("assignments.csv", 6, "until", "the assignment ends before it starts (since 2024-05-01)"),
    ]


def test_reference_to_a_rejected_row_says_so(tmp_path: Path) -> None:
    _, rejects = read_bundle(bundle(tmp_path, {
        "firms.csv": f"firm_id,name,reg_no\nF1,Alpha,{'R' * 4001}\nF2,Beta,\n",
        "tenders.csv": "tender_id,winner_firm_id,award_amount\nT1,F1,5\nT2,,7\n",
    }))
    assert reasons(rejects) == [
        ("firms.csv", 2, "reg_no", "too long to store: 4,001 bytes, and an id, identifier or indexed value may have "
                                   "at most 4,000"),
        ("tenders.csv", 2, "winner_firm_id", "firm F1 was rejected in firms.csv"),
        ("tenders.csv", 3, "award_amount", "award_amount given without winner_firm_id"),
    ]


def test_a_bad_optional_identifier_skips_only_itself_and_its_row_loads(tmp_path: Path) -> None:
    """A mistyped phone, e-mail, IP or document hash is a reject line, but its row loads without it
    (the firm, and so the bids it made; the bid, with its amount), the column named under keep_stored so
    the load leaves a stored value as it is. A row rejected for another reason lists it as a plain problem."""
    frames, rejects = read_bundle(bundle(tmp_path, {
        "firms.csv": "firm_id,name,phone,email\nF1,Alpha,138-0,a@x.com\nF2,Beta,13800000000,not-an-e-mail\n"
                     "F2,Beta again,12,\n",
        "tenders.csv": "tender_id\nT1\n",
        "bids.csv": "bid_id,tender_id,firm_id,amount,ip,document_hash\nB1,T1,F1,95,10.0.0.300,abc\n"
                    "B2,T1,F2,99,10.0.0.1,not a hash!\nB3,T1,F2,x,999.1.1.1,\n",
    }))
    firms, bids = frames["firms"], frames["bids"]
    assert list(zip(firms["firm_id"], firms["phone"], firms["email"], strict=True)) == [
        ("F1", None, "a@x.com"), ("F2", "13800000000", None)]
    assert list(zip(bids["bid_id"], bids["amount"], bids["ip"], bids["document_hash"], strict=True)) == [
        ("B1", 95.0, None, "abc"), ("B2", 99.0, "10.0.0.1", None)]
    skipped = [(r.file, r.line, r.field) for r in rejects if r.reason.endswith(SKIPPED_VALUE)]
    assert skipped == [("firms.csv", 2, "phone"), ("firms.csv", 3, "email"), ("bids.csv", 2, "ip"),
                       ("bids.csv", 3, "document_hash")]
    plain = [(r.file, r.line, r.field) for r in rejects if not r.reason.endswith(SKIPPED_VALUE)]
    assert plain == [("firms.csv", 4, "firm_id"), ("firms.csv", 4, "phone"),  # the duplicate's own phone too
                     ("bids.csv", 4, "amount"), ("bids.csv", 4, "ip")]
    assert rejects[0].reason == "not a phone number: 4 digits" + SKIPPED_VALUE


def test_a_row_with_only_skippable_problems_names_them_to_keep_as_stored() -> None:
    spec = next(s for s in BUNDLE if s.name == "firms")
    row, problems = parse_row(spec, ["firm_id", "name", "phone", "email"], Record(2, ["F1", "Alpha", "x", "y"]))
    assert row is not None and row[KEEP_STORED] == ["phone", "email"] and (row["phone"], row["email"]) == (None, None)
    assert [(p.field, p.value) for p in problems] == [("phone", "x"), ("email", "y")]
    row, problems = parse_row(spec, ["firm_id", "name", "phone"], Record(3, ["", "Alpha", "x"]))
    assert row is None and [p.field for p in problems] == ["firm_id", "phone"]
    row, problems = parse_row(spec, ["firm_id", "name", "phone"], Record(4, ["F2", "Beta", "138 0000 0000"]))
    assert row is not None and KEEP_STORED not in row and problems == []


def test_rows_of_empty_cells_are_skipped_as_blank_lines_are(tmp_path: Path) -> None:
    """A spreadsheet saves rows it once touched below its data as ",,,": each was a reject every night."""
    frames, rejects = read_bundle(bundle(tmp_path, {"departments.csv": "department_id,name\nD1,ok\n,\n , \nD2,x\n,,\n"}))
    assert rejects == [] and list(frames["departments"]["department_id"]) == ["D1", "D2"]
    _, rejects = read_bundle(bundle(tmp_path, {"departments.csv": "department_id,name\n,named\n"}))
    assert reasons(rejects) == [("departments.csv", 2, "department_id", "required value is empty")]  # near-miss


def test_line_numbers_count_physical_lines_and_blank_lines(tmp_path: Path) -> None:
    _, rejects = read_bundle(bundle(tmp_path, {
        "departments.csv": 'department_id,name\nD1,"two\nline name"\n\nD2,ok,extra\n,empty id\n',
    }))
    assert reasons(rejects) == [
        ("departments.csv", 5, "", "row has 3 fields but the header has 2"),
        ("departments.csv", 6, "department_id", "required value is empty"),
    ]


def test_a_quote_left_open_is_a_reject_naming_the_lines_it_swallowed(tmp_path: Path) -> None:
    # open to the end of the file: a lenient reader loaded F1 with F2 and F3 glued into its address
    frames, rejects = read_bundle(bundle(tmp_path, {
        "firms.csv": 'firm_id,name,address\nF0,Zero,Road 4\nF1,Acme,"Road 5\nF2,Beta,Road 6\nF3,Gamma,Road 7\n',
    }))
    assert list(frames["firms"]["firm_id"]) == ["F0"]
    assert reasons(rejects) == [("firms.csv", 3, "", "unreadable CSV record: a quoted field opened on line 3 is never "
                                 "closed, so lines 3–5 (the end of the file) read as one record; none of them is loaded")]
    # closed further down: the lines between are one record with too many fields, and the reject says so
    frames, rejects = read_bundle(bundle(tmp_path, {
        "firms.csv": 'firm_id,name,address\nF1,Acme,"Road 5\nF2,Beta",Road 6\nF3,Gamma,Road 7\n',
    }))
    assert list(frames["firms"]["firm_id"]) == ["F3"]
    assert reasons(rejects) == [("firms.csv", 2, "", "row has 4 fields but the header has 3 (the record runs over "
                                 "lines 2–3: a quoted field spans the line breaks; is a quote left open?)")]
    # text after a closing quote is malformed, not glued on ("Acme Ltd" loaded as "Acme" + " Ltd")
    frames, rejects = read_bundle(bundle(tmp_path, {"firms.csv": 'firm_id,name\nF1,"Acme" Ltd\nF2,Beta\n'}))
    assert list(frames["firms"]["firm_id"]) == ["F2"]
    assert reasons(rejects) == [("firms.csv", 2, "", "unreadable CSV record: ',' expected after '\"'")]


def test_inspection_results_in_the_words_records_use_load_as_the_models_own(tmp_path: Path) -> None:
    frames, rejects = read_bundle(bundle(tmp_path, {
        "officials.csv": OFFICIALS, "firms.csv": FIRMS,
        "inspections.csv": "inspection_id,official_id,firm_id,date,result\nI1,O1,F1,2024-01-02, 合格\n"
                           "I2,O1,F1,2024-01-03,不合格\nI3,O1,F1,2024-01-04,Passed\nI4,O1,F1,2024-01-05,警告\n"
                           "I5,O1,F1,2024-01-06,maybe\n",
    }))
    assert list(frames["inspections"]["result"]) == ["pass", "fail", "pass", "warning"]
    [reject] = rejects
    assert (reject.line, reject.field) == (6, "result") and reject.reason.startswith("not one of pass, fail, warning (or")


def test_hostile_strings_stay_verbatim(tmp_path: Path) -> None:
    hostile = ["'}) DETACH DELETE n //", 'say "hi" \\ back\\slash', "emoji 🦊 and 中文", "  padded  "]
    rows = "".join(f'F{i},"{name.replace(chr(34), chr(34) * 2)}"\n' for i, name in enumerate(hostile))
    frames, rejects = read_bundle(bundle(tmp_path, {"firms.csv": "firm_id,name\n" + rows}))
    assert rejects == []
    assert list(frames["firms"]["name"]) == hostile


def test_missing_required_column_fails_the_whole_bundle(tmp_path: Path) -> None:
    bundle(tmp_path, {"firms.csv": FIRMS, "bids.csv": "bid_id,tender_id,amount\nB1,T1,1\n"})
    with pytest.raises(BundleError, match=r"bids\.csv: required column\(s\) firm_id missing"):
        preflight(tmp_path)


def test_non_utf8_file_fails_naming_file_and_line(tmp_path: Path) -> None:
    bundle(tmp_path, {"firms.csv": FIRMS})
    (tmp_path / "departments.csv").write_bytes("department_id,name\nD1,ok\nD2,局\n".encode("gb18030"))
    with pytest.raises(BundleError, match=r"departments\.csv is not UTF-8 .*line 3") as raised:
        preflight(tmp_path)
    # it decodes as GB18030: the message shows the line so read and names the option
    assert "line 3 is 'D2,局'" in str(raised.value) and "--encoding gb18030" in str(raised.value)


def test_a_gb18030_bundle_loads_as_its_utf8_twin_when_its_encoding_is_named(tmp_path: Path) -> None:
    # what Excel on Chinese Windows saves: GBK, a character only GB18030's four-byte form has (𠀀), a BOM
    files = {"departments.csv": "department_id,name\nD1,住房和城乡建设局\n",
             "firms.csv": "firm_id,name,address\nF1,𠀀建设有限公司,\"昆明市，五华区\"\nF2,Café Ltd,\n"}
    twin = tmp_path / "utf8"
    twin.mkdir()
    bundle(twin, files)
    gb = tmp_path / "gb"
    gb.mkdir()
    for name, text in files.items():
        (gb / name).write_bytes(("\ufeff" + text).encode("gb18030"))
    expected, no_rejects = read_bundle(twin)
    frames, rejects = read_bundle(gb, encoding="GB18030")
    assert no_rejects == rejects == []
    for name in ("departments", "firms"):
        assert frames[name].equals(expected[name])
    assert list(frames["firms"]["name"]) == ["𠀀建设有限公司", "Café Ltd"]
    with pytest.raises(BundleError, match=r"firms\.csv is not UTF-8"):  # near-miss: the encoding not named
        read_bundle(gb)


def test_a_file_with_utf8_s_byte_order_mark_is_read_as_utf8_whatever_encoding_is_named(tmp_path: Path) -> None:
    """The registry's firms in GBK beside the platform's tenders in UTF-8 with a BOM: loaded with --encoding
    gb18030, the tenders' BOM read as 锘 and the load stopped, "tender_id missing" (an operator's review)."""
    (tmp_path / "firms.csv").write_bytes("firm_id,name\nF1,兰州建设\n".encode("gb18030"))
    (tmp_path / "tenders.csv").write_bytes("\ufefftender_id,title,winner_firm_id\nT1,道路维修,F1\n".encode("utf-8"))
    frames, rejects = read_bundle(tmp_path, encoding="gb18030")
    assert rejects == []
    assert list(frames["firms"]["name"]) == ["兰州建设"] and list(frames["tenders"]["title"]) == ["道路维修"]
    assert [f.codec for f in preflight(tmp_path, "gb18030")] == ["gb18030", "utf-8-sig"]  # firms, then tenders


def test_an_unknown_encoding_or_a_file_that_is_no_gb18030_either_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "firms.csv").write_bytes("firm_id,name\nF1,Société\n".encode("latin-1"))
    with pytest.raises(BundleError, match="unknown encoding 'klingon'"):
        preflight(tmp_path, "klingon")
    with pytest.raises(BundleError, match="line 2\\); save it as UTF-8 and load again, or name its encoding") as raised:
        preflight(tmp_path)
    assert "gb18030" not in str(raised.value)  # "é," is no GB18030: no hint to read it so
    frames, rejects = read_bundle(tmp_path, encoding="latin-1")
    assert rejects == [] and list(frames["firms"]["name"]) == ["Société"]
    with pytest.raises(BundleError, match="'rot13' is no text encoding"):  # a codec, but of no text file
        preflight(tmp_path, "rot13")


def test_the_bad_line_is_counted_in_text_whatever_the_encoding(tmp_path: Path) -> None:
    # in UTF-16 "上" is the bytes 0A 4E: counted as bytes, each row of it was a line more ("near line 12")
    rows = "firm_id,name\n" + "".join(f"F{i},上海\n" for i in range(5))
    (tmp_path / "firms.csv").write_bytes(rows.encode("utf-16-le") + b"\x00\xd8" + "x\n".encode("utf-16-le"))
    with pytest.raises(BundleError, match=r"is not UTF-16-LE .*near line 7"):
        preflight(tmp_path, "utf-16-le")
    # and the GB18030 hint quotes the line it names, a carriage return inside a quoted cell notwithstanding
    (tmp_path / "firms.csv").write_bytes('firm_id,name\nF1,"x\ry"\nF2,ok\nF3,甲\n'.encode("gb18030"))
    with pytest.raises(BundleError, match=r"near line 4\).* line 4 is 'F3,甲'"):
        preflight(tmp_path)


def test_empty_folder_and_empty_file_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="none of the bundle files"):
        preflight(tmp_path)
    (tmp_path / "firms.csv").write_text("", encoding="utf-8")
    with pytest.raises(BundleError, match="firms.csv is empty"):
        preflight(tmp_path)
    with pytest.raises(BundleError, match="is not a folder"):
        preflight(tmp_path / "nope")


def test_bom_and_padded_header_names_are_accepted(tmp_path: Path) -> None:
    (tmp_path / "firms.csv").write_text("\ufeff firm_id , name\nF1,A\n", encoding="utf-8")
    frames, rejects = read_bundle(tmp_path)
    assert rejects == [] and list(frames["firms"]["firm_id"]) == ["F1"]


def test_empty_trailing_columns_of_a_spreadsheet_export_are_unnamed_not_duplicates(tmp_path: Path) -> None:
    (tmp_path / "firms.csv").write_text("firm_id,name,,\nF1,A,,\nF2,B,,\n", encoding="utf-8")
    (files,) = preflight(tmp_path)
    assert files.unknown_columns_warning() == (
        "firms.csv: column(s) (unnamed), (unnamed) are not bundle columns and are not loaded; the file's columns "
        "are firm_id, name, reg_no, phone, email, address, locality")
    frames, rejects = read_bundle(tmp_path)
    assert rejects == [] and list(frames["firms"]["name"]) == ["A", "B"]
    # two columns of one name are still refused: which of them would be the data?
    (tmp_path / "firms.csv").write_text("firm_id,name,name\nF1,A,B\n", encoding="utf-8")
    with pytest.raises(BundleError, match=r"firms\.csv: column\(s\) name appear more than once"):
        preflight(tmp_path)


def test_an_id_with_a_space_of_another_kind_reads_as_the_plain_space(tmp_path: Path) -> None:
    """"F\u00a09" (no-break space) and "F 9" print alike: both are firm "F 9" (they loaded as two), so
    in one file the second is the duplicate it looks like."""
    (tmp_path / "firms.csv").write_text("firm_id,name\nF\u00a09,A\nF 9,B\nG\u30001,C\n", encoding="utf-8")
    frames, rejects = read_bundle(tmp_path)
    assert list(frames["firms"]["firm_id"]) == ["F 9", "G 1"]
    assert [(r.line, r.field, r.reason) for r in rejects] == [
        (3, "firm_id", "duplicate key: an earlier row of this file has it")]


def test_placeholders_read_as_empty_in_typed_columns_only(tmp_path: Path) -> None:
    frames, rejects = read_bundle(bundle(tmp_path, {
        "firms.csv": "firm_id,name,phone,email\nF1,-,-,N/A\nF2,Beta,无,\n",
        "tenders.csv": "tender_id,budget,published_at,winner_firm_id\nT1,-,null,\n",
    }))
    assert rejects == []
    assert list(frames["firms"]["name"]) == ["-", "Beta"]  # free text stays verbatim
    assert frames["firms"]["phone"].isna().all() and frames["firms"]["email"].isna().all()
    assert frames["tenders"]["budget"].isna().all() and frames["tenders"]["published_at"].isna().all()


def test_amounts_with_grouping_or_yuan_marker() -> None:
    amount = Field("amount", "float")
    assert parse_value(amount, "1,098,000.00") == 1098000.0
    assert parse_value(amount, "556796.41元") == 556796.41
    assert parse_value(amount, "¥ 1,200") == 1200.0
    for text in ("1,00", "12,3456", "1.098.000", "USD 5"):
        with pytest.raises(ValueError, match="not a number"):
            parse_value(amount, text)


def test_value_parsers() -> None:
    flag = Field("x", "bool")
    assert [parse_value(flag, w) for w in ("TRUE", "1", "yes", "是", "False", "0", "no", "否", "", "-")] == \
        [True, True, True, True, False, False, False, False, None, None]
    assert parse_date("2024") == date(2024, 1, 1)
    assert parse_date("2024-03") == date(2024, 3, 1)
    assert parse_date("20070607") == date(2007, 6, 7)
    assert parse_date("2024-03-05T23:00:00") == date(2024, 3, 5)
    assert parse_date("2020/5/7") == date(2020, 5, 7)
    assert parse_datetime("2020/05/07 14:41:38") == datetime(2020, 5, 7, 14, 41, 38)
    for ambiguous in ("05/03/2024", "5/3/24"):
        with pytest.raises(ValueError):
            parse_date(ambiguous)
    assert parse_datetime("2024-03-05T10:00:00Z") == datetime(2024, 3, 5, 10)
    assert parse_value(Field("n", "int"), "30.0") == 30
    with pytest.raises(ValueError, match="whole"):
        parse_value(Field("n", "int"), "30.5")
    with pytest.raises(ValueError, match="finite"):
        parse_value(Field("n", "float"), "inf")


def test_a_share_is_a_fraction_and_a_percentage_is_rejected(tmp_path: Path) -> None:
    frames, rejects = read_bundle(bundle(tmp_path, {
        "firms.csv": FIRMS, "persons.csv": "person_id\nP1\nP2\nP3\nP4\n",
        "person_roles.csv": "person_id,firm_id,role,share\n"
                            "P1,F1,shareholder,0.5\n"   # line 2: good
                            "P2,F1,shareholder,1\n"     # line 3: good, the whole firm
                            "P3,F1,shareholder,50\n"    # line 4: a percentage
                            "P4,F1,shareholder,1.5\n",  # line 5: above the whole
    }))
    assert list(frames["person_roles"]["share"]) == [0.5, 1.0]
    assert [(r.line, r.field, r.value, r.reason) for r in rejects] == [
        (4, "share", "50", "share 50 is not a fraction between 0 and 1 (write 0.5 for 50 %)"),
        (5, "share", "1.5", "share 1.5 is not a fraction between 0 and 1 (write 0.015 for 1.5 %)"),
    ]


def test_numbers_fold_full_width_and_refuse_what_float_reads_too_freely() -> None:
    assert parse_number("１，２３４．５０") == 1234.5
    assert parse_number("￥１２００") == 1200.0
    for text, reason in (("1_0", "_ is no digit separator"), ("1_000", "_ is no digit separator"),
                         ("٣", "only the digits 0–9"), ("1e-400", "too close to zero"), ("1e400", "finite")):
        with pytest.raises(ValueError, match=reason):
            parse_number(text)
    # near-misses: a written zero underflows to nothing, and a small number that fits stays
    assert parse_number("0e-400") == 0.0 and parse_number("0.000") == 0.0
    assert parse_number("1e-300") == 1e-300


def test_thousands_are_read_in_each_unambiguous_form_and_a_decimal_comma_says_so() -> None:
    for text in ("1,234,567.50", "1 234 567.50", "1\u00a0234\u00a0567.50", "1\u202f234\u202f567.50",
                 "1'234'567.50", "1’234’567.50", "¥1'234'567.50", "1 234 567.50元"):
        assert parse_number(text) == 1234567.5, text
    assert parse_number("1,234") == 1234.0  # a thousand and more, as before
    # near-misses: a decimal comma is refused with its hint; separators mixed or misplaced, a
    # currency other than yuan (a dollar among yuan would be read as yuan) and brackets are no number
    for text in ("1.234,56", "12,5", "0,25"):
        with pytest.raises(ValueError, match="decimal comma"):
            parse_number(text)
    for text in ("1,234 567", "1 23", "12,3456", "1'234,567", "$1,234", "1 234 EUR", "(1,234)"):
        with pytest.raises(ValueError, match="^not a number$"):
            parse_number(text)


def test_dates_fold_full_width_digits_as_numbers_do() -> None:
    assert parse_date("２０２４-０３-０５") == parse_date("2024-03-05") == date(2024, 3, 5)
    assert parse_date("２０２４") == date(2024, 1, 1)
    assert parse_datetime("２０２４-０３-０５Ｔ１０:００:００") == datetime(2024, 3, 5, 10)
    with pytest.raises(ValueError, match="not an ISO 8601 date"):
        parse_date("٢٠٢٤")  # other digits than 0–9, as in numbers
    with pytest.raises(ValueError, match="not an ISO 8601 date"):
        parse_date("٢٠٢٤-٠٣-٠٥")


def test_unknown_columns_are_named_with_the_column_they_probably_mean(tmp_path: Path) -> None:
    bundle(tmp_path, {"firms.csv": "firm_id,name,emial,Phone\nF1,A,a@x.com,13800000000\n",
                      "persons.csv": "person_id,name,notes\nP1,Li,x\n",
                      "departments.csv": " department_id ,name\nD1,Roads\n"})
    files = {f.spec.filename: f for f in preflight(tmp_path)}  # the load goes on
    assert files["firms.csv"].unknown_columns == ("emial", "Phone")
    assert files["firms.csv"].unknown_columns_warning() == (
        "firms.csv: column(s) emial, Phone are not bundle columns and are not loaded (did you mean email, phone?)")
    assert files["persons.csv"].unknown_columns_warning() == (
        "persons.csv: column(s) notes are not bundle columns and are not loaded; the file's columns are person_id, "
        "name, phone, email, address")
    # near-miss: padded names are the bundle's columns
    assert files["departments.csv"].unknown_columns == () and files["departments.csv"].unknown_columns_warning() is None


def test_the_load_prints_the_unknown_columns_before_it_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from loaders.csv_bundle import main

    bundle(tmp_path, {"firms.csv": "firm_id,name,emial\nF1,A,a@x.com\n"})
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")  # nothing listens: the load stops after preflight
    monkeypatch.setenv("NEO4J_USERNAME", "neo4j")
    monkeypatch.setenv("NEO4J_PASSWORD", "unused")
    assert main([str(tmp_path)]) != 0
    assert "warning: firms.csv: column(s) emial are not bundle columns and are not loaded (did you mean email?)" \
        in capsys.readouterr().err


def test_every_file_refers_only_to_files_loaded_before_it() -> None:
    defined: set[str] = set()
    for spec in BUNDLE:
        for column in spec.fields:
            assert column.refers_to is None or column.refers_to in defined, (spec.name, column.name)
        if spec.defines:
            defined.add(spec.defines)


def test_values_the_database_cannot_store_are_rejected_before_the_write(tmp_path: Path) -> None:
    """A date-time that leaves years 1–9999 in UTC, a whole number beyond 64 bits, an id or
    identifier over the index key limit, and an id holding an invisible character are rejects
    naming file, line and field (each aborted the load with a traceback or a database error,
    losing the batch's good rows); the good rows beside them load, and near-misses at the
    limits pass. A firm whose address is too long loads without it."""
    long_address = "甲" * 1400  # 4,200 bytes: over the 4,000 an indexed value may hold
    files = {
        "firms.csv": ("firm_id,name,reg_no,phone,email,address\n"
                      "F1,ok,,,,\n"
                      f"F2,long,,,,{long_address}\n"
                      "F3\u200b,invisible,,,,\n"
                      f"F4,{'名' * 1333},,,,{'乙' * 1333}\n"),  # 3,999 bytes each: fine
        "officials.csv": OFFICIALS,
        "approvals.csv": ("approval_id,official_id,firm_id,applied_at,decided_at,kind,decision,statutory_days\n"
                          "A1,O1,F1,2024-01-01,2024-01-05,k,approve,1e30\n"
                          "A2,O1,F1,2024-01-01,2024-01-05,k,approve,4611686018427387904\n"),
        "bids.csv": ("bid_id,tender_id,firm_id,amount,submitted_at\n"
                     "B1,T1,F1,100,0001-01-01T00:00:00+01:00\n"
                     "B2,T1,F1,100,9999-12-31T23:00:00-05:00\n"
                     "B3,T1,F1,100,0001-01-01T00:00:00-01:00\n"),
        "tenders.csv": TENDERS,
    }
    frames, rejects = read_bundle(bundle(tmp_path, files))
    got = {(r.file, r.line, r.field): r.reason for r in rejects}
    assert "too long to store: 4,200 bytes" in got["firms.csv", 3, "address"]
    assert "invisible character (U+200B ZERO WIDTH SPACE at position 3)" in got["firms.csv", 4, "firm_id"]
    assert "too large a whole number" in got["approvals.csv", 2, "statutory_days"]
    assert "out of range" in got["bids.csv", 2, "submitted_at"]
    assert "out of range" in got["bids.csv", 3, "submitted_at"]
    assert len(got) == 5
    assert sorted(frames["firms"]["firm_id"]) == ["F1", "F2", "F4"]  # F2 without its address (an identifier)
    assert frames["approvals"]["statutory_days"].tolist() == [2**62]
    assert frames["bids"]["bid_id"].tolist() == ["B3"]


def test_free_text_is_limited_only_where_no_index_holds_it() -> None:
    assert parse_value(Field("title"), "x" * 32000) == "x" * 32000
    with pytest.raises(ValueError, match="32,000"):
        parse_value(Field("title"), "x" * 32001)
    with pytest.raises(ValueError, match="4,000"):  # a range-indexed property (Tender.category)
        parse_value(Field("category"), "x" * 4001)
    # a name is full-text indexed only: a consortium naming its members is text (it was refused over
    # 4,000 bytes, because the job lock's key is a `name`, and the firm's tenders were rejected with it)
    consortium = "、".join(["某某建设工程有限公司"] * 300)  # 9,897 bytes
    assert parse_value(Field("name"), consortium) == consortium


def test_a_refused_write_is_not_promised_to_pass_on_a_rerun() -> None:
    """The database unreachable, restarting or busy passes, and re-running completes the load; a
    write it refused (ClientError, DatabaseError) fails the same way again, so the advice says so."""
    from neo4j.exceptions import ClientError, DatabaseError, ServiceUnavailable, TransientError

    from graph.db import GraphError, GraphUnavailable
    from loaders.csv_bundle import _passing

    def wrapped(cause: Exception) -> GraphError:
        error = GraphError(f"load_firms failed: {cause}")
        error.__cause__ = cause
        return error

    assert _passing(GraphUnavailable("Neo4j unreachable")) and _passing(ServiceUnavailable("down"))
    assert _passing(wrapped(TransientError("deadlock")))
    assert not _passing(wrapped(DatabaseError("Property value is too large to index")))
    assert not _passing(wrapped(ClientError("bad type"))) and not _passing(GraphError("no columns"))


def test_a_locality_column_is_folded_as_an_address_and_an_invisible_character_is_a_reject(tmp_path: Path) -> None:
    """A locality with an invisible character is a reject line; its firm loads without it (it rejected the
    firm, then the tender it won and every bid in that tender: an operator's review)."""
    frames, rejects = read_bundle(bundle(tmp_path, {
        "firms.csv": "firm_id,address,locality\nF1,,\u3000西固区 \nF2,兰州市城关区1号,\nF3,,西固区\u200b\n"
                     "F4,兰州市七里河区2号,西固区\ufe0f\n"}))
    firms = frames["firms"]
    # blank: the address's district; skipped: the address's district, else none
    assert list(zip(firms["firm_id"], firms["locality"], strict=True)) == [
        ("F1", "西固区"), ("F2", "城关区"), ("F3", None), ("F4", "七里河区")]
    assert reasons(rejects) == [
        ("firms.csv", 4, "locality", "locality holds an invisible character (U+200B)" + SKIPPED_VALUE),
        ("firms.csv", 5, "locality", "locality holds an invisible character (U+FE0F)" + SKIPPED_VALUE)]
