"""Demo waybill samples: three months of inspectors' privacy-waybill checks across the demo city's outlets,
through the same service the page uses (text samples: no OCR needed to load a demo). Deterministic."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from parcelguard.accounts.models import User
from parcelguard.accounts.roles import Role
from parcelguard.demo.people import mobile, person_name
from parcelguard.privacy.models import WaybillSample
from parcelguard.privacy.services import sample_audit_text
from parcelguard.registry.models import Site, SiteKind

ANCHOR = dt.date(2026, 11, 1)
# How often a brand's waybills were found fully de-identified (the big brands print privacy waybills).
COMPLIANT_RATE = {"SF": .97, "JD": .96, "EMS": .9, "ZTO": .85, "YTO": .82, "STO": .75, "YD": .78, "JT": .7,
                  "DBL": .88}


@dataclass(frozen=True)
class Summary:
    samples: int
    compliant: int


def _waybill(rng: random.Random, site: Site, compliant: bool) -> str:
    name, phone = person_name(rng), mobile(rng)
    street = (site.filed_address.split("区")[-1].split("县")[-1]) or "文献路1号"
    if compliant:
        shown_name, shown_phone, unit = name[0] + "*" * (len(name) - 1), phone[0] + "******" + phone[-4:], "****"
    else:
        exposure = rng.choice(["all", "phone4", "name", "address"])
        shown_name = name if exposure in ("all", "name") else name[0] + "*" * (len(name) - 1)
        shown_phone = (phone if exposure == "all" else phone[:3] + "****" + phone[-4:] if exposure == "phone4"
                       else phone[0] + "******" + phone[-4:])
        unit = f"{rng.randrange(1, 12)}幢{rng.randrange(1, 4)}单元{rng.randrange(1, 30)}0{rng.randrange(1, 4)}室" \
            if exposure in ("all", "address") else "****"
    county = site.county.name
    return (f"运单号 {site.enterprise.brand_id}{rng.randrange(10**11, 10**12)}\n收件人：{shown_name} {shown_phone}\n"
            f"福建省莆田市{county}{street}{unit}\n寄件人：{person_name(rng)[0]}* 1******{rng.randrange(1000, 9999)}")


@transaction.atomic
def load_demo_samples(seed: int = 20191, sites: int = 160) -> Summary:
    rng = random.Random(seed + 3)
    centres = {u.jurisdiction_id: u for u in User.objects.filter(role=Role.COUNTY_CENTRE, is_active=True)}
    outlets = list(Site.objects.filter(kind=SiteKind.OUTLET).select_related("enterprise", "county").order_by("code"))
    chosen = rng.sample(outlets, min(sites, len(outlets)))
    made = ok = 0
    for site in chosen:
        auditor = centres.get(site.county_id)
        if auditor is None:
            continue
        rate = COMPLIANT_RATE.get(site.enterprise.brand_id, .8)
        for _ in range(rng.randrange(1, 5)):
            compliant = rng.random() < rate
            sample, _result = sample_audit_text(user=auditor, site_id=site.pk, text=_waybill(rng, site, compliant))
            day = ANCHOR - dt.timedelta(days=rng.randrange(0, 92))
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randrange(9, 18), rng.randrange(60))))
            WaybillSample.objects.filter(pk=sample.pk).update(audited_at=at)
            made += 1
            ok += sample.compliant
    return Summary(made, ok)
