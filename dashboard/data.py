"""Data side of the review dashboard: configuration, report/sidecar loading, safe file
access, thumbnails and overlays. No streamlit and no torch here (PIL + numpy only), so
it is cheap to import and easy to test.

Configuration (environment variables; `assetqa dashboard` sets them):

- ``ASSETQA_REPORT``: the JSON report (`assetqa check --format json -o report.json`).
- ``ASSETQA_ROOT``: the campaign root. Only files under it are ever read or served;
  default: the report's directory.
- ``ASSETQA_SIGNOFFS``: the sign-off database (default ``signoffs.db`` beside the report).
- ``ASSETQA_REVIEWERS``: comma-separated reviewer names (a select box). Without it, and
  without OIDC configured in ``.streamlit/secrets.toml`` (``[auth]``), reviewers type a
  name, recorded as self-declared.
- ``ASSETQA_FIXES``: optional fix summary JSON or folder of ``*.assetqa.json`` sidecars
  (default: sidecars found under the campaign root).
- ``ASSETQA_EXPORT_DIR``: where "Write sign-off report" writes (default: report's dir).
- ``ASSETQA_PAGE_SIZE``: queue page size (default 24).

Overlay shapes read from a finding: ``region`` {x,y,w,h}; in ``details``: ``boxes`` or
``regions`` (lists of {x,y,w,h} or [x,y,w,h]), ``polygon``/``polygons`` ([[x,y], ...]),
``points``/``landmarks`` ([[x,y], ...]), ``mask_png`` (base64 PNG, image-sized or
region-sized) -- all in original image pixels.
"""
from __future__ import annotations

import base64
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

from PIL import Image, ImageDraw, ImageOps


SEVERITY_RANK = {"error": 2, "warning": 1, "info": 0}
SEVERITY_COLOUR = {"error": (230, 40, 40), "warning": (255, 170, 0), "info": (40, 140, 255)}
IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".gif", ".avif", ".heic", ".heif")
SIDECAR_SUFFIX = ".assetqa.json"
MAX_SIDECARS = 20_000
Image.MAX_IMAGE_PIXELS = 100_000_000


@dataclass
class Config:
    report: Path | None
    root: Path
    signoffs: Path
    reviewers: list[str]
    fixes: Path | None
    export_dir: Path
    page_size: int = 24
    launch_dir: Path = field(default_factory=Path.cwd)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Config":
        env = dict(os.environ if env is None else env)
        report = Path(env["ASSETQA_REPORT"]).expanduser().resolve() if env.get("ASSETQA_REPORT") else None
        base = report.parent if report else Path.cwd()
        root = Path(env.get("ASSETQA_ROOT") or base).expanduser().resolve()
        signoffs = Path(env.get("ASSETQA_SIGNOFFS") or (base / "signoffs.db")).expanduser().resolve()
        reviewers = [r.strip() for r in env.get("ASSETQA_REVIEWERS", "").split(",") if r.strip()]
        fixes = Path(env["ASSETQA_FIXES"]).expanduser().resolve() if env.get("ASSETQA_FIXES") else None
        export_dir = Path(env.get("ASSETQA_EXPORT_DIR") or base).expanduser().resolve()
        try:
            page_size = max(4, min(200, int(env.get("ASSETQA_PAGE_SIZE", "24"))))
        except ValueError:
            page_size = 24
        launch = Path(env.get("ASSETQA_LAUNCH_DIR") or Path.cwd()).resolve()
        return cls(report, root, signoffs, reviewers, fixes, export_dir, page_size, launch)


# -- safe paths -------------------------------------------------------------------

def safe_path(root: Path, name: str | os.PathLike[str] | None, bases: Iterable[Path] = ()) -> Path | None:
    """Resolve `name` (absolute, or relative to root or one of `bases`) to an existing file
    under `root`; None when it is outside root, missing, or not a regular file.

    This is the only way the dashboard turns a path into bytes: paths come from the
    report/sidecars (never from the browser) and are still confined to the campaign root.
    """
    if not name:
        return None
    root = root.resolve()
    raw = Path(str(name))
    candidates = [raw] if raw.is_absolute() else [root / raw, *[Path(b) / raw for b in bases]]
    for cand in candidates:
        try:
            resolved = cand.resolve()
        except (OSError, RuntimeError):
            continue
        if resolved.is_relative_to(root) and resolved.is_file():
            return resolved
    return None


