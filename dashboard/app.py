"""assetqa review dashboard (Streamlit).

Open it with ``assetqa dashboard report.json`` (or ``assetqa dashboard FOLDER``); the CLI
sets the ``ASSETQA_*`` environment variables documented in `dashboard.data` and runs
``streamlit run dashboard/app.py``.

- Queue: assets by QA status, severity and reviewer sign-off, filterable by campaign,
  check, severity and reviewer status, paginated, with cached ~512px JPEG thumbnails.
- Asset view: the image with findings drawn as overlays, each finding's measured value
  vs threshold, provenance summary, before/after (wipe slider or side by side) with the
  containment numbers when a fixer produced this asset or a fixed version of it.
- Decisions (approve / reject / request fix / waive a finding with a required comment /
  revoke) go to the SQLite sign-off store (`qa.signoffs`), bound to the asset's sha256;
  an asset whose file changed since the report cannot be signed off (re-run the check).
- Export: sign-off report as CSV/JSON (download, or written atomically beside the report).

The UI process never imports torch: it only reads reports, sidecars and image files, and
only files under the campaign root (paths come from the report, never from the browser).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

try:
    from dashboard import data as D
except ImportError:  # `streamlit run dashboard/app.py` from a source checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from dashboard import data as D

import streamlit as st

from qa.fsutil import sha256_file
from qa.signoffs import Decision, SignoffError, SignoffStore, asset_signoff

GRID_SIDE = 512     # queue thumbnails (sharp on HiDPI cards; ~30-60 KB JPEG each)
VIEW_SIDE = 1024    # asset view (overlays drawn at this size)
COLS = 4
SIGNOFF_STATES = ["pending", "approved", "rejected", "fix_requested", "waived"]
# Streamlit markdown badges / bundled Material icons (no emoji font needed on the reviewer's machine)
SIGNOFF_ICON = {"pending": ":gray-badge[:material/schedule: pending]",
                "approved": ":green-badge[:material/check_circle: approved]",
                "rejected": ":red-badge[:material/block: rejected]",
                "fix_requested": ":orange-badge[:material/build: fix requested]",
                "waived": ":violet-badge[:material/do_not_disturb_on: waived]"}
SEV_ICON = {"error": ":red-badge[error]", "warning": ":orange-badge[warning]", "info": ":blue-badge[info]",
            "waived": ":gray-badge[waived]", "none": ":green-badge[clean]"}
STATUS_ICON = {"fail": ":red[**fail**]", "error": ":red[**error**]", "pass": ":green[**pass**]"}


# -- cached loaders ---------------------------------------------------------------

@st.cache_resource(max_entries=4, show_spinner="Loading report…")
def _report(path: str, mtime_ns: int, size: int) -> D.LoadedReport:
    return D.load_report(Path(path))


@st.cache_resource(ttl=30, max_entries=4, show_spinner=False)
def _fixes(root: str, fixes: str | None):
    infos = D.load_fixes(Path(root), Path(fixes) if fixes else None)
    return D.index_fixes(infos)


@st.cache_resource(max_entries=4)
def _store(path: str) -> SignoffStore:
    return SignoffStore(path)


@st.cache_data(max_entries=6000, show_spinner=False)
def _thumb(path: str, mtime_ns: int, size: int, max_side: int, sha256: str = "") -> bytes:
    """JPEG thumbnail; keyed by the report's sha256 and the file's (path, mtime, size)."""
    try:
        return D.to_jpeg(D.open_image(Path(path), max_side))
    except Exception as exc:  # unreadable image: show a placeholder, never a traceback
        return D.to_jpeg(D.placeholder(f"cannot display: {type(exc).__name__}", max_side // 2))


@st.cache_data(max_entries=256, show_spinner=False)
def _overlay(path: str, mtime_ns: int, size: int, max_side: int, findings_json: str,
             orig: tuple[int, int] | None, highlight: str | None) -> bytes:
    try:
        im = D.open_image(Path(path), max_side)
    except Exception as exc:
        return D.to_jpeg(D.placeholder(f"cannot display: {type(exc).__name__}", 256))
    return D.to_jpeg(D.draw_overlays(im, json.loads(findings_json), orig, highlight), quality=90)


@st.cache_data(max_entries=6000, show_spinner=False)
def _disk_sha(path: str, mtime_ns: int, size: int) -> str:
    return sha256_file(path)


@st.cache_data(max_entries=64, show_spinner=False)
def _compare(before: tuple, after: tuple, position: int) -> bytes:
    b = D.open_image(Path(before[0]), VIEW_SIDE)
    a = D.open_image(Path(after[0]), VIEW_SIDE)
    return D.to_jpeg(D.wipe_compare(b, a, position), quality=90)


def _key(p: Path) -> tuple[str, int, int]:
    return D.file_key(p)


# -- identity ---------------------------------------------------------------------

def _oidc_configured() -> bool:
    """OIDC login is used only when `.streamlit/secrets.toml` has an ``[auth]`` section."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _identity(cfg: D.Config) -> tuple[str | None, str]:
    """(reviewer name or None, how it was established)."""
    if st.session_state.get("_oidc"):
        user = st.user
        if getattr(user, "is_logged_in", False):
            return (user.get("email") or user.get("name") or user.get("sub")), "oidc"
        return None, "oidc"
    name = (st.session_state.get("reviewer") or "").strip()
    if cfg.reviewers:
        return (name if name in cfg.reviewers else None), "list"
    return (name or None), "self-declared"


