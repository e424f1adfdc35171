from django import template

from shopmgr.core.formatting import format_money, format_percent

register = template.Library()


@register.filter
def money(value):
    return format_money(value)


@register.filter
def percent(value, decimal_pos=1):
    return format_percent(value, int(decimal_pos))
