from counter_app.phrasebook.library import Library


def test_shipped_term_dictionary_corrects_office_homophones(tmp_path):
    terms = Library(tmp_path / "library").terms()
    assert len(terms) >= 10
    # Whisper base wrote these on Open JTalk speech (ENGINE_NOTES, test runs)
    assert terms.apply_asr_corrections("住民兵の写しをください。", "ja") == "住民票の写しをください。"
    assert terms.apply_asr_corrections("手数道は三百円です", "ja") == "手数料は三百円です"
    assert terms.apply_asr_corrections("サイルカードをお持ちですか。", "ja") == "在留カードをお持ちですか。"
    assert terms.apply_asr_corrections("今日は", "ja") == "こんにちは"
    assert terms.apply_asr_corrections("今日は雨です", "ja") == "今日は雨です"  # whole utterance only
    assert "マイナンバーカード" in terms.vocabulary("ja")
