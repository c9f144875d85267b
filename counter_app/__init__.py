"""counter-app: offline counter interpretation for Japanese ward offices."""

from counter_app.privacy import disable_telemetry, keep_text_out_of_logs

__version__ = "0.1.0"

disable_telemetry()  # before any engine library is imported (see privacy.py)
keep_text_out_of_logs()
