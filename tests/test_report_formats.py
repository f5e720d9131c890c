"""Report writers: golden snapshots of every format plus structural validation.

Golden files live in tests/golden/<format>.<ext>; regenerate with
`ASSETQA_UPDATE_GOLDEN=1 pytest tests/test_report_formats.py` and review the diff.

SARIF: no copy of the official SARIF 2.1.0 JSON schema is installed (none in site-packages),
so `test_sarif_structure` checks the 2.1.0 shapes this writer uses (property names, types and
enums as the schema defines them) and the minimum GitHub code scanning requires.
"""
from __future__ import annotations

import copy
import json
import math
import os
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from qa.checks.spec import FMT001, FMT004, FMT008, RES001, RES002
from qa.registry import find_rule
from qa.report import (
    EXTENSIONS, FORMATS, WRITERS, ReportError, load_report, publish, render, render_text, write,
)
from qa.report import github as github_writer
from qa.types import AssetResult, AssetStatus, Finding, Region, Report, Severity

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("ASSETQA_UPDATE_GOLDEN") == "1"
SHA_OK = "a" * 64
SHA_FAIL = "b3" * 32
SHA_BROKEN = "c4" * 32


def make_report() -> Report:
    """A fixed report: a pass, a fail (region + waived finding, awkward path), an unreadable file."""
    ok = AssetResult(path="campaign/hero_ok.png", sha256=SHA_OK, width=1920, height=1080,
                     status=AssetStatus.PASS, format="PNG")
    fmt008 = FMT008.finding("transparent pixels in a 640x60 band at the bottom", score=0.4, value=0.167,
                            threshold=0.0, region=Region(0, 300, 640, 60))
    fmt004 = FMT004.finding("colour space is Display P3, not sRGB", score=0.5, value="Display P3", threshold="sRGB")
    fmt004.waived = True
    fmt004.waiver = {"reviewer": "dana@example.com", "comment": "approved by brand team for this campaign",
                     "created": "2026-01-01T10:00:00+00:00", "report_id": "fedcba987654", "decision_id": 7,
                     "asset_path": "campaign/banner <wide> & co.png", "auth": "none"}
    res001 = RES001.finding("width 640 is below the minimum 1080", score=0.5926, value=[640, 360],
                            threshold=[1080, 1080])
    res002 = RES002.finding("aspect ratio 16:9, expected 1:1 (tolerance 0.02)", score=0.5625, value="16:9",
                            threshold="1:1")
    fail = AssetResult(path="campaign/banner <wide> & co.png", sha256=SHA_FAIL, width=640, height=360,
                       status=AssetStatus.FAIL, format="PNG", findings=[res001, res002, fmt004, fmt008])
    broken = AssetResult(path="campaign/broken.webp", sha256=SHA_BROKEN, width=None, height=None,
                         status=AssetStatus.ERROR, findings=[FMT001.finding(
                             "campaign/broken.webp: truncated image data", score=0.0, value="truncated image data")])
    return Report(
        tool_version="0.1.0",
        created="2026-01-02T03:04:05+00:00",
        rules_name="web-hero",
        rules_hash="3f2a9c0d1e4b5a6978877665544332211000ffeeddccbbaa9988776655443322",
        rules_path="rules/web-hero.yaml",
        fail_on=Severity.ERROR,
        selected=[r.code for r in (FMT001, FMT004, FMT008, RES001, RES002)],
        models={"clip": "open_clip:ViT-B-32/laion2b_s34b_b79k"},
        device="cpu",
        assets=[ok, fail, broken],
        report_id="0123456789ab",
        seconds=1.25,
    )


@pytest.fixture
def report() -> Report:
    return make_report()


@pytest.fixture(autouse=True)
def _no_step_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


# --------------------------------------------------------------------------- golden snapshots

@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt: str, report: Report) -> None:
    out = render(report, fmt)
    assert out == render(make_report(), fmt), "output is not deterministic"
    golden = GOLDEN / f"{fmt}.{EXTENSIONS[fmt]}"
    if UPDATE or not golden.exists():
        if not UPDATE:
            pytest.fail(f"{golden} is missing; run with ASSETQA_UPDATE_GOLDEN=1 to create it")
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(out.encode("utf-8"))
    assert out == golden.read_bytes().decode("utf-8"), (
        f"{fmt} output differs from {golden}; if intended, regenerate with ASSETQA_UPDATE_GOLDEN=1")


