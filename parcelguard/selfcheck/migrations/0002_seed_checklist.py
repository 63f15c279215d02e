"""The Putian-style self-inspection checklist (安全员月度自查清单), version 1, published."""

from django.db import migrations

ITEMS = [
    ("realname", "三项制度", "收寄时查验寄件人身份证件并如实登记（实名收寄）"),
    ("inspection", "三项制度", "当面验视内件，禁寄物品拒收并报告（收寄验视）"),
    ("xray", "三项制度", "进入分拨中心的快件全部过机安检，安检机运行正常"),
    ("prohibited", "三项制度", "禁寄物品目录在营业场所显著位置公示"),
    ("fire", "消防安全", "灭火器等消防器材配齐有效，安全出口畅通，无易燃物堆放"),
    ("video", "视频监控", "收寄、安检、分拣区域视频监控正常，资料保存不少于90日"),
    ("privacy", "个人信息保护", "使用隐私面单，未泄露或违规查询用户信息"),
    ("staff", "从业人员", "新入职人员完成岗前安全培训，关键岗位人员持证上岗"),
    ("counter", "规范经营", "营业场所证照公示，与备案地址一致"),
]


def seed(apps, schema_editor):
    Checklist = apps.get_model("selfcheck", "Checklist")
    from django.utils import timezone

    Checklist.objects.update_or_create(code="putian-monthly", version=1, defaults={
        "title": "寄递企业安全员月度自查清单（2026版）",
        "items": [{"code": c, "section": s, "text": t} for c, s, t in ITEMS],
        "published_at": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [("selfcheck", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
