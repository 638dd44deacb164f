from django.urls import path

from trellis.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("goals/<int:goal_id>/monitor/", views.goal, name="goal"),
    path("goals/<int:goal_id>/graph.png", views.graph_file, {"fmt": "png"}, name="graph-png"),
    path("goals/<int:goal_id>/graph.pdf", views.graph_file, {"fmt": "pdf"}, name="graph-pdf"),
    path("goals/<int:goal_id>/graph.svg", views.graph_file, {"fmt": "svg"}, name="graph-svg"),
    path("goals/<int:goal_id>/effects/", views.effects_page, name="effects"),
    path("recommendations/<int:rec_id>/accept/", views.accept, name="accept"),
    path("recommendations/<int:rec_id>/dismiss/", views.dismiss, name="dismiss"),
    path("learners/<int:learner_id>/decisions/", views.decisions, name="decisions"),
    path("learners/<int:learner_id>/fba/", views.fba_page, name="fba"),
    path("learners/<int:learner_id>/ioa/", views.ioa_page, name="ioa"),
]
