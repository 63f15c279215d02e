"""Writes the course material shipped in parcelguard/training/material/ (PDF via WeasyPrint): run
`python -m parcelguard.training.make_material` after changing a text here."""

from __future__ import annotations

from pathlib import Path

from parcelguard.training.bank import MATERIAL, load

TEXTS = {
    "law-basics": ["《中华人民共和国邮政法》规定，寄递企业应当建立并执行收件验视制度，对用户交寄的快件当面验视。",
                   "《中华人民共和国反恐怖主义法》规定，寄递企业应当实行安全查验制度，对客户身份进行查验，依照规定对物品进行安全检查或者开封验视。",
                   "违反上述规定的，由邮政管理部门依法责令改正，并处罚款；情节严重的，吊销快递业务经营许可证。"],
    "acceptance-inspection": ["收寄快件时，查验寄件人有效身份证件，如实登记身份信息（实名收寄）。",
                              "当面验视内件，核对物品名称、性质、数量是否与寄递详情单填写一致。",
                              "验视后在快件上加盖或签注验视标识；寄件人拒绝验视的，不予收寄。"],
    "prohibited-items": ["禁止寄递物品包括：枪支（含仿制品、主要零部件）弹药，管制器具，爆炸物品，压缩和液化气体及其容器，易燃液体，易燃固体，毒性物质，生化制品，放射性物质，腐蚀性物质，毒品等。",
                         "锂电池、含酒精饮品等限制寄递物品须按规定包装、申报并在限量内收寄。"],
    "xray-operation": ["开机前检查设备外观、电源与急停按钮；开机后完成自检，确认图像清晰、颜色正常。",
                       "图像颜色：橙色为有机物（衣物、纸张、液体），绿色为混合物，蓝色为金属等无机物。",
                       "发现刀具、枪支形状、成组电池、液体容器等可疑图像，应停机复查、开箱查验并登记，必要时报告安全员和邮政管理部门。",
                       "安检机故障时停止过机作业并报修，不得未经安检发运快件。"],
    "safety-management": ["安全员负责组织本单位安全培训、开展安全自查、督促隐患整改，每月5日前提交履职月报告。",
                          "新入职人员须完成岗前安全培训；关键岗位人员须持有效上岗证。"],
    "emergency": ["发现疑似爆炸物、放射性物质或不明粉末：立即停止作业，疏散人员，设置警戒，报告公安机关和邮政管理部门。",
                  "发生用户信息泄露：立即采取补救措施，向邮政管理部门报告，配合调查处理。"],
    "sorting-safety": ["分拣作业时不得抛扔、踩踏快件；发现破损、渗漏快件应隔离并登记。",
                       "分拣场地保持通道畅通，消防器材配齐有效。"],
    "delivery-privacy": ["投递时核对收件人信息，代收需经收件人同意；不得将快件随意放置。",
                         "不得违法查询、泄露、出售用户个人信息；使用隐私面单，面单不得显示完整身份证号码。"],
}


def write_all(out: Path = MATERIAL) -> list[Path]:
    from weasyprint import HTML

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for course in load("catalogue.json")["courses"]:
        for m in course["material"]:
            paras = "".join(f"<p>{t}</p>" for t in TEXTS[course["code"]])
            html = (f"<html><head><meta charset='utf-8'><style>body{{font-family:'Noto Sans CJK SC',sans-serif;"
                    f"font-size:12pt;line-height:1.7}}h1{{font-size:18pt}}</style></head><body>"
                    f"<p>莆田市邮政管理局 · 寄递业关键岗位培训教材</p><h1>{m['title']}</h1>"
                    f"<h2>{course['title']}（{course['hours']}学时）</h2>{paras}</body></html>")
            path = out / m["file"]
            HTML(string=html).write_pdf(path)
            written.append(path)
    return written


if __name__ == "__main__":
    for p in write_all():
        print(p)
