"""The live assessment beside the household editor: verdict, each indicator with its reason,
missing facts as links to their field, and a second ruleset side by side (e.g. 2027).

Evaluation is pure (core.standards.evaluate) and fast, so it runs on every change in the GUI
thread; nothing is stored until "Ghi nhận kết quả".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from ...core.errors import AppError
from ...core.standards import DEPRIVED, NOT_DEPRIVED, Evaluation, Ruleset, current_and_next, evaluate
from ...core.text import format_date

NO_COMPARE = "— Không so sánh —"
STATUS_MARK = {DEPRIVED: ("✗", "#b00020", "thiếu hụt"), NOT_DEPRIVED: ("✓", "#2e7d32", "không thiếu hụt")}
UNKNOWN_MARK = ("?", "#9a6700", "chưa đủ thông tin")
CATEGORY_COLOURS = {"poor": "#b00020", "near_poor": "#c25e00", "average": "#5b6b00", "not_poor": "#2e7d32"}


def render_html(ev: Evaluation) -> str:
    """Verdict, income, indicators and missing facts as rich text (links: ``field:<name>``)."""
    colour = CATEGORY_COLOURS.get(ev.category, "#555")
    parts = [f"<p style='font-size:15px; color:{colour}'><b>{escape(ev.category_label)}</b></p>",
             f"<p>{escape(ev.income_reason)}; {ev.deprivation_count} chỉ số thiếu hụt"
             f"{f', {ev.undetermined_count} chưa rõ' if ev.undetermined_count else ''}.</p>"]
    parts.append(f"<p style='color:#555'>Tính tại ngày {format_date(ev.assessed_on)}.</p>")
    # Unconfirmed rules are mentioned once, and only those that decided the result: the indicator
    # rows they concern carry the mark, one line above says so (issue 17: not on every assessment).
    deciding = set(ev.deciding_unconfirmed)
    general = [w for w in ev.warnings if not w.startswith("Chỉ số '")]
    parts.extend(f"<p style='color:#9a6700'>⚠ {escape(w)}</p>" for w in general)
    if deciding:
        parts.append(f"<p style='color:#9a6700'>⚠ Kết quả phụ thuộc {len(deciding)} chỉ số chưa được xác nhận theo "
                     "văn bản nghị định (đánh dấu ⚠ bên dưới).</p>")
    if ev.missing:
        links = "".join(f"<li><a href='field:{escape(f)}'>{escape(label)}</a></li>" for f, label in ev.missing)
        parts.append(f"<p><b>Còn thiếu thông tin</b> (bấm để nhập):</p><ul style='margin-left:-20px'>{links}</ul>")
    parts.append(indicator_table((r.status, r.name + (" ⚠ chưa xác nhận" if r.code in deciding else ""), r.reason)
                                 for r in ev.indicators))
    return "".join(parts)


def indicator_table(items: Iterable[tuple[str | None, str, str]]) -> str:
    """(status, indicator name, reason) rows as ✓/✗/? lines of rich text."""
    rows = []
    for status, name, reason in items:
        mark, col, word = STATUS_MARK.get(status or "", UNKNOWN_MARK)
        rows.append(f"<tr><td style='color:{col}' title='{word}'><b>{mark}</b></td>"
                    f"<td><b>{escape(name)}</b>: {escape(reason)}</td></tr>")
    return "<table cellspacing='2'>" + "".join(rows) + "</table>"


class _Column(QWidget):
    """One ruleset: its chooser and its result."""

    def __init__(self, rulesets: Sequence[Ruleset], optional: bool, parent: QWidget) -> None:
        super().__init__(parent)
        self.rulesets = list(rulesets)
        self.combo = QComboBox()
        if optional:
            self.combo.addItem(NO_COMPARE, None)
        for r in self.rulesets:
            end = format_date(r.valid_to) if r.valid_to else "nay"
            self.combo.addItem(f"{r.code} ({r.valid_from.year}–{r.valid_to.year if r.valid_to else 'nay'})", r.code)
            self.combo.setItemData(self.combo.count() - 1, f"{r.name}\nHiệu lực {format_date(r.valid_from)}–{end}",
                                   Qt.ItemDataRole.ToolTipRole)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(12)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(self.result, 1)
        self.evaluation: Evaluation | None = None

    def ruleset(self) -> Ruleset | None:
        code = self.combo.currentData()
        return next((r for r in self.rulesets if r.code == code), None)

    def show_result(self, household: Mapping[str, Any], members: Sequence[Mapping[str, Any]],
                    area: str | None, on: date) -> None:
        rs = self.ruleset()
        self.evaluation = None
        if rs is None:
            self.result.setText("")
            return
        if area is None:
            self.result.setText("<p>Chọn đơn vị (xã/phường/thị trấn) để biết khu vực nông thôn hay thành thị.</p>")
            return
        # A ruleset not yet in force is shown as it will apply on its first day.
        day = rs.valid_from if rs.valid_from > on else on
        try:
            self.evaluation = evaluate(household, members, rs, day, area)
        except AppError as exc:
            self.result.setText(f"<p style='color:#b00020'>{escape(exc.message)}</p>")
            return
        self.result.setText(render_html(self.evaluation))


class AssessmentPanel(QWidget):
    """Signals: ``field_requested(field)`` when a missing fact is clicked;
    ``recognise_requested(ruleset_code)`` for "Ghi nhận kết quả"."""

    field_requested = Signal(str)
    recognise_requested = Signal(str)

    def __init__(self, rulesets: Sequence[Ruleset], today: date | None = None,
                 parent: QWidget | None = None, *, province: str | None = None) -> None:
        super().__init__(parent)
        self.today = today or date.today()
        self._facts: tuple[Mapping[str, Any], Sequence[Mapping[str, Any]], str | None] = ({}, [], None)
        title = QLabel("<b>Đánh giá theo chuẩn nghèo</b> (tính lại khi sửa; chưa lưu)")
        title.setWordWrap(True)
        self.current = _Column(rulesets, False, self)
        self.compare = _Column(rulesets, True, self)
        now, later = current_and_next(rulesets, self.today, province)
        now = now or (rulesets[-1] if rulesets else None)
        if now is not None:
            self.current.combo.setCurrentIndex(self.current.combo.findData(now.code))
        if later is not None:
            self.compare.combo.setCurrentIndex(self.compare.combo.findData(later.code))
        columns = QWidget()
        row = QHBoxLayout(columns)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.current, 1)
        row.addWidget(self.compare, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(columns)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.recognise_button = QPushButton("Ghi nhận kết quả")
        self.recognise_button.setToolTip("Lưu kết quả đánh giá theo bộ chuẩn bên trái làm phân loại hiện tại của hộ")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(scroll, 1)
        # Saved assessments: the editor fills the count and opens the list (storage is its business).
        self.history_button = QPushButton("Các lần đã lưu…")
        self.history_button.setToolTip("Các lần đánh giá đã lưu của hộ, mỗi lần với lý do từng chỉ số")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.recognise_button, 1)
        buttons.addWidget(self.history_button)
        layout.addLayout(buttons)
        for col in (self.current, self.compare):
            col.combo.currentIndexChanged.connect(self._redraw)
            col.result.linkActivated.connect(self._link)
        self.recognise_button.clicked.connect(self._recognise)

    def update_facts(self, household: Mapping[str, Any], members: Sequence[Mapping[str, Any]],
                     area: str | None) -> None:
        """Re-evaluate with the editor's current values (``area``: 'rural'/'urban' or None)."""
        self._facts = (household, members, area)
        self._redraw()

    def _redraw(self) -> None:
        for col in (self.current, self.compare):
            col.show_result(*self._facts, self.today)

    def _link(self, href: str) -> None:
        if href.startswith("field:"):
            self.field_requested.emit(href.removeprefix("field:"))

    def _recognise(self) -> None:
        rs = self.current.ruleset()
        if rs is not None:
            self.recognise_requested.emit(rs.code)

    def evaluation(self) -> Evaluation | None:
        """The left column's evaluation (None when it could not be computed)."""
        return self.current.evaluation

    def comparison(self) -> Evaluation | None:
        return self.compare.evaluation