def _flash(kind: str, msg: str) -> None:
    st.session_state.setdefault("_flash", []).append((kind, msg))


# -- decisions (callbacks run before the next script run, so the page shows fresh state)

def _decide(action: str, sha: str, code: str | None, path: str, campaign: str, comment_key: str | None) -> None:
    cfg: D.Config = st.session_state["_cfg"]
    name, auth = _identity(cfg)
    if not name:
        _flash("error", "Choose who you are (sidebar) before recording a decision.")
        return
    comment = (st.session_state.get(comment_key) or "").strip() if comment_key else ""
    if action == "waive" and not comment:
        _flash("error", f"A comment is required to waive {code}: say why this finding is acceptable.")
        return
    disk = D.safe_path(cfg.root, path, [cfg.report.parent if cfg.report else cfg.root, cfg.launch_dir])
    if disk is None or _disk_sha(*_key(disk)) != sha:
        _flash("error", "The file changed since this report (its sha256 differs): re-run `assetqa check` "
                        "and review the new version.")
        return
    lr: D.LoadedReport = st.session_state["_lr"]
    try:
        _store(str(cfg.signoffs)).record(Decision(
            action=action, sha256=sha, reviewer=name, auth=auth, code=code, comment=comment,
            report_id=lr.report.report_id, asset_path=path, campaign=campaign))
    except SignoffError as exc:
        _flash("error", str(exc))
        return
    if comment_key:
        st.session_state[comment_key] = ""
    what = f"{code} on " if code else ""
    _flash("success", f"Recorded {action.replace('_', ' ')} of {what}{Path(path).name} by {name}.")


def _open(idx: int | None) -> None:
    st.session_state["open"] = idx


# -- views ------------------------------------------------------------------------

def _sidebar(cfg: D.Config, lr: D.LoadedReport) -> dict:
    sb = st.sidebar
    sb.title("assetqa review")
    r = lr.report
    sb.caption(f"Report `{cfg.report.name}` · {r.rules_name or 'default rules'} · {r.created or ''}")
    # who
    sb.subheader("Reviewer")
    if st.session_state["_oidc"]:
        user = st.user
        if getattr(user, "is_logged_in", False):
            sb.write(f"Signed in as **{user.get('email') or user.get('name')}**")
            sb.button("Log out", on_click=st.logout)
        else:
            sb.button("Log in", on_click=st.login, type="primary")
    elif cfg.reviewers:
        sb.selectbox("I am", cfg.reviewers, index=None, placeholder="choose your name", key="reviewer")
    else:
        sb.text_input("Your name", key="reviewer", placeholder="recorded with each decision",
                      help="No reviewer list or OIDC is configured: the name is self-declared.")
    # filters
    sb.subheader("Filters")
    f = {
        "campaigns": sb.multiselect("Campaign", lr.campaigns, key="f_campaign"),
        "statuses": sb.multiselect("QA status", ["fail", "error", "pass"], key="f_status"),
        "checks": sb.multiselect("Check", lr.checks, key="f_check"),
        "severities": sb.multiselect("Severity", ["error", "warning", "info", "none"], key="f_severity"),
        "signoffs": sb.multiselect("Reviewer status", SIGNOFF_STATES, key="f_signoff"),
        "text": sb.text_input("Path or sha256 contains", key="f_text"),
    }
    return f


