"""Small server-side SVG charts for the PDF report (WeasyPrint renders SVG): bars and a pie. No plotting
library: a few dozen lines of geometry are enough for a monthly report."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

PALETTE = ["#c23531", "#2f4554", "#61a0a8", "#d48265", "#91c7ae", "#749f83", "#ca8622", "#bda29a", "#6e7074",
           "#546570", "#c4ccd3"]
FONT = "font-family=\"Noto Serif CJK SC, serif\""


def _axes(width: int, height: int, left: int, bottom: int, chart_h: float, ticks: Sequence[str]) -> list[str]:
    """The opening of a bar chart: the svg element and one grid line with its label per tick, bottom up."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">']
    steps = max(len(ticks) - 1, 1)
    for i, tick in enumerate(ticks):
        y = height - bottom - chart_h * i / steps
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#ddd" '
                     f'stroke-width="0.5"/><text x="{left - 4}" y="{y + 3:.1f}" font-size="8" text-anchor="end" '
                     f'{FONT}>{tick}</text>')
    return parts


def bars(items: Sequence[tuple[str, float]], *, width: int = 480, height: int = 220,
         compare: Sequence[float] | None = None, legend: tuple[str, str] = ("", "")) -> str:
    """Vertical bars with labels; `compare` draws a second, lighter bar per item (e.g. last month)."""
    n = max(len(items), 1)
    top = max([v for _, v in items] + list(compare or []) + [1])
    left, bottom, chart_h = 36, 46, height - 70
    slot = (width - left - 10) / n
    bar_w = slot * (0.35 if compare else 0.6)
    parts = _axes(width, height, left, bottom, chart_h, [_num(top * i / 4) for i in range(5)])
    for i, (label, value) in enumerate(items):
        x = left + slot * i + (slot - bar_w * (2 if compare else 1)) / 2
        for j, (v, color) in enumerate(((value, PALETTE[0]),) + (((compare[i], "#bbb"),) if compare else ())):
            h = chart_h * v / top
            bx = x + j * bar_w
            parts.append(f'<rect x="{bx:.1f}" y="{height - bottom - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{color}"/><text x="{bx + bar_w / 2:.1f}" y="{height - bottom - h - 2:.1f}" '
                         f'font-size="8" text-anchor="middle" {FONT}>{_num(v)}</text>')
        parts.append(f'<text x="{left + slot * i + slot / 2:.1f}" y="{height - bottom + 12}" font-size="8.5" '
                     f'text-anchor="middle" {FONT}>{escape(label[:8])}</text>')
    if compare and any(legend):
        parts.append(f'<rect x="{left}" y="{height - 16}" width="9" height="9" fill="{PALETTE[0]}"/>'
                     f'<text x="{left + 12}" y="{height - 8}" font-size="9" {FONT}>{escape(legend[0])}</text>'
                     f'<rect x="{left + 90}" y="{height - 16}" width="9" height="9" fill="#bbb"/>'
                     f'<text x="{left + 102}" y="{height - 8}" font-size="9" {FONT}>{escape(legend[1])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def rate_bars(groups: Sequence[tuple[str, Sequence[float | None]]], *, series: Sequence[str],
              width: int = 480, height: int = 220) -> str:
    """Grouped vertical bars of rates in percent (one bar per series in each group, e.g. the three systems
    per county), with a legend. Like the dashboard, the axis starts at a 5 % step at least 2 points below the
    lowest rate (rates near 100 % would otherwise look alike), so bar lengths are not proportional to the
    rates; a missing rate (None) draws no bar."""
    values = [v for _, vs in groups for v in vs if v is not None]
    floor = max(0.0, math.floor((min(values, default=100.0) - 2) / 5) * 5)
    span = 100.0 - floor
    n, k = max(len(groups), 1), max(len(series), 1)
    left, bottom, chart_h = 36, 46, height - 70
    slot = (width - left - 10) / n
    bar_w = slot * 0.8 / k
    parts = _axes(width, height, left, bottom, chart_h, [f"{floor + span * i / 4:g}%" for i in range(5)])
    for i, (label, vs) in enumerate(groups):
        x = left + slot * i + slot * 0.1
        for j, v in enumerate(vs):
            if v is None:
                continue
            h = chart_h * (min(max(v, floor), 100.0) - floor) / span
            parts.append(f'<rect x="{x + j * bar_w:.1f}" y="{height - bottom - h:.1f}" width="{bar_w:.1f}" '
                         f'height="{h:.1f}" fill="{PALETTE[j % len(PALETTE)]}"/>')
        parts.append(f'<text x="{left + slot * i + slot / 2:.1f}" y="{height - bottom + 12}" font-size="8.5" '
                     f'text-anchor="middle" {FONT}>{escape(label[:8])}</text>')
    for j, name in enumerate(series):
        lx = left + j * 90
        parts.append(f'<rect x="{lx}" y="{height - 16}" width="9" height="9" fill="{PALETTE[j % len(PALETTE)]}"/>'
                     f'<text x="{lx + 12}" y="{height - 8}" font-size="9" {FONT}>{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def pie(items: Sequence[tuple[str, float]], *, width: int = 480, height: int = 220) -> str:
    """A pie with a legend of label, count and share."""
    total = sum(v for _, v in items) or 1
    cx, cy, r = height / 2, height / 2, height / 2 - 12
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">']
    angle = -math.pi / 2
    for i, (label, value) in enumerate(items):
        color = PALETTE[i % len(PALETTE)]
        sweep = 2 * math.pi * value / total
        if value and sweep >= 2 * math.pi - 1e-9:
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{color}"/>')
        elif value:
            x1, y1 = cx + r * math.cos(angle), cy + r * math.sin(angle)
            x2, y2 = cx + r * math.cos(angle + sweep), cy + r * math.sin(angle + sweep)
            large = 1 if sweep > math.pi else 0
            parts.append(f'<path d="M{cx},{cy} L{x1:.2f},{y1:.2f} A{r},{r} 0 {large} 1 {x2:.2f},{y2:.2f} Z" '
                         f'fill="{color}" stroke="#fff" stroke-width="0.8"/>')
        angle += sweep
        ly = 16 + i * 16
        if ly < height - 4:
            parts.append(f'<rect x="{height + 10}" y="{ly - 9}" width="10" height="10" fill="{color}"/>'
                         f'<text x="{height + 25}" y="{ly}" font-size="9.5" {FONT}>{escape(label[:14])} '
                         f'{_num(value)}（{value / total:.0%}）</text>')
    parts.append("</svg>")
    return "".join(parts)


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:.1f}"
