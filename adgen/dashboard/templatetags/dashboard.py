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


@register.filter
def schedule_words(campaign):
    """A campaign's schedule in words ("Every Monday at 09:00 Europe/Paris"), never raw cron."""
    from adgen.campaigns.schedules import schedule_describe

    return schedule_describe(campaign.schedule, campaign.time_zone)


@register.filter
def run_status_words(status):
    from adgen.campaigns.selectors import RUN_STATUS_WORDS

    return RUN_STATUS_WORDS.get(status, status)


@register.filter
def item_status_words(status):
    from adgen.campaigns.selectors import ITEM_STATUS_WORDS

    return ITEM_STATUS_WORDS.get(status, status)


@register.filter
def run_summary_words(run):
    from adgen.campaigns.selectors import run_summary_words as words

    return words(run)


@register.filter
def run_credits_words(run):
    from adgen.campaigns.selectors import run_credits_words as words

    return words(run)


@register.filter
def error_hint_of(code):
    """The plain-language hint (title, next step) for an error code."""
    from adgen.ads.error_hints import error_hint_for

    return error_hint_for(code)


@register.filter
def failure_of(code, message=""):
    """A failure for dashboard/_failure.html from a code and its raw message (campaign runs)."""
    from adgen.dashboard.selectors import failure_view

    return failure_view(code=code, message=message or "")


@register.simple_tag
def favicon_url():
    from django.templatetags.static import static

    from adgen.dashboard.favicon import FAVICON

    return static(FAVICON)
