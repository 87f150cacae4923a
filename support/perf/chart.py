"""A latency-by-percentile chart as a self-contained SVG, for the Allure report.

Drawn by hand (a few lines of SVG) so the report needs no plotting library and no browser fonts
beyond the default; the x axis is evenly spaced percentiles because the tail is the point.
"""
from html import escape

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 40, 50
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def _nice_ceiling(value):
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def latency_chart(title, series):
    """`series` is {name: [(percentile, ms), …]} (Trend.distribution()); returns SVG text."""
    series = {name: points for name, points in series.items() if points}
    percentiles = sorted({p for points in series.values() for p, _ in points})
    top = _nice_ceiling(max((ms for points in series.values() for _, ms in points), default=1.0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(p):
        return LEFT + (percentiles.index(p) * plot_w / max(1, len(percentiles) - 1))

    def y(ms):
        return TOP + plot_h - (ms / top) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" '
        f'font-size="11">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="14">{escape(title)}</text>',
    ]
    for i in range(5):
        value = top * i / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value:g} ms</text>')
    for p in percentiles:
        label = "max" if p == 100 else ("min" if p == 0 else f"p{p:g}")
        parts.append(f'<text x="{x(p):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{label}</text>')
    parts.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 12}" text-anchor="middle">percentile</text>')
    for index, (name, points) in enumerate(sorted(series.items())):
        colour = COLOURS[index % len(COLOURS)]
        path = " ".join(f"{x(p):.1f},{y(ms):.1f}" for p, ms in points)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        parts.extend(f'<circle cx="{x(p):.1f}" cy="{y(ms):.1f}" r="3" fill="{colour}"><title>{escape(name)} '
                     f'p{p:g}: {ms:,.1f} ms</title></circle>' for p, ms in points)
        parts.append(f'<rect x="{LEFT + 10}" y="{TOP + 4 + index * 16}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{LEFT + 26}" y="{TOP + 13 + index * 16}">{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
