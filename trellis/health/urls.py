app_name = "health"
urlpatterns = []
