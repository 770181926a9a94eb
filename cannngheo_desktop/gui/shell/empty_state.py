"""A calm, honest placeholder: what this area is for, what is known now, what to do first."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget


class EmptyState(QScrollArea):
    """Title, a purpose paragraph, a facts line (refreshable) and numbered first steps."""

    def __init__(self, title: str, purpose: str, steps: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        outer = QHBoxLayout(inner)
        column = QVBoxLayout()
        column.setSpacing(12)
        self.title_label = self._label(f"<h2>{html.escape(title)}</h2>")
        self.purpose_label = self._label(html.escape(purpose))
        self.facts_label = self._label("")
        self.facts_label.setObjectName("facts")
        self.facts_label.setStyleSheet(
            "#facts { background: #eef4fb; border: 1px solid #c8d8ea; border-radius: 4px; padding: 8px; }")
        # Commands must not break at their hyphens.
        items = "".join(f"<li style='margin-bottom:4px'>{s}</li>" for s in steps).replace(
            "<code>", "<code style='white-space:nowrap'>")
        self.steps_label = self._label(f"<b>Làm gì trước</b><ol style='margin-top:4px'>{items}</ol>")
        for widget in (self.title_label, self.purpose_label, self.facts_label, self.steps_label):
            column.addWidget(widget)
        column.addStretch(1)
        box = QWidget()
        box.setLayout(column)
        box.setMaximumWidth(860)
        outer.addStretch(1)
        outer.addWidget(box, 8)
        outer.addStretch(1)
        self.setWidget(inner)

    @staticmethod
    def _label(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return label

    def set_facts(self, text: str) -> None:
        """Show (or hide, with an empty text) the line of current facts, e.g. counts."""
        self.facts_label.setText(text)
        self.facts_label.setVisible(bool(text))