def file_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path), st.st_mtime_ns, st.st_size)


# -- report -----------------------------------------------------------------------

@dataclass
class LoadedReport:
    data: dict[str, Any]            # the canonical JSON (qa.types.Report.to_dict() shape)
    report: Any                     # qa.types.Report
    rows: list[dict[str, Any]]      # one queue row per asset
    by_sha: dict[str, int]          # sha256 -> asset index
    campaigns: list[str]
    checks: list[str]
    codes: list[str]


def load_report(path: Path) -> LoadedReport:
    """Read and validate a JSON report; raises ValueError with a readable reason."""
    from qa.types import Report

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValueError(f"{path}: report not found") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable JSON report ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("assets"), list):
        raise ValueError(f"{path}: not an assetqa report (no 'assets' list)")
    try:
        report = Report.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: malformed assetqa report ({exc!r})") from exc
    rules_name = report.rules_name or Path(path).stem
    # campaign = first folder below the folders every asset shares (e.g. `camp/summer/x.png`,
    # `camp/winter/y.png` -> summer, winter); the rules profile name when there is one folder
    dirs = [PurePosixPath(a.path.replace("\\", "/")).parts[:-1] for a in report.assets]
    common = 0
    if dirs:
        shortest = min(len(d) for d in dirs)
        while common < shortest and len({d[common] for d in dirs}) == 1:
            common += 1
    tops = {d[common] for d in dirs if len(d) > common}
    several = len(tops) > 1
    rows: list[dict[str, Any]] = []
    by_sha: dict[str, int] = {}
    checks: set[str] = set()
    codes: set[str] = set()
    for i, a in enumerate(report.assets):
        d = dirs[i]
        campaign = d[common] if several and len(d) > common else rules_name
        sevs = [f.severity.value for f in a.findings if not f.waived]
        worst = max(sevs, key=SEVERITY_RANK.__getitem__) if sevs else ("waived" if a.findings else "none")
        fchecks = sorted({f.check for f in a.findings})
        fcodes = sorted({f.code for f in a.findings})
        checks.update(fchecks)
        codes.update(fcodes)
        if a.sha256:
            by_sha.setdefault(a.sha256.lower(), i)
        rows.append({
            "idx": i,
            "path": a.path,
            "sha256": (a.sha256 or "").lower(),
            "status": a.status.value,
            "severity": worst,
            "sev_rank": SEVERITY_RANK.get(worst, -1),
            "findings": len(a.findings),
            "codes": fcodes,
            "checks": fchecks,
            "severities": sorted({f.severity.value for f in a.findings}),
            "min_score": min((f.score for f in a.findings), default=1.0),
            "campaign": campaign,
            "width": a.width,
            "height": a.height,
        })
    return LoadedReport(data, report, rows, by_sha, sorted({r["campaign"] for r in rows}),
                        sorted(checks), sorted(codes))


def filter_rows(rows: list[dict[str, Any]], *, campaigns: Iterable[str] = (), statuses: Iterable[str] = (),
                checks: Iterable[str] = (), severities: Iterable[str] = (),
                signoffs: Iterable[str] = (), signoff_of: dict[str, str] | None = None,
                text: str = "") -> list[dict[str, Any]]:
    """Filter queue rows; an empty selection means "any"."""
    campaigns, statuses, checks = set(campaigns), set(statuses), set(checks)
    severities, signoffs = set(severities), set(signoffs)
    text = text.strip().lower()
    out = []
    for r in rows:
        if campaigns and r["campaign"] not in campaigns:
            continue
        if statuses and r["status"] not in statuses:
            continue
        if checks and not checks.intersection(r["checks"]):
            continue
        if severities and not severities.intersection(r["severities"]) and not (
                "none" in severities and not r["findings"]):
            continue
        if signoffs and (signoff_of or {}).get(r["sha256"], "pending") not in signoffs:
            continue
        if text and text not in r["path"].lower() and not r["sha256"].startswith(text):
            continue
        out.append(r)
    out.sort(key=lambda r: (-r["sev_rank"], r["min_score"], r["path"]))
    return out


# -- fix sidecars ---------------------------------------------------------------------

