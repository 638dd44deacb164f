from django.urls import path

from trellis.plans import views

app_name = "plans"
urlpatterns = [
    path("learners/<int:learner_id>/plans/", views.learner_plans, name="learner_plans"),
    path("learners/<int:learner_id>/plans/new/", views.create, name="create"),
    path("learners/<int:learner_id>/definitions/", views.definitions, name="definitions"),
    path("plans/<int:plan_id>/", views.detail, name="detail"),
    path("plans/<int:plan_id>/edit/", views.edit, name="edit"),
    path("plans/<int:plan_id>/approve/", views.approve, name="approve"),
    path("plans/<int:plan_id>/revise/", views.revise, name="revise"),
    path("plans/<int:plan_id>/goals/new/", views.add_goal, name="add_goal"),
    path("goals/<int:goal_id>/", views.goal, name="goal"),
    path("goals/<int:goal_id>/edit/", views.edit_goal, name="edit_goal"),
    path("goals/<int:goal_id>/remove/", views.remove_goal, name="remove_goal"),
    path("organizations/lists/", views.org_lists, name="org_lists"),
]
