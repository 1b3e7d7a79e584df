"""Template filter `markdown`: an update's or postmortem's Markdown as sanitised HTML."""

from django import template
from django.utils.safestring import SafeString

from statuspage.incidents import markdown as md

register = template.Library()


@register.filter(name="markdown")
def markdown(text: str) -> SafeString:
    return md.render(text)
