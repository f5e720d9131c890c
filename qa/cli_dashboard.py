"""`assetqa dashboard [REPORT_OR_FOLDER]`: open the review dashboard (Streamlit).

- Given a JSON report (from `assetqa check FOLDER --format json -o report.json`), it opens
  that report; the campaign root defaults to the current directory (only files under the
  root are served; pass ``--root`` to narrow or move it).
- Given a folder, it uses the folder as campaign root and opens ``FOLDER/report.json`` or
  ``FOLDER/assetqa-report.json`` when one exists; otherwise it runs
  ``assetqa check FOLDER --format json -o FOLDER/.assetqa-cache/dashboard-report.json``
  first (in a subprocess, so this process and the UI never load models) and opens that.
  ``--no-check`` makes it stop with the command to run instead.
- Sign-offs go to ``--signoffs DB`` (default ``signoffs.db`` beside the report); the same
  file is what `assetqa check --signoffs DB` reads waivers from.

The UI runs as ``python -m streamlit run dashboard/app.py`` with the settings passed in
``ASSETQA_*`` environment variables (see `dashboard.data`).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPORT_NAMES = ("report.json", "assetqa-report.json")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "dashboard",
        help="open the review dashboard (Streamlit) on a report or folder",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    p.add_argument("target", nargs="?", default=".", metavar="REPORT_OR_FOLDER",
                   help="a JSON report, or a folder of assets (default: current folder)")
    p.add_argument("--signoffs", metavar="DB", help="sign-off database (default: signoffs.db beside the report)")
    p.add_argument("--root", metavar="DIR",
                   help="campaign root; only files under it are shown (default: the folder, or the current "
                        "directory for a report)")
    p.add_argument("--reviewers", metavar="A,B", help="comma-separated reviewer names to choose from")
    p.add_argument("--fixes", metavar="PATH", help="fix summary JSON or folder of *.assetqa.json sidecars "
                                                   "(default: sidecars under the campaign root)")
    p.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    p.add_argument("--address", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    p.add_argument("--no-check", action="store_true",
                   help="for a folder without a report, print the check command instead of running it")
    p.set_defaults(func=run)


def _find_or_make_report(folder: Path, no_check: bool) -> Path | None:
    for name in REPORT_NAMES:
        if (folder / name).is_file():
            return folder / name
    out = folder / ".assetqa-cache" / "dashboard-report.json"
    cmd = [sys.executable, "-c", "import sys; from qa.cli import main; sys.exit(main(sys.argv[1:]))",
           "check", str(folder), "--format", "json", "-o", str(out)]
    if no_check:
        print(f"assetqa dashboard: no report in {folder}. Run:\n"
              f"  assetqa check {folder} --format json -o {folder / 'report.json'}\n"
              f"then: assetqa dashboard {folder / 'report.json'}", file=sys.stderr)
        return None
    print(f"assetqa dashboard: no report in {folder}; checking it first -> {out}", file=sys.stderr)
    out.parent.mkdir(parents=True, exist_ok=True)
    rc = subprocess.call(cmd)
    if rc not in (0, 1) or not out.is_file():  # 1 = findings, still a report
        print(f"assetqa dashboard: the check failed (exit {rc}); fix the error above or run "
              f"`assetqa check {folder} --format json -o report.json` yourself", file=sys.stderr)
        return None
    return out


def build_env(args: argparse.Namespace) -> tuple[dict[str, str] | None, str | None]:
    """The ASSETQA_* environment for the UI, or (None, error message)."""
    target = Path(args.target).expanduser()
    if not target.exists():
        return None, f"{target}: no such report or folder"
    if target.is_dir():
        root = Path(args.root or target).resolve()
        report = _find_or_make_report(target, args.no_check)
        if report is None:
            return None, ""
    else:
        report = target
        root = Path(args.root).resolve() if args.root else Path.cwd().resolve()
    report = report.resolve()
    if not root.is_dir():
        return None, f"{root}: campaign root is not a folder"
    signoffs = Path(args.signoffs).expanduser().resolve() if args.signoffs else report.parent / "signoffs.db"
    env = dict(os.environ)
    env.update({
        "ASSETQA_REPORT": str(report),
        "ASSETQA_ROOT": str(root),
        "ASSETQA_SIGNOFFS": str(signoffs),
        "ASSETQA_LAUNCH_DIR": str(Path.cwd().resolve()),
    })
    if args.reviewers:
        env["ASSETQA_REVIEWERS"] = args.reviewers
    if args.fixes:
        env["ASSETQA_FIXES"] = str(Path(args.fixes).expanduser().resolve())
    return env, None


def streamlit_command(args: argparse.Namespace) -> list[str]:
    app = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    return [sys.executable, "-m", "streamlit", "run", str(app),
            "--server.address", args.address, "--server.port", str(args.port),
            "--server.headless", "true" if args.no_browser else "false",
            "--browser.gatherUsageStats", "false",
            "--client.toolbarMode", "minimal",
            "--server.fileWatcherType", "none"]


def run(args: argparse.Namespace) -> int:
    env, error = build_env(args)
    if env is None:
        if error:
            print(f"assetqa dashboard: {error}", file=sys.stderr)
        return 2
    cmd = streamlit_command(args)
    print(f"assetqa dashboard: serving {env['ASSETQA_REPORT']} on http://{args.address}:{args.port} "
          f"(sign-offs: {env['ASSETQA_SIGNOFFS']}); Ctrl+C to stop", file=sys.stderr)
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m qa.cli_dashboard REPORT_OR_FOLDER ...` (same as `assetqa dashboard ...`)."""
    parser = argparse.ArgumentParser(prog="assetqa")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    args = parser.parse_args(["dashboard", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
