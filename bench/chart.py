#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A horizontal bar chart as a self-contained SVG, from columns of a TSV file (no
# plotting library: the bench scripts need only python3). One panel per column,
# side by side, one bar per row, labelled with its value.
#
#   bench/chart.py --tsv FILE --label COLUMN --column KEY=TITLE [--column ...]
#                  --out FILE.svg [--title TEXT] [--highlight LABEL]
#
# Rows whose value is empty are drawn without a bar ("n/a"). bench/http_server.sh
# draws docs/img/http_server_keepalive.svg with it.
import argparse
import csv
import sys
from xml.sax.saxutils import escape

ROW_H = 26
BAR_H = 18
LABEL_W = 78
BAR_W = 300
VALUE_W = 70
PANEL_GAP = 30
TOP = 58
COLOR = "#8da0cb"
HIGHLIGHT = "#e5743b"


def human(v):
    if v >= 1e6:
        return f"{v / 1e6:.2f}M"
    if v >= 1e4:
        return f"{v / 1e3:.1f}k"
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tsv", required=True)
    ap.add_argument("--label", required=True, help="the column that names each row")
    ap.add_argument("--column", action="append", required=True, help="KEY=TITLE, one panel each")
    ap.add_argument("--out", required=True)
    ap.add_argument("--title", default="")
    ap.add_argument("--highlight", default="", help="the row drawn in another colour")
    a = ap.parse_args()

    with open(a.tsv, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    if not rows:
        sys.exit("chart.py: no rows in " + a.tsv)
    panels = []
    for spec in a.column:
        key, _, title = spec.partition("=")
        if key not in rows[0]:
            sys.exit(f"chart.py: no column {key} in {a.tsv}")
        values = []
        for r in rows:
            try:
                values.append(float(r[key]))
            except (TypeError, ValueError):
                values.append(None)
        panels.append((title or key, values))

    panel_w = LABEL_W + BAR_W + VALUE_W
    width = len(panels) * panel_w + (len(panels) - 1) * PANEL_GAP + 20
    height = TOP + len(rows) * ROW_H + 16
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" '
           f'font-size="13">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="10" y="22" font-size="15" font-weight="bold">{escape(a.title)}</text>']
    for p, (title, values) in enumerate(panels):
        x0 = 10 + p * (panel_w + PANEL_GAP)
        top = max((v for v in values if v is not None), default=0) or 1
        out.append(f'<text x="{x0 + LABEL_W}" y="{TOP - 12}" font-weight="bold">{escape(title)}</text>')
        out.append(f'<line x1="{x0 + LABEL_W}" y1="{TOP - 4}" x2="{x0 + LABEL_W}" '
                   f'y2="{TOP + len(rows) * ROW_H - 4}" stroke="#444"/>')
        for i, (r, v) in enumerate(zip(rows, values)):
            y = TOP + i * ROW_H
            name = r[a.label]
            bold = ' font-weight="bold"' if name == a.highlight else ""
            out.append(f'<text x="{x0 + LABEL_W - 8}" y="{y + BAR_H - 4}" text-anchor="end"{bold}>'
                       f'{escape(name)}</text>')
            if v is None:
                out.append(f'<text x="{x0 + LABEL_W + 6}" y="{y + BAR_H - 4}" fill="#777">n/a</text>')
                continue
            w = max(1.0, BAR_W * v / top)
            color = HIGHLIGHT if name == a.highlight else COLOR
            out.append(f'<rect x="{x0 + LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}" fill="{color}">'
                       f'<title>{escape(name)}: {v:,.0f}</title></rect>')
            out.append(f'<text x="{x0 + LABEL_W + w + 5:.1f}" y="{y + BAR_H - 4}"{bold}>{human(v)}</text>')
    out.append("</svg>")
    with open(a.out, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
