"""What the model manager and the first-start flow share while a download or an
import runs: progress in the UI language, cancel, and closing while busy."""

from __future__ import annotations

from counter_app.store.availability import human_size
from counter_app.ui.i18n import tr


def size_text(size: int | None) -> str:
    return tr("mm_size_unknown") if size is None else human_size(size)


class InstallJob:
    """Mixed into a QDialog that has `progress`, `progress_label`, `cancel_button`,
    `_task`, `busy` and `_close_when_idle`."""

    def _show_progress(self, done: int, total: int, label: str) -> None:
        if total:
            self.progress.setValue(int(1000 * min(done, total) / total))
        self.progress_label.setText(f"{tr('mm_installing')}: {label}  "
                                    f"{human_size(done)} / {size_text(total or None)}")

    def cancel(self) -> None:
        """Stop the running download; the Installer removes its partial files."""
        if self._task is not None:
            self._task.cancel()
        self.cancel_button.setEnabled(False)
        self.progress_label.setText(tr("mm_cancelling"))

    def reject(self) -> None:
        """Closing while busy cancels first and closes once the worker has stopped."""
        if self.busy:
            self._close_when_idle = True
            self.cancel()
            return
        super().reject()
