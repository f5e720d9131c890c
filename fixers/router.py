"""Fix router: plan -> apply to a copy -> containment -> re-check -> accept or escalate to review.

For each asset (the sqlfluff fix loop, applied to pixels):

1. Check the original bytes with the `Engine` (all selected checks).
2. Plan: group the unwaived findings by the fixer their rule names (`Rule.fixer`, looked
   up with `qa.registry.find_rule`), ordered region repairs -> colour -> geometry ->
   encoding -> signing. Unsafe fixes (the rule's `fix_safety`, or a generative
   backend) run only with `--unsafe-fixes` or the profile's opt-in (`fix.unsafe_fixes`
   or `campaign.unsafe_fixes`).
3. Each step runs on a copy of the current pixels. Region fixes must pass containment
   (`fixers.containment`: pixels outside region + blend margin unchanged within the
   stated tolerance); geometry fixes must keep the original where they say it is.
4. The candidate is encoded (and signed, when credentials are configured), then all
   selected checks run again on those bytes. The step is accepted only if every
   finding it targeted is gone and no new error appeared; otherwise the fixer's
   alternatives (other backends/modes) are tried, then the step is rejected.
5. Rounds repeat on the new findings, at most `max_rounds`; a finding set seen
   before means the fixes oscillate, and the loop stops.
6. The asset is *fixed* when at least one step was accepted and no unwaived error remains:
   the output (a new file in `--out`, same name, JPEG stays JPEG, others PNG) and its
   lineage sidecar are written atomically; warnings that could not be fixed are listed.
   When errors remain (no fixer, unsafe without opt-in, refused or rejected fixes) or the
   fixes oscillate, the original is kept, the asset is marked for *review* and a
   `<name>.review.json` records what was tried. No error and nothing accepted: *clean*.
   Findings below `min_severity` (`fix.min_severity`, default warning) are not fixed.

The original file is only ever read.
"""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from fixers import lineage
from fixers.base import UNSAFE, FixError, FixOutcome, all_fixers, get_fixer
from fixers.containment import tolerance_from, verify_kept, verify_region
from qa.registry import find_rule
from qa.types import AssetResult, Finding, Severity

FIXED = "fixed"
CLEAN = "clean"
REVIEW = "review"
PLANNED = "planned"
ERROR = "error"


class FixUsageError(Exception):
    """Bad invocation (e.g. --out would overwrite an input)."""


@dataclass
class FixSettings:
    out_dir: Path
    unsafe: bool = False
    dry_run: bool = False
    max_rounds: int = 3
    chain: Any = None  # qa.c2pa_tools.TestChain (signing credentials) or None
    fixer_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    tolerance: dict[str, float] = field(default_factory=dict)
    ai_generated: bool | None = None
    device: str = "cpu"
    trust_anchors: Any = None
    #: Lowest severity that gets fixed (`fix.min_severity`); lower ones are left alone.
    min_severity: str = "warning"


@dataclass
class AssetFix:
    path: str
    status: str
    parent_sha256: str | None = None
    output: str | None = None
    output_sha256: str | None = None
    sidecar: str | None = None
    rounds: int = 0
    steps: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    findings_before: list[dict[str, Any]] = field(default_factory=list)
    findings_after: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "status": self.status, "reason": self.reason,
            "parent_sha256": self.parent_sha256, "output": self.output, "output_sha256": self.output_sha256,
            "sidecar": self.sidecar, "rounds": self.rounds, "seconds": round(self.seconds, 3),
            "fixes": self.steps, "rejected": [a for a in self.attempts if not a.get("accepted")],
            "findings_before": self.findings_before, "findings_after": self.findings_after,
        }


# ----------------------------------------------------------------------------- planning

def fixer_name(finding: Finding) -> str | None:
    rule = find_rule(finding.code)
    return rule.fixer if rule is not None else None


