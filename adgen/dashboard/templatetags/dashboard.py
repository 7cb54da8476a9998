"""Template helpers: the workspace switcher's list and small formatting filters."""

from django import template

from tenants.selectors import workspace_list_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def user_workspaces(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return list(workspace_list_for_user(user=request.user).order_by("organization__name", "name"))


@register.filter
def credits(value):
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value


@register.filter
def money(cents, currency="usd"):
    try:
        return f"{int(cents) / 100:,.2f} {str(currency).upper()}"
    except (TypeError, ValueError):
        return ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def favicon_url():
    from django.templatetags.static import static

    from adgen.dashboard.favicon import FAVICON

    return static(FAVICON)
