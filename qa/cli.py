"""`assetqa` command line. `main(argv) -> int` so tests call it directly.

Exit codes (ruff/sqlfluff): 0 clean, 1 findings at or above the fail level,
2 usage, config or internal error.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import Sequence

from qa import __version__

PLUGIN_COMMANDS = ("qa.cli_index", "qa.cli_fix", "qa.cli_dashboard")
FORMATS = ("text", "json", "jsonl", "sarif", "junit", "github", "gitlab", "html")


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assetqa", description="Asset QA and compliance gate for AI-generated images.")
    parser.add_argument("--version", action="version", version=f"assetqa {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="check image files and folders against a rules profile")
    add_check_arguments(check)
    check.set_defaults(func=cmd_check)

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rules.set_defaults(func=cmd_rules)

    rule = sub.add_parser("rule", help="show one rule's documentation")
    rule.add_argument("code")
    rule.set_defaults(func=cmd_rule)

    validate = sub.add_parser("validate-rules", help="validate a rules profile (and the profiles it extends)")
    validate.add_argument("file")
    validate.set_defaults(func=cmd_validate_rules)

    profiles = sub.add_parser("profiles", help="list the bundled rules profiles")
    profiles.set_defaults(func=cmd_profiles)

    demo = sub.add_parser("demo", help="generate the bundled demo campaign and check it")
    demo.add_argument("--dir", default="demo/campaign", help="where to generate the campaign (default demo/campaign)")
    demo.add_argument("--out", default="demo/out", help="where reports go (default demo/out)")
    demo.add_argument("--device", default="auto")
    demo.add_argument("--fix", action="store_true", help="also run `assetqa fix` on the failures")
    demo.set_defaults(func=cmd_demo)

    for module in PLUGIN_COMMANDS:
        try:
            importlib.import_module(module).register(sub)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return parser


def add_check_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders")
    p.add_argument("--rules", "-r", help="rules profile: a YAML path or a bundled name (see `assetqa profiles`)")
    p.add_argument("--select", type=_csv, help="comma-separated codes, prefixes or check names (overrides the profile)")
    p.add_argument("--extend-select", type=_csv, default=[], help="add codes to the selection")
    p.add_argument("--ignore", type=_csv, default=[], help="comma-separated codes, prefixes or check names to skip")
    p.add_argument("--format", "-f", choices=FORMATS, default="text")
    p.add_argument("--output", "-o", help="write the report here (atomic) instead of stdout")
    p.add_argument("--device", default="auto", help="auto|cpu|cuda (auto uses CUDA when present)")
    p.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (0 = automatic)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")
    p.add_argument("--cache-dir", help="result cache folder (default $ASSETQA_CACHE_DIR or ~/.cache/assetqa)")
    p.add_argument("--signoffs", help="sign-off database (SQLite) whose waivers apply")
    p.add_argument("--fail-on", choices=("error", "warning", "info"), help="lowest severity that fails the run")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings fail the run")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on the terminal")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    p.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="run per-asset work locally (default) or as Ray Data batch inference")
    p.add_argument("--address", help="Ray cluster address for --engine ray (default: a local cluster)")


class Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total == 0:
            return
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} assets")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def load_rules_or_report(rules: str | None):  # type: ignore[no-untyped-def]
    """The profile for a command, or None after printing its errors (the command exits 2)."""
    from qa.config import ConfigError, load_config

    try:
        return load_config(rules)
    except ConfigError as exc:
        print(f"assetqa: invalid rules:\n{exc}", file=sys.stderr)
        return None


def cmd_check(args: argparse.Namespace) -> int:
    from qa.engine import Engine, UsageError

    config = load_rules_or_report(args.rules)
    if config is None:
        return 2
    if args.fail_on:
        from qa.types import Severity

        config.fail_on = Severity.parse(args.fail_on)
    select = (args.select or config.select or None)
    if args.extend_select:
        select = list(select or ["ALL"]) + args.extend_select
    try:
        engine = Engine(
            config,
            select=select,
            ignore=args.ignore,
            device=args.device,
            use_cache=not args.no_cache,
            cache_dir=args.cache_dir,
            jobs=args.jobs,
            signoffs=args.signoffs,
            progress=Progress(sys.stderr.isatty() and not args.no_progress),
            backend=args.engine,
            ray_address=args.address,
        )
        report = engine.check_paths(args.paths)
    except (UsageError, ValueError) as exc:
        print(f"assetqa: {exc}", file=sys.stderr)
        return 2
    if args.output and _is_an_input(Path(args.output), report):
        print(f"assetqa: refusing to write the report over an input image: {args.output}", file=sys.stderr)
        return 2
    code = emit_report(report, args.format, args.output, args.color)
    if code:
        return code
    if report.interrupted:
        print("assetqa: interrupted; finished results are cached, re-run to continue", file=sys.stderr)
        return 130
    return 0 if args.exit_zero else report.exit_code()


def _is_an_input(output: Path, report) -> bool:  # type: ignore[no-untyped-def]
    """True when `output` is one of the checked files (originals are never written)."""
    if not output.exists():
        return False
    for asset in report.assets:
        try:
            if os.path.samefile(output, asset.path):
                return True
        except OSError:
            continue
    return False


def emit_report(report, fmt: str, output: str | None, color: str = "auto") -> int:  # type: ignore[no-untyped-def]
    from qa import report as writers

    if fmt == "github":  # job summary to $GITHUB_STEP_SUMMARY when set (annotations are capped at 10+10)
        writers.github.write_step_summary(report)
    if output:
        try:
            writers.write(report, fmt, output)
        except OSError as exc:
            print(f"assetqa: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        s = report.summary()
        print(
            f"assetqa: {s['assets']} assets, {s['passed']} passed, {s['failed']} failed, {s['errored']} errors "
            f"({s['cached']} cached, {s['seconds']:.2f}s) -> {output}",
            file=sys.stderr,
        )
        return 0
    use_color = color == "always" or (color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    text = writers.render_text(report, color=use_color) if fmt == "text" else writers.render(report, fmt)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from qa.registry import all_rules

    rules = all_rules()
    if args.format == "json":
        import json

        print(json.dumps([
            {"code": r.code, "name": r.name, "check": r.check, "severity": r.severity.value,
             "what": r.what, "why": r.why, "fix": r.fix, "fix_safety": r.fix_safety, "fixer": r.fixer}
            for r in rules
        ], indent=2))
        return 0
    for r in rules:
        fix = f" [fix: {r.fixer}, {r.fix_safety}]" if r.fixer else ""
        print(f"{r.code:8} {r.check:12} {r.severity.value:8} {r.name}{fix}")
    return 0


def cmd_rule(args: argparse.Namespace) -> int:
    from qa.registry import find_rule, rule_doc

    rule = find_rule(args.code)
    if rule is None:
        print(f"assetqa: unknown rule {args.code!r}; see `assetqa rules`", file=sys.stderr)
        return 2
    print(rule_doc(rule))
    return 0


def cmd_validate_rules(args: argparse.Namespace) -> int:
    from qa.config import validate_file

    errors = validate_file(args.file)
    if errors:
        for line in errors:
            print(line, file=sys.stderr)
        return 2
    print(f"{args.file}: valid")
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:
    from qa.config import bundled_profiles

    import yaml

    for name, path in bundled_profiles().items():
        try:
            desc = (yaml.safe_load(path.read_text()) or {}).get("description", "")
        except Exception:  # noqa: BLE001
            desc = ""
        print(f"{name:24} {desc}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from qa.demo import run_demo

    return run_demo(Path(args.dir), Path(args.out), device=args.device, fix=args.fix)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("assetqa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - never a traceback for users; ASSETQA_DEBUG=1 shows it
        if os.environ.get("ASSETQA_DEBUG"):
            raise
        print(f"assetqa: internal error: {type(exc).__name__}: {exc} (set ASSETQA_DEBUG=1 for details)",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
