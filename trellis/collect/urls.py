app_name = "collect"
urlpatterns = []
