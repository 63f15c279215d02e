"""The demo city's inspections, through the real services: the Putian-style evaluation standard
(平安寄递示范网点考评标准 2026) and the inspection item list, an inspector pool with certificates (one
officer tied to an enterprise), a pre-holiday fire-safety special plan drawn in public, and two of its
inspections carried out (one with findings that became hazard events) and published."""

from __future__ import annotations

import datetime as dt
from typing import Any

from parcelguard.accounts.models import User
from parcelguard.accounts.roles import Role
from parcelguard.core import clock
from parcelguard.events.testing import photo
from parcelguard.inspections import services
from parcelguard.inspections.models import Inspection, Inspector
from parcelguard.inspections.testing import all_in_order, make_catalogue, putian_items


def load_demo_inspections() -> dict[str, Any]:
    bureau = User.objects.filter(role=Role.CITY_BUREAU, is_active=True).order_by("pk").first()
    if bureau is None:
        return {"plans": 0}
    make_catalogue(bureau.jurisdiction.path)
    standard = services.standard_create(user=bureau, code="putian-safe-delivery", title="平安寄递示范网点考评标准（2026）",
                                        items=putian_items())
    services.standard_publish(user=bureau, pk=standard.pk)
    officers = list(User.objects.filter(role__in=(Role.CITY_BUREAU, Role.COUNTY_CENTRE), is_active=True)
                    .order_by("pk"))
    # every county needs officers: the demo creates two certified inspectors per county centre and three at the city
    from parcelguard.accounts.models import Jurisdiction, Level

    made = 0
    for place in [bureau.jurisdiction, *Jurisdiction.objects.filter(level=Level.COUNTY).order_by("code")]:
        role = Role.CITY_BUREAU if place.level == Level.CITY else Role.COUNTY_CENTRE
        for k in range(3 if role == Role.CITY_BUREAU else 2):
            name = f"inspector_{place.code}_{k + 1}"
            user = User.objects.filter(username=name).first() or User.objects.create_user(
                name, password=None, role=role, jurisdiction=place, display_name=f"{place.name}执法员{k + 1}")
            officers.append(user)
            services.inspector_register(user=bureau, officer_id=user.pk, certificate_no=f"闽莆执{place.code}{k + 1:02d}",
                                        valid_until=clock.now().date() + dt.timedelta(days=700))
            made += 1
    first = Inspector.objects.order_by("pk").first()
    from parcelguard.registry.models import Enterprise

    enterprise = Enterprise.objects.order_by("pk").first()
    if first and enterprise:
        services.tie_add(user=bureau, inspector_id=first.pk, enterprise_id=enterprise.pk, reason="近亲属在该企业任职，依法回避")
    today = clock.now().date()
    plan = services.plan_create(user=bureau, kind="special", title=f"{today.year}年元旦春节前寄递渠道消防安全专项检查",
                                starts_on=today - dt.timedelta(days=3), ends_on=today + dt.timedelta(days=25),
                                standard_id=standard.pk, ratio="5%", minimum=4, site_kinds=["outlet", "sorting_centre"])
    services.plan_commit(user=bureau, pk=plan.pk, version=None)
    services.plan_draw(user=bureau, pk=plan.pk, version=None)
    done = 0
    for insp in Inspection.objects.filter(plan=plan).select_related("site", "standard").order_by("pk")[:2]:
        inspector = insp.inspectors.order_by("pk").first().user
        answers = all_in_order(insp.standard, insp.site.kind)
        if done == 0:
            answers["fire"] = {"findings": 2, "note": "两具灭火器压力不足，后门安全出口堆放纸箱"}
            answers["privacy"] = {"findings": 1, "note": "散单仍使用普通面单，收件人电话完整显示"}
        needs = {i["code"] for i in insp.standard.items if i["evidence"] == "photo" and services.applies(i, insp.site.kind)}
        needs |= {c for c, a in answers.items() if a.get("note")}
        services.inspection_submit(user=inspector, pk=insp.pk, answers=answers, client_token=f"demo-{insp.pk:08d}",
                                   representative="网点负责人", signature=photo("签字.png", (250, 250, 250)),
                                   photos={c: [photo(f"{c}.png", (90 + 10 * n, 120, 90))] for n, c in enumerate(sorted(needs))})
        services.inspection_publish(user=bureau, pk=insp.pk, version=None)
        done += 1
    return {"plans": 1, "inspectors": made, "drawn": Inspection.objects.filter(plan=plan).count(), "done": done}
