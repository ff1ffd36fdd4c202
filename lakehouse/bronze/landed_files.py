"""The content hash of raw files already taken in, so that a run does not read them again.

Every run considers the whole landing folder, and a file's SHA-256 decides whether Bronze
already holds it. Hashing means reading every file: with months of daily exports in the
folder, most of a daily run's ingest time. A file whose path, size and modification time
have not changed since it was hashed keeps its hash, the trust `make` and `rsync` place in
the same three facts; the hash still decides what is loaded. The hashes live beside the
warehouse's registry (WAREHOUSE/meta/landed_files.json): a lost or unreadable file only
means that the next run reads every file once more.
"""

import json
import os
from pathlib import Path


class LandedFiles:
    def __init__(self, warehouse: Path) -> None:
        self._path = warehouse / "meta" / "landed_files.json"
        try:
            self._hashes: dict[str, dict] = json.loads(self._path.read_text())
        except (OSError, ValueError):
            self._hashes = {}

    def known_hash(self, path: Path) -> str | None:
        """The hash recorded for `path`, if the file is unchanged since."""
        known = self._hashes.get(str(path.resolve()))
        stat = path.stat()
        if known and (known["size"], known["mtime_ns"]) == (stat.st_size, stat.st_mtime_ns):
            return known["sha256"]
        return None

    def remember(self, path: Path, file_hash: str) -> None:
        stat = path.stat()
        self._hashes[str(path.resolve())] = {
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "sha256": file_hash,
        }

    def save(self) -> None:
        """Write the hashes; a run killed while writing leaves the previous file whole."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        partial = self._path.with_suffix(".json.partial")
        partial.write_text(json.dumps(self._hashes, indent=1, sort_keys=True))
        os.replace(partial, self._path)
