from django import template

from microwork.lib.l10n import amount_text

register = template.Library()

# Kept for the templates that load it by name; the filter is microwork.lib.l10n's, as the
# builtin `money` every template has.
register.filter("money", amount_text)
