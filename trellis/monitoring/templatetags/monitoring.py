from urllib.parse import urlencode

from django import template

register = template.Library()


@register.simple_tag
def sort_query(filters, key):
    """The dashboard's query string with the current filters and a new sort."""
    params = {k: v for k, v in filters.items() if v not in (None, "") and k != "sort"}
    params["sort"] = key
    return urlencode(params)


@register.filter
def pct(value):
    return "—" if value is None else f"{value:.0f}%"


@register.filter
def num(value, digits=2):
    return "—" if value is None else f"{value:.{digits}f}"


@register.simple_tag
def page_query(filters, page):
    """The dashboard's query string with the current filters and sort, on another page."""
    params = {k: v for k, v in filters.items() if v not in (None, "")}
    params["page"] = page
    return urlencode(params)