def fixable(findings: list[Finding], min_severity: Severity | str = Severity.INFO) -> list[Finding]:
    """Unwaived findings at or above `min_severity` whose rule names a fixer."""
    rank = Severity.parse(min_severity).rank
    return [f for f in findings if not f.waived and f.severity.rank >= rank and fixer_name(f)]


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if not f.waived and f.severity == Severity.ERROR]


def plan(findings: list[Finding], min_severity: Severity | str = Severity.INFO) -> list[tuple[str, list[Finding]]]:
    """[(fixer name, findings)] in application order."""
    groups: dict[str, list[Finding]] = {}
    for f in fixable(findings, min_severity):
        groups.setdefault(fixer_name(f) or "", []).append(f)
    fixers = all_fixers()
    return sorted(groups.items(), key=lambda kv: (fixers[kv[0]].order if kv[0] in fixers else 99, kv[0]))


def step_safety(name: str, findings: list[Finding], options: dict[str, Any]) -> str:
    """Unsafe when any targeted rule says so, or the fixer/backend does."""
    fixer = get_fixer(name)
    rule_unsafe = any((r := find_rule(f.code)) is not None and r.fix_safety == UNSAFE for f in findings)
    if rule_unsafe or (fixer is not None and fixer.backend_safety(options) == UNSAFE):
        return UNSAFE
    return "safe"


def _finding_key(f: Finding) -> tuple:
    r = f.region.to_dict() if f.region else None
    return (f.code, tuple(sorted(r.items())) if r else None)


def state_key(findings: list[Finding], min_severity: Severity | str = Severity.INFO) -> str:
    keys = sorted((_finding_key(f) for f in fixable(findings, min_severity)), key=repr)
    return hashlib.sha256(repr(keys).encode()).hexdigest()[:16]


# ----------------------------------------------------------------------------- paths

def output_path(out_dir: Path, source: Path, ext: str) -> Path:
    return out_dir / (source.stem + ext)


def check_out_dir(out_dir: Path, inputs: list[Path]) -> None:
    """Refuse an --out that would write over an input (same folder, or the file itself)."""
    out = out_dir.expanduser()
    if out.exists() and not out.is_dir():
        raise FixUsageError(f"--out {out}: exists and is not a folder")
    for src in inputs:
        parent = src.resolve().parent
        try:
            same = out.exists() and os.path.samefile(out, parent)
        except OSError:
            same = False
        if same or out.resolve() == parent:
            raise FixUsageError(f"--out {out} is the folder of the input {src}: outputs would overwrite originals; "
                                "choose another folder")


# ----------------------------------------------------------------------------- the loop

