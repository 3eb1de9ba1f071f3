"""File → Export…'s save dialog: a CSV file name to write the view to, asked without blocking (``open()``);
the chosen path comes back through ``fileSelected``."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWidget


class ExportDialog(QFileDialog):
    def __init__(self, directory: str, file_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("Export orders"))
        self.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        self.setFileMode(QFileDialog.FileMode.AnyFile)
        self.setNameFilters([self.tr("CSV files (*.csv)"), self.tr("All files (*)")])
        self.setDefaultSuffix("csv")
        self.setLabelText(QFileDialog.DialogLabel.Accept, self.tr("Export"))
        self.setLabelText(QFileDialog.DialogLabel.Reject, self.tr("Cancel"))
        self.setLabelText(QFileDialog.DialogLabel.FileName, self.tr("File name:"))
        self.setLabelText(QFileDialog.DialogLabel.FileType, self.tr("Type:"))
        self.setLabelText(QFileDialog.DialogLabel.LookIn, self.tr("Look in:"))
        self.setDirectory(directory)
        self.selectFile(file_name)