@dataclass
class FixInfo:
    """What a fixer wrote about one fixed output (read defensively: fields may be missing)."""

    source: str
    parent_sha256: str
    parent_path: str
    output_sha256: str
    output_path: str
    fixes: list[dict[str, Any]]
    containment: dict[str, Any]
    status: str
    raw: dict[str, Any]


def _first(d: dict[str, Any], *keys: str) -> Any:
    for k in keys:
        v = d.get(k)
        if v not in (None, "", [], {}):
            return v
    return None


def _parse_fix_entry(entry: dict[str, Any], source: Path | None) -> FixInfo | None:
    if not isinstance(entry, dict):
        return None
    parent = entry.get("parent") if isinstance(entry.get("parent"), dict) else {}
    output = entry.get("output") if isinstance(entry.get("output"), dict) else {}
    parent_sha = _first(entry, "parent_sha256", "parent_sha") or _first(parent, "sha256", "sha")
    if not parent_sha and isinstance(entry.get("ingredients"), list) and entry["ingredients"]:
        ing = entry["ingredients"][0]
        parent_sha = ing.get("sha256") if isinstance(ing, dict) else None
    parent_path = (_first(entry, "parent_path", "source", "input") if not isinstance(entry.get("source"), dict)
                   else None) or _first(parent, "path", "display_path")
    if isinstance(entry.get("parent"), str):
        parent_path = parent_path or entry["parent"]
    out_sha = _first(entry, "output_sha256", "sha256") or _first(output, "sha256", "sha")
    out_path = _first(entry, "output_path", "path") or _first(output, "path", "display_path")
    if isinstance(entry.get("output"), str):
        out_path = out_path or entry["output"]
    if not out_path and source is not None:
        stem = source.name[: -len(SIDECAR_SUFFIX)]
        direct = source.with_name(stem)
        if direct.suffix.lower() in IMAGE_EXTS and direct.exists():
            out_path = str(direct)
        else:
            for ext in IMAGE_EXTS:
                cand = source.with_name(stem + ext)
                if cand.exists():
                    out_path = str(cand)
                    break
    elif out_path and source is not None and not Path(out_path).is_absolute():
        # relative paths in a sidecar are relative to the sidecar's folder
        cand = source.parent / out_path
        if cand.exists():
            out_path = str(cand)
    if parent_path and source is not None and not Path(str(parent_path)).is_absolute():
        cand = source.parent / str(parent_path)
        if cand.exists():
            parent_path = str(cand)
    fixes = entry.get("fixes") or entry.get("applied") or []
    if isinstance(fixes, dict):
        fixes = [fixes]
    fixes = [f if isinstance(f, dict) else {"fix": str(f)} for f in fixes if f]
    containment = entry.get("containment")
    if not isinstance(containment, dict):
        containment = {"value": containment} if containment is not None else {}
        for f in fixes:  # per-fix containment numbers
            c = f.get("containment")
            if c is not None:
                containment[str(f.get("code") or f.get("fixer") or len(containment))] = c
    status = str(_first(entry, "status", "verdict", "outcome", "result") or "")
    if not (parent_sha or parent_path) or not (out_sha or out_path):
        return None
    return FixInfo(str(source or ""), str(parent_sha or "").lower(), str(parent_path or ""),
                   str(out_sha or "").lower(), str(out_path or ""), fixes, containment, status, entry)


def load_fixes(root: Path, fixes: Path | None = None, limit: int = MAX_SIDECARS) -> list[FixInfo]:
    """Sidecars (``*.assetqa.json``) under `fixes` or the campaign root, or a fix summary
    JSON (a list, or a dict with ``fixes``/``results``/``assets``/``items``). Unreadable
    files are skipped: the dashboard must open even when a fixer wrote something odd."""
    out: list[FixInfo] = []
    target = fixes or root
    files: list[Path] = []
    if target.is_file():
        files = [target]
    elif target.is_dir():
        for i, p in enumerate(target.rglob(f"*{SIDECAR_SUFFIX}")):
            if i >= limit:
                break
            files.append(p)
    for p in files:
        try:
            if not p.resolve().is_relative_to(root) and p != fixes:
                continue
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        entries: list[Any]
        if isinstance(data, list):
            entries = data
        elif isinstance(data, dict):
            lst = next((data[k] for k in ("fixes", "results", "assets", "items")
                        if isinstance(data.get(k), list) and data[k] and isinstance(data[k][0], dict)
                        and ("parent" in data[k][0] or "parent_sha256" in data[k][0])), None)
            entries = lst if lst is not None else [data]
        else:
            continue
        for e in entries:
            info = _parse_fix_entry(e, p if p.name.endswith(SIDECAR_SUFFIX) else None)
            if info is not None:
                out.append(info)
    return out


