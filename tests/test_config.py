import json

from counter_app import config


def test_defaults_when_missing(tmp_path):
    settings = config.load(tmp_path / "none.json")
    assert settings.conversation.staff_language == "ja"
    assert settings.ui_language == "ja"


def test_round_trip_and_unknown_keys_ignored(tmp_path):
    path = tmp_path / "settings.json"
    settings = config.Settings()
    settings.conversation.speech_speed = 1.25
    settings.catalogs.vosk = "http://mirror.local/vosk.json"
    config.save(settings, path)
    data = json.loads(path.read_text())
    data["obsolete_option"] = 1
    data["conversation"]["gone"] = True
    path.write_text(json.dumps(data))
    loaded = config.load(path)
    assert loaded.conversation.speech_speed == 1.25
    assert loaded.catalogs.vosk == "http://mirror.local/vosk.json"
    assert loaded.captions.theme == "white-on-black"


def test_broken_file_gives_defaults(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    assert config.load(path) == config.Settings()
