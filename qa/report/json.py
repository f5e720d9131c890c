"""JSON: the canonical report (`Report.to_dict()`); every other format renders from the same dict.

Top-level keys: `schema_version`, `tool` {name, version}, `report_id`, `created`, `rules`
{name, hash, path, fail_on, selected}, `models` {name: id}, `device`, `interrupted`, `summary`,
and `assets`: each with `path`, `sha256`, `width`, `height`, `format`, `status`
(pass|fail|error), `cached` and `findings` (`code`, `check`, `severity`, `message`,
`score` 0..1 with 1 good, `value`, `threshold`, optional `region` {x,y,w,h}, `fix`,
`details`, `waived` + `waiver`). Strict JSON: NaN/inf are written as null.
"""
from __future__ import annotations

import json as _json

from qa.report._common import report_data
from qa.types import Report


def render(report: Report) -> str:
    return _json.dumps(report_data(report), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