def _export(cfg: D.Config, lr: D.LoadedReport, store: SignoffStore) -> None:
    st.subheader("Sign-off report")
    stem = f"signoff-{lr.report.report_id or cfg.report.stem}"
    c1, c2, c3 = st.columns(3)
    c3.button("Write CSV + JSON beside the report", key="export_write", on_click=_write_export,
              args=(stem,))
    stat = cfg.report.stat()
    csv_text, json_text = _export_payload(str(cfg.report), stat.st_mtime_ns, stat.st_size,
                                          str(cfg.signoffs), store.last_id())
    c1.download_button("Download CSV", csv_text, file_name=f"{stem}.csv", mime="text/csv",
                       key="dl_csv", on_click="ignore")
    c2.download_button("Download JSON", json_text, file_name=f"{stem}.json",
                       mime="application/json", key="dl_json", on_click="ignore")


@st.cache_data(max_entries=4, show_spinner=False)
def _export_payload(report: str, mtime_ns: int, size: int, db: str, last_id: int) -> tuple[str, str]:
    """CSV and JSON sign-off text; recomputed only when the report or the decision log changes."""
    import csv
    import io

    from qa.signoffs import SIGNOFF_FIELDS

    lr = _report(report, mtime_ns, size)
    doc = _store(db).signoff_document(lr.data)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(SIGNOFF_FIELDS), extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(doc["assets"])
    return buf.getvalue(), json.dumps(doc, indent=2)


def _write_export(stem: str) -> None:
    cfg: D.Config = st.session_state["_cfg"]
    lr: D.LoadedReport = st.session_state["_lr"]
    store = _store(str(cfg.signoffs))
    try:
        csv_path = store.export_csv(cfg.export_dir / f"{stem}.csv", report=lr.data)
        json_path = store.export_json(cfg.export_dir / f"{stem}.json", report=lr.data)
    except OSError as exc:
        _flash("error", f"Could not write the sign-off report: {exc}")
        return
    _flash("success", f"Wrote {csv_path} and {json_path}")


