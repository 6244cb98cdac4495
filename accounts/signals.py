"""Signals the accounts app sends for the apps above it (it imports none of them)."""
from django.dispatch import Signal

# Sent when the admin shows people's personal data (the list of users, a user's page);
# arguments: ``request``, ``user_ids`` (the people shown), ``detail``. The sharing app writes
# it to each person's access log.
people_viewed_in_admin = Signal()
