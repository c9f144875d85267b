"""The model store: where installed models live and how they are found."""

from counter_app.store.local import InstalledModel, ModelStore, default_store_path

__all__ = ["InstalledModel", "ModelStore", "default_store_path"]
