"""Hand anatomy: extra, missing or fused fingers, boneless bends, floating hands.

Generated images often get hands wrong. This family finds hands with MediaPipe (palm
detection + 21-point hand landmarks, weights shipped in the `mediapipe==0.10.21` wheel)
and combines independent signals per hand:

1. **Landmark confidence**: the handedness classification score of the landmark model
   (close to 0.5 = the model cannot tell what it sees).
2. **Geometric plausibility** of the 21 landmarks: phalanx length ratios against the
   palm length (world coordinates, metres), bend angles at PIP/DIP joints beyond
   anatomical limits, sideways ("boneless") bends out of the flexion plane, and
   crossings of finger segments in the image plane (thumb excluded).
3. **Silhouette vs landmarks**: a skin/background colour model is fitted from pixels
   on the landmark skeleton and around the hand; the skin silhouette is compared with
   what the landmarks explain. Finger-shaped skin blobs attached to the hand that no
   landmark finger explains are extra fingers; landmark fingers lying over background
   are missing fingers; adjacent extended fingers with no gap and no crease between
   them are fused. A landmark finger whose 3-D proximal phalanx collapses to a fraction of
   its human length is a finger the model squeezed in where there is none (missing).
4. **Test-time augmentation**: the image is also checked mirrored; the landmarks of an
   ambiguous hand disagree with themselves (distance normalised by hand size), or the
   hand disappears.
5. **Attachment**: a hand whose wrist is near no wrist of the pose skeleton, whose
   forearm does not continue beyond the wrist (colour continuity) and which does not
   leave the frame is floating; more hands than the detected bodies can have are
   flagged too.

Each finding carries the hand's box padded for inpainting (`region_pad`).
Thresholds (defaults) were chosen on the tuning split of `python -m evals.anatomy` under a
4% false-positive budget on clean hands. On that data three signals bought only false
positives and ship switched off (they stay available as options): the skin coverage of
landmark fingers and the widest finger gap (ANA002), and the uncertainty signals of ANA005
(handedness score, mirror TTA; `tta` is off by default, which also saves one inference).

Limitations: the evaluation set is built from hands rendered procedurally (no package
ships real photos of hands; see evals/anatomy.py) composited on real photos; a forearm
in a sleeve of a very different colour, with no pose skeleton found, can read as
floating; a finger missing because it is curled into the palm is anatomically fine and
not flagged.
"""
from __future__ import annotations

from typing import Any

import numpy as np

import qa.hands  # noqa: F401  (registers the mediapipe loaders; imports no mediapipe itself)
from qa.asset import Asset
from qa.context import CheckContext
from qa.registry import Checker, Option, Rule, register
from qa.types import Finding, Region, Severity

_FIX = "Inpaint the hand region (regenerate the hand) or retouch it by hand; re-run the check."

ANA001 = Rule(
    code="ANA001", name="extra-fingers", check="anatomy", severity=Severity.ERROR,
    what="A hand has a finger-shaped part that the hand's 21 landmarks do not explain (a sixth finger).",
    why="Extra fingers are the best-known tell of generated imagery; viewers notice them and trust the brand less.",
    fix=_FIX, fix_safety="unsafe", fixer="inpaint",
)
ANA002 = Rule(
    code="ANA002", name="missing-fingers", check="anatomy", severity=Severity.ERROR,
    what="A landmark finger lies over background (the finger is missing) or two extended fingers are fused "
    "(no gap or crease between them).",
    why="Missing or fused fingers read as deformities or generation artifacts.",
    fix=_FIX, fix_safety="unsafe", fixer="inpaint",
)
ANA003 = Rule(
    code="ANA003", name="implausible-joints", check="anatomy", severity=Severity.WARNING,
    what="The hand's landmarks bend beyond joint limits, sideways out of the flexion plane, have phalanx "
    "lengths far from human proportions, or fingers cross each other.",
    why="Boneless or twisted fingers look wrong even when the count is right.",
    fix=_FIX, fix_safety="unsafe", fixer="inpaint",
)
ANA004 = Rule(
    code="ANA004", name="floating-hand", check="anatomy", severity=Severity.WARNING,
    what="A hand has no arm: no wrist of a body skeleton near it, no forearm continuing beyond its wrist, and it "
    "does not leave the frame; or there are more hands than the detected bodies can have.",
    why="Disembodied hands are a common compositing/generation error.",
    fix=_FIX, fix_safety="unsafe", fixer="inpaint",
)
ANA005 = Rule(
    code="ANA005", name="uncertain-hand", check="anatomy", severity=Severity.WARNING,
    what="The hand model is unsure (low handedness score) or disagrees with itself when the image is mirrored.",
    why="Ambiguous hands are often malformed in ways the other signals cannot pin down; a reviewer should look.",
    fix=_FIX, fix_safety="unsafe", fixer="inpaint",
)

# Typical phalanx lengths relative to the palm length (wrist -> middle MCP), index..pinky:
# (proximal, middle, distal). From hand-anthropometry averages; tolerance is multiplicative.
_PHALANX = {
    1: (0.46, 0.27, 0.21),
    2: (0.50, 0.31, 0.22),
    3: (0.47, 0.30, 0.22),
    4: (0.37, 0.21, 0.20),
}
_CLASS = ("thumb", "index", "middle", "ring", "pinky")