class Router:
    """Fixes assets with an Engine for the re-checks (`engine.check_bytes(data, display_path)`)."""

    def __init__(self, engine: Any, settings: FixSettings, log: Callable[[str], None] | None = None):
        self.engine = engine
        self.settings = settings
        self.log = log or (lambda msg: None)
        self._written: set[str] = set()

    def _options(self, name: str) -> dict[str, Any]:
        opts = dict(self.settings.fixer_options.get(name) or {})
        opts.setdefault("device", self.settings.device)
        if name == "sign":
            opts["chain"] = self.settings.chain
        return opts

    def _recheck(self, data: bytes, display: str) -> AssetResult:
        return self.engine.check_bytes(data, display)

    def fix_path(self, path: str | Path, display: str | None = None) -> AssetFix:
        from qa.asset import sha256_bytes
        from qa.decode import DecodeError, decode

        t0 = time.perf_counter()
        src = Path(path)
        display = display or str(path)
        try:
            data = src.read_bytes()
        except OSError as exc:
            return AssetFix(display, ERROR, reason=f"cannot read file: {exc.strerror or exc}")
        parent_sha = sha256_bytes(data)
        result = self._recheck(data, display)
        record = AssetFix(display, CLEAN, parent_sha256=parent_sha,
                          findings_before=[f.to_dict() for f in result.findings])
        try:
            decoded = decode(data)
        except DecodeError as exc:
            record.status, record.reason = REVIEW, f"cannot decode: {exc.reason}"
            record.findings_after = record.findings_before
            return self._finish(record, t0)
        sev = self.settings.min_severity
        if not fixable(result.findings, sev):
            errs = errors(result.findings)
            record.findings_after = record.findings_before
            if errs:
                record.status = REVIEW
                record.reason = "errors without an automatic fix: " + ", ".join(sorted({f.code for f in errs}))
            return self._finish(record, t0)
        if self.settings.dry_run:
            return self._finish(self._dry_run(record, result.findings), t0)

        # AI disclosure for every manifest written for this asset: forced by `fix.ai_generated`, required by the
        # campaign (PRV001/PRV004 say so), else inherited from the parent's manifest by sign_edit.
        ai_generated = self.settings.ai_generated
        if ai_generated is None and any(f.code == "PRV004" or (f.details or {}).get("ai_disclosure_required")
                                        for f in result.findings):
            ai_generated = True
        rgb = decoded.rgb
        alpha = decoded.alpha
        assert rgb is not None
        current_findings = result.findings
        current_bytes = data  # last accepted candidate (unsigned)
        signed_bytes: bytes | None = None
        pixels_changed = False
        out_fmt, out_ext = lineage.output_format(decoded.format, alpha is not None)
        out_name = output_path(self.settings.out_dir, src, out_ext).name
        seen: set[str] = set()
        oscillation = False
        for round_no in range(1, max(1, self.settings.max_rounds) + 1):
            key = state_key(current_findings, sev)
            if key in seen:
                oscillation = True
                record.reason = "oscillation: the same set of findings came back"
                break
            seen.add(key)
            steps = plan(current_findings, sev)
            if not steps:
                break
            record.rounds = round_no
            progress = False
            for name, _ in steps:
                # Earlier steps of this round may have changed the findings: target the current ones.
                group = [f for f in fixable(current_findings, sev) if fixer_name(f) == name]
                if not group:
                    continue
                options = self._options(name)
                fixer = get_fixer(name)
                codes = sorted({f.code for f in group})
                base_attempt = {"round": round_no, "fixer": name, "codes": codes}
                if fixer is None:
                    record.attempts.append({**base_attempt, "accepted": False, "reason": f"no fixer named {name!r}"})
                    continue
                safety = step_safety(name, group, options)
                if safety == UNSAFE and not self.settings.unsafe:
                    record.attempts.append({**base_attempt, "safety": safety, "accepted": False,
                                            "reason": "unsafe fix skipped (pass --unsafe-fixes or set fix.unsafe_fixes)"})
                    continue
                prev_errors = {f.code for f in errors(current_findings)}
                for alt in fixer.alternatives(fixer.merged_options(options)):
                    opts = {**options, **alt}
                    attempt: dict[str, Any] = {**base_attempt, "safety": step_safety(name, group, opts),
                                               "options": {k: v for k, v in alt.items()}}
                    t1 = time.perf_counter()
                    try:
                        outcome = fixer.apply(rgb, group, opts, alpha=alpha)
                    except FixError as exc:
                        record.attempts.append({**attempt, "accepted": False, "reason": str(exc)})
                        continue
                    if outcome.generative and not self.settings.unsafe:
                        record.attempts.append({**attempt, "accepted": False,
                                                "reason": "generative backend is unsafe (pass --unsafe-fixes)"})
                        continue
                    containment = self._containment(fixer.region_fix, rgb, outcome)
                    attempt.update({"backend": outcome.backend, "params": outcome.params,
                                    "measures": outcome.measures,
                                    "containment": containment.to_dict() if containment else None,
                                    "region": outcome.region.to_dict() if outcome.region else None,
                                    "actions": outcome.actions})
                    if containment is not None and not containment.ok:
                        record.attempts.append({**attempt, "accepted": False,
                                                "reason": f"containment failed: {containment.reason}",
                                                "seconds": round(time.perf_counter() - t1, 3)})
                        continue
                    changes_pixels = not outcome.keep_bytes
                    cand_fmt = out_fmt if (changes_pixels or pixels_changed) else None
                    try:
                        candidate = (lineage.encode(outcome.rgb, outcome.alpha, out_fmt, decoded.dpi)
                                     if cand_fmt else current_bytes)
                        signed = None
                        if self.settings.chain is not None:
                            accepted_steps = record.steps + [attempt]
                            signed = lineage.sign_output(src, candidate, self.settings.chain, accepted_steps,
                                                         ai_generated, title=out_name)
                    except Exception as exc:  # noqa: BLE001 - encoding/signing problems reject the step
                        record.attempts.append({**attempt, "accepted": False, "reason": f"encode/sign failed: {exc}"})
                        continue
                    if cand_fmt == "JPEG":
                        attempt["encode"] = self._encode_fidelity(outcome.rgb, candidate)
                    new_result = self._recheck(signed or candidate, display)
                    remaining = [f for f in new_result.findings if f.code in codes and not f.waived]
                    new_errors = [f for f in errors(new_result.findings) if f.code not in prev_errors]
                    attempt["seconds"] = round(time.perf_counter() - t1, 3)
                    if remaining or new_errors:
                        why = []
                        if remaining:
                            why.append("still present: " + "; ".join(f"{f.code} ({f.message})" for f in remaining[:3]))
                        if new_errors:
                            why.append("new errors: " + ", ".join(f"{f.code} ({f.message})" for f in new_errors))
                        record.attempts.append({**attempt, "accepted": False, "reason": "; ".join(why)})
                        self.log(f"{display}: {name} rejected ({'; '.join(why)})")
                        continue
                    attempt["accepted"] = True
                    record.attempts.append(attempt)
                    record.steps.append(attempt)
                    self.log(f"{display}: {name} accepted ({outcome.backend})")
                    rgb, alpha = outcome.rgb, outcome.alpha
                    pixels_changed = pixels_changed or changes_pixels
                    current_bytes, signed_bytes = candidate, signed
                    current_findings = new_result.findings
                    progress = True
                    break
            if not progress:
                break
        record.findings_after = [f.to_dict() for f in current_findings]
        left = fixable(current_findings, sev)
        errs = errors(current_findings)
        left_note = ("left unfixed: " + ", ".join(sorted({f.code for f in left}))) if left else ""
        if errs or oscillation:
            # Keep the original: errors remain (unfixable, refused or rejected fixes) or the fixes oscillate.
            record.status = REVIEW
            if not record.reason:
                parts = []
                fixable_errs = sorted({f.code for f in errs} & {f.code for f in left})
                if fixable_errs:
                    parts.append("not fixed: " + ", ".join(fixable_errs))
                other = sorted({f.code for f in errs} - {f.code for f in left})
                if other:
                    parts.append("errors without an automatic fix: " + ", ".join(other))
                record.reason = "; ".join(parts) or "no fix was accepted"
            self._write_review(record, src)
        elif record.steps:
            # Every error is gone; warnings that could not be fixed are listed, not blocking.
            self._write_output(record, src, out_ext, signed_bytes or current_bytes)
            record.status = FIXED
            record.reason = left_note
        else:
            # No error, and no warning-level fix was accepted: nothing written.
            record.status = CLEAN
            record.reason = left_note
        return self._finish(record, t0)

    # ------------------------------------------------------------------------- helpers
    def _containment(self, region_fix: bool, before: np.ndarray, outcome: FixOutcome):  # type: ignore[no-untyped-def]
        tol = tolerance_from({"containment": self.settings.tolerance})
        if region_fix and outcome.mask is not None and not outcome.geometry_changed:
            return verify_region(before, outcome.rgb, outcome.mask, tol)
        if outcome.kept is not None:
            return verify_kept(before, outcome.rgb, outcome.kept, tol)
        return None

    @staticmethod
    def _encode_fidelity(rgb: np.ndarray, data: bytes) -> dict[str, Any]:
        """How much lossy encoding changed the fixed pixels (PSNR/SSIM over the whole image)."""
        from fixers.containment import compare
        from qa.decode import decode

        decoded = decode(data).rgb
        if decoded is None or decoded.shape != rgb.shape:
            return {"format": "JPEG", "ok": False}
        c = compare(rgb, decoded, None, {"max_abs_diff": 255.0, "psnr_db": 0.0, "ssim": 0.0})
        return {"format": "JPEG", "quality": 95, "psnr_db": round(c.psnr_db, 3), "ssim": round(c.ssim, 5)}

    def _dry_run(self, record: AssetFix, findings: list[Finding]) -> AssetFix:
        needs_review = False
        for name, group in plan(findings, self.settings.min_severity):
            options = self._options(name)
            safety = step_safety(name, group, options)
            would = (safety != UNSAFE or self.settings.unsafe) and get_fixer(name) is not None
            if name == "sign" and self.settings.chain is None:
                would = False
            needs_review |= not would
            record.steps.append({"fixer": name, "codes": sorted({f.code for f in group}), "safety": safety,
                                 "would_apply": would,
                                 "regions": [f.region.to_dict() for f in group if f.region]})
        non_fixable = {f.code for f in errors(findings)} - {f.code for f in fixable(findings, self.settings.min_severity)}
        record.status = REVIEW if (needs_review or non_fixable) else PLANNED
        if non_fixable:
            record.reason = "errors without an automatic fix: " + ", ".join(sorted(non_fixable))
        record.findings_after = record.findings_before
        return record

    def _write_output(self, record: AssetFix, src: Path, ext: str, data: bytes) -> None:
        from qa.asset import sha256_bytes
        from qa.fsutil import atomic_write_bytes as atomic_write

        out = output_path(self.settings.out_dir, src, ext)
        if str(out) in self._written:  # two inputs with the same name in different folders
            out = out.with_name(f"{src.stem}-{(record.parent_sha256 or '')[:8]}{ext}")
        self._written.add(str(out))
        if out.exists() and src.exists() and os.path.samefile(out, src):
            raise FixUsageError(f"{out}: refusing to overwrite the original")
        atomic_write(out, data)
        record.output = str(out)
        record.output_sha256 = sha256_bytes(data)
        c2pa_info: dict[str, Any] = {"signed": self.settings.chain is not None}
        if self.settings.chain is not None:
            from qa.c2pa_tools import read_provenance

            info = read_provenance(data, None, self.settings.trust_anchors or self.settings.chain.root_pem)
            c2pa_info.update({"validation_state": info.state, "actions": info.actions,
                              "ingredients": [{k: i.get(k) for k in ("title", "relationship")} for i in info.ingredients],
                              "ai_disclosure": info.ai_disclosure})
        sidecar = lineage.sidecar_path(out)
        lineage.write_sidecar(sidecar, {
            "tool": "assetqa fix",
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "parent": {"path": str(src), "sha256": record.parent_sha256},
            "output": {"path": str(out), "sha256": record.output_sha256},
            "status": FIXED,
            "rounds": record.rounds,
            "fixes": record.steps,
            "rejected": [a for a in record.attempts if not a.get("accepted")],
            "findings_before": record.findings_before,
            "findings_after": record.findings_after,
            "c2pa": c2pa_info,
        })
        record.sidecar = str(sidecar)

    def _write_review(self, record: AssetFix, src: Path) -> None:
        if self.settings.dry_run:
            return
        path = self.settings.out_dir / (src.name + ".review.json")
        lineage.write_sidecar(path, {"tool": "assetqa fix", "status": REVIEW, "reason": record.reason,
                                     "parent": {"path": str(src), "sha256": record.parent_sha256},
                                     "attempts": record.attempts, "findings": record.findings_after})
        record.sidecar = str(path)

    @staticmethod
    def _finish(record: AssetFix, t0: float) -> AssetFix:
        record.seconds = time.perf_counter() - t0
        return record