def test_registry_covers_every_format() -> None:
    assert set(WRITERS) == {"text", "json", "jsonl", "sarif", "junit", "github", "gitlab", "html"}
    with pytest.raises(ValueError, match="unknown report format 'xml'"):
        render(make_report(), "xml")


# --------------------------------------------------------------------------- JSON (canonical)

def test_json_is_canonical_and_round_trips(report: Report, tmp_path: Path) -> None:
    data = json.loads(render(report, "json"))
    assert data == report.to_dict()
    assert data["tool"] == {"name": "assetqa", "version": "0.1.0"}
    assert data["rules"]["hash"] == report.rules_hash
    assert data["models"] == {"clip": "open_clip:ViT-B-32/laion2b_s34b_b79k"}
    for asset in data["assets"]:
        assert {"path", "sha256", "width", "height", "status", "findings"} <= set(asset)
        assert asset["status"] in ("pass", "fail", "error")
        for f in asset["findings"]:
            assert {"code", "check", "severity", "message", "score", "value", "threshold"} <= set(f)
            assert 0.0 <= f["score"] <= 1.0
    region = data["assets"][1]["findings"][3]["region"]
    assert region == {"x": 0, "y": 300, "w": 640, "h": 60}

    path = write(report, "json", tmp_path / "r.json")
    loaded = load_report(path)
    assert loaded.to_dict() == report.to_dict()
    assert render(loaded, "sarif") == render(report, "sarif")


def test_jsonl_round_trips(report: Report, tmp_path: Path) -> None:
    text = render(report, "jsonl")
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["type"] for line in lines] == ["run", "asset", "asset", "asset", "summary"]
    path = write(report, "jsonl", tmp_path / "r.jsonl")
    assert load_report(path).to_dict() == report.to_dict()


def test_non_finite_values_stay_strict_json(report: Report) -> None:
    report.assets[1].findings[0].value = float("nan")
    report.assets[1].findings[0].threshold = float("inf")
    for fmt in ("json", "jsonl", "sarif", "gitlab"):
        for line in (render(report, fmt).splitlines() if fmt == "jsonl" else [render(report, fmt)]):
            json.loads(line, parse_constant=lambda c: pytest.fail(f"{fmt} wrote {c}"))
    assert json.loads(render(report, "json"))["assets"][1]["findings"][0]["value"] is None


def test_load_report_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="missing.json: report file not found"):
        load_report(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ReportError, match="bad.json: not a JSON report"):
        load_report(bad)
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    with pytest.raises(ReportError, match="other.json: not an assetqa report"):
        load_report(other)
    newer = tmp_path / "newer.json"
    data = make_report().to_dict()
    data["schema_version"] = 99
    newer.write_text(json.dumps(data))
    with pytest.raises(ReportError, match="newer.json: report schema_version 99"):
        load_report(newer)


# --------------------------------------------------------------------------- atomic write