@register
class AnatomyChecker(Checker):
    """Hands: finger count, joint plausibility, attachment to a body, model certainty."""

    family = "anatomy"
    description = "Hand anatomy (extra/missing/fused fingers, boneless joints, floating hands) with MediaPipe."
    rules = (ANA001, ANA002, ANA003, ANA004, ANA005)
    uses_models = True
    version = "1"
    options = (
        Option("max_side", 1024, "Longer side (px) of the copy the hand model sees."),
        Option("max_hands", 4, "Most hands detected per image."),
        Option("min_detection", 0.5, "Palm detection confidence for a hand to be considered."),
        Option("min_hand_px", 40, "Ignore hands whose palm (wrist to middle knuckle) is shorter than this, in px of "
               "the working copy."),
        Option("extra_finger_min", 1.2, "ANA001: unexplained finger-shaped skin area, in expected finger areas."),
        Option("extra_runs_min", 0.3, "ANA001: fraction of the three cuts across the fingers that show a finger no "
               "landmark finger crosses."),
        Option("lost_runs_min", 0.3, "ANA002: fraction of cuts where landmark fingers share one skin run or cross "
               "background (fused or missing fingers)."),
        Option("missing_gap_min", 9.0, "ANA002: widest gap between neighbouring fingers just beyond the knuckles, in "
               "palm lengths (a removed finger leaves a wide gap). Off (9) by default: it cost false positives on "
               "the tuning split."),
        Option("collapsed_min", 0.75, "ANA002: a landmark finger whose proximal phalanx is this many halvings "
               "shorter than human proportions (3-D world landmarks; folding does not shorten bones) is missing."),
        Option("missing_coverage_max", -1.0, "ANA002: a landmark finger with less skin than this fraction along it "
               "is missing. Off (-1) by default: it cost false positives on the tuning split."),
        Option("fused_min", 0.6, "ANA002: fusion score (no gap, no crease between adjacent fingers) at which "
               "fingers count as fused."),
        Option("joint_limit", 1.1, "ANA003: geometry score (1 = at the anatomical limits) above which joints are "
               "implausible."),
        Option("min_handedness", 0.0, "ANA005: handedness score below which the hand is uncertain. Off (0) by "
               "default: on the evaluation set clean hands scored as low as artifacts."),
        Option("tta", False, "Re-check the mirrored image and compare (test-time augmentation, ANA005); costs one "
               "more hand inference per image with hands. Off by default: it added no recall within the "
               "false-positive budget on the tuning split."),
        Option("tta_scale", 0.0, "Also re-check at this scale (e.g. 0.8); 0 disables."),
        Option("tta_max_disagreement", 9.0, "ANA005: mean landmark shift between augmentations, in hand sizes "
               "(1.0 = the hand vanished); 9 disables. Try 0.3 with `tta: true`."),
        Option("pose", True, "Use the pose skeleton to tell attached from floating hands (ANA004)."),
        Option("attach_distance", 1.0, "A pose wrist within this many hand sizes of the hand's wrist attaches it."),
        Option("forearm_min", 0.2, "Fraction of hand-coloured pixels beyond the wrist that counts as a forearm."),
        Option("region_pad", 0.3, "Padding of the finding region around the hand (fraction of the box, or px if >= 1)."),
    )

    @staticmethod
    def validate_options(opts: dict[str, Any]) -> list[str]:
        errors = []
        if "max_side" in opts and int(opts["max_side"]) < 64:
            errors.append(f"max_side: {opts['max_side']!r} is too small (>= 64)")
        if "tta_scale" in opts and not 0 <= float(opts["tta_scale"]) < 1:
            errors.append(f"tta_scale: {opts['tta_scale']!r} must be in [0, 1) (0 disables)")
        if "max_hands" in opts and int(opts["max_hands"]) < 1:
            errors.append("max_hands: must be at least 1")
        return errors

    def model_ids(self, ctx: CheckContext) -> dict[str, str]:
        from qa.hands import HAND_FILES, POSE_FILES, _weights_id

        ids = {"mediapipe-hands": _weights_id(HAND_FILES)}
        if ctx.options.get("pose", True):
            ids["mediapipe-pose"] = _weights_id(POSE_FILES)
        return ids

    # ------------------------------------------------------------------ running
    def check(self, asset: Asset, ctx: CheckContext) -> list[Finding]:
        return self.check_batch([asset], ctx)[0]

    def check_batch(self, assets: list[Asset], ctx: CheckContext) -> list[list[Finding]]:
        o = ctx.options
        detector = ctx.models.get("mediapipe-hands", max_num_hands=int(o["max_hands"]),
                                  min_detection_confidence=float(o["min_detection"]))
        out = []
        for asset in assets:
            try:
                out.append(self._check_one(asset, ctx, detector))
            except RuntimeError as exc:  # pixels not decoded
                out.append([ANA005.finding(f"{asset.display_path}: cannot check hands: {exc}", score=0.5)])
        return out

    def analyse(self, asset: Asset, ctx: CheckContext, detector: Any = None) -> dict[str, Any]:
        """All signals for every hand (used by the checker and the evaluation script)."""
        o = ctx.options
        if detector is None:
            detector = ctx.models.get("mediapipe-hands", max_num_hands=int(o["max_hands"]),
                                      min_detection_confidence=float(o["min_detection"]))
        img = asset.resized(int(o["max_side"]))
        if img.ndim == 2:
            img = np.stack([img] * 3, axis=-1)
        img = np.ascontiguousarray(img[..., :3])
        hands = [h for h in detector.detect(img) if h.size >= float(o["min_hand_px"])]
        result: dict[str, Any] = {"hands": [], "persons": 0, "scale": asset.width / img.shape[1]}
        if not hands:
            return result
        flipped: list[Any] = []
        scaled: list[Any] = []
        if o.get("tta", True):
            flipped = detector.detect(np.ascontiguousarray(img[:, ::-1]))
            for h in flipped:
                h.xy[:, 0] = img.shape[1] - h.xy[:, 0]
        ts = float(o.get("tta_scale") or 0)
        if 0 < ts < 1:
            from PIL import Image

            small = np.asarray(Image.fromarray(img).resize((max(1, round(img.shape[1] * ts)),
                                                            max(1, round(img.shape[0] * ts))), Image.Resampling.BOX))
            scaled = detector.detect(small)
            for h in scaled:
                h.xy /= ts
        sigs = []
        for hand in hands:
            sig = hand_signals(img, hand, o)
            sig["tta"] = _tta_disagreement(hand, flipped, scaled, bool(o.get("tta", True)), ts)
            sig.update(_attachment(img, hand, [], o, sig))
            sigs.append(sig)
        # The pose skeleton only matters for hands that nothing else attaches (or to count bodies).
        persons: list[Any] = []
        if o.get("pose", True) and (any(is_floating(sg, o) for sg in sigs) or len(hands) > 2):
            pose = ctx.models.get("mediapipe-pose")
            persons = pose.detect(img)
            if persons:
                sigs = [{**sg, **_attachment(img, h, persons, o, sg)} for h, sg in zip(hands, sigs)]
        result["persons"] = len(persons)
        for hand, sig in zip(hands, sigs):
            result["hands"].append({"hand": hand, "signals": sig})
        # More hands than the bodies can have: the least attached ones are flagged.
        n_bodies = max(1, len(persons))
        if len(hands) > 2 * n_bodies:
            order = sorted(range(len(hands)), key=lambda i: (result["hands"][i]["signals"]["attach_score"],
                                                               hands[i].score))
            for i in order[: len(hands) - 2 * n_bodies]:
                result["hands"][i]["signals"]["too_many_hands"] = True
        return result

    def _check_one(self, asset: Asset, ctx: CheckContext, detector: Any) -> list[Finding]:
        o = ctx.options
        res = self.analyse(asset, ctx, detector)
        findings: list[Finding] = []
        for idx, item in enumerate(res["hands"]):
            hand, s = item["hand"], item["signals"]
            region = _region(hand, s, res["scale"], float(o["region_pad"]), asset.width, asset.height)
            base = {"hand": idx, "handedness": hand.label, "handedness_score": round(hand.score, 3),
                    "signals": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in s.items()
                                if k != "extra_boxes" and not k.startswith("_")}}
            fire = fired(s, hand.score, o)
            if fire["ANA001"]:
                findings.append(ANA001.finding(
                    f"hand {idx + 1}: finger-shaped part not explained by the hand's landmarks "
                    f"({s['extra']:.2f} finger areas; unexplained finger in {s['extra_runs']:.0%} of cuts)",
                    score=max(0.0, 1 - max(s["extra"] / 2, s["extra_runs"])),
                    value={"extra": round(s["extra"], 3), "extra_runs": round(s["extra_runs"], 3)},
                    threshold={"extra_finger_min": float(o["extra_finger_min"]),
                               "extra_runs_min": float(o["extra_runs_min"])},
                    region=region, details=base))
            if fire["ANA002"]:
                missing = s["coverage_min"] <= float(o["missing_coverage_max"])
                what = []
                if missing:
                    what.append(f"{s['coverage_finger']} finger lies over background "
                                f"({s['coverage_min']:.0%} skin along it)")
                if s["fused"] >= float(o["fused_min"]):
                    what.append(f"{s['fused_pair']} fingers look fused (score {s['fused']:.2f})")
                if s["lost_runs"] >= float(o["lost_runs_min"]):
                    what.append(f"fewer separate fingers than landmark fingers in {s['lost_runs']:.0%} of cuts")
                if s.get("collapsed", 0.0) >= float(o["collapsed_min"]):
                    what.append(f"the {s['collapsed_finger']} finger's landmarks collapse "
                                f"(proximal phalanx {2 ** -s['collapsed']:.0%} of its usual length)")
                if s["gap_max"] >= float(o["missing_gap_min"]):
                    what.append(f"a gap of {s['gap_max']:.2f} palm lengths between neighbouring fingers")
                findings.append(ANA002.finding(
                    f"hand {idx + 1}: " + "; ".join(what),
                    score=min(s["coverage_min"], 1 - s["fused"]) if missing else 1 - s["fused"],
                    value={"coverage_min": round(s["coverage_min"], 3), "fused": round(s["fused"], 3)},
                    threshold={"missing_coverage_max": float(o["missing_coverage_max"]),
                               "fused_min": float(o["fused_min"])},
                    region=region, details={**base, "kind": "missing" if missing else "fused"}))
            if fire["ANA003"]:
                findings.append(ANA003.finding(
                    f"hand {idx + 1}: implausible joints ({s['geometry_reason']}, score {s['geometry']:.2f})",
                    score=max(0.0, 1 - s["geometry"] / 2), value=round(s["geometry"], 3),
                    threshold=float(o["joint_limit"]), region=region, details=base))
            if fire["ANA004"]:
                why = "more hands than the detected bodies can have" if s.get("too_many_hands") else \
                    "no arm: no body wrist near it, no forearm beyond the wrist, not cut by the frame"
                findings.append(ANA004.finding(
                    f"hand {idx + 1}: {why}", score=float(s["attach_score"]), value=round(s["attach_score"], 3),
                    threshold=float(o["forearm_min"]), region=region, details=base))
            if fire["ANA005"]:
                findings.append(ANA005.finding(
                    f"hand {idx + 1}: the hand model is unsure (handedness {hand.score:.2f}, "
                    f"mirror disagreement {s['tta']:.2f} hand sizes)",
                    score=min(hand.score, 1 - min(1.0, s["tta"])), value={"handedness": round(hand.score, 3),
                                                                          "tta": round(s["tta"], 3)},
                    threshold={"min_handedness": float(o["min_handedness"]),
                               "tta_max_disagreement": float(o["tta_max_disagreement"])},
                    region=region, details=base))
        return findings


