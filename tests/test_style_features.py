"""Style encoder feature version 5 and the prior's reference-count mix (no network, no torch)."""
from __future__ import annotations

import numpy as np

from evals.style import apply_look
from qa import encoders as enc_mod
from qa.style_index import prior_mix
from qa.testing import sample_photo


def _stats(look: str) -> dict[str, float]:
    img = enc_mod.colour_input(sample_photo("astronaut"))
    row = enc_mod.colour_stats(apply_look(img, look))
    assert row.shape == (enc_mod.COLOUR_DIM,) and np.isfinite(row).all()
    return dict(zip(enc_mod.COLOUR_NAMES, (float(v) for v in row)))


def test_grade_features_move_with_the_grade() -> None:
    """A warm cast tints edges yellow (blue edges weaker) and warms bright edges; a cool one the
    opposite; a lifted (matte) black point washes out the saturation of the shadows; B&W has none."""
    neutral, warm, cool, bw = (_stats(lk) for lk in ("neutral", "warm_film", "cool_matte", "bw"))
    assert warm["edge_cast_b_l1"] < neutral["edge_cast_b_l1"] < cool["edge_cast_b_l1"]
    assert warm["edge_tint_slope_b"] > 0.3 > abs(neutral["edge_tint_slope_b"]) and cool["edge_tint_slope_b"] < -0.3
    assert warm["sat_shadow_p50"] < 0.6 * neutral["sat_shadow_p50"]
    assert bw["sat_p99"] == 0.0 and abs(bw["edge_tint_slope_a"]) < 1e-3 and abs(bw["edge_tint_slope_b"]) < 1e-3


def test_tiny_images_give_finite_grade_features() -> None:
    """A thin banner is one pixel high after the colour downscale: no crash, finite statistics."""
    for shape in ((1, 1, 3), (1, 7, 3), (30, 30, 3)):
        row = enc_mod.colour_stats(np.full(shape, 90, np.uint8))
        assert row.shape == (enc_mod.COLOUR_DIM,) and np.isfinite(row).all()


def test_prior_mix_falls_with_the_number_of_references() -> None:
    prior = {"pseudo_count": 4.0, "pseudo_power": 3.0}
    mixes = [prior_mix(prior, n) for n in (3, 6, 24, 72)]
    assert mixes == sorted(mixes, reverse=True)
    assert 0.05 < prior_mix(prior, 6) < 0.15 and prior_mix(prior, 24) < 0.005
    assert prior_mix({"pseudo_count": 0.0}, 5) == 0.0
    assert prior_mix({"shrink": 0.1}, 5) == 0.1  # priors written before the pseudo count
