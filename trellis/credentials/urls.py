from django.urls import path

from trellis.credentials import views

app_name = "credentials"
urlpatterns = [
    path("credentials/", views.roster, name="roster"),
    path("credentials/new/", views.add, name="add"),
]
