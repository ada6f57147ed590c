"""Plotly figures for the dashboards, as JSON for a `<script type="application/json">` block.

`static/js/dashboards.js` draws them with the plotly.js served from our own static files, so pages
need no inline script (the CSP of issue 6 forbids it) and nothing loads from a CDN. Amounts are
shown in 万元; the floats here are for drawing only, never stored or summed.
"""

import json
import math
from collections.abc import Sequence
from decimal import Decimal

import plotly.graph_objects as go
from plotly.io.json import to_json_plotly

from ledger.money import yuan_to_wan

FONT = {"family": '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif', "size": 12}
COLORS = ["#9b1c1c", "#c05621", "#b7791f", "#2f855a", "#2b6cb0", "#6b46c1", "#718096"]


# Axes of amounts: thousands separated, up to 2 decimals, never plotly's SI suffixes ("1M", "100k").
MONEY_AXIS = {"tickformat": ",.2~f", "exponentformat": "none", "separatethousands": True, "automargin": True}


def _wan(amount: Decimal | None) -> float | None:
    return None if amount is None else float(yuan_to_wan(amount))


def _whole_step(largest: float, ticks: int = 6) -> int:
    """A whole-number tick step (1, 2, 5, 10, 20, 50 …) for an axis of counts or ranks up to `largest`,
    so that no tick falls between two whole numbers (no "1.5 名", no "2.5 个村")."""
    raw = max(1.0, largest / ticks)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return int(factor * magnitude)
    return int(10 * magnitude)


def count_axis(title: str, largest: float) -> dict:
    """An axis of whole counts (villages, ranks)."""
    return {"title": {"text": title}, "tickformat": "d", "tick0": 0, "dtick": _whole_step(largest),
            "rangemode": "tozero", "automargin": True}


def _layout(title: str, **extra) -> dict:
    layout = {
        "title": {"text": title, "x": 0, "font": {"size": 14}},
        "font": FONT, "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "legend": {"orientation": "h", "x": 0, "y": -0.08, "yanchor": "top"},
        "separators": ".,", "autosize": True,
    }
    layout.update(extra)
    return layout


def _to_json(figure: dict) -> str:
    """plotly's own JSON encoding, escaped for a script block.

    Building `go.Figure` validates against plotly's schema but costs ~10 ms a chart (half of a page's
    time); the tests validate every chart with `validate()` instead, so pages skip it.
    """
    text = to_json_plotly(figure)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def validate(chart_json: str) -> go.Figure:
    """The chart as a plotly Figure, which raises ValueError for anything plotly.js would not draw."""
    return go.Figure(json.loads(chart_json))


def ranking_bar(names: Sequence[str], amounts: Sequence[Decimal], metric_name: str, title: str) -> str:
    """Horizontal bars, first place on top."""
    names, values = list(reversed(names)), [_wan(a) for a in reversed(amounts)]
    return _to_json({
        "data": [{"type": "bar", "orientation": "h", "y": names, "x": values, "marker": {"color": COLORS[0]},
                  "hovertemplate": "%{y}<br>" + metric_name + "：%{x:,.2f} 万元<extra></extra>"}],
        "layout": _layout(title, height=max(240, 26 * len(names) + 90),
                          xaxis={**MONEY_AXIS, "title": {"text": f"{metric_name}（万元）"}},
                          yaxis={"automargin": True}),
    })


def tier_stack(units: Sequence[str], labels: Sequence[str], counts: Sequence[Sequence[int]], title: str) -> str:
    """Villages in each tier per town: one stacked bar per town."""
    units = list(reversed(units))
    traces = []
    for index, label in enumerate(labels):
        traces.append({"type": "bar", "orientation": "h", "name": label, "y": units,
                       "x": [row[index] for row in reversed(counts)],
                       "marker": {"color": COLORS[index % len(COLORS)] if index < len(labels) - 1 else "#cbd2d9"},
                       "hovertemplate": "%{y} " + label + "：%{x} 个村<extra></extra>"})
    largest = max((sum(row) for row in counts), default=0)
    return _to_json({"data": traces, "layout": _layout(
        title, barmode="stack", height=max(260, 26 * len(units) + 120),
        xaxis=count_axis("村数（个村）", largest), yaxis={"automargin": True})})


