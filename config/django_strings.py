"""Strings of Django 5.2's own admin templates that its zh_Hans catalog does not hold yet (added after its
translations were frozen): without them the admin shows English — hidden table headers read "Model name / Add
link" to screen readers, form errors start with "Error:". Listed here so tools/i18n.py keeps them in our catalog,
which LOCALE_PATHS puts before Django's own."""

from django.utils.translation import gettext_noop

DJANGO_ADMIN_STRINGS = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("In case you’ve forgotten, you are:"),
)
