"""Plotly figures for the dashboards, as JSON for a `<script type="application/json">` block.

`static/js/dashboards.js` draws them with the plotly.js served from our own static files, so pages
need no inline script (the CSP of issue 6 forbids it) and nothing loads from a CDN. Amounts are
shown in 万元; the floats here are for drawing only, never stored or summed.
"""

import json
from collections.abc import Sequence
from decimal import Decimal

import plotly.graph_objects as go
from plotly.io.json import to_json_plotly

from ledger.money import yuan_to_wan

FONT = {"family": '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif', "size": 12}
COLORS = ["#9b1c1c", "#c05621", "#b7791f", "#2f855a", "#2b6cb0", "#6b46c1", "#718096"]


def _wan(amount: Decimal | None) -> float | None:
    return None if amount is None else float(yuan_to_wan(amount))


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
                          xaxis={"title": {"text": f"{metric_name}（万元）"}, "automargin": True},
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
    return _to_json({"data": traces, "layout": _layout(
        title, barmode="stack", height=max(260, 26 * len(units) + 120),
        xaxis={"automargin": True}, yaxis={"automargin": True})})


def trend(years: Sequence[int], series: Sequence[tuple[str, Sequence[Decimal | None]]], title: str) -> str:
    """Lines over the years, amounts in 万元."""
    traces = [{"type": "scatter", "mode": "lines+markers", "name": name, "x": list(years),
               "y": [_wan(v) for v in values], "line": {"color": COLORS[i % len(COLORS)]},
               "hovertemplate": "%{x}年 " + name + "：%{y:,.2f} 万元<extra></extra>"}
              for i, (name, values) in enumerate(series)]
    return _to_json({"data": traces, "layout": _layout(
        title, height=320, xaxis={"dtick": 1, "automargin": True},
        yaxis={"rangemode": "tozero", "automargin": True, "ticksuffix": " 万"})})


def rank_trend(years: Sequence[int], ranks: Sequence[int | None], title: str) -> str:
    """A village's rank over the years: first place at the top."""
    return _to_json({"data": [{"type": "scatter", "mode": "lines+markers+text", "x": list(years), "y": list(ranks),
                               "text": [f"第{r}名" if r else "" for r in ranks], "textposition": "top center",
                               "cliponaxis": False,
                               "line": {"color": COLORS[4]}, "hovertemplate": "%{x}年 第%{y}名<extra></extra>"}],
                     "layout": _layout(title, height=280, xaxis={"dtick": 1, "automargin": True},
                                       yaxis={"autorange": "reversed", "automargin": True, "ticksuffix": " 名"})})


def treemap(ids: Sequence[str], labels: Sequence[str], parents: Sequence[str], amounts: Sequence[Decimal],
            title: str) -> str:
    """Area by income, county → town → village: leaves carry the amounts, parents add them up."""
    return _to_json({"data": [{"type": "treemap", "ids": list(ids), "labels": list(labels), "parents": list(parents),
                               "values": [_wan(a) for a in amounts], "branchvalues": "remainder",
                               "hovertemplate": "%{label}<br>%{value:,.2f} 万元<extra></extra>",
                               "textinfo": "label+value"}],
                     "layout": _layout(title, height=420)})


def composition(parts: Sequence[tuple[str, Decimal]], title: str) -> str:
    """Income by line item, as a ring."""
    parts = [(label, amount) for label, amount in parts if amount and amount > 0]
    return _to_json({"data": [{"type": "pie", "hole": 0.45, "labels": [p[0] for p in parts],
                               "values": [_wan(p[1]) for p in parts], "sort": False,
                               "marker": {"colors": COLORS}, "textinfo": "label+percent",
                               "hovertemplate": "%{label}：%{value:,.2f} 万元（%{percent}）<extra></extra>"}],
                     "layout": _layout(title, height=320, showlegend=False)})
