"""The city report as one small static HTML page: inline SVG bar charts drawn
here (no scripts, no fonts or files from the network), tables under each chart.
Japanese or English.  Every value from the input files is escaped."""

from __future__ import annotations

from html import escape

from counter_app import languages
from counter_app.errors import CounterAppError
from counter_app.fleet.report import CITY, CityCounts

TEXT = {
    "title": ("多言語窓口通訳 利用状況レポート", "Counter interpretation: usage report"),
    "period": ("期間", "Period"),
    "tablets": ("端末数", "Tablets"),
    "wards": ("区・事務所数", "Wards/offices"),
    "turns": ("利用回数（発話・入力）", "Turns (utterances and typed or phrase turns)"),
    "kpi": ("継続利用希望率", "Continued-use rate"),
    "kpi_q": ("「この機能を今後も使いたいですか？」への「はい」の割合",
              "Share of “yes” to “Do you want to keep using this tool?”"),
    "target": ("目標", "Target"),
    "met": ("目標達成", "target met"),
    "missed": ("目標未達", "below target"),
    "no_answers": ("回答なし", "no answers"),
    "answers": ("回答", "answers"),
    "kpi_ward": ("区・事務所別 継続利用希望率（全期間）",
                 "Continued-use rate per ward (whole period)"),
    "kpi_month": ("月別 継続利用希望率（市全体）", "Continued-use rate per month (city)"),
    "by_month": ("月別 利用回数", "Turns per month"),
    "by_language": ("言語別 利用回数", "Turns per language"),
    "by_mode": ("方法別 利用回数", "Turns per mode"),
    "by_ward": ("区・事務所別 利用回数", "Turns per ward"),
    "month": ("月", "Month"),
    "total": ("合計", "Total"),
    "city": ("市全体", "City"),
    "note": ("この報告は件数のみを集計しています。発話や翻訳の内容は一切含まれません。",
             "This report holds counts only: no words of any conversation."),
    "voice": ("音声", "voice"), "text": ("文字入力", "typed"), "phrase": ("定型文", "phrase"),
    "caption": ("字幕", "captions"),
}

COLORS = {"bar": "#2b6cb0", "good": "#2f855a", "bad": "#c53030", "target": "#1a202c",
          "empty": "#a0aec0"}


def render_html(counts: CityCounts, target: float, language: str = "ja") -> str:
    t = _texts(language)
    months = counts.months
    period = f"{months[0]} – {months[-1]}" if months else "–"
    kpi = {(m, w): (y, n, r) for m, w, y, n, r in counts.continued_use()}
    yes, no, rate = kpi.get(("all", CITY), (0, 0, None))
    total_turns = sum(counts.turns.values())
    parts = [
        f"<h1>{t('title')}</h1>",
        "<dl class='summary'>",
        f"<div><dt>{t('period')}</dt><dd>{escape(period)}</dd></div>",
        f"<div><dt>{t('tablets')}</dt><dd>{len(counts.tablets)}</dd></div>",
        f"<div><dt>{t('wards')}</dt><dd>{len(counts.wards)}</dd></div>",
        f"<div><dt>{t('turns')}</dt><dd>{total_turns:,}</dd></div>",
        f"<div><dt>{t('kpi')}</dt><dd class='{_verdict_class(rate, target)}'>"
        f"{_percent(rate)}</dd></div>",
        "</dl>",
        f"<p>{t('kpi_q')}. {t('target')} {target:.0%}: "
        f"<strong>{_verdict(rate, target, t)}</strong> ({t('answers')} {yes + no:,})</p>",
        f"<h2>{t('kpi_ward')}</h2>",
        _rate_chart([(w, kpi[("all", w)]) for w in counts.wards if ("all", w) in kpi],
                    target, t),
        f"<h2>{t('kpi_month')}</h2>",
        _rate_chart([(m, kpi[(m, CITY)]) for m in months if (m, CITY) in kpi], target, t),
    ]
    by_month: dict[str, int] = {}
    for (month, *_), n in counts.turns.items():
        by_month[month] = by_month.get(month, 0) + n
    parts += [f"<h2>{t('by_month')}</h2>",
              _bar_chart([(m, by_month.get(m, 0)) for m in months])]
    for key, index, label in (("by_language", 2, lambda c: _language_name(c, language)),
                              ("by_mode", 3, lambda m: t(m) if m in TEXT else m),
                              ("by_ward", 1, lambda w: w)):
        table = counts.turns_by(index)
        keys = sorted({k for _, k in table},
                      key=lambda k: -sum(n for (_, k2), n in table.items() if k2 == k))
        totals = [(label(k), sum(n for (_, k2), n in table.items() if k2 == k)) for k in keys]
        parts += [f"<h2>{t(key)}</h2>", _bar_chart(totals),
                  _month_table(months, keys, table, label, t)]
    parts.append(f"<p class='note'>{t('note')}</p>")
    return _page(t("title"), "\n".join(parts), language)


def _texts(language: str):
    index = 0 if language == "ja" else 1
    return lambda key: escape(TEXT[key][index])