def test_write_is_atomic_and_leaves_no_temp_files(report: Report, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "nested" / "out" / "report.sarif"
    written = write(report, "sarif", target)
    assert written == target and target.read_text(encoding="utf-8") == render(report, "sarif")
    from qa.fsutil import _umask

    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()  # a normal new file, not mkstemp's 0600
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.sarif"]

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write(report, "json", target)
    assert target.read_text(encoding="utf-8") == render(report, "sarif")  # old content intact
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.sarif"]


# --------------------------------------------------------------------------- SARIF

SARIF_LEVELS = {"none", "note", "warning", "error"}


def _obj(props: dict, required: tuple[str, ...] = (), **extra: object) -> dict:
    schema = {"type": "object", "additionalProperties": False, "properties": props, **extra}
    if required:  # draft-04 forbids an empty `required`
        schema["required"] = list(required)
    return schema


def _arr(ref: str, unique: bool = False) -> dict:
    return {"type": "array", "uniqueItems": unique, "items": {"$ref": f"#/definitions/{ref}"}}


_BAG = {"$ref": "#/definitions/propertyBag"}
_STR = {"type": "string"}
_INDEX = {"type": "integer", "minimum": -1}
_LEVEL = {"enum": sorted(SARIF_LEVELS), "type": "string"}
_MULTI_MSG = {"$ref": "#/definitions/multiformatMessageString"}

#: The part of the official SARIF 2.1.0 schema (oasis-tcs/sarif-spec, Schemata/sarif-schema-2.1.0.json,
#: draft-04) that covers every object this writer emits: same property names, types, enums, `required`
#: and `additionalProperties: false`, limited to the properties we use (so a misspelt or misplaced
#: key fails here as it would against the full schema). The full schema is not installed locally.
SARIF_SUBSET_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    **_obj({"$schema": _STR, "version": {"enum": ["2.1.0"], "type": "string"},
            "runs": _arr("run"), "properties": _BAG}, ("version", "runs")),
    "definitions": {
        "propertyBag": {"type": "object", "additionalProperties": True, "properties": {
            "tags": {"type": "array", "uniqueItems": True, "items": _STR}}},
        "message": _obj({"text": _STR, "markdown": _STR, "id": _STR, "properties": _BAG},
                        anyOf=[{"required": ["text"]}, {"required": ["id"]}]),
        "multiformatMessageString": _obj({"text": _STR, "markdown": _STR, "properties": _BAG}, ("text",)),
        "artifactLocation": _obj({"uri": _STR, "uriBaseId": _STR, "index": _INDEX,
                                  "description": {"$ref": "#/definitions/message"}, "properties": _BAG}),
        "region": _obj({"startLine": {"type": "integer", "minimum": 1}, "message": {"$ref": "#/definitions/message"},
                        "properties": _BAG}, anyOf=[{"required": ["startLine"]}]),
        "physicalLocation": _obj({"artifactLocation": {"$ref": "#/definitions/artifactLocation"},
                                  "region": {"$ref": "#/definitions/region"}, "properties": _BAG},
                                 ("artifactLocation",)),
        "location": _obj({"id": _INDEX, "physicalLocation": {"$ref": "#/definitions/physicalLocation"},
                          "message": {"$ref": "#/definitions/message"}, "properties": _BAG}),
        "rectangle": _obj({"top": {"type": "number"}, "left": {"type": "number"}, "bottom": {"type": "number"},
                           "right": {"type": "number"}, "message": {"$ref": "#/definitions/message"},
                           "properties": _BAG}),
        "attachment": _obj({"description": {"$ref": "#/definitions/message"},
                            "artifactLocation": {"$ref": "#/definitions/artifactLocation"},
                            "rectangles": _arr("rectangle", unique=True), "properties": _BAG},
                           ("artifactLocation",)),
        "suppression": _obj({"kind": {"enum": ["inSource", "external"], "type": "string"},
                             "status": {"enum": ["accepted", "underReview", "rejected"], "type": "string"},
                             "justification": _STR, "location": {"$ref": "#/definitions/location"},
                             "properties": _BAG}, ("kind",)),
        "notification": _obj({"locations": _arr("location", unique=True), "message": {"$ref": "#/definitions/message"},
                              "level": _LEVEL, "properties": _BAG}, ("message",)),
        "invocation": _obj({"executionSuccessful": {"type": "boolean"},
                            "toolExecutionNotifications": _arr("notification"), "properties": _BAG},
                           ("executionSuccessful",)),
        "reportingConfiguration": _obj({"enabled": {"type": "boolean"}, "level": _LEVEL,
                                        "rank": {"type": "number", "minimum": -1.0, "maximum": 100.0},
                                        "parameters": _BAG, "properties": _BAG}),
        "reportingDescriptor": _obj({"id": _STR, "name": _STR, "shortDescription": _MULTI_MSG,
                                     "fullDescription": _MULTI_MSG, "help": _MULTI_MSG,
                                     "helpUri": _STR,
                                     "defaultConfiguration": {"$ref": "#/definitions/reportingConfiguration"},
                                     "properties": _BAG}, ("id",)),
        "toolComponent": _obj({"name": _STR, "version": _STR, "semanticVersion": _STR, "informationUri": _STR,
                               "rules": _arr("reportingDescriptor", unique=True), "properties": _BAG}, ("name",)),
        "tool": _obj({"driver": {"$ref": "#/definitions/toolComponent"}, "properties": _BAG}, ("driver",)),
        "artifact": _obj({"description": {"$ref": "#/definitions/message"},
                          "location": {"$ref": "#/definitions/artifactLocation"},
                          "hashes": {"type": "object", "additionalProperties": _STR}, "properties": _BAG}),
        "result": _obj({
            "ruleId": _STR, "ruleIndex": _INDEX,
            "kind": {"enum": ["notApplicable", "pass", "fail", "review", "open", "informational"], "type": "string"},
            "level": _LEVEL, "message": {"$ref": "#/definitions/message"}, "locations": _arr("location"),
            "partialFingerprints": {"type": "object", "additionalProperties": _STR},
            "fingerprints": {"type": "object", "additionalProperties": _STR},
            "suppressions": _arr("suppression", unique=True),
            "baselineState": {"enum": ["new", "unchanged", "updated", "absent"], "type": "string"},
            "attachments": _arr("attachment", unique=True), "properties": _BAG}, ("message",)),
        "run": _obj({"tool": {"$ref": "#/definitions/tool"}, "invocations": _arr("invocation"),
                     "artifacts": _arr("artifact", unique=True), "results": _arr("result"),
                     "properties": _BAG}, ("tool",)),
    },
}


