"""PySide6 6.12.0 on Python 3.11 drops a reference to None for each empty value Qt hands back and
aborts after ~5,000 of them ("Fatal Python error: none_dealloc"). 20,000 such calls must pass.
Run in a subprocess so an abort shows up as a failed test instead of killing pytest."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt

    class Model(QAbstractTableModel):
        def rowCount(self, parent=QModelIndex()):
            return 3

        def columnCount(self, parent=QModelIndex()):
            return 2

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{index.row()},{index.column()}"
            return None

        def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
            return super().headerData(section, orientation, role)

    app = QCoreApplication(sys.argv)
    model = Model()
    index = model.index(1, 1)
    empty = 0
    for i in range(10_000):
        if model.headerData(i % 2, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) is None:
            empty += 1
        if index.data(Qt.ItemDataRole.UserRole + 7) is None:
            empty += 1
    assert index.data() == "1,1"
    print("empty values:", empty)
""")


def test_twenty_thousand_empty_qt_values_do_not_abort():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env,
                            timeout=120, check=False)
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stderr[-2000:]}"
    assert result.stdout.strip() == "empty values: 20000"
