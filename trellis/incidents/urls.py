from django.urls import path

from trellis.incidents import views

app_name = "incidents"
urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("incidents/", views.incident_list, name="list"),
    path("incidents/reports/", views.report_page, name="reports"),
    path("learners/<int:learner_id>/incidents/", views.learner_incidents, name="learner"),
    path("learners/<int:learner_id>/incidents/new/", views.file_incident, name="file"),
    path("incidents/<int:incident_id>/", views.detail, name="detail"),
    path("incidents/<int:incident_id>/edit/", views.edit, name="edit"),
    path("incidents/<int:incident_id>/sign/", views.sign, name="sign"),
    path("incidents/<int:incident_id>/episodes/new/", views.add_episode, name="episode"),
    path("incidents/<int:incident_id>/guardian/", views.guardian_contact, name="guardian"),
    path("incidents/<int:incident_id>/debrief/", views.debrief, name="debrief"),
    path("incidents/<int:incident_id>/follow-ups/", views.follow_ups, name="follow_ups"),
    path("incidents/<int:incident_id>/close/", views.close, name="close"),
    path("incidents/<int:incident_id>/report.pdf", views.pdf, name="pdf"),
]