def is_floating(s: dict[str, Any], o: dict[str, Any]) -> bool:
    near_body = 0 <= s["pose_wrist_distance"] <= float(o["attach_distance"])
    return not (near_body or s["cut_by_frame"] or s["forearm"] >= float(o["forearm_min"]))


def fired(s: dict[str, Any], handedness: float, o: dict[str, Any]) -> dict[str, bool]:
    """Which rules one hand's signals trigger under options `o` (shared with the evaluation)."""
    out = {
        "ANA001": s["extra"] >= float(o["extra_finger_min"]) or s["extra_runs"] >= float(o["extra_runs_min"]),
        "ANA002": (s["coverage_min"] <= float(o["missing_coverage_max"]) or s["fused"] >= float(o["fused_min"])
                   or s["lost_runs"] >= float(o["lost_runs_min"]) or s["gap_max"] >= float(o["missing_gap_min"])
                   or s.get("collapsed", 0.0) >= float(o["collapsed_min"])),
        "ANA003": s["geometry"] >= float(o["joint_limit"]),
        "ANA004": bool(is_floating(s, o) or s.get("too_many_hands")),
    }
    uncertain = handedness < float(o["min_handedness"]) or s["tta"] > float(o["tta_max_disagreement"])
    out["ANA005"] = bool(uncertain and not (out["ANA001"] or out["ANA002"] or out["ANA003"]))
    return out


