"""The admin screen previews a phrasebook import: merge (default) or replace, or cancel."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from counter_app.phrasebook.library import Library  # noqa: E402
from counter_app.ui.phrase_admin import PhraseAdminDialog  # noqa: E402

# Saved from Excel as Shift_JIS: one shipped phrase reworded, one of the office's own.
OFFICE_CSV = ("phrase_id,category,ja,en\r\n"
              "reception.take_ticket,reception,番号札をお取りください。,Please take a ticket.\r\n"
              "office.parking,counter,駐車券をお出しください。,Show your parking ticket.\r\n")


@pytest.fixture()
def admin(qtbot, tmp_path):
    library = Library(tmp_path / "admin")
    dialog = PhraseAdminDialog(library)
    qtbot.addWidget(dialog)
    dialog.resize(1000, 700)
    dialog.show()
    path = tmp_path / "office.csv"
    path.write_bytes(OFFICE_CSV.encode("cp932"))
    return dialog, library, path


def open_preview(qtbot, dialog, path):
    with qtbot.waitSignal(dialog.preview_shown, timeout=20_000) as shown:
        dialog.start_import("phrasebook", path)
    preview = shown.args[0]
    assert dialog.preview is preview and preview.isVisible()
    return preview


def test_preview_counts_lost_phrases_and_merge_keeps_everything(qtbot, admin, shots_dir):
    dialog, library, path = admin
    shipped = library.phrasebook()
    assert len(shipped) == 166
    preview = open_preview(qtbot, dialog, path)
    assert library.phrasebooks.versions()[-1].label == "shipped"  # nothing applied yet
    assert preview.merge_button.isChecked()
    assert preview.counts.text() == "追加 1件・変更 1件・削除 0件（166件 → 167件）"
    assert preview.lost_heading.text() == "削除される定型文はありません。"
    assert not preview.lost.isVisible()
    for button in (preview.merge_button, preview.replace_button, preview.apply_button,
                   preview.cancel_button):
        assert button.height() >= 44

    qtbot.mouseClick(preview.replace_button, Qt.MouseButton.LeftButton)
    assert preview.counts.text() == "追加 1件・変更 1件・削除 165件（166件 → 2件）"
    assert preview.lost_heading.text().startswith("削除される定型文（165件）")
    lines = preview.lost_lines()
    assert len(lines) == 165 and preview.lost.isVisible()
    assert lines[0] == "reception.hello_how_can_i_help　" + shipped.phrases[0].source_text
    assert not any(line.startswith("reception.take_ticket") for line in lines)
    preview.resize(900, 640)
    qtbot.wait(50)
    preview.grab().save(str(shots_dir / "phrase-import-preview.png"))

    qtbot.mouseClick(preview.merge_button, Qt.MouseButton.LeftButton)  # back to the default
    assert not preview.lost.isVisible()
    with qtbot.waitSignal(dialog.import_done, timeout=20_000) as done:
        qtbot.mouseClick(preview.apply_button, Qt.MouseButton.LeftButton)
    assert done.args == ["phrasebook", True] and dialog.preview is None
    assert dialog.message.text() == "office.csv を統合しました（v0001）：追加 1件・変更 1件。"
    book = library.phrasebook()
    assert len(book) == 167
    assert {p.id for p in shipped.phrases} <= {p.id for p in book.phrases}
    assert book.get("reception.take_ticket").text("en") == "Please take a ticket."
    assert book.get("reception.take_ticket").text("ko") == \
        shipped.get("reception.take_ticket").text("ko")
    assert dialog.sections["phrasebook"].active_label.text().startswith("使用中：v0001")


def test_cancel_applies_nothing(qtbot, admin):
    dialog, library, path = admin
    shipped = library.phrasebook()
    preview = open_preview(qtbot, dialog, path)
    qtbot.mouseClick(preview.replace_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.import_done, timeout=5_000) as done:
        qtbot.mouseClick(preview.cancel_button, Qt.MouseButton.LeftButton)
    assert done.args == ["phrasebook", False]
    assert dialog.message.text() == "office.csv の読み込みを取り消しました。何も変わっていません。"
    assert library.phrasebook() is shipped
    assert [v.label for v in library.phrasebooks.versions()] == ["shipped"]
    section = dialog.sections["phrasebook"]
    assert section.import_button.isEnabled() and not section.rollback_button.isEnabled()


def test_replace_lists_the_loss_and_rollback_restores(qtbot, admin):
    dialog, library, path = admin
    shipped = library.phrasebook()
    preview = open_preview(qtbot, dialog, path)
    qtbot.mouseClick(preview.replace_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.import_done, timeout=20_000):
        qtbot.mouseClick(preview.apply_button, Qt.MouseButton.LeftButton)
    assert [p.id for p in library.phrasebook().phrases] == ["reception.take_ticket",
                                                            "office.parking"]
    assert dialog.message.text().startswith("office.csv で置き換えました（v0001）：削除 165件。")
    section = dialog.sections["phrasebook"]
    qtbot.mouseClick(section.rollback_button, Qt.MouseButton.LeftButton)
    assert [p.texts for p in library.phrasebook().phrases] == [p.texts for p in shipped.phrases]


def test_broken_file_gets_no_preview(qtbot, admin, tmp_path):
    dialog, library, _ = admin
    bad = tmp_path / "bad.csv"
    bad.write_bytes((OFFICE_CSV + "office.blank,counter,,Blank\r\n").encode("cp932"))
    with (qtbot.assertNotEmitted(dialog.preview_shown),
          qtbot.waitSignal(dialog.import_done, timeout=20_000) as done):
        dialog.start_import("phrasebook", bad)
    assert done.args == ["phrasebook", False] and dialog.preview is None
    assert "empty source (ja) text" in dialog.problems.item(0).text()
    assert [v.label for v in library.phrasebooks.versions()] == ["shipped"]


def test_english_ui_preview(qtbot, admin, monkeypatch):
    from counter_app.ui import i18n

    monkeypatch.setattr(i18n, "_language", "en")
    dialog, _, path = admin
    preview = open_preview(qtbot, dialog, path)
    assert preview.merge_button.text().startswith("Merge (recommended)")
    assert preview.counts.text() == "1 added, 1 changed, 0 removed (166 → 167 phrases)"
    assert preview.apply_button.text() == "Apply" and preview.cancel_button.text() == "Cancel"
    preview.reject()
