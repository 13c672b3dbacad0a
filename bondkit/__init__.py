"""bondkit: a bilingual teaching kit for EC2, Linux bonding and fail_over_mac."""

from bondkit.errors import BondkitError
from bondkit.i18n import get_lang, set_lang, t

__all__ = ["BondkitError", "get_lang", "set_lang", "t"]
__version__ = "0.1.0"