def _validate_sarif(log: dict) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft4Validator.check_schema(SARIF_SUBSET_SCHEMA)
    errors = sorted(jsonschema.Draft4Validator(SARIF_SUBSET_SCHEMA).iter_errors(log), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def _check_message(msg: object) -> None:
    assert isinstance(msg, dict) and isinstance(msg.get("text"), str) and msg["text"]


def test_sarif_structure(report: Report) -> None:
    log = json.loads(render(report, "sarif"))
    _validate_sarif(log)
    # minimum GitHub code scanning accepts (FIELD-NOTES "CI outputs")
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    assert isinstance(log["runs"], list) and len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "assetqa" and driver["version"] == "0.1.0"

    # rules[]: only the referenced codes, generated from the declarations
    rules = driver["rules"]
    referenced = sorted({f.code for a in report.assets for f in a.findings})
    assert [r["id"] for r in rules] == referenced
    for rule in rules:
        decl = find_rule(rule["id"])
        assert decl is not None
        assert rule["name"] == decl.name
        assert decl.what in rule["fullDescription"]["text"] and decl.why in rule["fullDescription"]["text"]
        assert "helpUri" not in rule
        _check_message(rule["shortDescription"])
        _check_message(rule["help"])
        assert rule["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning",
                                                         "info": "note"}[decl.severity.value]
        assert all(isinstance(t, str) for t in rule["properties"]["tags"])

    # artifacts: every asset, with its hash
    assert [a["location"]["uri"] for a in run["artifacts"]] == [
        "campaign/hero_ok.png", "campaign/banner%20%3Cwide%3E%20%26%20co.png", "campaign/broken.webp"]
    assert run["artifacts"][0]["hashes"] == {"sha-256": SHA_OK}

    results = run["results"]
    assert len(results) == sum(len(a.findings) for a in report.assets) == 5
    fingerprints = set()
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in SARIF_LEVELS
        _check_message(res["message"])
        (loc,) = res["locations"]
        phys = loc["physicalLocation"]
        assert phys["region"] == {"startLine": 1}
        assert isinstance(phys["artifactLocation"]["uri"], str)
        assert run["artifacts"][phys["artifactLocation"]["index"]]["location"]["uri"] == \
            phys["artifactLocation"]["uri"]
        fp = res["partialFingerprints"]["assetqa/v1"]
        assert all(isinstance(v, str) for v in res["partialFingerprints"].values())
        fingerprints.add(fp)
        assert fp == f"{res['properties']['assetSha256']}:{res['ruleId']}"
    assert len(fingerprints) == len(results)

    by_code = {r["ruleId"]: r for r in results}
    assert by_code["RES001"]["level"] == "error" and "suppressions" not in by_code["RES001"]
    # the finding's box: attachments[].rectangles (top/left/bottom/right)
    (att,) = by_code["FMT008"]["attachments"]
    _check_message(att["description"])
    assert att["artifactLocation"]["uri"] == "campaign/banner%20%3Cwide%3E%20%26%20co.png"
    assert att["rectangles"][0]["top"] == 300 and att["rectangles"][0]["left"] == 0
    assert att["rectangles"][0]["bottom"] == 360 and att["rectangles"][0]["right"] == 640
    # the sign-off: an accepted external suppression with a justification
    (sup,) = by_code["FMT004"]["suppressions"]
    assert sup["kind"] == "external" and sup["status"] == "accepted"
    assert sup["justification"] == "approved by brand team for this campaign (by dana@example.com)"
    assert by_code["FMT001"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "campaign/broken.webp"
    assert run["invocations"][0]["executionSuccessful"] is True
    assert run["properties"]["rules"]["hash"] == report.rules_hash


def test_sarif_unknown_code_and_error_without_finding(report: Report) -> None:
    report.assets[0].findings.append(Finding("ZZZ999", "future", Severity.INFO, "from a newer family", score=0.9))
    report.assets.append(AssetResult(path="/abs/x y.png", sha256=None, width=None, height=None,
                                     status=AssetStatus.ERROR))
    log = json.loads(render(report, "sarif"))
    _validate_sarif(log)
    run = log["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "ZZZ999")
    assert rule["properties"]["check"] == "future"
    res = next(r for r in run["results"] if r["ruleId"] == "ZZZ999")
    assert res["level"] == "note"
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "file:///abs/x%20y.png"


def test_sarif_repeated_code_gets_distinct_fingerprints(report: Report) -> None:
    extra = copy.deepcopy(report.assets[1].findings[3])
    extra.region = Region(10, 10, 20, 20)
    report.assets[1].findings.append(extra)
    results = json.loads(render(report, "sarif"))["runs"][0]["results"]
    fps = [r["partialFingerprints"]["assetqa/v1"] for r in results if r["ruleId"] == "FMT008"]
    assert fps == [f"{SHA_FAIL}:FMT008", f"{SHA_FAIL}:FMT008:2"]


# --------------------------------------------------------------------------- JUnit

def test_junit_structure(report: Report) -> None:
    root = ET.fromstring(render(report, "junit"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["tool_version"] == "0.1.0" and props["rules_hash"] == report.rules_hash
    assert props["model.clip"] == report.models["clip"] and props["fail_on"] == "error"
    cases = suite.findall("testcase")
    # one testcase per (asset, family): 3 assets x {format, resolution}
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        (a.path, fam) for a in report.assets for fam in ("format", "resolution")]
    outcome = {(c.get("classname"), c.get("name")):
               next((child.tag for child in c if child.tag in ("failure", "error", "skipped")), "pass")
               for c in cases}
    banner = report.assets[1].path
    assert outcome == {
        ("campaign/hero_ok.png", "format"): "pass", ("campaign/hero_ok.png", "resolution"): "pass",
        (banner, "format"): "pass",  # FMT008 warning is below fail_on, FMT004 is waived
        (banner, "resolution"): "failure",
        ("campaign/broken.webp", "format"): "error", ("campaign/broken.webp", "resolution"): "skipped",
    }
    failure = cases[3].find("failure")
    assert failure.get("type") == "RES001" and "RES001, RES002" in failure.get("message")
    assert "width 640 is below the minimum 1080" in failure.text
    fmt_case = cases[2]
    assert "FMT008 warning" in fmt_case.find("system-out").text
    assert "waived: approved by brand team" in fmt_case.find("system-out").text
    case_props = {p.get("name"): p.get("value") for p in fmt_case.find("properties")}
    assert case_props["sha256"] == SHA_FAIL and case_props["status"] == "fail"
    assert case_props["finding.FMT004"].endswith("waived")
    for node in (root, suite):
        assert (node.get("tests"), node.get("failures"), node.get("errors"), node.get("skipped")) == \
            ("6", "1", "1", "1")


def test_junit_survives_hostile_text(report: Report) -> None:
    report.assets[1].findings[0].message = 'bad \x00\x1b[31m "quoted" <tag> & ]]> \ud800 end'
    root = ET.fromstring(render(report, "junit").encode("utf-8"))
    failure = root.find("testsuite").findall("testcase")[3].find("failure")
    assert '"quoted" <tag> & ]]>' in failure.text


# --------------------------------------------------------------------------- GitHub

def test_github_annotations_escape_and_cap(report: Report) -> None:
    out = render(report, "github").splitlines()
    assert out[0] == ("::error file=campaign/banner <wide> & co.png,title=RES001 (resolution)::"
                      "width 640 is below the minimum 1080 [value [640, 360], threshold [1080, 1080]]")
    assert not any("FMT004" in line for line in out)  # waived: no annotation
    assert out[-1].startswith("3 assets: 1 passed, 1 failed, 1 errored")

    many = make_report()
    many.assets[1].path = "dir/a,b:c.png"
    many.assets[1].findings[0].message = "line1\nline2 100%"
    many.assets[1].findings += [RES001.finding(f"extra {i}", score=0.1) for i in range(20)]
    many.assets[1].findings += [FMT008.finding(f"warn {i}", score=0.5) for i in range(12)]
    lines = render(many, "github").splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 10
    assert lines[0].startswith("::error file=dir/a%2Cb%3Ac.png,title=RES001 (resolution)::line1%0Aline2 100%25")
    assert any(line.startswith("assetqa: 16 more finding(s) not annotated") for line in lines)


def test_github_step_summary_written_only_when_env_set(report: Report, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    stream = io.StringIO()
    publish(report, "github", stream=stream)
    assert stream.getvalue() == render(report, "github")
    summary = tmp_path / "summary.md"
    summary.write_text("previous step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    publish(report, "github", stream=io.StringIO())
    text = summary.read_text()
    assert text.startswith("previous step\n## assetqa: FAILED")
    assert "| campaign/banner \\<wide\\> & co.png | fail | 640x360 | RES001 | error |" in text
    assert "waived: approved by brand team" in text
    assert github_writer.write_step_summary(report, env={}) is None


# --------------------------------------------------------------------------- GitLab

def test_gitlab_code_quality(report: Report) -> None:
    issues = json.loads(render(report, "gitlab"))
    assert isinstance(issues, list) and len(issues) == 4  # the waived FMT004 is left out
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["lines"]["begin"] == 1
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    assert {i["check_name"]: i["severity"] for i in issues} == {
        "RES001": "major", "RES002": "major", "FMT008": "minor", "FMT001": "major"}
    dup = make_report()
    dup.assets.append(copy.deepcopy(dup.assets[1]))
    dup.assets[-1].path = "copy/of/banner.png"  # same bytes under another name
    fps = [i["fingerprint"] for i in json.loads(render(dup, "gitlab"))]
    assert len(set(fps)) == len(fps)


# --------------------------------------------------------------------------- text and HTML

def test_text_groups_by_asset_and_colours_only_on_request(report: Report) -> None:
    plain = render(report, "text")
    assert "\033[" not in plain and render_text(report) == plain
    lines = plain.splitlines()
    assert "campaign/hero_ok.png" not in plain  # passed with no findings: counted, not listed
    assert lines[0] == "campaign/banner <wide> & co.png  640x360  FAIL"
    assert lines[-1] == ("3 assets: 1 passed, 1 failed, 1 errored; findings: 3 error, 1 warning, 0 info, "
                         "1 waived (fail-on: error) in 1.25s")
    coloured = render_text(report, color=True)
    assert "\033[31m" in coloured and "\033[0m" in coloured
    report.assets[1].path = "evil\x1b]0;pwned\x07.png"
    assert "\x1b" not in render(report, "text")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.refs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.refs += [v or "" for k, v in attrs if k in ("src", "href")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_escaped(report: Report) -> None:
    page = render(report, "html")
    assert "<wide>" not in page and "&lt;wide&gt; &amp; co.png" in page
    parser = _Collector()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags and "link" not in parser.tags
    assert parser.refs == []
    text = "".join(parser.text)
    for needle in ("campaign/banner <wide> & co.png", "RES001", "width 640 is below the minimum 1080",
                   "x=0 y=300 w=640 h=60", "waived: approved by brand team", "truncated image data"):
        assert needle in text
    assert parser.tags.count("tr") == 8 + 2 + 1 + 3 + 5  # run info + summary + header + assets + findings


def test_every_format_renders_an_empty_report() -> None:
    empty = make_report()
    empty.assets = []
    for fmt in FORMATS:
        out = render(empty, fmt)
        assert out.endswith("\n")
    assert json.loads(render(empty, "gitlab")) == []
    assert ET.fromstring(render(empty, "junit")).get("tests") == "0"
    assert math.isclose(json.loads(render(empty, "json"))["summary"]["seconds"], 1.25)


def test_junit_engine_failure_is_an_error_on_the_crashed_family(report: Report) -> None:
    from qa.checks.internal import ENG001

    report.selected = report.selected + [ENG001.code]
    report.assets[0].findings.append(ENG001.finding(
        "check 'resolution' failed on campaign/hero_ok.png: ValueError: boom", score=0.0, value="resolution"))
    suite = ET.fromstring(render(report, "junit")).find("testsuite")
    names = [(c.get("classname"), c.get("name")) for c in suite.findall("testcase")]
    assert ("campaign/hero_ok.png", "engine") not in names  # ENG001 has no test case of its own
    case = suite.findall("testcase")[1]
    assert (case.get("classname"), case.get("name")) == ("campaign/hero_ok.png", "resolution")
    assert case.find("error").get("type") == "ENG001" and "ValueError: boom" in case.find("error").get("message")
    assert suite.get("errors") == "2"


# --------------------------------------------------------------------------- end to end (real engine)

def test_real_engine_report_renders_in_every_format(tmp_path: Path) -> None:
    import numpy as np

    from qa.config import config_from_dict
    from qa.engine import Engine
    from qa.testing import encode

    (tmp_path / "ok.png").write_bytes(encode(np.full((1200, 1200, 3), 128, np.uint8)))
    (tmp_path / "small image.png").write_bytes(encode(np.full((300, 500, 3), 128, np.uint8)))
    (tmp_path / "broken.png").write_bytes(encode(np.full((300, 500, 3), 128, np.uint8))[:200])
    config = config_from_dict({"name": "e2e", "fail_on": "error", "checks": {
        "resolution": {"min_width": 1000, "min_height": 1000, "aspect_ratio": "1:1"}}})
    engine = Engine(config, select=["FMT", "RES"], use_cache=False, jobs=1)
    report = engine.check_paths([tmp_path / "ok.png", tmp_path / "small image.png", tmp_path / "broken.png"])
    statuses = sorted(a.status.value for a in report.assets)
    assert statuses == ["error", "fail", "pass"]

    for fmt in FORMATS:
        assert render(report, fmt).endswith("\n")
    log = json.loads(render(report, "sarif"))
    _validate_sarif(log)
    codes = {r["ruleId"] for r in log["runs"][0]["results"]}
    assert {"RES001", "RES002", "FMT001"} <= codes
    assert [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]] == sorted(codes)
    suite = ET.fromstring(render(report, "junit")).find("testsuite")
    assert suite.get("tests") == "6"  # 3 assets x {format, resolution}
    assert (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("1", "1", "1")
    path = write(report, "json", tmp_path / "out" / "report.json")
    assert load_report(path).to_dict() == report.to_dict()
    issues = json.loads(render(report, "gitlab"))
    assert len({i["fingerprint"] for i in issues}) == len(issues) == 3


def test_cli_github_format_writes_job_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    import numpy as np

    from qa.cli import main
    from qa.testing import encode

    (tmp_path / "tiny.png").write_bytes(encode(np.full((40, 60, 3), 200, np.uint8)))
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code = main(["check", str(tmp_path / "tiny.png"), "--rules", "social-square", "--select", "RES",
                 "--format", "github", "--no-cache", "--no-progress"])
    assert code == 1
    out = capsys.readouterr().out
    assert "::error file=" in out and "RES001" in out
    assert summary.read_text().startswith("## assetqa: FAILED")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no" / "such" / "dir" / "s.md"))
    assert main(["check", str(tmp_path / "tiny.png"), "--rules", "social-square", "--select", "RES",
                 "--format", "github", "--no-cache", "--no-progress"]) == 1
    assert "cannot write the job summary" in capsys.readouterr().err
