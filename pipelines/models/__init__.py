"""The model catalogue (`adgen models list | pull | import | verify | make-tiny`).

catalog.py   the entries: repositories, pinned revisions, files, licences, VRAM, install folder
services.py  pull (huggingface_hub), import, verify, status
tiny.py      tiny random models in the published layouts, for every neural kind
"""

from pipelines.models.catalog import CATALOG, KINDS, ModelEntry, ModelError, catalog_entry
from pipelines.models.services import (describe, format_listing, import_folder, install_dir, listing, models_root,
                                       pull, status, usage_hint, usage_hint_for_kind, verify)
from pipelines.models.tiny import make_tiny

__all__ = ["CATALOG", "KINDS", "ModelEntry", "ModelError", "catalog_entry", "describe", "format_listing",
           "import_folder", "install_dir", "listing", "make_tiny", "models_root", "pull", "status", "usage_hint",
           "usage_hint_for_kind", "verify"]