def _queue(cfg: D.Config, lr: D.LoadedReport, rows: list[dict], signoff_of: dict[str, str],
           bases: list[Path], store: SignoffStore) -> None:
    total = len(lr.rows)
    counts = {s: 0 for s in SIGNOFF_STATES}
    for r in lr.rows:
        counts[signoff_of.get(r["sha256"], "pending")] += 1
    m = st.columns(6)
    m[0].metric("Assets", total)
    m[1].metric("Failed", sum(1 for r in lr.rows if r["status"] == "fail"))
    m[2].metric("Pending review", counts["pending"])
    m[3].metric("Approved", counts["approved"])
    m[4].metric("Rejected / fix", counts["rejected"] + counts["fix_requested"])
    m[5].metric("Waived", counts["waived"])

    by_output, by_parent = _fixes(str(cfg.root), str(cfg.fixes) if cfg.fixes else None)
    n = len(rows)
    pages = max(1, (n + cfg.page_size - 1) // cfg.page_size)
    if st.session_state.get("page", 1) > pages:
        st.session_state["page"] = 1
    top = st.columns([3, 1])
    top[0].markdown(f"**{n}** of {total} assets match · sorted by severity, then score")
    page = top[1].number_input("Page", min_value=1, max_value=pages, step=1, key="page",
                               help=f"{pages} pages of {cfg.page_size}")
    chunk = rows[(page - 1) * cfg.page_size: page * cfg.page_size]
    if not chunk:
        st.info("No assets match these filters.")
    for start in range(0, len(chunk), COLS):
        cols = st.columns(COLS)
        for col, r in zip(cols, chunk[start:start + COLS]):
            with col.container(border=True, key=f"card_{r['idx']}"):
                p = D.safe_path(cfg.root, r["path"], bases)
                if p is not None:
                    st.image(_thumb(*_key(p), GRID_SIDE, r["sha256"]), width="stretch")
                else:
                    st.image(D.to_jpeg(D.placeholder("file not under campaign root or missing", 128)),
                             width="stretch")
                so = signoff_of.get(r["sha256"], "pending")
                fixed = (" :blue-badge[:material/auto_fix_high: fixed output]" if r["sha256"] in by_output else
                         " :blue-badge[:material/auto_fix_high: has fix]" if r["sha256"] in by_parent else "")
                st.markdown(f"**{Path(r['path']).name}**{fixed}  \n:gray[{r['path']}]")
                st.markdown(f"{STATUS_ICON.get(r['status'], r['status'])} · {SEV_ICON.get(r['severity'], '')} · "
                            f"{r['findings']} finding(s) · {SIGNOFF_ICON[so]}")
                if r["codes"]:
                    st.caption(", ".join(r["codes"][:6]) + (" …" if len(r["codes"]) > 6 else ""))
                st.button("Open", key=f"open_{r['idx']}", on_click=_open, args=(r["idx"],), width="stretch")
    with st.expander("Table view of this page"):
        st.dataframe([{"path": r["path"], "status": r["status"], "severity": r["severity"],
                       "codes": ", ".join(r["codes"]), "signoff": signoff_of.get(r["sha256"], "pending"),
                       "campaign": r["campaign"]} for r in chunk], hide_index=True)
    st.divider()
    _export(cfg, lr, store)


def _asset(cfg: D.Config, lr: D.LoadedReport, idx: int, rows: list[dict], bases: list[Path],
           store: SignoffStore, signoff_of: dict[str, str]) -> None:
    a = lr.report.assets[idx]
    row = lr.rows[idx]
    sha = row["sha256"]
    order = [r["idx"] for r in rows]
    nav = st.columns([1, 1, 1, 5])
    nav[0].button("← Queue", key="back", on_click=_open, args=(None,))
    if idx in order:
        pos = order.index(idx)
        nav[1].button("‹ Prev", key="prev", disabled=pos == 0,
                      on_click=_open, args=(order[pos - 1] if pos else None,))
        nav[2].button("Next ›", key="next", disabled=pos >= len(order) - 1,
                      on_click=_open, args=(order[pos + 1] if pos < len(order) - 1 else None,))
    st.header(a.path)
    so = signoff_of.get(sha, "pending")
    st.markdown(f"QA {STATUS_ICON.get(a.status.value, a.status.value)} · {SEV_ICON.get(row['severity'], '')} · "
                f"{a.width}×{a.height} {a.format or ''} · sha256 `{sha[:16]}…` · review {SIGNOFF_ICON[so]}")

    path = D.safe_path(cfg.root, a.path, bases)
    stale = False
    if path is None:
        stale = True  # cannot confirm the content the decision would be bound to
        st.error("This file is missing or outside the campaign root, so it is not shown and cannot be "
                 "signed off.")
    elif sha and _disk_sha(*_key(path)) != sha:
        stale = True
        st.warning("The file on disk changed since this report (sha256 differs). Decisions are bound to "
                   "the exact content: re-run `assetqa check` and review the new version.")
    if not sha:
        stale = True

    findings = [f.to_dict() for f in a.findings]
    current = store.current([sha]) if sha else {}
    by_output, by_parent = _fixes(str(cfg.root), str(cfg.fixes) if cfg.fixes else None)
    fix = by_output.get(sha)
    child = (by_parent.get(sha) or [None])[-1]

    left, right = st.columns([3, 2])
    with left:
        if path is not None:
            show = st.toggle("Show overlays", value=True, key="overlays")
            highlight = st.session_state.get("highlight")
            img = (_overlay(*_key(path), VIEW_SIDE, json.dumps(findings, sort_keys=True),
                            (a.width, a.height) if a.width and a.height else None, highlight)
                   if show and findings else _thumb(*_key(path), VIEW_SIDE, sha))
            st.image(img, width="stretch", caption="overlays: red error · orange warning · blue info · "
                                                   "grey waived" if show and findings else None)
    with right:
        st.subheader(f"Findings ({len(findings)})")
        if not findings:
            st.success("No findings.")
        seen: set[str] = set()
        for i, f in enumerate(findings):
            code = f["code"]
            first = code not in seen
            seen.add(code)
            dec = current.get((sha, code))
            with st.container(border=True):
                st.markdown(f"{SEV_ICON.get(f['severity'], '')} **{code}** · {f['check']}"
                            + (" · :gray-badge[waived in report]" if f.get("waived") else ""))
                st.write(f["message"])
                c = st.columns(3)
                c[0].metric("measured", D.fmt_value(f.get("value")))
                c[1].metric("threshold", D.fmt_value(f.get("threshold")))
                c[2].metric("score", f"{f.get('score', 0):.2f}")
                if f.get("fix"):
                    st.caption(f"Fix: {f['fix']}")
                if dec is not None:
                    st.info(f"{dec.action} by {dec.reviewer} at {dec.created}"
                            + (f": “{dec.comment}”" if dec.comment else ""))
                if f.get("region") or f.get("details"):
                    st.button("Highlight", key=f"hl_{i}_{code}", on_click=st.session_state.__setitem__,
                              args=("highlight", code))
                if first:  # a waiver covers every finding with this code on these bytes
                    ck = f"waive_comment_{sha[:12]}_{code}"
                    st.text_input("Waiver comment (required)", key=ck, disabled=stale,
                                  placeholder="why this finding is acceptable for this delivery")
                    b = st.columns(2)
                    b[0].button(f"Waive {code}", key=f"waive_{code}", disabled=stale, on_click=_decide,
                                args=("waive", sha, code, a.path, row["campaign"], ck))
                    if dec is not None:
                        b[1].button("Revoke", key=f"revoke_{code}", disabled=stale, on_click=_decide,
                                    args=("revoke", sha, code, a.path, row["campaign"], None))
                if f.get("details"):
                    with st.expander("details"):
                        st.json(f["details"], expanded=False)

        st.subheader("Decision")
        top = current.get((sha, ""))
        if top is not None:
            st.info(f"In force: **{top.action}** by {top.reviewer} at {top.created}"
                    + (f": “{top.comment}”" if top.comment else ""))
        st.text_area("Comment", key="decision_comment", disabled=stale,
                     placeholder="optional for approve/reject; say what to fix for a fix request")
        b = st.columns(4)
        for col, (label, action) in zip(b, [("Approve", "approve"), ("Reject", "reject"),
                                            ("Request fix", "request_fix")]):
            col.button(label, key=f"decide_{action}", disabled=stale, on_click=_decide,
                       type="primary" if action == "approve" else "secondary",
                       args=(action, sha, None, a.path, row["campaign"], "decision_comment"))
        if top is not None:
            b[3].button("Revoke", key="decide_revoke", disabled=stale, on_click=_decide,
                        args=("revoke", sha, None, a.path, row["campaign"], None))

    prov = D.provenance_summary(findings, fix)
    st.subheader("Provenance")
    if prov:
        for label, text in prov:
            st.markdown(f"- **{label}**: {text}")
    else:
        st.caption("No provenance findings for this asset (its provenance met the policy, or the "
                   "provenance check was not selected).")

    if fix is not None or child is not None:
        _before_after(cfg, lr, fix, child, a.path, bases)

    with st.expander("Decision history"):
        hist = store.decisions(sha256=sha) if sha else []
        other = [d for d in store.decisions(asset_path=a.path) if d.sha256 != sha]
        st.dataframe([{k: v for k, v in d.to_dict().items() if k not in ("sha256",)} for d in hist],
                     hide_index=True)
        if other:
            st.caption(f"{len(other)} decision(s) on other versions of this path (different content): "
                       "they do not apply to this file.")


def _before_after(cfg: D.Config, lr: D.LoadedReport, fix, child, here: str, bases: list[Path]) -> None:
    st.subheader("Before / after fix")
    info = fix or child
    before = after = None
    if fix is not None:  # this asset is the fixed output
        idx = lr.by_sha.get(fix.parent_sha256)
        before = D.safe_path(cfg.root, lr.report.assets[idx].path if idx is not None else fix.parent_path, bases)
        after = D.safe_path(cfg.root, here, bases)
    else:               # this asset is an original that has a fixed version
        idx = lr.by_sha.get(child.output_sha256)
        before = D.safe_path(cfg.root, here, bases)
        after = D.safe_path(cfg.root, lr.report.assets[idx].path if idx is not None else child.output_path, bases)
    if info.status:
        st.markdown(f"Fixer outcome: **{info.status}**")
    if info.fixes:
        st.dataframe([{k: (json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in f.items()}
                      for f in info.fixes], hide_index=True)
    if info.containment:
        nums = {k: v for k, v in info.containment.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        if nums:
            cols = st.columns(min(4, len(nums)))
            for i, (k, v) in enumerate(nums.items()):
                cols[i % len(cols)].metric(k.replace("_", " "), D.fmt_value(v))
        rest = {k: v for k, v in info.containment.items() if k not in nums}
        if rest:
            st.json(rest, expanded=False)
    if before is None or after is None:
        st.caption("The other version is missing or outside the campaign root.")
        return
    mode = st.radio("Compare", ["Slider", "Side by side"], horizontal=True, key="cmp_mode")
    if mode == "Slider":
        col = st.columns([3, 2])[0]
        pos = col.slider("← before · after →", 0, 100, 50, key="cmp_pos")
        col.image(_compare(_key(before), _key(after), pos), width="stretch")
    else:
        c = st.columns(2)
        c[0].image(_thumb(*_key(before), VIEW_SIDE), caption="before", width="stretch")
        c[1].image(_thumb(*_key(after), VIEW_SIDE), caption="after", width="stretch")


# -- main -------------------------------------------------------------------------

def main() -> None:
    st.set_page_config(page_title="assetqa review", page_icon="🖼", layout="wide")
    cfg = D.Config.from_env()
    st.session_state["_cfg"] = cfg
    st.session_state["_oidc"] = _oidc_configured()
    if cfg.report is None:
        st.error("No report given. Run `assetqa check FOLDER --format json -o report.json`, then "
                 "`assetqa dashboard report.json`.")
        st.stop()
    try:
        stat = cfg.report.stat()
        t0 = time.perf_counter()
        lr = _report(str(cfg.report), stat.st_mtime_ns, stat.st_size)
        load_s = time.perf_counter() - t0
    except (OSError, ValueError) as exc:
        st.error(f"Cannot open the report: {exc}")
        st.stop()
    try:
        store = _store(str(cfg.signoffs))
    except SignoffError as exc:
        st.error(str(exc))
        st.stop()
    st.session_state["_lr"] = lr

    if st.session_state["_oidc"] and not getattr(st.user, "is_logged_in", False):
        st.title("assetqa review")
        st.info("Sign in to review this delivery.")
        st.button("Log in", on_click=st.login, type="primary")
        st.stop()

    filters = _sidebar(cfg, lr)
    for kind, msg in st.session_state.pop("_flash", []):
        getattr(st, kind)(msg)
        st.toast(msg, icon=":material/check_circle:" if kind == "success" else ":material/error:")

    current = store.current([r["sha256"] for r in lr.rows if r["sha256"]])
    signoff_of = {r["sha256"]: asset_signoff(r["sha256"], r["codes"], current) for r in lr.rows}
    rows = D.filter_rows(lr.rows, signoff_of=signoff_of, **filters)
    bases = [cfg.report.parent, cfg.launch_dir]
    name, auth = _identity(cfg)
    if not name:
        st.sidebar.warning("Decisions are disabled until you say who you are.")

    idx = st.session_state.get("open")
    if idx is not None and 0 <= idx < len(lr.report.assets):
        _asset(cfg, lr, idx, rows, bases, store, signoff_of)
    else:
        _queue(cfg, lr, rows, signoff_of, bases, store)
    st.sidebar.caption(f"report load {load_s * 1000:.0f} ms · {len(lr.rows)} assets · "
                       f"sign-offs `{cfg.signoffs.name}`")


main()
