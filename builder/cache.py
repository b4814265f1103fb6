"""The build cache: what one build can reuse from the last, keyed by hashes of its inputs.

The caller owns it. `briefing serve` keeps one alive across rebuilds; a command-line
build makes its own, backed by a folder on disk for the slow artefacts (chart SVGs and
the JavaScript bundle); `briefing check` uses one with no folder, so it writes nothing.
Entries that a successful build did not use are dropped at its end, so the cache holds
one book's worth of artefacts however long the server runs.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Generic, Hashable, Iterable, Optional, TypeVar

from .files import write_atomic

V = TypeVar("V")
T = TypeVar("T")

CACHE_DIR = ".briefing-cache"
CACHE_ENV = "BRIEFING_CACHE"  # set to share one cache folder between books (the tests do)


def cache_folder(root: Path) -> Path:
    """Return the folder a command-line build keeps its slow artefacts in."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    return root / CACHE_DIR


def _key() -> bytes:
    """Return this user's secret for signing kept caches, made on first use and readable only by them.

    A book folder can come from anyone (a shared drive, a clone): a cache found in it is read back
    only if this user's own briefing wrote it, because reading a pickle can run code.
    """
    home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "briefing"
    path = home / "cache-key"
    try:
        return path.read_bytes()
    except OSError:
        pass
    home.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another build made it a moment ago
        return path.read_bytes()
    with os.fdopen(fd, "wb") as handle:
        handle.write(secret)
    return secret


def _sign(data: bytes) -> bytes:
    return hmac.new(_key(), data, hashlib.sha256).hexdigest().encode("ascii")


def digest(*parts: str | bytes) -> str:
    """Return a hex SHA-256 of the parts, each length-prefixed so that no two inputs collide."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


SHARDS = 16  # files per store kept on disk


def shard_of(key: Hashable) -> int:
    """Return which of a store's kept files holds key (keys are tuples of texts and numbers)."""
    return hashlib.blake2b(repr(key).encode("utf-8"), digest_size=2).digest()[0] % SHARDS


@dataclass
class Store(Generic[V]):
    """One kind of artefact, by key; counts what was reused and what was made."""

    name: str
    keep_unused: bool = False  # a few small entries that every build may need, such as chart skeletons
    entries: dict[Hashable, V] = field(default_factory=dict)
    used: set[Hashable] = field(default_factory=set)
    hits: int = 0
    misses: int = 0
    dirty: set[int] = field(default_factory=set)  # shards (see shard_of) changed since kept on disk

    def get(self, key: Hashable) -> Optional[V]:
        """Return the entry for key, or None."""
        if key in self.entries:
            self.hits += 1
            self.used.add(key)
            return self.entries[key]
        return None

    def put(self, key: Hashable, value: V) -> V:
        """Keep value under key and return it."""
        self.misses += 1
        self.entries[key] = value
        self.used.add(key)
        self.dirty.add(shard_of(key))
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """Return the entry for key, making it first if there is none."""
        if key in self.entries:
            return self.get(key)  # type: ignore[return-value]
        return self.put(key, make())

    def made_from(self, source: Any, key: Hashable, make: Callable[[], T]) -> T:
        """Return what make() gave for this very source object (a parsed file, a tuple of rows) under key.

        Kept by the object's identity while it lives: the cache keeps the source too, so its id is
        not reused. In memory only (`serve`, and one build's stages); ids mean nothing on disk.
        """
        full = (key, id(source))
        kept: Any = self.get(full)
        if kept is None or kept[0] is not source:
            kept = self.put(full, (source, make()))  # type: ignore[arg-type]
        return kept[1]

    def keep_alive(self, keys: Iterable[Hashable]) -> None:
        """Count entries as used by this build although it did not read them (a reused page used them)."""
        self.used.update(k for k in keys if k in self.entries)

    def start(self) -> None:
        self.used = set()
        self.hits = self.misses = 0

    def prune(self) -> None:
        """Drop the entries the last build did not use."""
        if not self.keep_unused and len(self.used) < len(self.entries):
            self.dirty.update(shard_of(k) for k in self.entries if k not in self.used)
            self.entries = {k: v for k, v in self.entries.items() if k in self.used}

    def file_name(self, shard: int) -> str:
        """Return the name of the cache file that keeps one shard of this store."""
        return f"{self.name.replace(' ', '-').lower()}-{shard:02d}"


