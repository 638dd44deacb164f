from django.urls import path

from trellis.records import views

app_name = "records"
urlpatterns = [
    path("learners/<int:learner_id>/records/", views.learner_records, name="learner"),
    path("learners/<int:learner_id>/release/", views.release_page, name="release"),
    path("records-requests/", views.open_requests, name="requests"),
    path("records-requests/<int:request_id>/", views.request_detail, name="request"),
]
