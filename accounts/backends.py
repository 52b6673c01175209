"""The session's user loaded with its authority, department and enterprise (one query, not four): every
official's page names them in the header (templates/admin/base_site.html); the scoping rules read the authority."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserWithAuthorityBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("authority", "department", "enterprise").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
