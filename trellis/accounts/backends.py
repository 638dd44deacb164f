from django.contrib.auth import backends, get_user_model


class ModelBackend(backends.ModelBackend):
    """Django's, reading a signed-in user's staff row in the same query as the user: nearly
    every page asks for it (the access rule, the nav), a query saved on each request."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("staff")
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
