"""Names and phone numbers that look like Putian's people: common surnames of Fujian first, given names
of one or two characters, mobile numbers on prefixes in use."""

import random

SURNAMES = ("陈林黄郑吴李张王刘蔡杨许翁方朱徐游魏余柯卓宋关邱江何戴范肖薛谢彭姚傅詹欧阳")
_SINGLE = [c for c in "陈林黄郑吴李张王刘蔡杨许翁方朱徐游魏余柯卓宋关邱江何戴范肖薛谢彭姚傅詹"]
_COMPOUND = ["欧阳", "司马", "上官"]
_GIVEN = "志明建华国强丽娟秀英文彬晓东雅婷俊杰海燕玉兰金水德福春生秋菊美玲淑芬振宇子涵梓轩思琪欣怡浩然宇航家豪" \
         "少华荣辉永祥明辉丽华月琴淑珍亚萍伟强建国桂英天佑清泉"
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
                   "156", "157", "158", "159", "166", "173", "175", "176", "177", "180", "181", "183", "185", "186",
                   "187", "188", "189", "191", "193", "195", "198", "199")


def person_name(rng: random.Random) -> str:
    surname = rng.choice(_COMPOUND) if rng.random() < 0.01 else rng.choice(_SINGLE)
    length = 1 if rng.random() < 0.25 else 2
    return surname + "".join(rng.choice(_GIVEN) for _ in range(length))


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + "".join(str(rng.randrange(10)) for _ in range(8))


def landline(rng: random.Random) -> str:
    return "0594-" + str(rng.randrange(2, 8)) + "".join(str(rng.randrange(10)) for _ in range(6))
