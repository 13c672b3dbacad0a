"""Message catalogs (YAML, one file per area); loaded by bondkit.i18n."""
