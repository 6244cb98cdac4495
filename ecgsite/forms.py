"""Site-wide form rendering.

Every ``{{ form }}`` and ``{{ field.as_field_group }}`` on the site renders through
templates/forms/, so forms of every app share the markup that static/css/site.css styles
(labels, help text, errors tied to their inputs with aria-describedby).
"""
from django.forms.renderers import TemplatesSetting


class SiteFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
