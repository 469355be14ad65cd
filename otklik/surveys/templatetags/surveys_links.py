from django import template

from otklik.surveys.selectors import satisfaction_survey_for

register = template.Library()


@register.inclusion_tag("surveys/_satisfaction_link.html")
def satisfaction_survey_link(organization):
    """An invitation to the open satisfaction survey of the organization (or the nearest above it)."""
    return {"survey": satisfaction_survey_for(organization=organization)}
