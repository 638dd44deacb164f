from django.urls import path

from trellis.collect import views_screen, views_tokens

app_name = "collect"
urlpatterns = [
    # The live collection screen (views_screen.py); the JSON API lives under /api/v1/.
    path("collect/sw.js", views_screen.service_worker, name="service-worker"),
    path(
        "collect/learners/<int:learner_id>/start/",
        views_screen.start_for_learner,
        name="start",
    ),
    path("collect/groups/<int:group_id>/start/", views_screen.start_for_group, name="start-group"),
    path("collect/sessions/<uuid:session_id>/", views_screen.screen, name="screen"),
    path("collect/offline/", views_screen.offline_screen, name="offline-screen"),
    path("collect/sessions/<uuid:session_id>/end/", views_screen.end, name="end"),
    path("collect/sessions/<uuid:session_id>/observe/", views_screen.observe, name="observe"),
    # Personal API tokens (views_tokens.py), reached from the profile page.
    path("accounts/tokens/", views_tokens.tokens, name="tokens"),
    path("accounts/tokens/revoke/", views_tokens.revoke, name="token_revoke"),
]
