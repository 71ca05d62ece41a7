"""newskg: news text in, a knowledge graph of who backs, fights, neighbours and speaks for whom out."""
__version__ = "0.1.0"
