"""New Zealand date and time formats (settings.FORMAT_MODULE_PATH). Django has no en_NZ locale, so
without these it falls back to its plain "en" formats: month-first input ("06/12/2026" read as
12 June) and "Dec. 6, 2026" for a date printed without a format."""
