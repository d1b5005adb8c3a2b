"""detectors.settings / run --params: a city's thresholds from a TOML file, checked before the run,
reaching every detector (also in a forked worker) and recorded with the run."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from detectors import closeness, registry, rings, runner
from detectors.settings import ParamsFileError, params_for, read, with_settings
from graph import lock
from tests.detectors.test_runner import FAKE_OK, MARKET, _cypher

FAKE_TUNED = '''
"""Fake detector whose one finding's score is its setting."""
from dataclasses import dataclass

from detectors.finding import Finding

NAME = "fake_tuned"


@dataclass(frozen=True)
class Params:
    score: float = 40.0
    kinds: tuple[str, ...] = ("pair",)


def detect(data, params=None, seed=0):
    params = params or Params()
    return [Finding(detector=NAME, kind=params.kinds[0], score=params.score, explanation="tuned",
                    evidence={"score": params.score}, official_id="O1", firm_id="F1")]
'''


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_table_overrides_only_the_fields_it_names_with_their_types(tmp_path: Path) -> None:
    path = write(tmp_path / "city.toml", """
        [closeness]
        threshold = 25
        passed_results = ["pass", "passed", "合格"]
        [rings.weights]
        price = 40
        suppression = 0
    """)
    tables = read(path)
    tuned = params_for("closeness", closeness.Params, tables["closeness"], path)
    assert tuned.threshold == 25.0 and isinstance(tuned.threshold, float)  # an integer where a float goes
    assert tuned.passed_results == ("pass", "passed", "合格")
    assert tuned.report_floor == closeness.Params().report_floor  # the rest: the documented defaults
    weights = params_for("rings", rings.Params, tables["rings"], path).weights
    assert weights == {**rings.Params().weights, "price": 40.0, "suppression": 0.0}  # the keys given replace those


@pytest.mark.parametrize(("text", "message"), [
    ("[closeness]\nthreshhold = 25\n", "[closeness] has no setting threshhold; its settings: "),
    ("[closeness]\nmin_inspections = 2.5\n", "[closeness] min_inspections must be a whole number, not 2.5"),
    ("[closeness]\nthreshold = 'high'\n", "[closeness] threshold must be a number, not 'high'"),
    ("[closeness]\npassed_results = 'pass'\n", "[closeness] passed_results must be an array"),
    ("[rings.weights]\npricing = 1\n", "[rings] weights has no key pricing; its keys: "),
    ("[cartels]\nthreshold = 1\n", "[cartels] is no detector; known: "),
    ("closeness = 3\n", "closeness = … must be a table [closeness]"),
    ("[closeness\n", "not valid TOML"),
    ("[red_flags]\ncommon = 1\n", "[red_flags] common cannot be set from a settings file"),
    # a typo lists only what a settings file can set: `common` and `settings` cannot be (docs review)
    ("[red_flags]\nenable = []\n", "[red_flags] has no setting enable; its settings: enabled"),
    ("[closeness]\nthreshold = nan\n", "[closeness] threshold must be a number, not nan"),
    ("[rings]\nmax_findings = -5\n", "[rings] max_findings must not be negative, not -5"),
    ("[rings]\nmin_ring_size = 20\n", "[rings] min_ring_size 20 must be at least 2 and at most max_ring_size 12"),
    ("[rings.weights]\nprice = 400.0\n", "[rings] weights sum to 465; they must sum to 100"),
    ("[rings.weights]\nprice = 150.0\nsuppression = -50.0\n", "[rings] weights.suppression must not be negative"),
    ("[red_flags]\nenabled = ['R003', 'R999']\n", "[red_flags] enabled names no flag R999; the flags: R003"),
    ("[official_profile]\nas_of = 'last june'\n", "[official_profile] as_of 'last june' is not a date"),
    ("[official_profile]\nas_of = 'now'\n", "[official_profile] as_of 'now' is not a date YYYY-MM-DD"),
    ("[official_profile]\nas_of = 0001-01-01\n", "as_of '0001-01-01' is not a date YYYY-MM-DD between 1900"),
    ("[official_profile]\nas_of = 2024-06-30T00:00:00Z\n", "as_of must be a date or a string, not a date and time"),
    ("[closeness]\nlift_floor = 6.0\n", "[closeness] lift_floor 6.0 must be above 0 and below lift_full 6.0"),
    ("[closeness]\nq_weak = 0.001\n", "must satisfy 0 < q_strong < q_weak ≤ 1"),
])
def test_a_mistake_names_the_file_the_table_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "city.toml", text)
    with pytest.raises(ParamsFileError) as error:
        with_settings(registry.select(["closeness"]), path)
    assert str(error.value).startswith(str(path)) and message in str(error.value)


def test_a_toml_date_is_a_date_setting_and_upstream_tables_reach_a_detector_computing_its_upstream(
        tmp_path: Path) -> None:
    path = write(tmp_path / "city.toml", "[official_profile]\nas_of = 2024-06-30\n[rings]\nmin_score = 30\n")
    [risk, profile] = with_settings(registry.select(["official_profile", "tender_risk"]), path)  # registry order
    assert profile.params.as_of == "2024-06-30"
    assert risk.params is None and risk.upstream_params["rings"].min_score == 30.0  # tender risk computes its rings
    assert profile.upstream_params == {}  # no [closeness] table: closeness keeps its defaults


def test_tender_risk_and_the_official_profile_compute_their_upstream_with_its_settings() -> None:
    from detectors import official_profile, tender_risk
    from tests.detectors.test_robustness import messy_market

    data = messy_market(1)  # one weak ring (11.2) and two officials with a closeness lead
    counted = tender_risk.Params(min_ring_score=5.0, min_score=0.0)  # so that ring raises its tenders
    with_ring = {f.tender_id: f.score for f in tender_risk.detect(data, counted)}
    no_ring = {f.tender_id: f.score for f in tender_risk.detect(data, counted, rings_params=rings.Params(min_score=50.0))}
    assert with_ring.keys() == no_ring.keys() and any(with_ring[t] != no_ring[t] for t in with_ring)
    assert len(official_profile._closeness_best(data, None)) == 2
    assert official_profile._closeness_best(data, None, closeness.Params(report_floor=50.0, threshold=50.0)).empty


def test_the_runner_hands_a_missing_upstreams_settings_to_the_detector_that_computes_it() -> None:
    import types

    from detectors.market import MarketData

    seen: dict[str, object] = {}
    dependent = types.ModuleType("ic_dependent")
    dependent.detect = lambda data, params=None, seed=0, dep=None, dep_params=None: seen.update(
        dep=dep, dep_params=dep_params) or []  # type: ignore[attr-defined]
    upstream = types.ModuleType("ic_upstream")
    upstream.detect = lambda data, params=None, seed=0: []  # type: ignore[attr-defined]
    spec = registry.DetectorSpec("dependent", "ic_dependent", "d", upstream={"dep": "upstream"},
                                 upstream_params={"dep": "the upstream's settings"})
    runner.run_detectors(MarketData.build(), [(spec, dependent)])
    assert seen == {"dep": None, "dep_params": "the upstream's settings"}
    runner.run_detectors(MarketData.build(), [(registry.DetectorSpec("upstream", "ic_upstream", "u"), upstream),
                                              (spec, dependent)])
    assert seen == {"dep": [], "dep_params": None}  # it ran: its findings, not its settings


@pytest.fixture()
def tuned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    modules = tmp_path / "modules"
    modules.mkdir()
    write(modules / "ic_fake_tuned.py", FAKE_TUNED)
    write(modules / "ic_fake_ok2.py", FAKE_OK)
    monkeypatch.syspath_prepend(str(modules))
    monkeypatch.setenv(registry.EXTRA_ENV, "fake_ok=ic_fake_ok2,fake_tuned=ic_fake_tuned")
    monkeypatch.setenv(lock.STATE_ENV, str(tmp_path / "state"))


@pytest.mark.neo4j
def test_the_settings_reach_a_forked_detector_and_are_recorded_with_the_run(clean_db, tuned: None,
                                                                           tmp_path: Path) -> None:
    _cypher(clean_db, MARKET, firms=[f"F{i}" for i in range(1, 9)])
    path = write(tmp_path / "city.toml", "[fake_tuned]\nscore = 77\n")
    out = tmp_path / "findings.json"
    result = runner.run(["fake_ok", "fake_tuned"], json_path=out, db=clean_db, jobs=2, params_file=path)
    [tuned_finding] = [f for f in json.loads(out.read_text())["findings"] if f["detector"] == "fake_tuned"]
    assert tuned_finding["score"] == 77.0
    [stored] = _cypher(clean_db, "MATCH (r:DetectorRun {id: $id}) RETURN r.params AS params", id=result.run_id)
    params = json.loads(stored["params"])
    assert params["params_file"] == str(path) and "upstream_settings" not in params
    assert params["detectors"]["fake_tuned"] == {"score": 77.0, "kinds": ["pair"]}
    # without the file: the documented default
    runner.run(["fake_tuned"], json_path=out, db=clean_db, jobs=1)
    assert json.loads(out.read_text())["findings"][0]["score"] == 40.0


@pytest.mark.neo4j
def test_an_upstream_computed_inside_a_detector_has_its_settings_recorded(clean_db, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(lock.STATE_ENV, str(tmp_path / "state"))
    _cypher(clean_db, MARKET, firms=[f"F{i}" for i in range(1, 9)])
    path = write(tmp_path / "city.toml", "[rings]\nmin_score = 30\n")
    result = runner.run(["tender_risk"], db=clean_db, jobs=1, params_file=path)  # rings do not run
    [stored] = _cypher(clean_db, "MATCH (r:DetectorRun {id: $id}) RETURN r.params AS params", id=result.run_id)
    params = json.loads(stored["params"])
    assert params["upstream_settings"]["tender_risk"]["rings"]["min_score"] == 30.0
    assert set(params["detectors"]) == {"tender_risk"}


@pytest.mark.neo4j
def test_a_bad_settings_file_stops_the_cli_before_anything_runs(clean_db, tuned: None, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    path = write(tmp_path / "city.toml", "[fake_tuned]\nscore = 'high'\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[2]),
                                                         str(tmp_path / "modules")])}
    result = subprocess.run([sys.executable, "-m", "detectors", "run", "--detector", "fake_tuned", "--params",
                             str(path)], cwd=Path(__file__).resolve().parents[2], env=env, text=True,
                            capture_output=True, timeout=120, check=False)
    assert result.returncode == 2, result.stderr
    assert "[fake_tuned] score must be a number, not 'high'" in result.stderr and "Nothing was run." in result.stderr
    assert _cypher(clean_db, "MATCH (r:DetectorRun) RETURN count(r) AS n") == [{"n": 0}]


def test_rings_weights_built_in_code_are_checked_too() -> None:
    """Params made in code (a benchmark, a notebook) meet the same rule as a settings file's."""
    weights = {**rings.DEFAULT_WEIGHTS, "price": 85.0, "suppression": -45.0}  # sums to 100
    assert any("suppression are negative" in p for p in rings.Params(weights=weights).check())
    assert rings.Params().check() == []
