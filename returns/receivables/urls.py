app_name = "receivables"

urlpatterns: list = []
