"""评定: a score given by the assessors (the 评分 field), with its reason (the cell's 说明),
within 0 and the item's points, or within a declared band (档位)."""
from decimal import Decimal
from fractions import Fraction

import numpy as np

from ... import ast
from ...data import NOTE_SUFFIX
from ...numbers import show
from ...result import Line
from .. import num
from ..core import Reads
from . import Outcome

FIELD, BAND = "评分", "档位"


def evaluate(engine, at, rule: ast.Assessed, top: Fraction, reads, mask) -> Outcome:
    node = at.node
    score = engine.number(at, ast.Ref(None, FIELD, rule.pos), Reads())
    err = score.err if not rule.reason else num.first_error(score.err, np.where(engine.noted(node, FIELD), 0,
        engine.fail("E311", at.scored, "评定分须附评定理由（数值文件的 说明 列，或填报表的 评分说明 行）",
                    cells=((node, FIELD + NOTE_SUFFIX), (node, FIELD)))))
    by, said_by = rule.by or "由考核组择优评定", rule.by or "由考核组评定"  # the scheme's words where it gives them
    low, high = engine.const(0), engine.const(top)
    label_of = None
    if rule.bands:
        labels = engine.field(node, BAND)
        label_of = lambda i: engine.field_shown(node, BAND, labels)(np.array([i]))[0]
        band_at = np.full(engine.size, -1, np.int64)
        for b, band in enumerate(rule.bands):
            band_at = np.where((labels.kind == num.TEXT) & (labels.n == engine.text_code(band.label))
                               & (band_at < 0), b, band_at)
        known = "、".join(b.label for b in rule.bands)
        unknown = engine.fail("E311", at.scored, lambda i: f"档位 {label_of(i)!r} 不在方案所列之中（{known}）",
                              cells=((node, BAND),))
        err = num.first_error(err, labels.err, np.where(band_at < 0, unknown, 0))
        lows = [engine.const(top * Fraction(b.low.value)) for b in rule.bands]
        highs = [engine.const(top * Fraction(b.high.value)) for b in rule.bands]
        for b in range(len(rule.bands)):
            low, high = num.where(band_at == b, lows[b], low), num.where(band_at == b, highs[b], high)
    least, most = num.smaller(low, high), num.larger(low, high)
    outside = (num.compare(score, least) < 0) | (num.compare(score, most) > 0)
    if rule.bands:  # an end the band does not include (不含, or the lower band's upper end)
        open_low = np.array([not b.low_inclusive for b in rule.bands] + [False])[band_at]
        open_high = np.array([not b.high_inclusive for b in rule.bands] + [False])[band_at]
        outside |= (open_low & (num.compare(score, least) == 0)) | (open_high & (num.compare(score, most) == 0))
    raws = engine.field_shown(node, FIELD, score)
    raw = lambda i: raws(np.array([i]))[0]
    def allowed(i: int) -> str:
        low, high = show(least.fraction(i)), show(most.fraction(i))
        return _range(rule.bands[band_at[i]], low, high) if rule.bands and band_at[i] >= 0 else f"{low}–{high}"
    beyond = engine.fail("E311", at.scored, lambda i: f"评定分 {raw(i)} 超出允许范围 {allowed(i)}",
                         cells=((node, FIELD),))
    err = num.first_error(err, np.where(outside, beyond, 0))
    earned = num.number(score.n, score.d, err)

    def lines(idx):
        out = []
        for i, given in zip(idx.tolist(), raws(idx)):
            band_text = ""
            if rule.bands:
                band = next(b for b in rule.bands if b.label == label_of(i))
                band_text = (f"，档位 {band.label}（{_range(band, band.low, band.high)}，即 "
                             f"{_range(band, show(low.fraction(i)), show(high.fraction(i)))}分）")
            cell = engine.data.values.get((engine.data.units[i].name, node, FIELD))
            inputs = ((FIELD, given), ("评定理由", cell.note if cell else ""))
            reason = cell.note if cell else ""
            out.append(Line("assessed", f"评定得分（{by}）" + band_text, inputs, f"评定 {given}分",
                            Decimal(0), rule.pos.line, f"{said_by}（理由：{reason}），" if reason else f"{said_by}，"))
        return out
    return Outcome(earned, lines)


def _range(band: ast.AssessedBand, low, high) -> str:
    """80%（含）–100%（含）: each end said, as the 10号 tables write them."""
    return f"{low}{'（含）' if band.low_inclusive else '（不含）'}–{high}{'（含）' if band.high_inclusive else '（不含）'}"
