"""`assetqa index REFS... --out FILE`: build a campaign reference index for the style check.

The index holds the references' style embeddings, the encoder that made them (id with the
weights hash) and the calibration from the references' own spread (see `qa.style_index`).
Point `checks.style.index` at the file; `check` refuses an index built with another encoder.
Exit codes: 0 written, 2 usage/config error (message names the file and reason).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("index", help="build a campaign reference index (style embeddings) from images")
    p.add_argument("refs", nargs="+", metavar="REFS", help="reference image files or folders (at least 3 images)")
    p.add_argument("--out", "-o", required=True, help="index file to write (e.g. campaign.index)")
    p.add_argument("--encoder", default=None,
                   help="effnet-lite0-style (default, offline) or openclip:<model>:<pretrained tag or checkpoint path>")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("--cache-dir", default=None, help="on-disk embedding cache folder (default: $ASSETQA_CACHE_DIR)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from qa.encoders import DEFAULT_ENCODER, EncoderError, cache_dir_from_env, get_encoder, parse_encoder_spec
    from qa.models import process_hub, resolve_device
    from qa.style_index import StyleIndexError, build_index, list_reference_files

    out = Path(args.out)
    spec = args.encoder or DEFAULT_ENCODER
    try:
        parse_encoder_spec(spec)
        files = list_reference_files(args.refs)
        for f in files:
            if out.exists() and os.path.samefile(out, f):
                raise StyleIndexError(f"{out}: refusing to overwrite a reference image with the index")
        if out.is_dir():
            raise StyleIndexError(f"{out}: is a folder; give a file name for the index")
        device = resolve_device(args.device)
        t0 = time.perf_counter()
        encoder = get_encoder(spec, process_hub(device))
        cache = Path(args.cache_dir) if args.cache_dir else cache_dir_from_env()
        index, problems = build_index(args.refs, encoder, parse_encoder_spec(spec).text, cache)
        index.save(out)
    except (StyleIndexError, EncoderError, ValueError) as exc:
        print(f"assetqa index: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"assetqa index: {getattr(exc, 'filename', None) or out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"assetqa index: {problem}", file=sys.stderr)
    loo = index.calibration.get("loo_distances") or []
    print(f"wrote {out}: {len(index.references)} references, encoder {index.encoder_id} "
          f"({encoder.backend}, {encoder.device}), calibration base {index.base:.4f} "
          f"(leave-one-out max {max(loo) / index.base if loo else 0:.2f}x), {time.perf_counter() - t0:.1f}s")
    return 0
