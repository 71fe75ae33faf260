"""The formatting filters every template has without loading them (settings.TEMPLATES
`builtins`): `{{ balance|money:currency }}`, `{{ reward|reward:currency }}`,
`{{ n|number }}`, `{{ p|percent }}` (hundredths), `{{ s|share }}` (0–1), `{{ d|day }}`,
`{{ d|moment }}`, `{{ seconds|clock }}` (9:59). The words are microwork.lib.l10n's."""

from django import template

from microwork.lib import l10n

register = template.Library()

register.filter("money", l10n.amount_text)
register.filter("reward", l10n.reward_text)
register.filter("day", l10n.date_text)
register.filter("moment", l10n.datetime_text)
register.filter("clock", l10n.clock_text)


@register.filter
def number(value, places=None):
    if value is None or value == "":
        return "–"
    return l10n.number_text(value, None if places is None else int(places))


@register.filter
def percent(value, places=None):
    return l10n.percent_text(value, None if places is None else int(places))


@register.filter
def share(value, places=0):
    return l10n.share_text(value, int(places))