def index_fixes(infos: list[FixInfo]) -> tuple[dict[str, FixInfo], dict[str, list[FixInfo]]]:
    by_output: dict[str, FixInfo] = {}
    by_parent: dict[str, list[FixInfo]] = {}
    for info in infos:
        if info.output_sha256:
            by_output[info.output_sha256] = info
        if info.parent_sha256:
            by_parent.setdefault(info.parent_sha256, []).append(info)
    return by_output, by_parent


# -- images ----------------------------------------------------------------------

def open_image(path: Path, max_side: int) -> Image.Image:
    """Open an image file (already confined by `safe_path`) as RGB, at most `max_side` px."""
    with Image.open(path) as im:
        if im.format == "JPEG":  # DCT scaling: decode at 1/2..1/8 size when that still covers max_side
            w, h = im.size
            scale = max_side / max(w, h, 1)
            if scale < 1:
                im.draft("RGB", (max(1, int(w * scale)), max(1, int(h * scale))))
        im = ImageOps.exif_transpose(im)
        if im.mode in ("I;16", "I;16B", "I;16L", "I"):
            im = im.point(lambda v: v / 256).convert("L")
        if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
            im = im.convert("RGBA")
            bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
            im = Image.alpha_composite(bg, im)
        im = im.convert("RGB")
        im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        return im.copy()


def to_jpeg(im: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, format="JPEG", quality=quality, optimize=True)
    return buf.getvalue()


def placeholder(text: str, size: int = 256) -> Image.Image:
    im = Image.new("RGB", (size, size), (235, 235, 235))
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, size - 1, size - 1], outline=(160, 160, 160))
    y = size // 2 - 20
    for line in _wrap(text, 28):
        d.text((10, y), line, fill=(90, 90, 90))
        y += 14
    return im


def _wrap(text: str, n: int) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if len(cur) + len(w) + 1 > n and cur:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    if cur:
        lines.append(cur)
    return lines[:4]


def _boxes(finding: dict[str, Any]) -> list[tuple[float, float, float, float]]:
    out = []
    region = finding.get("region")
    cand = [region] if region else []
    details = finding.get("details") or {}
    for key in ("boxes", "regions", "bboxes"):
        v = details.get(key)
        if isinstance(v, list):
            cand.extend(v)
    for b in cand:
        try:
            if isinstance(b, dict):
                out.append((float(b["x"]), float(b["y"]), float(b["w"]), float(b["h"])))
            elif isinstance(b, (list, tuple)) and len(b) == 4:
                out.append(tuple(float(v) for v in b))  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError):
            continue
    return out


def _polys(finding: dict[str, Any]) -> list[list[tuple[float, float]]]:
    details = finding.get("details") or {}
    polys = []
    if isinstance(details.get("polygon"), list):
        polys.append(details["polygon"])
    if isinstance(details.get("polygons"), list):
        polys.extend(p for p in details["polygons"] if isinstance(p, list))
    out = []
    for p in polys:
        try:
            pts = [(float(x), float(y)) for x, y in p]
        except (TypeError, ValueError):
            continue
        if len(pts) >= 3:
            out.append(pts)
    return out


def _points(finding: dict[str, Any]) -> list[tuple[float, float]]:
    details = finding.get("details") or {}
    pts = []
    for key in ("points", "landmarks"):
        v = details.get(key)
        if isinstance(v, list):
            for p in v:
                try:
                    pts.append((float(p[0]), float(p[1])))
                except (TypeError, ValueError, IndexError, KeyError):
                    continue
    return pts


def _mask(finding: dict[str, Any]) -> Image.Image | None:
    v = (finding.get("details") or {}).get("mask_png")
    if not isinstance(v, str):
        return None
    try:
        raw = base64.b64decode(v, validate=False)
        if len(raw) > 20_000_000:
            return None
        with Image.open(io.BytesIO(raw), formats=["PNG"]) as m:
            return m.convert("L").copy()
    except Exception:  # a bad mask must not break the page
        return None