def _language_name(code: str, ui: str) -> str:
    try:
        lang = languages.get(code)
    except CounterAppError:
        return code
    return f"{lang.japanese if ui == 'ja' else lang.english} ({code})"


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.0%}"


def _verdict_class(rate: float | None, target: float) -> str:
    return "none" if rate is None else ("good" if rate >= target else "bad")


def _verdict(rate: float | None, target: float, t) -> str:
    return t("no_answers") if rate is None else t("met" if rate >= target else "missed")


ROW, LABEL_W, BAR_W = 30, 220, 440


def _svg(rows: int, body: list[str], extra: int = 0) -> str:
    height = max(rows, 1) * ROW + 10 + extra
    width = LABEL_W + BAR_W + 110
    return (f"<svg role='img' width='{width}' "
            f"height='{height}' viewBox='0 0 {width} {height}'>" + "".join(body) + "</svg>")


def _bar_chart(items: list[tuple[str, int]]) -> str:
    """Horizontal bars, longest = full width; value at the bar's end."""
    top = max((n for _, n in items), default=0) or 1
    body = []
    for i, (label, n) in enumerate(items):
        y = i * ROW + 5
        width = round(BAR_W * n / top)
        body += [f"<text x='{LABEL_W - 8}' y='{y + 19}' text-anchor='end'>{escape(label)}</text>",
                 f"<rect x='{LABEL_W}' y='{y + 4}' width='{width}' height='{ROW - 8}' "
                 f"fill='{COLORS['bar']}'/>",
                 f"<text x='{LABEL_W + width + 6}' y='{y + 19}'>{n:,}</text>"]
    return _svg(len(items), body)


def _rate_chart(items: list[tuple[str, tuple[int, int, float | None]]], target: float,
                t) -> str:
    """Bars of the yes share (0-100 %), green at or above the target, red below, with
    the target as a vertical line."""
    body = []
    for i, (label, (yes, no, rate)) in enumerate(items):
        y = i * ROW + 5
        name = t("city") if label == CITY else escape(label)
        body.append(f"<text x='{LABEL_W - 8}' y='{y + 19}' text-anchor='end'>{name}</text>")
        if rate is None:
            body.append(f"<text x='{LABEL_W + 6}' y='{y + 19}' fill='{COLORS['empty']}'>"
                        f"{t('no_answers')}</text>")
            continue
        color = COLORS["good" if rate >= target else "bad"]
        width = round(BAR_W * rate)
        body += [f"<rect x='{LABEL_W}' y='{y + 4}' width='{width}' height='{ROW - 8}' "
                 f"fill='{color}'/>",
                 f"<text x='{LABEL_W + BAR_W + 6}' y='{y + 19}'>{rate:.0%} "
                 f"({yes}/{yes + no})</text>"]
    x = LABEL_W + round(BAR_W * target)
    height = max(len(items), 1) * ROW + 10
    body += [f"<line x1='{x}' x2='{x}' y1='0' y2='{height}' stroke='{COLORS['target']}' "
             f"stroke-width='2' stroke-dasharray='6 4'/>",
             f"<text x='{x}' y='{height + 14}' text-anchor='middle'>{t('target')} "
             f"{target:.0%}</text>"]
    return _svg(len(items), body, extra=20)


def _month_table(months: list[str], keys: list[str], table: dict[tuple[str, str], int],
                 label, t) -> str:
    head = "".join(f"<th>{escape(label(k))}</th>" for k in keys)
    rows = []
    for month in months:
        cells = "".join(f"<td>{table.get((month, k), 0):,}</td>" for k in keys)
        rows.append(f"<tr><th>{escape(month)}</th>{cells}</tr>")
    totals = "".join(f"<td>{sum(table.get((m, k), 0) for m in months):,}</td>" for k in keys)
    rows.append(f"<tr class='total'><th>{t('total')}</th>{totals}</tr>")
    return (f"<div class='scroll'><table><thead><tr><th>{t('month')}</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 960px; color: #1a202c; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 2em; }
.summary { display: flex; flex-wrap: wrap; gap: 1em; }
.summary div { border: 1px solid #cbd5e0; border-radius: 6px; padding: .5em 1em; }
dt { font-size: .85em; color: #4a5568; } dd { margin: 0; font-size: 1.6em; font-weight: bold; }
.good { color: #2f855a; } .bad { color: #c53030; } .none { color: #a0aec0; }
svg text { font-size: 14px; font-family: sans-serif; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin-top: .5em; }
th, td { border: 1px solid #cbd5e0; padding: .25em .6em; text-align: right; }
tr.total { font-weight: bold; }
.note { margin-top: 2em; color: #4a5568; font-size: .9em; }
"""


def _page(title: str, body: str, language: str) -> str:
    return (f"<!DOCTYPE html>\n<html lang='{'ja' if language == 'ja' else 'en'}'><head>"
            f"<meta charset='utf-8'><title>{title}</title><style>{STYLE}</style></head>"
            f"<body>\n{body}\n</body></html>\n")
