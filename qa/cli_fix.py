"""`assetqa fix`: repair fixable findings on copies of the assets, with lineage.

    assetqa fix PATH... --out DIR [--unsafe-fixes] [--dry-run] [--max-rounds N]
                [--rules FILE] [--select ...] [--ignore ...] [--device auto|cpu|cuda]
                [--sign-chain DIR] [--format text|json]

Profile keys under `fix:` (all optional):

    fix:
      unsafe_fixes: false        # opt in to unsafe (generative/geometry) fixes for this campaign
      max_rounds: 3
      min_severity: warning      # fix findings at or above this severity (error|warning|info)
      sign_chain: certs/         # folder made by generate_test_chain (chain, key, root), or:
      signer_cert: certs/chain.pem
      signer_key: certs/leaf.key.pem
      signer_root: certs/root.pem  # trust anchor used to validate the result
      ai_generated: null         # true/false forces the AI disclosure; null keeps the parent's
      containment: {max_abs_diff: 2, psnr_db: 45, ssim: 0.98, margin: 8}
      inpaint: {backend: telea}  # per-fixer options (see each fixer's declaration)
      upscale: {backend: auto}

Exit codes: 0 every asset fixed or nothing to fix, 1 some assets need review, 2 usage error.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

FIXER_KEYS = ("inpaint", "upscale", "outpaint", "recolour", "srgb", "sign")


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("fix", help="repair fixable findings on copies of the assets (originals untouched)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders")
    p.add_argument("--out", required=True, help="folder for fixed files, lineage sidecars and review records")
    p.add_argument("--rules", "-r", help="rules profile: a YAML path or a bundled name")
    p.add_argument("--select", type=_csv, help="codes/prefixes/check names to check and fix")
    p.add_argument("--ignore", type=_csv, default=[], help="codes/prefixes/check names to skip")
    p.add_argument("--unsafe-fixes", action="store_true", help="also apply unsafe (generative/geometry) fixes")
    p.add_argument("--dry-run", action="store_true", help="plan only: print what would be fixed, write nothing")
    p.add_argument("--max-rounds", type=int, default=None, help="fix/re-check rounds per asset (default 3)")
    p.add_argument("--device", default="auto", help="auto|cpu|cuda for the checks and model-backed fixers")
    p.add_argument("--sign-chain", help="folder with C2PA signing credentials (generate_test_chain layout)")
    p.add_argument("--format", "-f", choices=("text", "json"), default="text", help="summary format")
    p.set_defaults(func=run)


def _resolve(config: Any, value: Any) -> Path | None:
    if not value:
        return None
    p = Path(str(value)).expanduser()
    return p if p.is_absolute() else (config.base_dir / p)


def signing_chain(config: Any, sign_chain_dir: str | None) -> Any:
    """Signing credentials from --sign-chain or the profile's `fix:` keys (None when not configured)."""
    from qa.c2pa_tools import TestChain, load_credentials

    fix = config.fix or {}
    folder = Path(sign_chain_dir).expanduser() if sign_chain_dir else _resolve(config, fix.get("sign_chain"))
    if folder is not None:
        chain = TestChain(root_pem=folder / "c2pa-test-root.pem", leaf_cert_chain_pem=folder / "c2pa-test-chain.pem",
                          leaf_key_pem=folder / "c2pa-test-leaf.key.pem")
        missing = [p.name for p in (chain.root_pem, chain.leaf_cert_chain_pem, chain.leaf_key_pem) if not p.is_file()]
        if missing:
            raise ValueError(f"--sign-chain {folder}: missing {', '.join(missing)}")
        return chain
    cert, key = _resolve(config, fix.get("signer_cert")), _resolve(config, fix.get("signer_key"))
    if cert or key:
        if not (cert and key):
            raise ValueError("fix.signer_cert and fix.signer_key must be set together")
        return load_credentials(cert, key, _resolve(config, fix.get("signer_root")))
    return None


