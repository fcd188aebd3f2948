"""Charts drawn on the server as inline SVG: no JavaScript, nothing fetched from elsewhere.

Each builder returns safe markup with a <title> and <desc> the SVG is labelled by; the page puts
a table with the same numbers beneath it. Every text is escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 560
LABEL_WIDTH = 150  # category labels, right-aligned left of the bars
VALUE_WIDTH = 84  # value texts right of the bars
LABEL_CHARS = 24
FONT_SIZE = 12
GRID = "#d5dbe3"
INK = "#17212b"
INK_SOFT = "#4a5663"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    colour: str
    key: str  # a CSS modifier: bar__segment--<key>


def ticks(top_value: float, *, integer: bool = True, most: int = 5) -> list[float]:
    """Round axis ticks from 0 to at least `top_value` (steps of 1, 2 or 5 × 10ⁿ)."""
    if top_value <= 0:
        return [0, 1]
    rough = top_value / (most - 1)
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    if integer:
        step = max(step, 1)
    count = math.ceil(top_value / step - 1e-9)
    return [round(index * step, 6) for index in range(count + 1)]


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _open_svg(chart_id: str, title: str, description: str, height: int) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart__svg" role="img" '
        'viewBox="0 0 {} {}" width="{}" height="{}" aria-labelledby="{}-title {}-desc" '
        'font-size="{}" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        WIDTH,
        height,
        WIDTH,
        height,
        chart_id,
        chart_id,
        FONT_SIZE,
        chart_id,
        title,
        chart_id,
        description,
    )


def _legend(series: Sequence[Series], y: int) -> list[SafeString]:
    parts, x = [], LABEL_WIDTH
    for each in series:
        parts.append(
            format_html(
                '<g class="chart__legend-item"><rect x="{}" y="{}" width="12" height="12" '
                'fill="{}"/><text x="{}" y="{}" fill="{}">{}</text></g>',
                x,
                y,
                each.colour,
                x + 17,
                y + 10,
                INK,
                each.name,
            )
        )
        x += 30 + 7 * len(each.name)
    return parts


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    stacked: bool = False,
    value_texts: Sequence[str] | None = None,
    integer: bool = True,
) -> SafeString:
    """Horizontal bars, one group (`<g class="bar">`) per label: segments stacked or side by
    side per series; a value text after each group (or each bar, side by side)."""
    side_by_side = not stacked and len(series) > 1
    bar_height = 15 if side_by_side else 18
    band = bar_height * len(series) + 12 if side_by_side else 30
    top = 30 if len(series) > 1 else 8
    plot_left, plot_right = LABEL_WIDTH, WIDTH - VALUE_WIDTH
    plot_bottom = top + band * len(labels)
    height = plot_bottom + 24
    if stacked:
        extent = max((sum(s.values[i] or 0 for s in series) for i in range(len(labels))), default=0)
    else:
        extent = max((v or 0 for s in series for v in s.values), default=0)
    scale = ticks(extent, integer=integer)

    def x_of(value: float) -> float:
        return plot_left + (plot_right - plot_left) * value / scale[-1]

    parts = [_open_svg(chart_id, title, description, height)]
    if len(series) > 1:
        parts += _legend(series, 6)
    for tick in scale:
        x = round(x_of(tick), 1)
        parts.append(
            format_html(
                '<line class="chart__grid" x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>'
                '<text class="chart__tick" x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
                x,
                x,
                top,
                plot_bottom,
                GRID,
                x,
                plot_bottom + 16,
                INK_SOFT,
                number(tick),
            )
        )
    for index, label in enumerate(labels):
        band_top = top + band * index
        group = [
            format_html(
                '<g class="bar" data-label="{}"><text class="chart__label" x="{}" y="{}" '
                'text-anchor="end" fill="{}">{}</text>',
                label,
                plot_left - 8,
                band_top + band / 2 + 4,
                INK,
                _short(label),
            )
        ]
        stacked_to = 0.0  # where the next stacked segment starts, in data units
        for position, each in enumerate(series):
            value = each.values[index]
            y = band_top + 6 + (position * bar_height if side_by_side else 0)
            start = x_of(stacked_to) if stacked else float(plot_left)
            end = x_of((stacked_to if stacked else 0) + (value or 0))
            if value:
                group.append(
                    format_html(
                        '<rect class="bar__segment bar__segment--{}" x="{}" y="{}" width="{}" '
                        'height="{}" fill="{}"><title>{}: {} {}</title></rect>',
                        each.key,
                        round(start, 1),
                        y,
                        round(end - start, 1),
                        bar_height,
                        each.colour,
                        label,
                        each.name,
                        number(value),
                    )
                )
            if stacked:
                stacked_to += value or 0
            elif side_by_side:
                group.append(
                    format_html(
                        '<text class="chart__value" x="{}" y="{}" fill="{}">{}</text>',
                        round(end + 4, 1),
                        y + bar_height - 2,
                        INK_SOFT,
                        "—" if value is None else number(value),
                    )
                )
        if not side_by_side:
            text = value_texts[index] if value_texts else number(series[0].values[index] or 0)
            end_x = x_of(stacked_to if stacked else series[0].values[index] or 0)
            group.append(
                format_html(
                    '<text class="chart__value" x="{}" y="{}" fill="{}">{}</text>',
                    round(end_x + 6, 1),
                    band_top + band / 2 + 4,
                    INK_SOFT,
                    text,
                )
            )
        group.append(mark_safe("</g>"))
        parts += group
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float],
    name: str,
    colour: str,
) -> SafeString:
    """One line with a marked point (`<circle class="line__point">`) per label."""
    left, right, top, bottom = 44, 28, 12, 44
    height = 230
    plot_bottom = height - bottom
    scale = ticks(max(values, default=0))
    step = (WIDTH - left - right) / max(len(values) - 1, 1)

    def y_of(value: float) -> float:
        return round(plot_bottom - (plot_bottom - top) * value / scale[-1], 1)

    parts = [_open_svg(chart_id, title, description, height)]
    for tick in scale:
        y = y_of(tick)
        parts.append(
            format_html(
                '<line class="chart__grid" x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>'
                '<text class="chart__tick" x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
                left,
                WIDTH - right,
                y,
                y,
                GRID,
                left - 6,
                y + 4,
                INK_SOFT,
                number(tick),
            )
        )
    points = [(round(left + step * index, 1), y_of(value)) for index, value in enumerate(values)]
    parts.append(
        format_html(
            '<polyline class="line" points="{}" fill="none" stroke="{}" stroke-width="2.5"/>',
            " ".join(f"{x},{y}" for x, y in points),
            colour,
        )
    )
    # Every other date when they would crowd; always the last.
    every = 2 if len(labels) > 8 else 1
    for index, ((x, y), label, value) in enumerate(zip(points, labels, values, strict=True)):
        parts.append(
            format_html(
                '<circle class="line__point" cx="{}" cy="{}" r="4" fill="{}">'
                "<title>{}: {} {}</title></circle>",
                x,
                y,
                colour,
                label,
                number(value),
                name,
            )
        )
        if (len(labels) - 1 - index) % every == 0:
            parts.append(
                format_html(
                    '<text class="chart__tick" x="{}" y="{}" text-anchor="middle" fill="{}">'
                    "{}</text>",
                    x,
                    plot_bottom + 18,
                    INK_SOFT,
                    label,
                )
            )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))
