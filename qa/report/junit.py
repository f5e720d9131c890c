"""JUnit XML for CI test reports (GitLab, Jenkins, Azure, CircleCI, GitHub test reporters).

Layout: `<testsuites>` > one `<testsuite name="assetqa">` whose `<properties>` carry the run
metadata (tool version, rules name/hash, fail_on, models, created) > one `<testcase>` per
(asset, check family), `classname` = asset path, `name` = family. The families are those of
the selected rule codes (`rules.selected`), else every family with a finding in the report,
so each asset gets the same set of test cases.

- `<failure>` when the family has unwaived findings at or above `fail_on` (one element whose
  `message` lists the codes, `type` the first code, text one line per finding);
- `<error>` when the check could not run: on the format family of an asset that could not be
  decoded (FMT001, status error; its other families are `<skipped>`), and on the family named
  by an ENG001 (a checker crashed on that asset) -- ENG001 has no test case of its own;
- findings below `fail_on` and waived findings go to `<system-out>`;
- each test case has `<properties>` (sha256, width, height, status, and one
  `finding.<code>` property per finding).
"""
from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

from qa.report._common import fails, families_of_codes, fmt_region, fmt_value, report_data, waiver_text
from qa.types import Report

ENGINE_FAMILY = "engine"  # ENG001: a check crashed; `value` names the family that crashed
UNREADABLE = "FMT001"


def _family(f: dict[str, Any]) -> str:
    """The family a finding is reported under: ENG001 goes to the family that crashed."""
    if f["check"] == ENGINE_FAMILY and isinstance(f.get("value"), str) and f["value"]:
        return f["value"]
    return f["check"]


def _is_error(f: dict[str, Any], asset_errored: bool) -> bool:
    """Could the check not run? (the asset did not decode, or the checker crashed)"""
    return f["check"] == ENGINE_FAMILY or (asset_errored and f["code"] == UNREADABLE)


def _valid(value: Any) -> str:
    """Drop characters XML 1.0 cannot carry (control characters, lone surrogates)."""
    return "".join(ch for ch in str(value) if ch in "\t\n\r" or (0x20 <= ord(ch) < 0xD800)
                   or (0xE000 <= ord(ch) <= 0xFFFD) or ord(ch) >= 0x10000)


def _xml_text(value: Any) -> str:
    return escape(_valid(value))


def _attr(value: Any) -> str:
    return quoteattr(_valid(value), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _finding_line(f: dict[str, Any]) -> str:
    line = (f"{f['code']} {f['severity']}: {f['message']} (score {f['score']:.2f}, value {fmt_value(f.get('value'))}, "
            f"threshold {fmt_value(f.get('threshold'))})")
    if f.get("region"):
        line += f" region {fmt_region(f['region'])}"
    if f.get("waived"):
        line += f" [waived: {waiver_text(f.get('waiver'))}]"
    elif f.get("fix"):
        line += f" fix: {f['fix']}"
    return line


def _props(pairs: list[tuple[str, Any]], indent: str) -> list[str]:
    out = [f"{indent}<properties>"]
    out += [f"{indent}  <property name={_attr(k)} value={_attr('' if v is None else v)}/>" for k, v in pairs]
    out.append(f"{indent}</properties>")
    return out


def render(report: Report) -> str:
    data = report_data(report)
    fail_on = data["rules"]["fail_on"]
    families = [f for f in families_of_codes(data["rules"].get("selected") or []) if f != ENGINE_FAMILY]
    if not families:
        families = sorted({_family(f) for a in data["assets"] for f in a["findings"]})
    cases: list[list[str]] = []
    n_fail = n_err = n_skip = 0
    for asset in data["assets"]:
        is_error = asset["status"] == "error"
        by_family: dict[str, list[dict[str, Any]]] = {}
        for f in asset["findings"]:
            by_family.setdefault(_family(f), []).append(f)
        asset_families = families or ["assetqa"]
        asset_families = asset_families + sorted(set(by_family) - set(asset_families))
        for family in asset_families:
            found = by_family.get(family, [])
            errors = [f for f in found if _is_error(f, is_error)]
            failing = [f for f in found if fails(f, fail_on) and not _is_error(f, is_error)]
            lines = [f'    <testcase classname={_attr(asset["path"])} name={_attr(family)} time="0">']
            pairs: list[tuple[str, Any]] = [("sha256", asset.get("sha256")), ("width", asset.get("width")),
                                            ("height", asset.get("height")), ("status", asset["status"])]
            pairs += [(f"finding.{f['code']}", f"{f['severity']} score={f['score']:.4g} value={fmt_value(f.get('value'))} "
                       f"threshold={fmt_value(f.get('threshold'))}" + (" waived" if f.get("waived") else ""))
                      for f in found]
            lines += _props(pairs, "      ")
            if errors:
                lines.append(f"      <error message={_attr(errors[0]['message'])} type={_attr(errors[0]['code'])}>"
                             f"{_xml_text(chr(10).join(_finding_line(f) for f in errors + failing))}</error>")
                n_err += 1
            elif is_error and not found:
                lines.append(f"      <skipped message={_attr('asset could not be decoded (' + asset['path'] + ')')}/>")
                n_skip += 1
            elif failing:
                codes = ", ".join(f["code"] for f in failing)
                msg = f"{len(failing)} finding(s) at or above {fail_on}: {codes}"
                lines.append(f"      <failure message={_attr(msg)} type={_attr(failing[0]['code'])}>"
                             f"{_xml_text(chr(10).join(_finding_line(f) for f in failing))}</failure>")
                n_fail += 1
            reported = {id(f) for f in errors + failing}
            other = [f for f in found if id(f) not in reported]
            if other:
                lines.append(f"      <system-out>{_xml_text(chr(10).join(_finding_line(f) for f in other))}</system-out>")
            lines.append("    </testcase>")
            cases.append(lines)

    tests = len(cases)
    seconds = f"{float(data.get('summary', {}).get('seconds') or 0):.3f}"
    run_props: list[tuple[str, Any]] = [
        ("tool", data["tool"].get("name", "assetqa")), ("tool_version", data["tool"].get("version")),
        ("report_id", data.get("report_id")), ("created", data.get("created")),
        ("rules_name", data["rules"].get("name")), ("rules_hash", data["rules"].get("hash")),
        ("fail_on", fail_on), ("device", data.get("device")),
    ]
    run_props += [(f"model.{k}", v) for k, v in sorted(data.get("models", {}).items())]
    counts = f'tests="{tests}" failures="{n_fail}" errors="{n_err}" skipped="{n_skip}" time="{seconds}"'
    out = ['<?xml version="1.0" encoding="UTF-8"?>', f'<testsuites name="assetqa" {counts}>',
           f'  <testsuite name="assetqa" {counts}>']
    out += _props(run_props, "    ")
    for lines in cases:
        out += lines
    out += ["  </testsuite>", "</testsuites>"]
    return "\n".join(out) + "\n"
