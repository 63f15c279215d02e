"""The positions, courses and question bank shipped in data/ laid into the database (migration and demo
--reset). Refuses a bank with a question without a correct answer, like the import does."""

from __future__ import annotations

from typing import Any

from parcelguard.training import bank


def seed(apps: Any, schema_editor: Any) -> None:
    Position = apps.get_model("training", "Position")
    Course = apps.get_model("training", "Course")
    Question = apps.get_model("training", "Question")
    catalogue = bank.load("catalogue.json")
    courses = {}
    for c in catalogue["courses"]:
        courses[c["code"]], _made = Course.objects.update_or_create(code=c["code"], defaults={
            "title": c["title"], "hours": c["hours"], "material": c["material"]})
    for order, p in enumerate(catalogue["positions"], start=1):
        position, _made = Position.objects.update_or_create(code=p["code"], defaults={
            "name": p["name"], "staff_position": p["staff_position"], "renewal_months": p["renewal_months"],
            "pass_mark": p["pass_mark"], "exam_minutes": p["exam_minutes"], "mix": p["mix"], "order": order})
        position.courses.set([courses[c] for c in p["courses"]])
    codes = [p["code"] for p in catalogue["positions"]]
    for q in bank.clean_bank(bank.load("questions.json")["questions"], codes):
        Question.objects.update_or_create(code=q["code"], defaults={k: v for k, v in q.items() if k != "code"})
