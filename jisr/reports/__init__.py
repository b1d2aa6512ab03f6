"""Reports: cooperation metrics per partner (the periodic assessment of a partnership)."""
