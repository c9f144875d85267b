"""Phrase panel and phrasebook admin screen (pytest-qt, offscreen) on the shipped phrasebook."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QRect, Qt  # noqa: E402
from PySide6.QtWidgets import QFileDialog, QPushButton  # noqa: E402

from counter_app.phrasebook import load_phrasebook  # noqa: E402
from counter_app.phrasebook.library import SHIPPED_DIR, Library  # noqa: E402
from counter_app.ui.phrase_admin import PhraseAdminDialog  # noqa: E402
from counter_app.ui.phrases import (  # noqa: E402
    FAVOURITES,
    PhrasePanel,
    attach_phrase_panel,
)

JUMINHYO = {"residence.need_juminhyo", "residence.how_many_copies",
            "certificates_fees.konbini_with_card"}  # every phrase whose Japanese has 住民票


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Library:
    """One library on the real shipped phrasebook (loaded once: the file is large)."""
    library = Library(tmp_path_factory.mktemp("library"))
    assert library.phrasebooks.shipped == SHIPPED_DIR / "phrasebook.yaml"
    assert len(library.phrasebook()) >= 150
    return library


@pytest.fixture()
def panel(qtbot, library):
    for phrase_id in library.favourites():
        library.set_favourite(phrase_id, False)
    panel = PhrasePanel(library, "ko")
    qtbot.addWidget(panel)
    panel.resize(700, 800)
    panel.show()
    return panel


def ids(panel) -> list[str]:
    return [p.id for p in panel.visible_phrases()]


def test_browse_a_category_in_the_staff_language(panel, library):
    names = [panel.categories.item(i).text() for i in range(panel.categories.count())]
    assert names[0] == "★ お気に入り" and "住民登録・転入転出" in names and len(names) == 11
    panel.categories.setCurrentRow(names.index("住民登録・転入転出"))
    assert ids(panel) == [p.id for p in library.phrasebook().in_category("residence")]
    assert panel.heading.text().startswith("住民登録・転入転出")
    row = panel.rows()[0]
    assert row.source_label.text() == row.phrase.text("ja")
    assert row.translation_label.text() == row.phrase.text("ko")


@pytest.mark.parametrize("query", ["じゅうみんひょう", "ジュウミンヒョウ", "ｼﾞｭｳﾐﾝﾋｮｳ", "住民票",
                                   "じゅうみんひょ", "じゅーみんひょう"])
def test_search_finds_juminhyo_in_kana_kanji_and_any_width(panel, query):
    panel.search_box.setText(query)
    assert set(ids(panel)[:3]) == JUMINHYO
    assert panel.heading.text().startswith("検索結果")


def test_search_is_case_and_width_insensitive_in_english_and_resident_language(panel):
    results = []
    for query in ("my number card", "MY NUMBER CARD", "ＭＹ　ＮＵＭＢＥＲ　ＣＡＲＤ"):
        panel.search_box.setText(query)
        results.append(ids(panel))
    assert results[0] and results[0] == results[1] == results[2]
    panel.search_box.setText("번호표")  # the resident's language
    assert ids(panel)[0] == "reception.take_ticket"
    panel.search_box.setText("ばんごさつをとって")  # typo'd, partial: fuzzy
    assert "reception.take_ticket" in ids(panel)[:3]
    panel.search_box.setText("xqzwv")
    assert ids(panel) == [] and panel.rows() == []
    assert not panel.categories.currentItem().isSelected()  # results span every category
    panel.categories.setCurrentRow(3)  # tapping a category leaves the search
    assert panel.search_box.text() == "" and panel.categories.currentItem().isSelected()
    assert ids(panel) == [p.id for p in panel.book.in_category(panel.category)]


def test_tapping_a_phrase_emits_it_and_the_star_does_not(qtbot, panel):
    panel.show_category("reception")
    row = panel.rows()[2]
    with qtbot.waitSignal(panel.phrase_chosen) as chosen:
        qtbot.mouseClick(row, Qt.MouseButton.LeftButton)
    assert chosen.args[0] is row.phrase
    with qtbot.assertNotEmitted(panel.phrase_chosen):
        qtbot.mouseClick(row.star, Qt.MouseButton.LeftButton)


def test_favourites_come_first_and_persist(qtbot, tmp_path):
    library = Library(tmp_path / "office")
    panel = PhrasePanel(library, "vi")
    qtbot.addWidget(panel)
    panel.show_category("tax")
    third = panel.rows()[2]
    qtbot.mouseClick(third.star, Qt.MouseButton.LeftButton)
    assert third.favourite and third.star.text() == "★"
    assert library.favourites() == [third.phrase.id]

    again = PhrasePanel(Library(tmp_path / "office"), "vi")  # e.g. after a restart
    qtbot.addWidget(again)
    assert again.category == FAVOURITES and ids(again) == [third.phrase.id]
    again.show_category("tax")
    assert ids(again)[0] == third.phrase.id and again.rows()[0].favourite
    assert len(ids(again)) == len(library.phrasebook().in_category("tax"))
    qtbot.mouseClick(again.rows()[0].star, Qt.MouseButton.LeftButton)  # un-star
    assert Library(tmp_path / "office").favourites() == []


def test_unreviewed_mark_shown_for_machine_translations_only(panel):
    panel.show_category("reception")
    row = panel.rows()[0]
    assert not row.phrase.is_reviewed("ko")  # shipped translations are machine-assisted
    assert row.mark_label.isVisibleTo(panel) and "未確認訳" in row.mark_label.text()
    assert not row.fallback_label.isVisibleTo(panel)
    panel.set_language("ja")  # staff language: the reviewed source, nothing to mark
    row = panel.rows()[0]
    assert not row.mark_label.isVisibleTo(panel)
    assert not row.translation_label.isVisibleTo(panel)


def test_reviewed_and_missing_translations(qtbot, tmp_path):
    """An office phrasebook with a checked Korean line, an unchecked one and a gap."""
    csv = tmp_path / "office.csv"
    csv.write_text("phrase_id,category,ja,en,ko,reviewed_ko\n"
                   "a,counter,こちらへどうぞ,This way please,이쪽으로 오세요,TRUE\n"
                   "b,counter,少々お待ちください,Please wait a moment,잠시만 기다려 주세요,FALSE\n"
                   "c,counter,印鑑をお持ちですか,Do you have your seal?,,FALSE\n",
                   encoding="utf-8")
    library = Library(tmp_path / "lib")
    library.import_phrasebook(csv, readings=False)
    panel = PhrasePanel(library, "ko")
    qtbot.addWidget(panel)
    panel.show_category("counter")
    reviewed, unreviewed, missing = panel.rows()
    assert not reviewed.mark_label.isVisibleTo(panel)
    assert unreviewed.mark_label.isVisibleTo(panel)
    assert missing.shown.language == "en" and missing.shown.fallback
    assert missing.translation_label.text() == "Do you have your seal?"
    assert missing.fallback_label.isVisibleTo(panel)
    assert missing.fallback_label.text() == "한국어の訳がありません → Englishで表示"


def counter_window(qtbot, tmp_path, monkeypatch, width: int, height: int, sinks=None):
    """The real counter window: no scripted engines; speech goes to MemorySinks."""
    from counter_app.app import build_window
    from counter_app.config import Settings
    from counter_app.pipeline.audio import MemorySink
    from counter_app.pipeline.factory import EngineFactory
    from counter_app.store import ModelStore

    monkeypatch.setenv("COUNTER_APP_CONFIG", str(tmp_path / "settings.json"))
    settings = Settings()
    settings.conversation.resident_language = "ko"
    sinks = [] if sinks is None else sinks
    window = build_window(settings, EngineFactory(ModelStore(tmp_path / "store")),
                          source_factory=lambda side: None,
                          sink_factory=lambda: sinks.append(MemorySink()) or sinks[-1])
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    return window


def test_toolbar_button_opens_drawer_and_a_tap_shows_and_speaks(qtbot, tmp_path, monkeypatch,
                                                                library, shots_dir):
    """Korean is spoken by espeak-ng."""
    sinks = []
    window = counter_window(qtbot, tmp_path, monkeypatch, 1600, 900, sinks)
    panel = attach_phrase_panel(window, library)
    assert window.phrase_button.text() == "☰ 定型文"
    qtbot.waitUntil(window.phrase_button.isVisible, timeout=2000)  # tools before settings
    assert window.phrase_button in window.findChildren(QPushButton)
    assert window.phrase_button.mapTo(window, window.phrase_button.rect().topLeft()).x() < \
        window.settings_button.mapTo(window, window.settings_button.rect().topLeft()).x()
    qtbot.mouseClick(window.phrase_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.phrase_drawer.isVisible, timeout=2000)

    panel.search_box.setText("ばんごうふだ")
    row = next(r for r in panel.rows() if r.phrase.id == "reception.take_ticket")
    qtbot.mouseClick(row, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(window.resident.history.bubbles()), timeout=10_000)
    phrase = row.phrase
    staff = window.staff.history.bubbles()[0]
    resident = window.resident.history.bubbles()[0]
    assert staff.text_label.text() == phrase.text("ja") == "番号札をお取りください。"
    assert resident.text_label.text() == phrase.text("ko")
    # unreviewed translation: no tick, said in the resident's own language
    assert resident.hint_label.text() == "◐ 정형 문구 (번역 미확인)"
    qtbot.waitUntil(lambda: window.resident.replay_button.isEnabled(), timeout=20_000)
    spoken = sum(chunk.seconds for chunk in sinks[0].chunks)
    assert spoken > 1.0  # real espeak-ng speech of a full sentence
    assert window.conversation.exchanges[-1].mode == "phrase"

    panel.search_box.setText("じゅうみんひょう")
    qtbot.wait(50)  # let layouts settle before the screenshot
    window.grab().save(str(shots_dir / "phrase-panel.png"))

    window.set_resident_language("vi")  # the drawer follows the resident's language
    qtbot.mouseClick(panel.rows()[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.resident.history.bubbles()) == 2, timeout=10_000)
    shown = window.resident.history.bubbles()[1].text_label.text()
    assert shown == panel.rows()[0].phrase.text("vi")
    assert panel.rows()[0].translation_label.text() == shown


def rect_in(window, widget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


@pytest.mark.parametrize("width,height", [(1280, 800), (1024, 768)])
def test_drawer_fits_the_window_and_closes_with_a_large_button(qtbot, tmp_path, monkeypatch,
                                                               library, shots_dir, width,
                                                               height):
    window = counter_window(qtbot, tmp_path, monkeypatch, width, height)
    panel = attach_phrase_panel(window, library)
    drawer = window.phrase_drawer
    qtbot.waitUntil(window.phrase_button.isVisible, timeout=2000)

    def resident_half_in_view() -> bool:
        resident = rect_in(window, window.resident_host)
        return (window.rect().contains(resident)
                and window.rect().contains(rect_in(window, window.settings_button))
                and not (drawer.isVisible() and rect_in(window, drawer).intersects(resident)))

    for close in ("button", "toolbar"):
        qtbot.mouseClick(window.phrase_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(drawer.isVisible, timeout=2000)
        qtbot.wait(50)  # let layouts settle
        assert window.width() == width and window.phrase_button.isChecked()
        assert window.rect().contains(rect_in(window, drawer))
        assert rect_in(window, drawer) == rect_in(window, window.staff)  # over the staff half
        assert resident_half_in_view() and panel.rows()
        assert window.rect().contains(rect_in(window, panel.rows()[0].star))
        if close == "button":
            window.grab().save(str(shots_dir / f"phrases-open-{width}x{height}.png"))
            big = drawer.close_button
            assert big.text() == "✕ 閉じる" and big.isVisible()
            assert big.height() >= 44 and big.width() >= 44
            assert window.rect().contains(rect_in(window, big))
            qtbot.mouseClick(big, Qt.MouseButton.LeftButton)
        else:
            qtbot.mouseClick(window.phrase_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not drawer.isVisible(), timeout=2000)
        qtbot.wait(50)
        assert window.width() == width and not window.phrase_button.isChecked()
        assert resident_half_in_view()


BROKEN_CSV = ("phrase_id,category,ja,en,xx\n"
              "ok.one,counter,こちらへどうぞ,This way please,\n"
              "dup,counter,お待ちください,Please wait,\n"
              "dup,counter,,Again,\n"
              "calc,counter,=SUM(A1:A3),Formula,\n")
GOOD_CSV = ("phrase_id,category,category_ja,category_en,ja,en,ko\n"
            "office.hello,counter,窓口,Counter,こんにちは,Hello,안녕하세요\n"
            "office.wait,counter,窓口,Counter,住民票をお待ちください,Please wait,기다려 주세요\n")


def test_admin_import_failure_keeps_book_then_import_switches_and_rollback_restores(
        qtbot, tmp_path, monkeypatch, shots_dir):
    library = Library(tmp_path / "admin")
    shipped = library.phrasebook()
    dialog = PhraseAdminDialog(library)
    qtbot.addWidget(dialog)
    dialog.resize(1100, 700)
    dialog.show()
    section = dialog.sections["phrasebook"]
    assert section.active_label.text().startswith("使用中：標準（同梱）")
    assert section.active_label.text().endswith(f"\n{len(shipped)}件・30言語")
    assert shipped.version in section.active_label.text()
    assert not section.rollback_button.isEnabled()
    terms_label = dialog.sections["terms"].active_label.text()  # the shipped dictionary
    assert terms_label.startswith("使用中：標準（同梱）\n区役所 用語（標準）")
    assert terms_label.endswith(f"\n{len(library.terms())}語")

    broken = tmp_path / "broken.csv"
    broken.write_text(BROKEN_CSV, encoding="utf-8")
    with qtbot.waitSignal(dialog.import_done, timeout=10_000) as done:
        dialog.start_import("phrasebook", broken)
    assert done.args == ["phrasebook", False]
    problems = [dialog.problems.item(i).text().removeprefix("⚠ ")
                for i in range(dialog.problems.count())]
    assert dialog.problems.isVisible()
    assert dialog.message.text() == ("broken.csv は読み込みませんでした（問題 4 件）。"
                                     "これまでのものをそのまま使います。")
    assert any(p.startswith("broken.csv: header, column 'xx': unknown language column")
               for p in problems)
    assert any("row 4, column 'phrase_id'" in p and "duplicate id 'dup'" in p for p in problems)
    assert any("row 4, column 'ja'" in p and "empty source" in p for p in problems)
    assert any("row 5, column 'ja'" in p and "formula" in p for p in problems)
    assert library.phrasebook() is shipped and section.versions.count() == 1
    dialog.grab().save(str(shots_dir / "phrase-admin.png"))

    good = tmp_path / "good.csv"
    good.write_text(GOOD_CSV, encoding="utf-8-sig")
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a, **k: (str(good), "CSV (*.csv)"))
    with qtbot.waitSignal(dialog.preview_shown, timeout=20_000) as shown:
        qtbot.mouseClick(section.import_button, Qt.MouseButton.LeftButton)  # "読み込み…"
    preview = shown.args[0]
    assert preview.counts.text() == f"追加 2件・変更 0件・削除 0件（{len(shipped)}件 → " \
                                    f"{len(shipped) + 2}件）"
    preview.replace_button.click()
    with qtbot.waitSignal(dialog.import_done, timeout=20_000) as done:
        qtbot.mouseClick(preview.apply_button, Qt.MouseButton.LeftButton)
    assert done.args == ["phrasebook", True]
    assert not dialog.problems.isVisible() and "v0001" in dialog.message.text()
    assert dialog.message.text().startswith("good.csv で置き換えました（v0001）")
    book = library.phrasebook()
    assert [p.id for p in book.phrases] == ["office.hello", "office.wait"]
    exported = tmp_path / "export" / "office"
    exported.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(exported), "Excel (*.xlsx)"))
    qtbot.mouseClick(section.export_button, Qt.MouseButton.LeftButton)
    again = load_phrasebook(exported.with_suffix(".xlsx"))
    assert [p.texts for p in again.phrases] == [p.texts for p in book.phrases]

    qtbot.mouseClick(section.rollback_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "標準（同梱） に戻しました。"
    assert len(library.phrasebook()) == len(shipped)
    assert section.active_label.text().startswith("使用中：標準（同梱）")
    assert not section.rollback_button.isEnabled()


def test_admin_terms_import_and_bad_file(qtbot, tmp_path):
    library = Library(tmp_path / "admin")
    dialog = PhraseAdminDialog(library)
    qtbot.addWidget(dialog)
    terms = tmp_path / "terms.csv"
    terms.write_text("term,reading,do_not_translate,force_translation,whole_utterance,note,en\n"
                     "マイナンバーカード,まいなんばーかーど,FALSE,TRUE,FALSE,,My Number Card\n",
                     encoding="utf-8")
    with qtbot.waitSignal(dialog.import_done, timeout=10_000) as done:
        dialog.start_import("terms", terms)
    assert done.args == ["terms", True]
    assert library.terms().get("マイナンバーカード").translations["en"] == "My Number Card"
    assert dialog.sections["terms"].active_label.text().endswith("\n1語")
    missing = tmp_path / "nowhere.csv"
    with qtbot.waitSignal(dialog.import_done, timeout=10_000) as done:
        dialog.start_import("terms", missing)
    assert done.args == ["terms", False]
    assert dialog.problems.item(0).text() == "⚠ nowhere.csv: file not found"
    assert len(library.terms()) == 1
