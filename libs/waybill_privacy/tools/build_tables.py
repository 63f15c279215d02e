"""Rebuild the tables shipped in ``waybill_privacy/_data`` (a maintainer's tool, not run at install time).

Usage: python libs/waybill_privacy/tools/build_tables.py PATH_TO_JIONLP_DICTIONARY_DIR

The source is the dictionary of jionlp 1.5.31 (Apache-2.0), itself compiled from the Ministry of Civil
Affairs' administrative division codes (民政部 中华人民共和国行政区划代码), carrying every change up to
2023-04-03 (西藏 错那县→错那市, 米林县→米林市). Only the province, prefecture and county levels and the
landline area codes are kept.
"""

from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "waybill_privacy" / "_data"

HEADER = """\
# Administrative divisions of the PRC (行政区划): province (1), prefecture (2), county (3).
# Columns: code<TAB>level<TAB>full name<TAB>short name (empty where the division has none).
# Source: jionlp 1.5.31 dictionary/china_location.txt (Apache-2.0), compiled from the Ministry of Civil
# Affairs' (民政部) 中华人民共和国行政区划代码, including all changes up to 2023-04-03. Extracted 2026-11-27 by
# libs/waybill_privacy/tools/build_tables.py. Historical names renamed since 2021 are appended as
# level-3 rows with their old code (they still appear on labels).
"""


def main(src: Path) -> None:
    rows: list[tuple[str, int, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for raw in (src / "china_location.txt").read_text(encoding="utf-8").splitlines():
        line = raw.rstrip("\r")
        depth = len(line) - len(line.lstrip("\t"))
        parts = line.strip("\t").split("\t")
        if depth > 2 or len(parts) < 2 or not parts[1].isdigit():
            continue
        name, code = parts[0], parts[1]
        short = parts[2] if len(parts) > 2 else ""
        if (code, name) in seen:
            continue
        seen.add((code, name))
        rows.append((code, depth + 1, name, short if short != name else ""))
    for raw in (src / "china_location_change.txt").read_text(encoding="utf-8").splitlines():
        parts = raw.rstrip("\r").split("\t")
        if len(parts) < 8:
            continue
        old_name, old_short = parts[6], parts[7].split("=>")[0]
        if any(r[2] == old_name for r in rows):
            continue
        parent = next((r for r in rows if r[2] == parts[4] and r[1] == 2), None)
        code = parent[0][:4] + "99" if parent else "000000"
        rows.append((code, 3, old_name, old_short if old_short != old_name else ""))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    body = "".join(f"{c}\t{lvl}\t{n}\t{s}\n" for c, lvl, n, s in rows)
    (OUT / "divisions.tsv").write_text(HEADER + body, encoding="utf-8")

    codes = sorted(
        {
            line.split()[0]
            for line in (src / "landline_phone_area_code.txt").read_text("utf-8").splitlines()
            if line.strip()
        }
    )
    (OUT / "area_codes.txt").write_text(
        "# Landline area codes (长途区号) of mainland China, one a line.\n"
        "# Source: jionlp 1.5.31 dictionary/landline_phone_area_code.txt (Apache-2.0). Extracted 2026-11-27.\n"
        + "\n".join(codes)
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