# ---------------------------------------------------------------------- signals
def _to_lab(img: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(img, cv2.COLOR_RGB2LAB).astype(np.float32)


def _runs(vals: np.ndarray, lv: np.ndarray, min_len: int) -> list[tuple[int, int]]:
    """Runs of 1s in `vals`, split at lightness creases (a dip of 10% below both sides)."""
    out: list[tuple[int, int]] = []
    n = len(vals)
    i = 0
    while i < n:
        if not vals[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and vals[j + 1]:
            j += 1
        start = i
        for m in range(i + min_len, j - min_len + 1):
            left = lv[max(i, m - 2 * min_len):m].max()
            right = lv[m + 1:min(j + 1, m + 1 + 2 * min_len)].max()
            if lv[m] < 0.9 * min(left, right) and lv[m] == lv[max(i, m - 2):m + 3].min():
                if m - 1 - start + 1 >= min_len:
                    out.append((start, m - 1))
                start = m + 1
        if j - start + 1 >= min_len:
            out.append((start, j))
        i = j + 1
    return out


def _cross_line(chain: np.ndarray, origin: np.ndarray, axis: np.ndarray, side: np.ndarray) -> float | None:
    """Where a landmark polyline crosses the line origin + t*side (t), or None."""
    d = (chain - origin) @ axis
    for k in range(len(chain) - 1):
        if d[k] == d[k + 1]:
            continue
        if (d[k] <= 0 <= d[k + 1]) or (d[k + 1] <= 0 <= d[k]):
            u = d[k] / (d[k] - d[k + 1])
            p = chain[k] + u * (chain[k + 1] - chain[k])
            return float((p - origin) @ side)
    return None


def _sample_segment(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    t = np.linspace(0.0, 1.0, n)[:, None]
    return a[None, :] * (1 - t) + b[None, :] * t


def _lookup(arr: np.ndarray, pts: np.ndarray) -> np.ndarray:
    h, w = arr.shape[:2]
    xi = np.clip(np.round(pts[:, 0]).astype(int), 0, w - 1)
    yi = np.clip(np.round(pts[:, 1]).astype(int), 0, h - 1)
    return arr[yi, xi]


def _inside(pts: np.ndarray, w: int, h: int) -> np.ndarray:
    return (pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)


def collapsed_finger(hand: Any) -> tuple[float, str]:
    """How much shorter than human proportions the shortest proximal phalanx is (log2 units).

    World landmarks are 3-D, so folding a finger does not shorten its bones; a proximal phalanx
    at a quarter of its usual length means the landmark model squeezed a finger that is not
    there (seen on hands with a finger removed). 1.0 = half the usual length.
    """
    from qa.hands import FINGERS

    W = hand.world
    palm = float(np.linalg.norm(W[9] - W[0]))
    if palm < 1e-6:
        return 0.0, ""
    worst, name = 0.0, ""
    for fi in (1, 2, 3, 4):
        f = FINGERS[fi]
        length = float(np.linalg.norm(W[f[1]] - W[f[0]])) / palm
        short = float(np.log2(_PHALANX[fi][0] / max(length, 1e-4)))
        if short > worst:
            worst, name = short, _CLASS[fi]
    return worst, name


def geometry_score(hand: Any) -> tuple[float, str]:
    """1.0 = at the anatomical limits; above = implausible. Uses world (metric) landmarks."""
    from qa.hands import FINGERS

    W = hand.world
    palm = float(np.linalg.norm(W[9] - W[0]))
    if palm < 1e-6:
        return 0.0, "no world landmarks"
    scores: list[tuple[float, str]] = []
    # Phalanx length ratios: a factor of 2 off the human average reaches 1.0.
    for fi in (1, 2, 3, 4):
        f = FINGERS[fi]
        for k in range(3):
            length = float(np.linalg.norm(W[f[k + 1]] - W[f[k]])) / palm
            dev = abs(np.log(max(length, 1e-4) / _PHALANX[fi][k])) / np.log(2.0)
            scores.append((dev, f"{_CLASS[fi]} phalanx {k + 1} length {length:.2f} palm"))
    # Bend angles (PIP <= ~110 deg, DIP <= ~90 deg flexion) and sideways bends (<= ~30 deg).
    n = np.cross(W[5] - W[0], W[17] - W[0])
    n = n / (np.linalg.norm(n) + 1e-9)
    for fi in (1, 2, 3, 4):
        f = FINGERS[fi]
        axis = W[f[1]] - W[f[0]]
        side = np.cross(n, axis)
        side = side / (np.linalg.norm(side) + 1e-9)
        for k, limit in ((1, 115.0), (2, 95.0)):
            b1 = W[f[k]] - W[f[k - 1]]
            b2 = W[f[k + 1]] - W[f[k]]
            cos = float(np.dot(b1, b2) / (np.linalg.norm(b1) * np.linalg.norm(b2) + 1e-9))
            bend = float(np.degrees(np.arccos(np.clip(cos, -1, 1))))
            scores.append((bend / limit, f"{_CLASS[fi]} {'PIP' if k == 1 else 'DIP'} bends {bend:.0f} deg"))
            lat1 = float(np.dot(b1, side) / (np.linalg.norm(b1) + 1e-9))
            lat2 = float(np.dot(b2, side) / (np.linalg.norm(b2) + 1e-9))
            lat = abs(np.degrees(np.arcsin(np.clip(lat2, -1, 1)) - np.arcsin(np.clip(lat1, -1, 1))))
            scores.append((lat / 35.0, f"{_CLASS[fi]} {'PIP' if k == 1 else 'DIP'} bends sideways {lat:.0f} deg"))
    # Crossings of finger segments (index..pinky) in the image plane.
    segs = []
    for fi in (1, 2, 3, 4):
        f = FINGERS[fi]
        for k in range(3):
            segs.append((fi, hand.xy[f[k]], hand.xy[f[k + 1]]))
    crossings = 0
    for i in range(len(segs)):
        for j in range(i + 1, len(segs)):
            if segs[i][0] != segs[j][0] and _segments_cross(segs[i][1], segs[i][2], segs[j][1], segs[j][2]):
                crossings += 1
    if crossings:
        scores.append((0.8 + 0.2 * crossings, f"{crossings} finger crossing(s)"))
    best = max(scores, key=lambda s: s[0])
    return float(best[0]), best[1]


def _segments_cross(p1: np.ndarray, p2: np.ndarray, q1: np.ndarray, q2: np.ndarray) -> bool:
    def orient(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
        return float((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))

    d1, d2 = orient(q1, q2, p1), orient(q1, q2, p2)
    d3, d4 = orient(p1, p2, q1), orient(p1, p2, q2)
    return (d1 * d2 < 0) and (d3 * d4 < 0)


def _skin_model(lab: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, float]:
    """Median Lab colour on the landmark skeleton and its spread."""
    from qa.hands import FINGERS

    h, w = lab.shape[:2]
    pts = []
    for f in FINGERS:
        chain = [0] + list(f) if f[0] != 1 else list(f)
        for a, b in zip(chain[:-1], chain[1:]):
            pts.append(_sample_segment(xy[a], xy[b], 8))
    palm_c = xy[[0, 5, 9, 13, 17]].mean(axis=0)
    for k in (0, 5, 9, 13, 17, 1):
        pts.append(_sample_segment(palm_c, xy[k], 6))
    p = np.concatenate(pts)
    p = p[_inside(p, w, h)]
    if len(p) == 0:
        return np.array([128, 128, 128], np.float32), 20.0
    vals = _lookup(lab, p)
    med = np.median(vals, axis=0)
    dist = np.linalg.norm((vals - med) * np.array([0.35, 1.0, 1.0], np.float32), axis=1)
    spread = float(np.percentile(dist, 70))
    return med, spread


def hand_signals(img: np.ndarray, hand: Any, o: dict[str, Any]) -> dict[str, Any]:
    """Silhouette and geometry signals for one hand (working-image coordinates)."""
    import cv2

    from qa.hands import FINGERS

    H, W = img.shape[:2]
    size = hand.size
    geo, reason = geometry_score(hand)
    collapsed, collapsed_name = collapsed_finger(hand)
    # Crop around the hand (generous on all sides so the forearm region is included).
    x0, y0, x1, y1 = hand.box
    pad = 1.1 * size
    cx0, cy0 = int(max(0, np.floor(x0 - pad))), int(max(0, np.floor(y0 - pad)))
    cx1, cy1 = int(min(W, np.ceil(x1 + pad))), int(min(H, np.ceil(y1 + pad)))
    crop = img[cy0:cy1, cx0:cx1]
    k = 64.0 / size  # work at ~64 px per palm length
    cw, ch = max(8, int(round(crop.shape[1] * k))), max(8, int(round(crop.shape[0] * k)))
    crop = _to_lab(cv2.resize(crop, (cw, ch), interpolation=cv2.INTER_AREA))
    kx, ky = cw / max(1, (cx1 - cx0)), ch / max(1, (cy1 - cy0))
    xy = (hand.xy - [cx0, cy0]) * [kx, ky]
    s = 64.0 * (kx + ky) / (2 * k)  # palm length in crop px (~64)
    fw = 0.2 * s  # expected finger width

    skin_c, spread = _skin_model(crop, xy)
    # Background colours: k-means on pixels away from the landmark skeleton.
    skel = np.zeros((ch, cw), np.uint8)
    for f in FINGERS:
        chain = [0] + list(f)
        for a, b in zip(chain[:-1], chain[1:]):
            cv2.line(skel, tuple(np.round(xy[a]).astype(int)), tuple(np.round(xy[b]).astype(int)), 255,
                     max(1, int(round(fw * 0.9))))
    hull = cv2.convexHull(np.round(xy).astype(np.int32))
    near = skel.copy()
    cv2.fillConvexPoly(near, hull, 255)
    near = cv2.dilate(near, np.ones((3, 3), np.uint8), iterations=max(1, int(round(0.35 * s))))
    bg_px = crop[near == 0]
    # Shading changes lightness far more than chroma: weigh L down in colour distances.
    wts = np.array([0.35, 1.0, 1.0], np.float32)
    flat = crop.reshape(-1, 3) * wts
    sc = skin_c * wts
    d_skin = np.linalg.norm(flat - sc, axis=1)
    tol = max(8.0, 2.5 * spread)
    if len(bg_px) >= 16:
        rng = np.random.default_rng(0)
        sample = (bg_px[rng.choice(len(bg_px), size=min(len(bg_px), 800), replace=False)] * wts).astype(np.float32)
        K = 4 if len(sample) >= 64 else 1
        crit = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 1.0)
        _, _, centers = cv2.kmeans(sample, K, None, crit, 1, cv2.KMEANS_PP_CENTERS)
        # Drop background clusters that are really skin (the forearm or a pasted extra finger).
        centers = centers[np.linalg.norm(centers - sc, axis=1) > 1.2 * tol]
        if len(centers):
            d_bg = np.min(np.linalg.norm(flat[:, None, :] - centers[None], axis=2), axis=1)
        else:
            d_bg = np.full(len(flat), np.inf)
    else:
        d_bg = np.full(len(flat), np.inf)
    skin = ((d_skin < tol) & (d_skin < d_bg)).reshape(ch, cw).astype(np.uint8)
    skin = cv2.morphologyEx(skin, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))

    # Hand axis: wrist -> middle of the knuckles; "behind the wrist" is the forearm.
    knuckles = xy[[5, 9, 13, 17]].mean(axis=0)
    axis = knuckles - xy[0]
    axis = axis / (np.linalg.norm(axis) + 1e-9)
    yy, xx = np.mgrid[0:ch, 0:cw]
    proj = (xx - xy[0][0]) * axis[0] + (yy - xy[0][1]) * axis[1]

    # What the landmarks explain: palm polygon + finger capsules.
    explained = np.zeros((ch, cw), np.uint8)
    side_v = np.array([-axis[1], axis[0]])
    palm_pts = np.round(np.vstack([xy[[0, 1, 2, 5, 9, 13, 17]], xy[0] + side_v * 0.4 * s, xy[0] - side_v * 0.4 * s])
                        ).astype(np.int32)
    cv2.fillConvexPoly(explained, cv2.convexHull(palm_pts), 1)
    for f in FINGERS:
        chain = list(f)
        tip_ext = xy[chain[-1]] + 0.25 * (xy[chain[-1]] - xy[chain[-2]])
        pts = [xy[c] for c in chain] + [tip_ext]
        for a, b in zip(pts[:-1], pts[1:]):
            cv2.line(explained, tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int)), 1,
                     max(1, int(round(fw * 1.6))))
    explained = cv2.dilate(explained, np.ones((3, 3), np.uint8), iterations=max(1, int(round(0.05 * s))))
    knuckle_proj = float(np.dot(knuckles - xy[0], axis))
    residual = (skin > 0) & (explained == 0) & (proj > 0.15 * s)
    touch = cv2.dilate(explained, np.ones((3, 3), np.uint8), iterations=max(1, int(round(0.08 * s)))) > 0
    n, labels, stats, _ = cv2.connectedComponentsWithStats(residual.astype(np.uint8), connectivity=8)
    finger_area = fw * 0.75 * s  # a finger ~ width x 0.75 palm lengths
    extra = 0.0
    extra_boxes = []
    for i in range(1, n):
        area = float(stats[i, cv2.CC_STAT_AREA])
        if area < 0.2 * finger_area:
            continue
        comp = labels == i
        if not (comp & touch).any():
            continue
        ys, xs = np.nonzero(comp)
        pts = np.stack([xs, ys], axis=1).astype(np.float64)
        cov = np.cov(pts.T) if len(pts) > 2 else np.eye(2)
        ev = np.sort(np.linalg.eigvalsh(cov))[::-1]
        length = 4.0 * np.sqrt(max(ev[0], 1e-6))
        width = 4.0 * np.sqrt(max(ev[1], 1e-6))
        elong = length / max(width, 1e-6)
        if elong < 1.8 or length < 0.35 * s or width > 2.0 * fw:
            continue
        # A finger reaches beyond the knuckle line; palm-edge slivers do not.
        if proj[comp].max() < knuckle_proj + 0.25 * s:
            continue
        # Blobs that reach the crop border are background leaking, not fingers.
        bx, by, bw, bh = stats[i, :4]
        if bx <= 0 or by <= 0 or bx + bw >= cw or by + bh >= ch:
            continue
        score = min(area / finger_area, 2.0) * min(1.0, elong / 2.5)
        if score > extra:
            extra = score
        extra_boxes.append([float(bx / kx + cx0), float(by / ky + cy0), float((bx + bw) / kx + cx0),
                            float((by + bh) / ky + cy0)])

    # Finger count across the fingers: cut the silhouette by lines across the hand axis just beyond
    # the knuckles; each skin run is a finger. Runs no landmark finger crosses are extra; landmark
    # fingers that share a run (fused/missing) or cross background are lost.
    L0 = crop[..., 0]
    extra_h, lost_h, gaps = [], [], []
    for hgt in (0.3, 0.45, 0.6):
        origin = xy[0] + axis * (knuckle_proj + hgt * s)
        ts_ = np.arange(-2.0 * s, 2.0 * s, 1.0)
        line = origin[None, :] + ts_[:, None] * side_v[None, :]
        ok = _inside(line, cw, ch)
        vals = np.zeros(len(line), np.uint8)
        vals[ok] = _lookup(skin, line[ok])
        lv = np.zeros(len(line), np.float32)
        lv[ok] = _lookup(L0, line[ok])
        runs = _runs(vals, lv, min_len=max(2, int(0.07 * s)))
        if hgt == 0.3 and len(runs) >= 2:
            # widest gap between neighbouring finger runs (a removed finger leaves a wide one)
            gaps.append(max(runs[i + 1][0] - runs[i][1] - 1 for i in range(len(runs) - 1)) / s)
        crossings = []
        for fi in (1, 2, 3, 4):
            t = _cross_line(xy[list(FINGERS[fi])], origin, axis, side_v)
            if t is not None:
                crossings.append(t + 2.0 * s)
        owners = [0] * len(runs)
        lost = 0
        for t in crossings:
            hit = [i for i, (a, b) in enumerate(runs) if a - 2 <= t <= b + 2]
            if not hit:
                lost += 1
            else:
                owners[hit[0]] += 1
        lost += sum(c - 1 for c in owners if c > 1)
        unexplained = 0
        for (a, b), c in zip(runs, owners):
            width = b - a + 1
            if c == 0 and a > 0 and b < len(vals) - 1 and 0.1 * s <= width <= 0.45 * s:
                # only next to the hand: within a finger spacing of a crossing
                if crossings and min(min(abs(a - t), abs(b - t)) for t in crossings) < 0.6 * s:
                    unexplained += 1
        extra_h.append(unexplained > 0)
        lost_h.append(lost > 0 and len(crossings) >= 2)
    extra_runs = float(np.mean(extra_h))
    lost_runs = float(np.mean(lost_h))

    # Missing: skin coverage along each landmark finger (PIP -> tip; thumb MCP -> tip).
    coverage = []
    for fi, f in enumerate(FINGERS):
        chain = list(f[1:]) if fi else list(f[1:])
        pts = np.concatenate([_sample_segment(xy[a], xy[b], 8) for a, b in zip(chain[:-1], chain[1:])])
        pts = pts[_inside(pts, cw, ch)]
        coverage.append(float(_lookup(skin, pts).mean()) if len(pts) else 1.0)
    cmin = int(np.argmin(coverage))

    # Fused: between adjacent extended fingers, look for a gap (non-skin) or a crease (darker valley).
    L = crop[..., 0]
    fused, fused_pair = 0.0, ""
    for fa, fb in ((1, 2), (2, 3), (3, 4)):
        A, B = FINGERS[fa], FINGERS[fb]
        ext_a = np.linalg.norm(xy[A[3]] - xy[0]) > 1.3 * s
        ext_b = np.linalg.norm(xy[B[3]] - xy[0]) > 1.3 * s
        if not (ext_a and ext_b):
            continue
        pair_scores = []
        for t in (0.35, 0.65):
            pa = xy[A[1]] * (1 - t) + xy[A[2]] * t
            pb = xy[B[1]] * (1 - t) + xy[B[2]] * t
            if np.linalg.norm(pb - pa) < 0.5 * fw:
                continue
            seg = _sample_segment(pa, pb, 15)
            if not _inside(seg, cw, ch).all():
                continue
            sk = _lookup(skin, seg).astype(float)
            lv = _lookup(L, seg).astype(float)
            mid = slice(4, 11)
            gap = 1.0 - sk[mid].min()
            edge = max(1.0, float(min(lv[:3].mean(), lv[-3:].mean())))
            valley = max(0.0, (edge - lv[mid].min()) / edge)
            pair_scores.append(1.0 - max(gap, min(1.0, valley / 0.12)))
        if pair_scores and min(pair_scores) > fused:
            fused = float(min(pair_scores))
            fused_pair = f"{_CLASS[fa]}-{_CLASS[fb]}"

    return {
        "handedness": float(hand.score),
        "geometry": geo,
        "geometry_reason": reason,
        "extra": float(extra),
        "extra_boxes": extra_boxes,
        "extra_runs": extra_runs,
        "collapsed": float(collapsed),
        "collapsed_finger": collapsed_name,
        "gap_max": float(gaps[0]) if gaps else 0.0,
        "lost_runs": lost_runs,
        "coverage_min": float(coverage[cmin]),
        "coverage_finger": _CLASS[cmin],
        "fused": float(fused),
        "fused_pair": fused_pair,
        "_skin_lab": [float(v) for v in skin_c],
        "_skin_tol": float(tol),
    }