def trend(years: Sequence[int], series: Sequence[tuple[str, Sequence[Decimal | None]]], title: str,
          last_complete: int | None = None) -> str:
    """Lines over the years, amounts in 万元. Years after `last_complete` (still being reported) are
    drawn dotted and named as incomplete, so a half-entered year does not read as a collapse."""
    years = list(years)
    traces = []
    for i, (name, values) in enumerate(series):
        values = [_wan(v) for v in values]
        color = COLORS[i % len(COLORS)]
        cut = len(years) if last_complete is None else sum(1 for y in years if y <= last_complete)
        hover = "%{x}年 " + name + "：%{y:,.2f} 万元<extra></extra>"
        traces.append({"type": "scatter", "mode": "lines+markers", "name": name, "x": years[:cut],
                       "y": values[:cut], "line": {"color": color}, "hovertemplate": hover})
        if cut < len(years):
            start = max(0, cut - 1)
            open_years = "、".join(str(y) for y in years[cut:])
            traces.append({"type": "scatter", "mode": "lines+markers", "name": f"{name}（{open_years}年未完整）",
                           "x": years[start:], "y": values[start:],
                           "line": {"color": color, "dash": "dot"}, "marker": {"symbol": "circle-open"},
                           "hovertemplate": "%{x}年 " + name + "：%{y:,.2f} 万元（未完整）<extra></extra>"})
    return _to_json({"data": traces, "layout": _layout(
        title, height=320, xaxis={"dtick": 1, "tickformat": "d", "automargin": True},
        yaxis={**MONEY_AXIS, "rangemode": "tozero", "title": {"text": "万元"}})})


def rank_trend(years: Sequence[int], ranks: Sequence[int | None], title: str) -> str:
    """A village's rank over the years: first place at the top."""
    return _to_json({"data": [{"type": "scatter", "mode": "lines+markers+text", "x": list(years), "y": list(ranks),
                               "text": [f"第{r}名" if r else "" for r in ranks], "textposition": "top center",
                               "cliponaxis": False,
                               "line": {"color": COLORS[4]}, "hovertemplate": "%{x}年 第%{y}名<extra></extra>"}],
                     "layout": _layout(title, height=280, xaxis={"dtick": 1, "tickformat": "d", "automargin": True},
                                       yaxis={**count_axis("名次", max((r for r in ranks if r), default=1)),
                                              "autorange": "reversed", "rangemode": "normal", "tick0": 1,
                                              "ticksuffix": " 名"})})


def treemap(ids: Sequence[str], labels: Sequence[str], parents: Sequence[str], amounts: Sequence[Decimal],
            title: str) -> str:
    """Area by income, county → town → village: leaves carry the amounts, parents add them up."""
    return _to_json({"data": [{"type": "treemap", "ids": list(ids), "labels": list(labels), "parents": list(parents),
                               "values": [_wan(a) for a in amounts], "branchvalues": "remainder",
                               "hovertemplate": "%{label}<br>%{value:,.2f} 万元<extra></extra>",
                               "texttemplate": "%{label}<br>%{value:,.2f} 万元"}],
                     "layout": _layout(title, height=420)})


def composition(parts: Sequence[tuple[str, Decimal]], title: str) -> str:
    """Income by line item, as a ring."""
    parts = [(label, amount) for label, amount in parts if amount and amount > 0]
    return _to_json({"data": [{"type": "pie", "hole": 0.45, "labels": [p[0] for p in parts],
                               "values": [_wan(p[1]) for p in parts], "sort": False,
                               "marker": {"colors": COLORS}, "texttemplate": "%{label}<br>%{percent:.1%}",
                               "hovertemplate": "%{label}：%{value:,.2f} 万元（%{percent:.1%}）<extra></extra>"}],
                     "layout": _layout(title, height=320, showlegend=False)})
