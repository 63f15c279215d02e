"""The Putian-style evaluation standard (平安寄递示范网点考评标准), the inspection item list and helpers
shared by the demo and the tests."""

from __future__ import annotations

from typing import Any

# code, section, text, points, method, deduct, evidence, basis, site kinds, serious, hazard type
PUTIAN_ITEMS: list[tuple[Any, ...]] = [
    ("realname", "安全三项制度", "落实实名收寄，收寄时核验寄件人身份并登记", 12, "yesno", 0, "photo",
     "《反恐怖主义法》第二十条；《邮件快件实名收寄管理办法》", [], True, "realname_not_done"),
    ("open_inspect", "安全三项制度", "落实收寄验视，当面开箱验视内件", 10, "deduct", 5, "photo",
     "《快递暂行条例》第三十条", [], True, "inspection_not_done"),
    ("xray", "安全三项制度", "安检机正常运行，快件逐件过机安检并如实记录", 12, "yesno", 0, "photo",
     "《反恐怖主义法》第二十条、第八十五条", ["outlet", "sorting_centre"], True, "xray_not_done"),
    ("fire", "消防安全", "灭火器配置齐全、有效，安全出口畅通，无易燃物堆放", 12, "deduct", 3, "photo",
     "《消防法》第十六条", [], False, "fire_safety"),
    ("video", "视频监控", "收寄、分拣、安检区域视频全覆盖，资料保存不少于30日", 12, "graded", 0, "photo",
     "《寄递安全监督管理办法》", [], False, "video_not_working"),
    ("officer", "安全管理", "设置安全管理机构，配备专（兼）职安全员并备案", 8, "yesno", 0, "document",
     "《莆田市寄递业安全员管理制度》", [], False, "other"),
    ("training", "安全管理", "从业人员岗前培训和定期安全教育有记录", 8, "graded", 0, "document",
     "《快递市场管理办法》", [], False, "other"),
    ("privacy", "用户信息安全", "使用隐私面单，姓名、电话、地址去标识化", 10, "deduct", 5, "photo",
     "《个人信息保护法》第五十一条；《快递市场管理办法》第三十六条", [], False, "waybill_pii"),
    ("counter", "标准化营业场所", "营业场所标识规范，证照、禁寄物品目录、服务承诺上墙公示", 8, "graded", 0, "photo",
     "《莆田市平安寄递业考评办法》", ["outlet", "station"], False, "other"),
    ("sorting", "标准化营业场所", "文明分拣，无抛扔、踩踏快件", 8, "yesno", 0, "none",
     "《快递服务》国家标准", ["outlet", "sorting_centre"], False, "parcels_thrown"),
]

CATALOGUE = [
    ("realname", "实名收寄制度落实情况", "《反恐怖主义法》第二十条；《邮件快件实名收寄管理办法》", "营业网点、末端网点", "现场检查、调阅记录"),
    ("inspect", "收寄验视制度落实情况", "《快递暂行条例》第三十条", "营业网点、末端网点", "现场检查、抽查快件"),
    ("xray", "过机安检制度落实情况", "《反恐怖主义法》第二十条", "分拨中心、营业网点", "现场检查、调阅安检记录与视频"),
    ("video", "视频监控配置与保存情况", "《寄递安全监督管理办法》", "分拨中心、营业网点", "现场检查、远程视频巡查"),
    ("privacy", "用户个人信息保护情况", "《个人信息保护法》；《快递市场管理办法》第三十六条", "全部寄递企业", "现场检查、抽查面单"),
    ("filing", "经营许可与末端网点备案情况", "《快递业务经营许可管理办法》", "营业网点、末端网点", "核对备案信息与实际经营地址"),
]


def putian_items() -> list[dict[str, Any]]:
    keys = ("code", "section", "text", "points", "method", "deduct", "evidence", "basis", "site_kinds", "serious",
            "hazard_type")
    return [dict(zip(keys, row, strict=True)) for row in PUTIAN_ITEMS]


def make_catalogue(path: str) -> None:
    from parcelguard.inspections.models import CatalogueItem

    for position, (code, title, basis, target, method) in enumerate(CATALOGUE):
        CatalogueItem.objects.update_or_create(jurisdiction_path=path, code=code, defaults={
            "title": title, "basis": basis, "target": target, "method": method, "position": position})


def all_in_order(standard: Any, site_kind: str) -> dict[str, dict[str, Any]]:
    from parcelguard.inspections.services import applies

    out: dict[str, dict[str, Any]] = {}
    for item in standard.items:
        if not applies(item, site_kind):
            continue
        out[item["code"]] = ({"ok": True} if item["method"] == "yesno" else
                             {"score": item["points"]} if item["method"] == "graded" else {"findings": 0})
    return out