class BuildCache:
    """Read and parsed files, validated items, Markdown, charts, SVGs and rendered pages of a book."""

    def __init__(self, folder: Optional[Path] = None):
        self.folder = folder
        self.files: Store[Any] = Store("read files")  # texts by size and time, tables by text
        self.documents: Store[Any] = Store("parsed files")  # YAML documents and pages, by text
        self.items: Store[Any] = Store("validated items")
        self.rows: Store[Any] = Store("validated rows")  # blocks of CSV rows, as their items' fields
        self.row_items: Store[Any] = Store("validated rows, as items")  # the same blocks' items, in memory
        self.markdown: Store[Any] = Store("Markdown")
        self.charts: Store[Any] = Store("charts")
        self.skeletons: Store[str] = Store("chart skeletons", keep_unused=True)
        self.svgs: Store[bytes] = Store("SVGs")
        self.pages: Store[Any] = Store("pages")
        self.scans: Store[Any] = Store("offline scans")
        self.checks: Store[Any] = Store("item checks")
        self.texts: Store[Any] = Store("page texts")  # what each page shows, for the search index
        self.search: Store[Any] = Store("search index")  # its parts, each made from a few pages' texts
        self.fingerprints: Store[Any] = Store("fingerprints of long tuples")
        self.templates: Store[Any] = Store("template environments")
        self.checksums: Store[Any] = Store("checksums of built files")
        self.keep_workers = False  # set by a caller that builds again and again (`serve`): see `workers`
        # set by the resident build process (resident.py): its builds are command-line builds, skipped
        # when nothing changed and kept on disk for the next process, made with this cache kept in memory
        self.resident = False
        self.workers: Any = None  # processes drawing charts, kept between builds when keep_workers is set
        self.drawing: dict[str, Any] = {}  # SVGs the kept workers started drawing during the plan, by key
        self.inputs: dict[str, Any] = {}  # each input file's hash, with what stat said of it (see input_digest)
        self.written: dict[str, Any] = {}  # what the last build into each output folder left there, by stat
        self.rendered_svgs: list[str] = []  # SVGs this build drew with vl-convert
        self.reused_svgs: list[str] = []  # SVGs this build took from memory or disk

    @property
    def stores(self) -> list[Store[Any]]:
        return [self.files, self.documents, self.items, self.rows, self.row_items, self.markdown, self.charts,
                self.skeletons, self.svgs, self.pages, self.scans, self.checks, self.texts, self.search,
                self.fingerprints, self.templates, self.checksums]

    @property
    def kept_on_disk(self) -> list[Store[Any]]:
        """The stores a command-line build keeps for the next one: slow to make, quick to read back."""
        return [self.documents, self.rows, self.markdown, self.charts, self.skeletons, self.pages, self.scans,
                self.checks, self.texts, self.search]

    def start_build(self) -> None:
        """Begin counting what the next build reuses."""
        for store in self.stores:
            store.start()
        self.rendered_svgs, self.reused_svgs = [], []

    def finish_build(self) -> None:
        """Forget what the build that just succeeded did not use."""
        for store in self.stores:
            store.prune()
        for started in self.drawing.values():  # drawn for a chart the build found kept after all
            started.cancel()
        self.drawing = {}

    def checksum(self, data: bytes) -> str:
        """Return the SHA-256 of a built file, hashed once while the same bytes live (a reused page does)."""
        return self.checksums.made_from(data, "sha256", lambda: hashlib.sha256(data).hexdigest())

    def read(self, kind: str, name: str) -> Optional[bytes]:
        """Return a file kept on disk by an earlier build, if there is a folder and the file."""
        if self.folder is None:
            return None
        path = self.folder / kind / name
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError:
            return None

    def keep(self, kind: str, name: str, data: bytes) -> None:
        """Keep a file on disk for later builds; a read-only folder only costs speed."""
        if self.folder is None:
            return
        try:
            write_atomic(self.folder / kind / name, data)
        except OSError:
            pass

    def restore(self, version: str) -> None:
        """Read back what the last command-line build kept, as far as this version and this user kept it.

        Each kept store is split into SHARDS files by key, so that a build that changed a few
        entries rewrites a few files rather than the whole cache (tens of MB for a large book).
        """
        for store in self.kept_on_disk:
            store.entries, store.dirty = {}, set()
            for shard in range(SHARDS):
                kept = self._read_shard(store, shard, version)
                if kept is None:
                    store.dirty.add(shard)  # missing, stale or not this user's: written afresh at the end
                else:
                    store.entries.update(kept)

    def _read_shard(self, store: Store[Any], shard: int, version: str) -> Optional[dict[Hashable, Any]]:
        name = store.file_name(shard)
        data = self.read("build", f"{name}.pickle")
        signature = self.read("build", f"{name}.sig")
        if data is None or signature is None or not hmac.compare_digest(signature, _sign(data)):
            return None  # absent, or not written by this user's briefing: never unpickle it
        try:
            kept = pickle.loads(data)
        except Exception:  # an older layout of the cache: start afresh
            return None
        if not isinstance(kept, dict) or kept.get("version") != version or not isinstance(kept.get("entries"), dict):
            return None
        return kept["entries"]

    def persist(self, version: str) -> None:
        """Keep the slow stores on disk for the next command-line build, signed with this user's key.

        Only the shards holding an entry that was added or dropped since `restore` are written.
        """
        if self.folder is None:
            return
        (self.folder / "build" / "state.pickle").unlink(missing_ok=True)  # the one file earlier versions kept
        for store in self.kept_on_disk:
            if not store.dirty:
                continue
            shards: dict[int, dict[Hashable, Any]] = {n: {} for n in store.dirty}
            for key, value in store.entries.items():
                shard = shard_of(key)
                if shard in shards:
                    shards[shard][key] = value
            for shard, entries in shards.items():
                data = pickle.dumps({"version": version, "entries": entries}, protocol=pickle.HIGHEST_PROTOCOL)
                name = store.file_name(shard)
                self.keep("build", f"{name}.pickle", data)
                self.keep("build", f"{name}.sig", _sign(data))
            store.dirty = set()

    def summary(self) -> str:
        """Return one line of what was reused, for benchmarks and `--verbose` output."""
        return "; ".join(f"{s.name}: {s.hits} reused, {s.misses} made" for s in self.stores)
