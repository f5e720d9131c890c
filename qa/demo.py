"""The bundled demo campaign: generated from real photos that ship with scikit-image.

`assetqa demo` writes a small "Launch Day" campaign (references, a delivery with
typical generator failures, a campaign file, a test signing chain), then checks
it and writes every report format. Nothing is downloaded.
"""
from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from qa.testing import sample_photo

BRAND_BLUE = (31, 78, 158)
BRAND_ORANGE = (242, 142, 43)
BRAND_CREAM = (246, 239, 226)
OFF_BRAND_MAGENTA = (214, 32, 180)


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans from matplotlib's package data (always installed), else Pillow's default."""
    try:
        import matplotlib

        path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"
        return ImageFont.truetype(str(path), size)
    except Exception:  # noqa: BLE001
        return ImageFont.load_default(size)


def poster(photo: str, size: int = 1080, headline: str = "Launch Day", seed: int = 0,
           accent: tuple[int, int, int] = BRAND_ORANGE) -> Image.Image:
    """A campaign-style square: brand background, a real photo panel, a headline."""
    rng = np.random.default_rng(seed)
    canvas = Image.new("RGB", (size, size), BRAND_CREAM)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle([0, 0, size, int(size * 0.18)], fill=BRAND_BLUE)
    draw.rectangle([0, int(size * 0.9), size, size], fill=accent)
    pic = Image.fromarray(sample_photo(photo))
    box = int(size * 0.62)
    pic = pic.resize((box, int(box * pic.height / pic.width)), Image.Resampling.LANCZOS)
    top = int(size * 0.22) + int(rng.integers(0, 8))
    canvas.paste(pic.crop((0, 0, box, min(pic.height, int(size * 0.64)))), ((size - box) // 2, top))
    draw.text((int(size * 0.06), int(size * 0.045)), headline, font=font(int(size * 0.08)), fill=(255, 255, 255))
    return canvas


def garbled_poster(size: int = 1080) -> Image.Image:
    """A poster whose headline is pseudo-text with Cyrillic look-alikes, as generators produce."""
    return poster("coffee", size, headline="Lаuпch Dху Qzvхj", seed=3)


def build_demo(root: Path) -> dict[str, Path]:
    """Write the demo campaign under `root` and return its main paths."""
    if root.exists():
        shutil.rmtree(root)
    refs = root / "references"
    assets = root / "assets"
    refs.mkdir(parents=True)
    assets.mkdir(parents=True)
    # References: the approved look (same layout and palette, different photos).
    for i, photo in enumerate(("astronaut", "coffee", "chelsea", "rocket", "astronaut", "coffee")):
        poster(photo, 768, seed=10 + i).save(refs / f"ref_{i:02d}.jpg", quality=92)
    # Delivery.
    poster("chelsea", seed=1).save(assets / "01_hero_ok.jpg", quality=92)
    poster("rocket", seed=2).save(assets / "02_social_ok.png")
    poster("astronaut", 480, seed=4).save(assets / "03_low_resolution.jpg", quality=90)
    wide = poster("coffee", seed=5).resize((1350, 1080), Image.Resampling.LANCZOS)
    wide.save(assets / "04_wrong_aspect.jpg", quality=90)
    poster("astronaut", 360, seed=6).resize((1080, 1080), Image.Resampling.BICUBIC).save(
        assets / "05_upscaled_soft.jpg", quality=92)
    off = poster("rocket", seed=7, accent=OFF_BRAND_MAGENTA)
    ImageDraw.Draw(off).rectangle([700, 250, 1050, 800], fill=OFF_BRAND_MAGENTA)
    off.save(assets / "06_off_palette.png")
    garbled_poster().save(assets / "07_garbled_text.png")
    poster("chelsea", seed=8, headline="Globex Sale").save(assets / "08_forbidden_copy.jpg", quality=92)
    blurred = poster("coffee", seed=9).filter(ImageFilter.GaussianBlur(4))
    blurred.save(assets / "09_blurry.jpg", quality=92)
    good = io.BytesIO()
    poster("rocket", seed=11).save(good, format="JPEG", quality=92)
    (assets / "10_truncated.jpg").write_bytes(good.getvalue()[: len(good.getvalue()) // 2])
    (assets / "11_empty.png").write_bytes(b"")
    poster("chelsea", seed=12).save(assets / "12_png_named_jpg.jpg", format="PNG")
    paths = {"root": root, "references": refs, "assets": assets}
    paths.update(_sign_demo(root, assets))
    campaign = root / "campaign.yaml"
    campaign.write_text(_campaign_yaml(paths), encoding="utf-8")
    paths["campaign"] = campaign
    return paths


def _sign_demo(root: Path, assets: Path) -> dict[str, Path]:
    """Sign the 'good' assets with a generated test chain; tamper one signed copy."""
    try:
        from qa.c2pa_tools import generate_test_chain, sign_created
    except ImportError:
        return {}
    chain = generate_test_chain(root / "certs")
    signed = []
    for name in ("01_hero_ok.jpg", "02_social_ok.png"):
        src = assets / name
        tmp = src.with_name(src.stem + ".signing" + src.suffix)
        sign_created(src, tmp, chain, ai_generated=True, title=name)
        tmp.replace(src)
        signed.append(src)
    tampered = assets / "13_tampered_signature.jpg"
    data = bytearray((assets / "01_hero_ok.jpg").read_bytes())
    data[-2000] ^= 0xFF  # a pixel-data byte: the manifest's hash no longer matches
    tampered.write_bytes(bytes(data))
    return {"trust_anchors": Path(chain.root_pem)}


def _campaign_yaml(paths: dict[str, Path]) -> str:
    anchors = f"    trust_anchors: {paths['trust_anchors'].relative_to(paths['root'])}\n" if "trust_anchors" in paths else ""
    return (
        "# Demo campaign generated by `assetqa demo`.\n"
        "extends: example-campaign\n"
        "name: demo-launch-day\n"
        "checks:\n"
        "  style:\n"
        "    references: references\n"
        "  provenance:\n"
        f"{anchors}"
        + ("fix:\n  sign_chain: certs\n" if "trust_anchors" in paths else "")
    )


def run_demo(root: Path, out: Path, device: str = "auto", fix: bool = False) -> int:
    """Build the demo, check it, write all report formats; return the check's exit code."""
    from qa import report as writers
    from qa.config import load_config
    from qa.engine import Engine

    print(f"assetqa demo: generating campaign in {root}/", file=sys.stderr)
    paths = build_demo(root)
    config = load_config(paths["campaign"])
    engine = Engine(config, device=device, use_cache=False, jobs=1)
    report = engine.check_paths([paths["assets"]])
    out.mkdir(parents=True, exist_ok=True)
    for fmt, ext in (("json", "json"), ("sarif", "sarif"), ("junit", "xml"), ("html", "html"), ("gitlab", "gitlab.json")):
        writers.write(report, fmt, out / f"report.{ext}")
    print(writers.render_text(report, color=sys.stdout.isatty()))
    print(f"assetqa demo: reports in {out}/ (report.json, .sarif, .xml, .html); "
          f"review with: assetqa dashboard {out / 'report.json'}", file=sys.stderr)
    code = report.exit_code()
    if fix:
        try:
            from qa.cli import main as cli_main
        except ImportError:
            return code
        fix_code = cli_main(["fix", str(paths["assets"]), "--rules", str(paths["campaign"]), "--out",
                             str(out / "fixed"), "--unsafe-fixes", "--device", device])
        print(f"assetqa demo: fix exited {fix_code}; fixed assets in {out / 'fixed'}", file=sys.stderr)
    # The demo's job is to show failures: it exits 0 when the run itself worked.
    summary = report.summary()
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return 0 if code in (0, 1) else code
