"""Keep Presidio's dependencies offline; imported by `lakehouse.pii` before anything imports presidio.

Presidio's e-mail recogniser imports `tldextract`, whose default extractor is configured from the
environment when the module is imported and, unless told otherwise, fetches the public-suffix list
over the network. An empty URL list makes it use the snapshot that ships with the package.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def keep_offline() -> None:
    """Set the variables that keep tldextract from the network (an operator's values win)."""
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    os.environ.setdefault(
        "TLDEXTRACT_CACHE", str(Path(tempfile.gettempdir()) / "lakehouse-tldextract")
    )


keep_offline()
