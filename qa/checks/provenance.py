"""Provenance (C2PA Content Credentials): manifest present, valid, trusted, AI-disclosing.

Reads the asset's bytes (already in memory: no pixels, no second file read) with
c2pa-python and applies the campaign's policy:

- PRV001 no manifest (when `require_manifest`),
- PRV002 the manifest does not validate (`Invalid`: tampered pixels, broken signature), or it
  records an ingredient whose own manifest was invalid (a broken history signed over),
- PRV003 valid but not signed under a configured trust anchor (warning; error when
  `require_trusted`),
- PRV004 no AI disclosure (digitalSourceType trainedAlgorithmicMedia) where the
  campaign requires one (`require_ai_disclosure`),
- PRV005 the asset points at a remote manifest that cannot be fetched offline.

The usual policy: fail on Invalid; warn on Valid-but-untrusted unless the campaign
requires Trusted. Validation follows c2pa-rs; status codes (e.g.
`assertion.dataHash.mismatch`, `signingCredential.untrusted`) are in each finding's
`details.status_codes`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from qa.asset import Asset
from qa.context import CheckContext
from qa.registry import Checker, Option, Rule, register
from qa.types import Finding, Severity

PRV001 = Rule(
    code="PRV001",
    name="manifest-missing",
    check="provenance",
    severity=Severity.ERROR,
    what="The file carries no C2PA manifest (Content Credentials) where the campaign requires one "
    "(`require_manifest`). Severity follows `missing_severity`.",
    why="Without a manifest the asset's origin and edits cannot be verified, and platforms that label "
    "AI media (or require provenance) cannot read how it was made.",
    fix="Sign a copy with the configured certificate (c2pa.opened with the original as parent ingredient; "
    "the AI disclosure is added when the campaign requires it).",
    fix_safety="safe",
    fixer="sign",
)
PRV002 = Rule(
    code="PRV002",
    name="manifest-invalid",
    check="provenance",
    severity=Severity.ERROR,
    what="A C2PA manifest is present but does not validate (validation state Invalid): the content hash no "
    "longer matches (pixels or metadata changed after signing), the signature or an assertion is broken; "
    "or a valid manifest records a parent/component ingredient whose own manifest was invalid.",
    why="An invalid manifest means the file was altered after signing or the credentials are forged; "
    "delivering it misstates the asset's history.",
    fix="Re-export and re-sign from the signed original; do not deliver the altered file.",
)
PRV003 = Rule(
    code="PRV003",
    name="signer-untrusted",
    check="provenance",
    severity=Severity.WARNING,
    what="The manifest is valid but its signing certificate does not chain to a configured trust anchor "
    "(validation state Valid, not Trusted; `signingCredential.untrusted`). Error when `require_trusted`.",
    why="Anyone can sign with a self-made certificate; only a trusted signer vouches for who made the asset.",
    fix="Sign with a certificate issued under the campaign's trust anchors, or add the signer's CA to "
    "`checks.provenance.trust_anchors`.",
)
PRV004 = Rule(
    code="PRV004",
    name="ai-disclosure-missing",
    check="provenance",
    severity=Severity.ERROR,
    what="The manifest (or, when none is required, the file) has no AI disclosure: no action with "
    "digitalSourceType trainedAlgorithmicMedia (or compositeWithTrainedAlgorithmicMedia) in the active "
    "manifest or its parent ingredients, where `require_ai_disclosure` is set.",
    why="Platforms and regulations (e.g. EU AI Act art. 50) expect generated media to be labelled in a "
    "machine-readable way; an edit that drops the disclosure hides it.",
    fix="Sign a copy whose manifest declares digitalSourceType trainedAlgorithmicMedia, with the original as "
    "parent ingredient.",
    fix_safety="safe",
    fixer="sign",
)
PRV005 = Rule(
    code="PRV005",
    name="remote-manifest-unavailable",
    check="provenance",
    severity=Severity.WARNING,
    what="The file references a remote (cloud) C2PA manifest that could not be fetched, so it cannot be "
    "validated here (assetqa does not fetch manifests over the network).",
    why="A remote manifest is not missing, but it is unverifiable offline and lost if the URL goes away.",
    fix="Deliver the file with the manifest embedded, or validate it where the manifest URL is reachable.",
)

_SEVERITIES = ("error", "warning", "info")


@register
class ProvenanceChecker(Checker):
    """C2PA manifest presence, validity, signer trust and AI disclosure."""

    family = "provenance"
    description = "C2PA Content Credentials: manifest present, valid, trusted signer, AI disclosure."
    rules = (PRV001, PRV002, PRV003, PRV004, PRV005)
    needs_pixels = False
    version = "1"
    options = (
        Option("require_manifest", False, "Flag files without a C2PA manifest (PRV001)."),
        Option("missing_severity", "error", "Severity of PRV001 when a manifest is required (error/warning/info)."),
        Option("require_trusted", False, "Make PRV003 (valid but untrusted signer) an error instead of a warning."),
        Option("warn_untrusted", True, "Report PRV003 at all when `require_trusted` is false."),
        Option("trust_anchors", None, "PEM file of trusted root/intermediate certificates (relative to the profile); "
               "without it no signer can be Trusted."),
        Option("require_ai_disclosure", False, "Require digitalSourceType trainedAlgorithmicMedia (PRV004), "
               "for campaigns of AI-generated assets."),
        Option("ai_disclosure_severity", "error", "Severity of PRV004 (error/warning/info)."),
        Option("remote_severity", "warning", "Severity of PRV005 (remote manifest not fetchable offline)."),
    )

    @classmethod
    def validate_options(cls, opts: dict[str, Any]) -> list[str]:
        errors = []
        for key in ("missing_severity", "ai_disclosure_severity", "remote_severity"):
            value = opts.get(key)
            if value is not None and str(value).lower() not in _SEVERITIES:
                errors.append(f"{key}: expected one of {', '.join(_SEVERITIES)}, got {value!r}")
        anchors = opts.get("trust_anchors")
        if anchors is not None and not isinstance(anchors, str):
            errors.append(f"trust_anchors: expected a path to a PEM file, got {type(anchors).__name__}")
        return errors

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _anchors(ctx: CheckContext) -> tuple[str | None, str | None]:
        """(PEM text, problem) for the configured trust anchors."""
        path = ctx.resolve_path(ctx.options.get("trust_anchors"))
        if path is None:
            return None, None
        try:
            text = Path(path).read_text(encoding="ascii", errors="replace")
        except OSError as exc:
            return None, f"trust anchors {path} unreadable ({exc.strerror or exc})"
        if "-----BEGIN CERTIFICATE-----" not in text:
            return None, f"trust anchors {path} hold no PEM certificate"
        return text, None

    def check(self, asset: Asset, ctx: CheckContext) -> list[Finding]:
        from qa.c2pa_tools import read_provenance

        o = ctx.options
        anchors, anchor_problem = self._anchors(ctx)
        mime = getattr(asset.image, "mime", None)
        info = asset.feature(
            f"c2pa:{hash(anchors)}", lambda: read_provenance(asset.data, mime, anchors)
        )
        details: dict[str, Any] = {
            "state": info.state,
            "status_codes": list(info.status_codes),
            "active_manifest": info.active_label,
            "signer": info.signer,
            "ai_disclosure": info.ai_disclosure,
            "actions": list(info.actions),
        }
        if info.ingredients:
            details["ingredients"] = info.ingredients
        if anchor_problem:
            details["trust_anchors_problem"] = anchor_problem
        out: list[Finding] = []
        require_ai = bool(o.get("require_ai_disclosure"))
        missing_sev = Severity.parse(o.get("missing_severity") or "error")

        if info.remote:
            out.append(PRV005.finding(
                "remote manifest unavailable" + (f" ({info.remote_url})" if info.remote_url else "")
                + ": the manifest is not embedded and is not fetched offline, so it cannot be validated",
                score=0.5, value="remote", threshold="embedded",
                severity=Severity.parse(o.get("remote_severity") or "warning"),
                details={"remote_url": info.remote_url, "error": info.error},
            ))
            return out

        if not info.present:
            if info.unsupported or info.error:
                # c2pa cannot read this container: only a problem when a manifest is required.
                if o.get("require_manifest"):
                    out.append(PRV001.finding(
                        f"no readable C2PA manifest: {info.error or 'format not supported by the C2PA reader'}",
                        score=0.0, value="unsupported", threshold="manifest", severity=missing_sev,
                        details={"error": info.error, "mime": mime},
                    ))
                return out
            if o.get("require_manifest"):
                msg = "no C2PA manifest (Content Credentials) in the file"
                if require_ai:
                    msg += "; the campaign also requires an AI disclosure"
                out.append(PRV001.finding(
                    msg, score=0.0, value="missing", threshold="manifest", severity=missing_sev,
                    details={"ai_disclosure_required": require_ai},
                ))
            elif require_ai:
                out.append(PRV004.finding(
                    "no AI disclosure: the file has no C2PA manifest declaring trainedAlgorithmicMedia",
                    score=0.0, value=False, threshold=True,
                    severity=Severity.parse(o.get("ai_disclosure_severity") or "error"),
                    details={"manifest": False},
                ))
            return out

        if info.state == "Invalid":
            codes = [c for c in info.status_codes if c != "signingCredential.untrusted"] or info.status_codes
            why = ", ".join(codes) or (info.error or "validation failed")
            out.append(PRV002.finding(
                f"C2PA manifest is invalid: {why}",
                score=0.0, value=info.state, threshold="Valid",
                details={**details, "explanations": {c: info.explanations.get(c) for c in codes if c in info.explanations},
                         **({"error": info.error} if info.error else {})},
            ))
            return out

        broken = [i for i in info.ingredients if i.get("state") == "Invalid"]
        if broken:
            def why(ing: dict[str, Any]) -> str:
                codes = [c for c in ing.get("status_codes") or [] if c != "signingCredential.untrusted"]
                return ", ".join(codes) or "invalid"

            names = "; ".join(f"{i.get('title')} ({why(i)})" for i in broken)
            out.append(PRV002.finding(
                f"C2PA manifest records an ingredient whose own manifest was invalid when it was added: {names}",
                score=0.2, value="ingredient Invalid", threshold="Valid",
                details={**details, "invalid_ingredients": broken},
            ))

        if info.state != "Trusted":
            require_trusted = bool(o.get("require_trusted"))
            if require_trusted or o.get("warn_untrusted", True):
                if anchor_problem:
                    reason = anchor_problem
                elif anchors is None:
                    reason = "no trust anchors configured (checks.provenance.trust_anchors)"
                else:
                    reason = "the signing certificate does not chain to a configured trust anchor"
                out.append(PRV003.finding(
                    f"C2PA manifest is valid but the signer{f' ({info.signer})' if info.signer else ''} "
                    f"is not trusted: {reason}",
                    score=0.6, value=info.state, threshold="Trusted",
                    severity=Severity.ERROR if require_trusted else Severity.WARNING,
                    details=details,
                ))

        if require_ai and not info.ai_disclosure:
            types = ", ".join(info.digital_source_types) or "none"
            out.append(PRV004.finding(
                f"C2PA manifest has no AI disclosure (digitalSourceType trainedAlgorithmicMedia); "
                f"declared source types: {types}",
                score=0.0, value=False, threshold=True,
                severity=Severity.parse(o.get("ai_disclosure_severity") or "error"),
                details={**details, "digital_source_types": list(info.digital_source_types)},
            ))
        return out