def draw_overlays(im: Image.Image, findings: list[dict[str, Any]], orig_size: tuple[int, int] | None,
                  highlight: str | None = None) -> Image.Image:
    """Draw findings (boxes, polygons, points, masks) scaled from original pixels onto `im`."""
    base = im.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    ow, oh = orig_size if orig_size and all(orig_size) else base.size
    sx, sy = base.width / max(1, ow), base.height / max(1, oh)
    for f in findings:
        colour = SEVERITY_COLOUR.get(f.get("severity", "info"), (40, 140, 255))
        if f.get("waived"):
            colour = (120, 120, 120)
        width = 4 if highlight and f.get("code") == highlight else 2
        alpha = 255 if not highlight or f.get("code") == highlight else 110
        mask = _mask(f)
        if mask is not None:
            region = f.get("region")
            if mask.size == (ow, oh) or not region:
                m = mask.resize(base.size)
                tint = Image.new("RGBA", base.size, colour + (90,))
                layer.paste(tint, (0, 0), m.point(lambda v: 90 if v > 127 else 0))
            else:
                bx, by = int(region["x"] * sx), int(region["y"] * sy)
                bw, bh = max(1, int(region["w"] * sx)), max(1, int(region["h"] * sy))
                m = mask.resize((bw, bh))
                tint = Image.new("RGBA", (bw, bh), colour + (90,))
                layer.paste(tint, (bx, by), m.point(lambda v: 90 if v > 127 else 0))
        for (x, y, w, h) in _boxes(f):
            box = [x * sx, y * sy, (x + w) * sx, (y + h) * sy]
            d.rectangle(box, outline=colour + (alpha,), width=width)
            label = str(f.get("code", ""))
            tx, ty = box[0] + 2, max(0, box[1] - 13)
            d.rectangle([tx - 2, ty, tx + 7 * len(label) + 2, ty + 12], fill=colour + (min(alpha, 200),))
            d.text((tx, ty), label, fill=(255, 255, 255, alpha))
        for poly in _polys(f):
            d.polygon([(x * sx, y * sy) for x, y in poly], outline=colour + (alpha,), fill=colour + (50,))
        for x, y in _points(f):
            r = 3
            d.ellipse([x * sx - r, y * sy - r, x * sx + r, y * sy + r], fill=colour + (alpha,))
    return Image.alpha_composite(base, layer).convert("RGB")


def wipe_compare(before: Image.Image, after: Image.Image, position: int) -> Image.Image:
    """Before on the left of `position` percent, after on the right, with a divider line."""
    after = after.convert("RGB")
    before = before.convert("RGB").resize(after.size)
    cut = int(round(after.width * max(0, min(100, position)) / 100))
    out = after.copy()
    if cut > 0:
        out.paste(before.crop((0, 0, cut, after.height)), (0, 0))
    d = ImageDraw.Draw(out)
    d.line([(cut, 0), (cut, after.height)], fill=(255, 255, 255), width=3)
    d.line([(cut, 0), (cut, after.height)], fill=(0, 0, 0), width=1)
    return out


def provenance_summary(findings: list[dict[str, Any]], fix: FixInfo | None) -> list[tuple[str, str]]:
    """(label, text) lines: provenance-family findings and fixer lineage."""
    lines: list[tuple[str, str]] = []
    for f in findings:
        if f.get("check") == "provenance" or str(f.get("code", "")).startswith("PRV"):
            det = f.get("details") or {}
            extra = ", ".join(f"{k}: {det[k]}" for k in ("validation_state", "claim_generator", "signer",
                                                       "issuer", "manifest", "ai_generated", "source_type")
                              if k in det)
            lines.append((f.get("code", "PRV"), f.get("message", "") + (f" ({extra})" if extra else "")))
    if fix is not None:
        lines.append(("lineage", f"fixed from {fix.parent_path or '?'} (sha256 {fix.parent_sha256[:12] or '?'})"))
        for k in ("manifest", "c2pa", "signed"):
            if k in fix.raw:
                lines.append((k, json.dumps(fix.raw[k])[:300]))
    return lines


def fmt_value(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (dict, list)):
        return json.dumps(v)[:120]
    return str(v)
