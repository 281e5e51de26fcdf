app_name = "contract"

urlpatterns = []
