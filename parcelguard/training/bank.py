"""The question bank and the catalogue as data: the JSON files in parcelguard/training/data/, their checks
(pure functions, also used by the seeding migration) and the paper draw itself."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from parcelguard.core.errors import Invalid

DATA = Path(__file__).resolve().parent / "data"
MATERIAL = Path(__file__).resolve().parent / "material"
KINDS = ("single", "multiple", "truefalse", "image")
POINTS = {"single": 2, "multiple": 3, "truefalse": 1, "image": 3}
IMAGES = Path(__file__).resolve().parent.parent / "static" / "training" / "xray"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def clean_question(raw: Mapping[str, Any], positions: Sequence[str] = ()) -> dict[str, Any]:
    """One question checked: a known kind, a text, options, and a key that names at least one existing
    option (exactly one for single choice, true/false and image questions). Refused with a code otherwise."""
    code = str(raw.get("code") or "").strip()
    where = {"question": code or "?"}
    if not code or len(code) > 20:
        raise Invalid(_("Every question needs a code of at most 20 characters."), code="question_code", details=where)
    kind = raw.get("kind")
    if kind not in KINDS:
        raise Invalid(_("Question %(code)s: unknown kind.") % {"code": code}, code="question_kind", details=where)
    text = str(raw.get("text") or "").strip()
    if len(text) < 4 or len(text) > 300:
        raise Invalid(_("Question %(code)s: the question text is missing.") % {"code": code}, code="question_text",
                      details=where)
    options = [str(o).strip() for o in raw.get("options") or []]
    if kind == "truefalse" and not options:
        options = ["正确", "错误"]
    if len(options) < 2 or len(options) > 8 or any(not o for o in options):
        raise Invalid(_("Question %(code)s: give between 2 and 8 options.") % {"code": code},
                      code="question_options", details=where)
    if kind == "truefalse" and len(options) != 2:
        raise Invalid(_("Question %(code)s: a true-or-false question has two options.") % {"code": code},
                      code="question_options", details=where)
    answer = raw.get("answer")
    if not isinstance(answer, list) or not answer:
        raise Invalid(_("Question %(code)s has no correct answer.") % {"code": code}, code="no_correct_answer",
                      details=where)
    if (any(not isinstance(a, int) or isinstance(a, bool) or not 0 <= a < len(options) for a in answer)
            or len(set(answer)) != len(answer)):
        raise Invalid(_("Question %(code)s: the correct answer names an option that does not exist.")
                      % {"code": code}, code="no_correct_answer", details=where)
    if kind != "multiple" and len(answer) != 1:
        raise Invalid(_("Question %(code)s: exactly one option is correct for this kind.") % {"code": code},
                      code="no_correct_answer", details=where)
    if kind == "multiple" and len(answer) < 2:
        raise Invalid(_("Question %(code)s: a multiple-choice question has at least two correct options.")
                      % {"code": code}, code="no_correct_answer", details=where)
    image = str(raw.get("image") or "").strip()
    if kind == "image" and (not image or "/" in image or not (IMAGES / image).is_file()):
        raise Invalid(_("Question %(code)s: the image is missing from the repository.") % {"code": code},
                      code="question_image", details=where)
    wanted = [str(p) for p in raw.get("positions") or []]
    unknown = sorted(set(wanted) - set(positions)) if positions else []
    if unknown:
        raise Invalid(_("Question %(code)s names an unknown position.") % {"code": code}, code="unknown_position",
                      details={**where, "positions": unknown})
    return {"code": code, "kind": kind, "text": text, "options": options, "answer": sorted(answer),
            "image": image if kind == "image" else "", "positions": wanted, "points": POINTS[kind]}


def clean_bank(questions: Any, positions: Sequence[str] = ()) -> list[dict[str, Any]]:
    if not isinstance(questions, list) or not questions:
        raise Invalid(_("The question bank is empty."), code="bank_empty")
    cleaned = [clean_question(q if isinstance(q, dict) else {}, positions) for q in questions]
    codes = [q["code"] for q in cleaned]
    if len(set(codes)) != len(codes):
        raise Invalid(_("Two questions share a code."), code="question_code",
                      details={"codes": sorted({c for c in codes if codes.count(c) > 1})})
    return cleaned


def paper_seed(staff_id: int, position: str, n: int) -> str:
    """The seed of a candidate's n-th paper for a position: anyone can draw the same paper again."""
    return hashlib.sha256(f"training|{staff_id}|{position}|{n}".encode()).hexdigest()


def draw(seed: str, mix: Mapping[str, int], pool: Mapping[str, Sequence[int]]) -> list[int]:
    """The paper: for each kind in the mix (in the bank's kind order), `mix[kind]` questions sampled without
    replacement from that kind's pool (ids ascending first, so the draw depends on the seed only)."""
    rng = random.Random(seed)
    paper: list[int] = []
    for kind in KINDS:
        n = int(mix.get(kind, 0))
        if n <= 0:
            continue
        ids = sorted(pool.get(kind, ()))
        if len(ids) < n:
            raise Invalid(_("The question bank has too few questions of one kind for this position."),
                          code="bank_too_small", details={"kind": kind, "needed": n, "available": len(ids)})
        paper += rng.sample(ids, n)
    return paper


def is_right(key: Sequence[int], given: Sequence[int]) -> bool:
    """All or nothing: exactly the right options (a multiple choice with one missing or one extra is wrong)."""
    return sorted(set(given)) == sorted(key) and len(given) == len(set(given))
