"""newskg: news text in, a knowledge graph of who backs, fights, neighbours and speaks for whom out."""
__version__ = "0.1.0"


def open_store(path, read_only: bool = False):
    """The persistent Oxigraph store in directory ``path`` (created if missing, unless read-only): a
    :class:`kg.store.KgStore` with ``query(sparql, bindings=...)``, ``articles()``, ``to_graph()``, ``close()``."""
    from .store import open_store as _open_store
    return _open_store(path, read_only=read_only)


def __getattr__(name: str):
    """`kg.view(graph)` without importing kg.view first (it pulls in networkx and vis-network only when used)."""
    if name == "view":
        import importlib
        return importlib.import_module("kg.view")
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