def _tta_disagreement(hand: Any, flipped: list[Any], scaled: list[Any], tta: bool, ts: float) -> float:
    """Mean landmark distance (hand sizes) to the matching hand in each augmentation; 1.0 when it vanished."""
    worst = 0.0
    for others, on in ((flipped, tta), (scaled, 0 < ts < 1)):
        if not on:
            continue
        best = 1.0
        for h in others:
            d = float(np.mean(np.linalg.norm(h.xy - hand.xy, axis=1))) / hand.size
            best = min(best, d)
        worst = max(worst, best)
    return worst


def _attachment(img: np.ndarray, hand: Any, persons: list[Any], o: dict[str, Any],
                sig: dict[str, Any]) -> dict[str, Any]:
    from qa.hands import POSE_WRISTS

    H, W = img.shape[:2]
    size = hand.size
    wrist = hand.xy[0]
    knuckles = hand.xy[[5, 9, 13, 17]].mean(axis=0)
    u = wrist - knuckles
    u = u / (np.linalg.norm(u) + 1e-9)
    # 1) a pose wrist near the hand's wrist
    pose_d = np.inf
    for p in persons:
        for wi in POSE_WRISTS:
            if p.visibility[wi] > 0.3:
                pose_d = min(pose_d, float(np.linalg.norm(p.xy[wi] - wrist)) / size)
    # 2) the hand leaves the frame at the wrist side
    ahead = wrist + u * 0.6 * size
    cut = not (0 <= ahead[0] < W and 0 <= ahead[1] < H)
    # 3) forearm colour continuity beyond the wrist
    perp = np.array([-u[1], u[0]])
    pts = []
    for a in np.linspace(0.35, 1.0, 6):
        for b in np.linspace(-0.25, 0.25, 5):
            pts.append(wrist + u * a * size + perp * b * size)
    pts = np.array(pts)
    inside = _inside(pts, W, H)
    skin_c = np.array(sig["_skin_lab"], np.float32)
    if inside.any():
        vals = _to_lab(_lookup(img, pts[inside])[:, None, :].astype(np.uint8)).reshape(-1, 3)
        wts = np.array([0.35, 1.0, 1.0], np.float32)
        forearm = float((np.linalg.norm((vals - skin_c) * wts, axis=1) < sig["_skin_tol"]).mean())
    else:
        forearm = 1.0
    attach_score = 1.0 if (cut or pose_d <= float(o["attach_distance"])) else forearm
    return {"pose_wrist_distance": float(pose_d) if np.isfinite(pose_d) else -1.0, "cut_by_frame": bool(cut),
            "forearm": forearm, "attach_score": float(attach_score)}


def _region(hand: Any, s: dict[str, Any], scale: float, pad: float, width: int, height: int) -> Region:
    x0, y0, x1, y1 = hand.box
    for b in s.get("extra_boxes", []):
        x0, y0, x1, y1 = min(x0, b[0]), min(y0, b[1]), max(x1, b[2]), max(y1, b[3])
    r = Region(int(np.floor(x0 * scale)), int(np.floor(y0 * scale)),
               int(np.ceil((x1 - x0) * scale)), int(np.ceil((y1 - y0) * scale)))
    return r.padded(pad if pad < 1 else pad * scale, width, height)
