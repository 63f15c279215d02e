"""Fill the missing translations of a gettext catalogue from a JSON dictionary.

Usage::

    python scripts/i18n_fill.py PO_PATH                 # list what is missing (nothing is written)
    python scripts/i18n_fill.py PO_PATH --dump OUT.json # write the missing msgids, with their sources
    python scripts/i18n_fill.py PO_PATH DICT.json       # fill from DICT.json and list what remains
    python scripts/i18n_fill.py PO_PATH DICT.json --revise  # also correct reviewed translations

DICT.json maps an msgid to its translation: ``{"Hazard events": "隐患事件"}``; a plural entry takes
a string or a list (the last item is used for every plural form, which suits Chinese, a language with
one form). An entry with a context (``pgettext``) is keyed as gettext keys it, context, ``\u0004``,
msgid: ``{"event state\u0004Closed": "已办结"}``.

What counts as missing: an entry whose msgstr is empty, and an entry marked ``fuzzy``. A fuzzy entry is
a guess of ``makemessages`` from a similar older msgid and is often wrong (it is not compiled either):
when the dictionary has the msgid, the guess is replaced and the ``fuzzy`` flag and the ``#|`` lines
of the previous msgid are removed; otherwise the guess is left alone and listed as missing.
Entries that already have a reviewed translation are left alone, unless ``--revise`` is given: then
every entry whose translation differs from the dictionary's takes the dictionary's, and a msgid mapped
to ``""`` is reset to untranslated (to hold a string back on purpose).

A translation is refused, and listed, when its placeholders (``%(name)s``, ``%s``, ``{name}``) or its
HTML tags differ from the msgid's. The header entry and the other entries keep their text byte for
byte.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

PLACEHOLDER = re.compile(
    r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdifr]|%[sdifr]|\{[A-Za-z_][A-Za-z0-9_]*\}|</?[A-Za-z][^>]*>"
)
KEYWORD = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (\".*\")$")
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def unquote(chunks: list[str]) -> str:
    """The text of a sequence of quoted .po string lines."""
    text = "".join(chunk[1:-1] for chunk in chunks)
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(0)), text)


def quote(text: str) -> str:
    """One quoted .po string (``msgfmt`` accepts long lines; ``makemessages`` rewraps them anyway)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
    return f'"{escaped}"'


@dataclass
class Entry:
    """One block of the catalogue: its comment lines and its keyword fields."""

    comments: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    raw: str = ""
    changed: bool = False

    @classmethod
    def parse(cls, block: str) -> Entry:
        entry = cls(raw=block)
        key = None
        chunks: dict[str, list[str]] = {}
        for line in block.split("\n"):
            match = KEYWORD.match(line)
            if match:
                key = match.group(1)
                chunks[key] = [match.group(2)]
            elif line.startswith('"') and key:
                chunks[key].append(line)
            else:
                entry.comments.append(line)
        entry.fields = {k: unquote(v) for k, v in chunks.items()}
        return entry

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def key(self) -> str:
        """The dictionary key: the msgid, prefixed by its context and U+0004 when it has one."""
        context = self.fields.get("msgctxt")
        return self.msgid if context is None else f"{context}\x04{self.msgid}"

    @property
    def current(self) -> str:
        """The translation as it stands (the first form of a plural entry)."""
        return self.fields.get("msgstr[0]" if self.plural else "msgstr", "")

    @property
    def plural(self) -> bool:
        return "msgid_plural" in self.fields

    @property
    def fuzzy(self) -> bool:
        return any(line.startswith("#,") and "fuzzy" in line for line in self.comments)

    @property
    def translated(self) -> bool:
        return bool(self.current) and not self.fuzzy

    def sources(self) -> list[str]:
        return [ref for line in self.comments if line.startswith("#:") for ref in line[2:].split()]

    def fill(self, translation: str, nplurals: int) -> None:
        """Set the translation, drop the fuzzy flag and the previous-msgid (``#|``) lines."""
        comments = []
        for line in self.comments:
            if line.startswith("#|"):
                continue
            if line.startswith("#,"):
                flags = [f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
                if not flags:
                    continue
                line = "#, " + ", ".join(flags)
            comments.append(line)
        self.comments = comments
        self.fields = {k: v for k, v in self.fields.items() if not k.startswith("msgstr")}
        if self.plural:
            for n in range(nplurals):
                self.fields[f"msgstr[{n}]"] = translation
        else:
            self.fields["msgstr"] = translation
        self.changed = True

    def render(self) -> str:
        if not self.changed:
            return self.raw
        lines = [line for line in self.comments if line]
        lines += [f"{key} {quote(value)}" for key, value in self.fields.items()]
        return "\n".join(lines)


def tokens(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def nplurals_of(header: Entry) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", header.fields.get("msgstr", ""))
    return int(match.group(1)) if match else 2


def _apply(entry: Entry, value: str, nplurals: int, refused: list[str], missing: list[Entry]) -> None:
    """Fill one entry after checking that the translation keeps the msgid's placeholders and tags."""
    if value:
        expected = entry.fields.get("msgid_plural", entry.msgid) if entry.plural else entry.msgid
        if tokens(value) not in (tokens(expected), tokens(entry.msgid)):
            refused.append(f"{entry.msgid!r}: placeholders or tags differ in {value!r}")
            missing.append(entry)
            return
    entry.fill(value, nplurals)
    if not value:
        missing.append(entry)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("po", type=Path, help="the .po file to fill (rewritten in place)")
    parser.add_argument("translations", type=Path, nargs="?", help="JSON dictionary {msgid: msgstr}")
    parser.add_argument(
        "--revise",
        action="store_true",
        help="also replace reviewed translations that differ from the dictionary",
    )
    parser.add_argument("--dump", type=Path, help="write the missing msgids and their sources to this JSON")
    args = parser.parse_args(argv)

    text = args.po.read_text(encoding="utf-8")
    entries = [Entry.parse(block) for block in text.rstrip("\n").split("\n\n")]
    header = next((e for e in entries if "msgid" in e.fields and not e.msgid), Entry())
    nplurals = nplurals_of(header)
    table: dict[str, str | list[str]] = {}
    if args.translations:
        table = json.loads(args.translations.read_text(encoding="utf-8"))

    missing: list[Entry] = []
    refused: list[str] = []
    for entry in entries:
        if not entry.msgid:
            continue
        value = table.get(entry.key)
        if isinstance(value, list):
            value = value[-1] if value else ""
        if entry.translated:
            if args.revise and value is not None and value != entry.current:
                _apply(entry, value, nplurals, refused, missing)
            continue
        if not value:
            missing.append(entry)
            continue
        _apply(entry, value, nplurals, refused, missing)

    if args.translations:
        args.po.write_text("\n\n".join(e.render() for e in entries) + "\n", encoding="utf-8")
    if args.dump:
        dump = {e.key: {"sources": e.sources(), "fuzzy_guess": e.current} for e in missing}
        args.dump.write_text(json.dumps(dump, ensure_ascii=False, indent=1), encoding="utf-8")
    for line in refused:
        print("refused:", line, file=sys.stderr)
    print(f"missing: {len(missing)}")
    for entry in missing:
        print("  ", ("(fuzzy) " if entry.fuzzy else "") + repr(entry.msgid))
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
