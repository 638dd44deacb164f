from django.urls import path

from trellis.health import views

app_name = "health"
urlpatterns = [
    path("learners/<int:learner_id>/medications/", views.orders, name="orders"),
    path("learners/<int:learner_id>/mar/", views.mar, name="mar"),
    path("learners/<int:learner_id>/mar/record/", views.record_dose, name="record"),
    path("learners/<int:learner_id>/medications/errors/new/", views.report_error, name="error"),
    path("mar/doses/<int:dose_id>/correct/", views.correct, name="correct"),
    path("mar/doses/<int:dose_id>/effect/", views.effect, name="effect"),
    path("medications/<int:order_id>/count/", views.count, name="count"),
]
