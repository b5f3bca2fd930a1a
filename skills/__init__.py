"""vetplan skills side: taxonomy, data contracts, import/export, mapping and gap metrics."""

__version__ = "0.1.0"
