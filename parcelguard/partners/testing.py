"""Helpers for tests of inter-department coordination: the partner departments of the cast's city."""

from __future__ import annotations

from typing import Any

from parcelguard.partners import services


def make_partners(cast: Any) -> dict[str, Any]:
    """The city's police bureau and market regulator (city level) and Hanjiang's police branch (county A),
    each with a liaison; the police bureau with a memorandum in force."""
    from parcelguard.events.testing import pdf

    police = services.partner_create(user=cast.city_bureau, name="莆田市公安局", kind="police",
                                     address="莆田市荔城区学园南路")
    market = services.partner_create(user=cast.city_bureau, name="莆田市市场监督管理局", kind="market",
                                     feedback_days=20, feedback_working_days=False)
    hanjiang = services.partner_create(user=cast.centre_a, name="莆田市公安局涵江分局", kind="police")
    services.contact_add(user=cast.city_bureau, partner_id=police.pk, name="林志强", title="治安支队副支队长",
                         phone="13905941234", primary=True)
    services.contact_add(user=cast.centre_a, partner_id=hanjiang.pk, name="陈伟", title="治安大队民警",
                         phone="13805942345", primary=True)
    memo = services.memorandum_add(user=cast.city_bureau, partner_ids=[police.pk],
                                   title="寄递渠道安全管理协作备忘录", signed_on="2026-03-15",
                                   scope_text="寄递渠道涉毒涉枪涉爆线索移送、联合检查与信息共享", upload=pdf("备忘录.pdf"))
    return {"police": police, "market": market, "hanjiang": hanjiang, "memo": memo}
