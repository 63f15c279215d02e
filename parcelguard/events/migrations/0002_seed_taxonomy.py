"""Seed the hazard taxonomy and the legal-basis list (penalty ranges from docs: domain.md). Both are
maintained data: edit them in the database when rules change; this only lays the first version."""

from decimal import Decimal

from django.db import migrations

# code, name, default severity, rectification days, working days?, what the reminder asks
HAZARD_TYPES = [
    ("fire_safety", "消防安全隐患", "high", 3, True, "配齐并维护消防器材，清理堆放的易燃物，恢复安全出口标志"),
    ("xray_not_done", "未过机安检或安检机故障", "high", 3, True, "恢复安检机正常运行，落实过机安检制度"),
    ("forged_screening", "伪造安检记录", "high", 5, True, "如实记录过机安检，整改并说明情况"),
    ("realname_not_done", "未落实实名收寄", "high", 5, True, "落实实名收寄，核验寄件人身份并登记"),
    ("inspection_not_done", "未落实收寄验视", "medium", 5, True, "落实收寄验视制度，当面验视内件"),
    ("waybill_pii", "面单个人信息未脱敏", "medium", 10, True, "使用隐私面单，对姓名、电话、地址作去标识化处理"),
    ("parcels_thrown", "抛扔快件", "medium", 3, True, "规范分拣作业，禁止抛扔、踩踏快件"),
    ("address_mismatch", "备案地址与实际经营地址不符", "low", 5, False, "5日内办理经营地址变更备案"),
    ("unfiled_operation", "无证或未备案经营", "high", 10, True, "依法办理许可或末端网点备案，未办理前停止经营"),
    ("prohibited_items", "收寄禁寄物品", "high", 1, False, "立即停止收寄并妥善处置禁寄物品，报告有关部门"),
    ("video_not_working", "视频监控缺失或未按规定保存", "medium", 5, True, "修复视频监控，按规定保存监控资料"),
    ("other", "其他隐患", "low", 7, False, ""),
]

# code, title, violation, min, max, note
LEGAL_BASES = [
    ("antiterror_20_85", "《中华人民共和国反恐怖主义法》第二十条、第八十五条",
     "未落实实名收寄、收寄验视或过机安检制度（单位）", 100000, 500000, ""),
    ("antiterror_20_85_person", "《中华人民共和国反恐怖主义法》第二十条、第八十五条",
     "未落实实名收寄、收寄验视或过机安检制度（直接负责的主管人员和其他直接责任人员）", 0, 100000, ""),
    ("realname_procedural", "《邮件快件实名收寄管理办法》",
     "实名收寄程序性违规", 5000, 10000, ""),
    ("realname_procedural_serious", "《邮件快件实名收寄管理办法》",
     "实名收寄程序性违规，情节严重", 10000, 30000, ""),
    ("postal_law_76", "《中华人民共和国邮政法》第七十六条",
     "泄露用户信息（企业）", 10000, 50000, ""),
    ("postal_law_76_employee", "《中华人民共和国邮政法》第七十六条",
     "泄露用户信息（从业人员）", 5000, 10000, ""),
    ("video_missing", "《寄递安全监督管理办法》",
     "未按规定配置或保存视频监控资料（责令限期改正，逾期未改正的）", 0, 10000, ""),
    ("filing_change", "《快递业务经营许可管理办法》",
     "分支机构、末端网点未按规定办理备案或变更备案", 0, 10000,
     "not in domain.md: added for the Hanjiang case (1,500 yuan); check the article before use"),
]


def seed(apps, schema_editor):
    HazardType = apps.get_model("events", "HazardType")
    LegalBasis = apps.get_model("events", "LegalBasis")
    for position, (code, name, severity, days, working, requirement) in enumerate(HAZARD_TYPES):
        HazardType.objects.update_or_create(code=code, defaults={
            "name": name, "default_severity": severity, "rectify_days": days, "working_days": working,
            "requirement": requirement, "position": position})
    for code, title, violation, low, high, note in LEGAL_BASES:
        LegalBasis.objects.update_or_create(code=code, defaults={
            "title": title, "violation": violation, "min_amount": Decimal(low), "max_amount": Decimal(high),
            "note": note})


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
