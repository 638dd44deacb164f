from django.urls import path

from trellis.tasks import views

app_name = "tasks"
urlpatterns = [
    path("tasks/<uuid:task_id>/", views.task_progress, name="progress"),
    path("tasks/failed/", views.failed_tasks, name="failed"),
    path("tasks/failed/<str:task_id>/retry/", views.retry, name="retry"),
]
