# One date style for French pages (settings.FORMAT_MODULE_PATH): « 3 déc. 2026 » and
# « 3 déc. 2026 à 14:05 »; a decimal comma and a no-break space between thousands.
DATE_FORMAT = "j N Y"
DATETIME_FORMAT = r"j N Y \à H:i"
SHORT_DATE_FORMAT = "j N Y"
SHORT_DATETIME_FORMAT = r"j N Y \à H:i"
MONTH_DAY_FORMAT = "j N"
TIME_FORMAT = "H:i"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\N{NO-BREAK SPACE}"
NUMBER_GROUPING = 3
