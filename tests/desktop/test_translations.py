"""The Vietnamese catalogue covers every string the code translates, and no visible text bypasses ``tr()``."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from desktop.i18n import catalogue

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "desktop"
CATALOGUE = catalogue("vi", "ts")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
LETTER = re.compile(r"[^\W\d_]")

# Qt calls whose string arguments a person reads.
VISIBLE_SETTERS = {
    "setText", "setWindowTitle", "setPlaceholderText", "setToolTip", "setStatusTip", "setWhatsThis", "setTitle",
    "addMenu", "addTab", "insertTab", "setTabText", "setTabToolTip", "showMessage", "show_message",
    "setHorizontalHeaderLabels", "setVerticalHeaderLabels", "addButton", "setLabelText", "setNameFilter",
    "setNameFilters", "addRow", "addItem", "addItems", "setItemText", "setPrefix", "setSuffix",
    "setSpecialValueText", "setFormat", "setInformativeText", "setDetailedText", "setAccessibleName",
    "setAccessibleDescription", "setIconText", "addSection", "setWindowIconText",
}
VISIBLE_CONSTRUCTORS = {
    "QAction", "QLabel", "QPushButton", "QToolButton", "QGroupBox", "QToolBar", "QMenu", "QCheckBox",
    "QRadioButton", "QFileDialog", "QTableWidgetItem", "QMessageBox", "QDockWidget", "QCommandLinkButton",
    "QListWidgetItem", "QTreeWidgetItem",
}
TRANSLATING = {"tr", "translate", "QT_TRANSLATE_NOOP", "QT_TR_NOOP"}
TEXT_METHODS = {"format", "join", "replace", "strip", "upper", "lower", "capitalize", "title"}  # shown as built


def lupdate_binary() -> str | None:
    import PySide6

    shipped = Path(PySide6.__file__).parent / "lupdate"
    return str(shipped) if shipped.is_file() else shutil.which("pyside6-lupdate")


def messages(path: Path) -> list[tuple[str, str, ET.Element]]:
    root = ET.parse(path).getroot()
    return [(context.findtext("name"), message.findtext("source"), message.find("translation"))
            for context in root.iter("context") for message in context.iter("message")]


def test_every_source_string_has_a_finished_vietnamese_translation() -> None:
    found = messages(CATALOGUE)
    assert len(found) > 100
    for context, source, translation in found:
        where = f"{context}: {source!r}"
        assert translation.get("type") is None, f"{where} is {translation.get('type')}"
        text = translation.text or ""
        assert text.strip(), f"{where} has no translation"
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), where
        assert text.count("&") == source.count("&"), f"{where}: the shortcut letter (&) is lost or doubled"
        assert text.endswith("…") == source.endswith("…"), where


def test_the_catalogue_holds_exactly_the_strings_the_code_translates(tmp_path: Path) -> None:
    """lupdate reads the code again: nothing new to translate, and nothing the code no longer uses."""
    lupdate = lupdate_binary()
    assert lupdate is not None, "pyside6-lupdate is not installed (it comes with PySide6)"
    fresh = tmp_path / CATALOGUE.name
    shutil.copy(CATALOGUE, fresh)
    sources = sorted(str(path.relative_to(ROOT)) for path in DESKTOP.glob("*.py"))
    subprocess.run([lupdate, *sources, "-ts", str(fresh), "-locations", "none", "-no-obsolete", "-silent"],
                   cwd=ROOT, check=True, timeout=60)
    committed = {(context, source) for context, source, _ in messages(CATALOGUE)}
    current = {(context, source): translation for context, source, translation in messages(fresh)}
    assert sorted(set(current) - committed) == [], "translate these in resources/i18n/order_desk_vi.ts"
    assert sorted(committed - set(current)) == [], "no longer in the code: run make i18n"
    assert [key for key, translation in current.items() if translation.get("type")] == []


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _bare_literals(node: ast.AST) -> list[str]:
    """String literals with a letter in them that reach ``node`` without passing through a translating call."""
    if isinstance(node, ast.Call) and _name(node) in TRANSLATING:
        return []
    if isinstance(node, ast.Call) and _name(node) not in TEXT_METHODS:
        return []  # an argument of another call (icon("worker"), QKeySequence("Ctrl+N")) is not shown
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) and LETTER.search(node.value) else []
    if isinstance(node, ast.Subscript):  # a lookup key is not shown: LABELS["approve"]
        return _bare_literals(node.value)
    return [literal for child in ast.iter_child_nodes(node) for literal in _bare_literals(child)]


def untranslated(source: str) -> list[tuple[int, str, str]]:
    """Every (line, call, literal) where a literal is shown without going through Qt's translation system."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and (_name(node) in VISIBLE_SETTERS or _name(node) in VISIBLE_CONSTRUCTORS):
            for argument in node.args:  # keywords are options (source="boot"), not text
                found += [(node.lineno, _name(node), literal) for literal in _bare_literals(argument)]
    return found


def test_the_scan_finds_literals_that_bypass_tr() -> None:
    bypassing = '''
label.setText("Hello")
QAction("&Quit", self)
bar.show_message(f"Failed: {error}", severity)
button.setToolTip("Create " + name)
menu.addMenu("&File".replace("&", ""))
label.setText(self.tr("Hello {name}").format(name="World"))
'''
    assert [call for _line, call, _literal in untranslated(bypassing)] == [
        "setText", "QAction", "show_message", "setToolTip", "addMenu", "setText"]
    translated = '''
label.setText(self.tr("Hello"))
QAction(self.tr("&Quit"), self)
bar.show_message(self.tr("Failed: {error}").format(error=error), severity)
button.setToolTip(QCoreApplication.translate("Form", LABELS["create"]))
close.setText("×")
QAction(icon("worker"), self.tr("Run &worker"), self)
edit.setText(f"{order_id}: {reason}")
'''
    assert untranslated(translated) == []


@pytest.mark.parametrize("path", sorted(DESKTOP.glob("*.py")), ids=lambda path: path.name)
def test_no_user_visible_literal_in_desktop_bypasses_tr(path: Path) -> None:
    assert untranslated(path.read_text(encoding="utf-8")) == []