def build_settings(config: Any, args: argparse.Namespace) -> Any:
    from fixers.router import FixSettings
    from qa.types import Severity

    fix = config.fix or {}
    unsafe = bool(args.unsafe_fixes or fix.get("unsafe_fixes") or (config.campaign or {}).get("unsafe_fixes"))
    rounds = args.max_rounds if args.max_rounds is not None else int(fix.get("max_rounds", 3))
    if rounds < 1:
        raise ValueError("--max-rounds must be at least 1")
    fixer_options: dict[str, dict[str, Any]] = {}
    for name in FIXER_KEYS:
        opts = dict(fix.get(name) or {})
        if opts.get("weights"):
            opts["weights"] = str(_resolve(config, opts["weights"]))
        fixer_options[name] = opts
    chain = signing_chain(config, getattr(args, "sign_chain", None))
    return FixSettings(
        out_dir=Path(args.out).expanduser(), unsafe=unsafe, dry_run=bool(args.dry_run), max_rounds=rounds,
        chain=chain, fixer_options=fixer_options, tolerance=dict(fix.get("containment") or {}),
        ai_generated=fix.get("ai_generated"), device=args.device,
        trust_anchors=(config.checks.get("provenance") or {}).get("trust_anchors"),
        min_severity=Severity.parse(fix.get("min_severity", "warning")).value,
    )


def run(args: argparse.Namespace) -> int:
    from fixers.router import FixUsageError, Router, check_out_dir
    from qa.cli import load_rules_or_report
    from qa.engine import Engine, UsageError, discover

    config = load_rules_or_report(args.rules)
    if config is None:
        return 2
    try:
        out_resolved = Path(args.out).expanduser().resolve()
        # Earlier outputs inside the input tree are not inputs (and must not be "fixed" again).
        files = [(p, d) for p, d in discover(args.paths) if not Path(p).resolve().is_relative_to(out_resolved)]
        if not files:
            raise UsageError("no image files found in " + ", ".join(args.paths))
        settings = build_settings(config, args)
        check_out_dir(settings.out_dir, [p for p, _ in files])
        engine = Engine(config, select=args.select or config.select or None, ignore=args.ignore,
                        device=args.device, use_cache=False)
    except (UsageError, FixUsageError, ValueError) as exc:
        print(f"assetqa: {exc}", file=sys.stderr)
        return 2
    if not settings.dry_run:
        settings.out_dir.mkdir(parents=True, exist_ok=True)
    verbose = args.format == "text" and sys.stderr.isatty()
    router = Router(engine, settings, log=(lambda m: print(m, file=sys.stderr)) if verbose else None)
    records = []
    for path, display in files:
        try:
            records.append(router.fix_path(path, display))
        except FixUsageError as exc:
            print(f"assetqa: {exc}", file=sys.stderr)
            return 2
    print_summary(records, args.format, settings)
    return 1 if any(r.status in ("review", "error") for r in records) else 0


def print_summary(records: list[Any], fmt: str, settings: Any) -> None:
    counts: dict[str, int] = {}
    for r in records:
        counts[r.status] = counts.get(r.status, 0) + 1
    if fmt == "json":
        doc = {"summary": {"assets": len(records), **counts, "dry_run": settings.dry_run,
                           "unsafe_fixes": settings.unsafe, "signed": settings.chain is not None},
               "assets": [r.to_dict() for r in records]}
        print(json.dumps(doc, indent=2, default=str))
        return
    for r in records:
        if r.status == "fixed":
            fixes = ", ".join(f"{s['fixer']}[{'/'.join(s['codes'])}]" for s in r.steps)
            print(f"{r.path}: fixed -> {r.output} ({fixes})")
        elif r.status == "planned" or (settings.dry_run and r.steps):
            for s in r.steps:
                verb = "would fix" if s.get("would_apply") else "cannot fix"
                print(f"{r.path}: {verb} {'/'.join(s['codes'])} with {s['fixer']} ({s['safety']})")
            if r.reason:
                print(f"{r.path}: review ({r.reason})")
        elif r.status == "clean":
            print(f"{r.path}: nothing to fix")
        else:
            print(f"{r.path}: {r.status} ({r.reason})")
    parts = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    print(f"{len(records)} assets: {parts}" + (" (dry run)" if settings.dry_run else ""))
