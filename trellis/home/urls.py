from django.urls import path

from trellis.home import views

urlpatterns = [path("", views.home, name="home")]
